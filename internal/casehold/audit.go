package casehold

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Outcome says whether an audited action happened.
type Outcome string

const (
	OutcomeOK      Outcome = "ok"
	OutcomeRefused Outcome = "refused"
	OutcomeFailed  Outcome = "failed"
)

// AuditEvent is one entry of the append-only audit log. It names ids, never personal
// data: who (staff id), what (action), when, which matter/document/person id, outcome.
//
// An event is recorded first (keyed by ID, Seq 0) and later integrated by the sequencer
// as a leaf of the Merkle log; Seq is then its position, 1-based (leaf index Seq-1).
type AuditEvent struct {
	Seq        uint64    `json:"seq,omitempty"`
	ID         string    `json:"id"` // unique; deterministic for replayed outside events
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	MatterID   string    `json:"matter_id,omitempty"`
	DocumentID string    `json:"document_id,omitempty"`
	PIDs       []string  `json:"pids,omitempty"` // the person ids the event touched
	Outcome    Outcome   `json:"outcome"`
	Code       string    `json:"code,omitempty"`   // error code when refused or failed
	Detail     string    `json:"detail,omitempty"` // safe text: ids, counts, codes
}

// MaxAuditPIDs bounds the person ids of one event, so every store can index them.
const MaxAuditPIDs = 50

// leaf is the event as hashed into the log: every field but Seq (the position is the
// leaf's place in the tree, not part of its content), times in UTC, fixed field order.
type leaf struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	MatterID   string    `json:"matter_id,omitempty"`
	DocumentID string    `json:"document_id,omitempty"`
	PIDs       []string  `json:"pids,omitempty"`
	Outcome    Outcome   `json:"outcome"`
	Code       string    `json:"code,omitempty"`
	Detail     string    `json:"detail,omitempty"`
}

// LeafData is the event's record in the Merkle log: canonical JSON of everything but Seq.
// Anyone holding the event can recompute it, and tlog.RecordHash of it is the leaf hash.
func (e AuditEvent) LeafData() []byte {
	b, err := json.Marshal(leaf{ID: e.ID, Time: e.Time.UTC(), Actor: e.Actor, Action: e.Action,
		MatterID: e.MatterID, DocumentID: e.DocumentID, PIDs: e.PIDs, Outcome: e.Outcome,
		Code: e.Code, Detail: e.Detail})
	if err != nil {
		panic(fmt.Sprintf("audit event cannot be encoded: %v", err)) // only plain fields: cannot happen
	}
	return b
}

// LeafHash is tlog.RecordHash of LeafData.
func (e AuditEvent) LeafHash() tlog.Hash { return tlog.RecordHash(e.LeafData()) }

// EventFromLeaf decodes LeafData back into an event (Seq unset).
func EventFromLeaf(data []byte) (AuditEvent, error) {
	var l leaf
	if err := json.Unmarshal(data, &l); err != nil {
		return AuditEvent{}, Errorf(EINVALID, "audit leaf is not an event: %v", err)
	}
	return AuditEvent{ID: l.ID, Time: l.Time, Actor: l.Actor, Action: l.Action, MatterID: l.MatterID,
		DocumentID: l.DocumentID, PIDs: l.PIDs, Outcome: l.Outcome, Code: l.Code, Detail: l.Detail}, nil
}

// ValidateAuditEvent checks what every store relies on before it records e.
func ValidateAuditEvent(e AuditEvent) error {
	switch {
	case e.ID == "":
		return Errorf(EINVALID, "audit event: id is empty")
	case len(e.ID) > 200:
		return Errorf(EINVALID, "audit event: id is longer than 200 characters")
	case e.Time.IsZero():
		return Errorf(EINVALID, "audit event %s: time is unset", e.ID)
	case len(e.PIDs) > MaxAuditPIDs:
		return Errorf(EINVALID, "audit event %s: more than %d person ids", e.ID, MaxAuditPIDs)
	case e.Seq != 0:
		return Errorf(EINVALID, "audit event %s: the sequencer, not the caller, sets seq", e.ID)
	}
	for _, p := range e.PIDs {
		if p == "" {
			return Errorf(EINVALID, "audit event %s: empty person id", e.ID)
		}
	}
	return nil
}

// AuditFilter selects the events that touched one matter, one document or one person.
// Exactly one field is set.
type AuditFilter struct {
	MatterID   string
	DocumentID string
	PID        string
}

// Validate reports EINVALID unless exactly one field is set.
func (f AuditFilter) Validate() error {
	n := 0
	for _, v := range []string{f.MatterID, f.DocumentID, f.PID} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return Errorf(EINVALID, "filter the audit log by exactly one of matter, document or person id")
	}
	return nil
}

// AuditTree is the sequencer's state: the integrated tree, the batch being integrated (if
// a sequencer stopped half-way), the lease, and the newest published checkpoint.
type AuditTree struct {
	Size         uint64     // leaves integrated
	Root         tlog.Hash  // tree hash of the first Size leaves
	Batch        []string   // event ids being integrated as leaves Size, Size+1, ...; empty when none
	LeaseOwner   string     // sequencer holding the lease ("" when none)
	LeaseExpires time.Time  // the lease is free from this time
	Checkpoint   Checkpoint // newest published checkpoint; zero before the first
}

// Checkpoint is a signed statement of the log's size and root hash, stored write-once in
// the evidence store under Key. Number counts checkpoints from 1.
type Checkpoint struct {
	Number    uint64 `json:"number"`
	Size      uint64 `json:"size"`
	Key       string `json:"key"`
	VersionID string `json:"version_id"`
	Text      string `json:"text"` // the signed note
}

// LegacyAuditEvent is an event of the hash chain casehold kept before the Merkle log; the
// migration checks the chain and makes these the first leaves, in order.
type LegacyAuditEvent struct {
	AuditEvent
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// LegacyGenesisHash is the PrevHash of the legacy chain's first event.
const LegacyGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// legacyLink is the legacy chain's hashed form, field for field as it was.
type legacyLink struct {
	Seq        uint64    `json:"seq"`
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	MatterID   string    `json:"matter_id,omitempty"`
	DocumentID string    `json:"document_id,omitempty"`
	Outcome    Outcome   `json:"outcome"`
	Code       string    `json:"code,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// LegacyHash recomputes the legacy chain hash of e (every field but Hash, UTC time).
func (e LegacyAuditEvent) LegacyHash() string {
	b, err := json.Marshal(legacyLink{Seq: e.Seq, ID: e.ID, Time: e.Time.UTC(), Actor: e.Actor, Action: e.Action,
		MatterID: e.MatterID, DocumentID: e.DocumentID, Outcome: e.Outcome, Code: e.Code, Detail: e.Detail,
		PrevHash: e.PrevHash})
	if err != nil {
		panic(fmt.Sprintf("legacy audit event cannot be encoded: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
