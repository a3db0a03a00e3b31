package casehold

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Outcome says whether an audited action happened.
type Outcome string

const (
	OutcomeOK      Outcome = "ok"
	OutcomeRefused Outcome = "refused"
	OutcomeFailed  Outcome = "failed"
)

// AuditEvent is one entry of the append-only, hash-chained audit trail. It names ids,
// never personal data: who (staff id), what (action), when, which matter/document, outcome.
type AuditEvent struct {
	Seq        uint64    `json:"seq"`
	ID         string    `json:"id"` // unique; deterministic for replayed outside events
	Time       time.Time `json:"time"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	MatterID   string    `json:"matter_id,omitempty"`
	DocumentID string    `json:"document_id,omitempty"`
	Outcome    Outcome   `json:"outcome"`
	Code       string    `json:"code,omitempty"`   // error code when refused or failed
	Detail     string    `json:"detail,omitempty"` // safe text: ids, counts, codes
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// AuditHead is the newest link of the chain; the zero value is the empty chain.
type AuditHead struct {
	Seq  uint64
	Hash string
}

// GenesisHash is the PrevHash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Chain links e after head: it sets Seq, PrevHash and Hash.
func (e *AuditEvent) Chain(head AuditHead) {
	e.Seq = head.Seq + 1
	e.PrevHash = head.Hash
	if head.Seq == 0 {
		e.PrevHash = GenesisHash
	}
	e.Hash = e.computeHash()
}

// computeHash hashes every field but Hash itself, in a fixed order, UTC times.
func (e *AuditEvent) computeHash() string {
	c := *e
	c.Hash = ""
	c.Time = c.Time.UTC()
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("audit event cannot be encoded: %v", err)) // only plain fields: cannot happen
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// VerifyChain checks that events are consecutive from prev, each linked to the one before
// and each hash matching its content. It returns the new head, or an error naming the
// first broken sequence number.
func VerifyChain(prev AuditHead, events []AuditEvent) (AuditHead, error) {
	head := prev
	for _, e := range events {
		want := head.Hash
		if head.Seq == 0 {
			want = GenesisHash
		}
		switch {
		case e.Seq != head.Seq+1:
			return head, Errorf(EINTERNAL, "audit chain broken at seq %d: expected seq %d", e.Seq, head.Seq+1)
		case e.PrevHash != want:
			return head, Errorf(EINTERNAL, "audit chain broken at seq %d: previous hash does not match", e.Seq)
		case e.Hash != e.computeHash():
			return head, Errorf(EINTERNAL, "audit chain broken at seq %d: event was altered", e.Seq)
		}
		head = AuditHead{Seq: e.Seq, Hash: e.Hash}
	}
	return head, nil
}
