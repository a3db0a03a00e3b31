package casehold

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Store keeps casehold's state. Every write is conditional, so two concurrent updates never
// silently overwrite each other. Adapters: internal/boltstore, internal/dynamostore;
// contract: internal/storetest.
type Store interface {
	// CreateMatter stores a new matter with Version 1. ECONFLICT if the id exists or another
	// matter of the same Kind has the same Reference.
	CreateMatter(ctx context.Context, m *Matter) error
	// GetMatter returns the matter or ENOTFOUND.
	GetMatter(ctx context.Context, id string) (*Matter, error)
	// UpdateMatter replaces the matter if the stored Version equals m.Version, and then sets
	// m.Version to the stored Version+1. ECONFLICT if the versions differ, ENOTFOUND if absent.
	// Kind and Reference never change.
	UpdateMatter(ctx context.Context, m *Matter) error
	// ListMatters returns matters with the given status, oldest first, using an index.
	ListMatters(ctx context.Context, status MatterStatus) ([]*Matter, error)
	// MattersFor returns the matters with the given status indexed under any of keys
	// (MatterReaderKeys as of their last write), oldest first, each once, reading only
	// those. It may also return a matter that no key opens any more (an index entry may
	// outlive a revoked grant): callers decide with the policy.
	MattersFor(ctx context.Context, status MatterStatus, keys []string) ([]*Matter, error)

	// CreateDocument stores a new document with Version 1 and files it under each of its
	// MatterIDs. ECONFLICT if the id exists.
	CreateDocument(ctx context.Context, d *Document) error
	// GetDocument returns the document or ENOTFOUND.
	GetDocument(ctx context.Context, id string) (*Document, error)
	// ListMatterDocuments returns every document filed under the matter, oldest first.
	ListMatterDocuments(ctx context.Context, matterID string) ([]*Document, error)
	// AddHold adds matterID to the document's HeldBy (and MatterIDs) in one conditional
	// write and returns the document as stored after it. Adding a hold that is there
	// already changes nothing. ENOTFOUND if the document is absent.
	AddHold(ctx context.Context, docID, matterID string) (*Document, error)
	// RemoveHold removes matterID from HeldBy in one conditional write and returns the
	// document as stored after it; the caller lifts the object's legal hold only when
	// the returned HeldBy is empty. Removing an absent hold changes nothing.
	RemoveHold(ctx context.Context, docID, matterID string) (*Document, error)
	// UpdateDisposal replaces the document's Retention and Disposal (nothing else) if the
	// stored Version equals d.Version, refiles it in the disposal index under
	// d.DisposalDue(), and then sets *d to the document as stored. ECONFLICT if the
	// versions differ (a hold or another decision came first), ENOTFOUND if absent.
	UpdateDisposal(ctx context.Context, d *Document) error
	// ListDisposalDue returns up to limit documents whose DisposalDue day is on or before
	// day, in DisposalKey order (oldest day first) after the key after ("" from the start),
	// reading only the disposal index (never every document). The index may lag a write
	// briefly; callers re-read a document before acting on it.
	ListDisposalDue(ctx context.Context, day Date, after string, limit int) ([]*Document, error)

	AuditStore

	// CreateInbound stores a new inbound message record with Version 1. ECONFLICT if the
	// id exists.
	CreateInbound(ctx context.Context, m *InboundMessage) error
	// GetInbound returns the record or ENOTFOUND.
	GetInbound(ctx context.Context, id string) (*InboundMessage, error)
	// UpdateInbound replaces the record if the stored Version equals m.Version, then sets
	// m.Version to the stored Version+1. ECONFLICT if the versions differ, ENOTFOUND if absent.
	UpdateInbound(ctx context.Context, m *InboundMessage) error
	// ListInbound returns records with the given status, oldest ReceivedAt first, using an
	// index (the coordinator's triage list and the quarantine list).
	ListInbound(ctx context.Context, status InboundStatus) ([]*InboundMessage, error)

	// Claim records key as done for at least ttl and reports true, or reports false if the
	// key was claimed before and has not expired. Used to make outside events idempotent.
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Claimed reports whether key is claimed and the claim has not expired, reading
	// consistently (a claim just made is seen).
	Claimed(ctx context.Context, key string) (bool, error)
	// Reserve stores value under key for at least ttl unless the key holds an unexpired
	// value already, and returns the value now stored: its own on the first call, the
	// earlier one on every retry. Used to give an outside event a random name (an evidence
	// key) that every redelivery of the event reuses.
	Reserve(ctx context.Context, key, value string, ttl time.Duration) (string, error)
}

// AuditStore keeps the audit log: events recorded by id, the Merkle tree the sequencer
// builds over them, its lease and its newest checkpoint. Recording never waits on other
// recorders; only the sequencer (one at a time, by lease) writes the tree. Adapters:
// internal/boltstore, internal/dynamostore; contract: internal/audittest.
type AuditStore interface {
	// RecordAudit stores e (Seq 0) as pending, durably, keyed by e.ID. Recording an id
	// that exists already changes nothing and is success. EINVALID if e is malformed.
	RecordAudit(ctx context.Context, e AuditEvent) error
	// GetAuditEvent returns the event as recorded, with Seq once integrated. ENOTFOUND if absent.
	GetAuditEvent(ctx context.Context, id string) (AuditEvent, error)
	// GetAuditEvents returns the events with these ids, in the same order, reading
	// consistently. ENOTFOUND if any is absent.
	GetAuditEvents(ctx context.Context, ids []string) ([]AuditEvent, error)
	// ListAudit returns up to limit integrated events with Seq > after, in Seq order.
	ListAudit(ctx context.Context, after uint64, limit int) ([]AuditEvent, error)
	// ListAuditBy returns up to limit integrated events with Seq > after that touched the
	// filter's matter, document or person, in Seq order, reading an index. An event is
	// listed once the sequencer has integrated it.
	ListAuditBy(ctx context.Context, f AuditFilter, after uint64, limit int) ([]AuditEvent, error)
	// PendingAudit returns up to limit recorded events not yet integrated, oldest first.
	// It never returns an integrated event; an event recorded moments ago may be missing
	// (index lag) and is returned by a later call.
	PendingAudit(ctx context.Context, limit int) ([]AuditEvent, error)

	// AuditTree returns the sequencer's state, read consistently (zero when empty).
	AuditTree(ctx context.Context) (AuditTree, error)
	// AcquireAuditLease makes owner the sequencer until now+ttl if the lease is free,
	// expired at now, or owner's already. ECONFLICT if another owner holds it.
	AcquireAuditLease(ctx context.Context, owner string, now time.Time, ttl time.Duration) error
	// BeginAuditBatch records ids as the next leaves from size on. ECONFLICT unless owner
	// holds the lease, the tree has exactly size leaves and no batch is in progress.
	BeginAuditBatch(ctx context.Context, owner string, size uint64, ids []string) error
	// WriteAuditLeaves stores integrated events (Seq set) as leaves, marks them no longer
	// pending and indexes them by matter, document and person. Writing the same leaves
	// again changes nothing, so a batch interrupted half-way can be written again.
	WriteAuditLeaves(ctx context.Context, events []AuditEvent) error
	// WriteAuditHashes stores the tree's stored hashes from index start on (see
	// tlog.StoredHashIndex). Rewriting the same values is harmless; stored hashes beyond
	// the written range are never lost.
	WriteAuditHashes(ctx context.Context, start int64, hashes []tlog.Hash) error
	// ReadAuditHashes returns the stored hashes at indexes, in order. ENOTFOUND if one is absent.
	ReadAuditHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// CommitAuditBatch ends the batch begun at size: the tree now has newSize leaves with
	// this root. ECONFLICT unless owner holds the lease and that batch is in progress.
	CommitAuditBatch(ctx context.Context, owner string, size, newSize uint64, root tlog.Hash) error
	// SetAuditCheckpoint records cp as the newest checkpoint unless a newer one (higher
	// Number) is recorded already; that is not an error.
	SetAuditCheckpoint(ctx context.Context, cp Checkpoint) error

	// LegacyAudit returns up to limit events of the legacy hash chain with Seq > after, in
	// Seq order (empty when there is none), for the migration.
	LegacyAudit(ctx context.Context, after uint64, limit int) ([]LegacyAuditEvent, error)
}

// AuditBatchIntegrator is an AuditStore that can integrate a whole batch in one atomic
// write (the embedded store: one bbolt transaction). The sequencer then skips the
// begin/write/commit protocol, which exists for stores without multi-item transactions
// and costs the embedded store four transactions, each with its own syncs, per batch.
type AuditBatchIntegrator interface {
	// IntegrateAuditBatch stores events (Seq set, from size+1 on) as leaves with their
	// index entries, the stored hashes from hashStart on, and moves the tree from size to
	// size+len(events) leaves with root: all of it or nothing. ECONFLICT unless owner
	// holds the lease, the tree has exactly size leaves, no batch is in progress and no
	// event is a leaf already.
	IntegrateAuditBatch(ctx context.Context, owner string, size uint64, events []AuditEvent, hashStart int64, hashes []tlog.Hash, root tlog.Hash) error
}

// StoredObject describes one stored version in the evidence store.
type StoredObject struct {
	Key       string `json:"key"`
	VersionID string `json:"version_id"`
	// SHA256 is lower-case hex of the whole object. From Put it is what the adapter hashed
	// while streaming; from Versions it is only what the store's metadata claims, which
	// anyone able to write to the store could have set, so it is never taken as evidence.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// UnmarshalJSON also reads records written before the fields had JSON names ("Key",
// "VersionID", ...): encoding/json matches the others without regard to case, but not
// "VersionID" to "version_id".
func (o *StoredObject) UnmarshalJSON(b []byte) error {
	type named StoredObject
	var v struct {
		named
		OldVersionID string `json:"VersionID"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = StoredObject(v.named)
	if o.VersionID == "" {
		o.VersionID = v.OldVersionID
	}
	return nil
}

// Evidence is the write-once evidence store. Adapters: internal/fileevidence,
// internal/s3evidence; contract: internal/evidencetest.
type Evidence interface {
	// Put stores the bytes read from r under key, write-once. It hashes what it reads, and if
	// r returns an error nothing is stored and the error is returned wrapped. If legalHold is
	// true the stored version is under legal hold from the moment it exists.
	// ECONFLICT if key already has a version (never overwritten); r has then still been read
	// to its end, and the returned StoredObject carries Key, SHA256 and Size of what r gave
	// (no VersionID), so the caller can compare them with what is stored.
	Put(ctx context.Context, key string, r io.Reader, legalHold bool) (StoredObject, error)
	// Open returns a reader of exactly that version. ENOTFOUND if absent.
	Open(ctx context.Context, key, versionID string) (io.ReadCloser, error)
	// Versions lists every version of key, oldest first (an empty list if none). Their
	// SHA256 is the store's claim, not evidence: read the bytes to know.
	Versions(ctx context.Context, key string) ([]StoredObject, error)
	// SetLegalHold turns the version's legal hold on or off. ENOTFOUND if absent.
	SetLegalHold(ctx context.Context, key, versionID string, on bool) error
	// LegalHold reports whether the version is under legal hold. ENOTFOUND if absent.
	LegalHold(ctx context.Context, key, versionID string) (bool, error)
	// Delete removes the version. EHELD if it is under legal hold; ENOTFOUND if absent.
	Delete(ctx context.Context, key, versionID string) error
	// DeleteVersions destroys every version of key (disposal) and returns those it
	// deleted. If any version is under legal hold it deletes nothing and returns EHELD; a
	// hold placed while it works still stops the deletion of that version (EHELD). No
	// version at all is not an error (a disposal run again).
	DeleteVersions(ctx context.Context, key string) ([]StoredObject, error)
}

// versionDeleter is what DeleteAllVersions needs of an evidence store.
type versionDeleter interface {
	Versions(ctx context.Context, key string) ([]StoredObject, error)
	LegalHold(ctx context.Context, key, versionID string) (bool, error)
	Delete(ctx context.Context, key, versionID string) error
}

// DeleteAllVersions is DeleteVersions for an adapter whose Delete refuses held versions
// itself: every hold is checked first, so a held key loses nothing, and each Delete
// checks again, so a hold that arrives meanwhile still wins.
func DeleteAllVersions(ctx context.Context, e versionDeleter, key string) ([]StoredObject, error) {
	vs, err := e.Versions(ctx, key)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		held, err := e.LegalHold(ctx, key, v.VersionID)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if held {
			return nil, Errorf(EHELD, "a version of the document is under legal hold: nothing was deleted")
		}
	}
	var out []StoredObject
	for _, v := range vs {
		err := e.Delete(ctx, key, v.VersionID)
		switch ErrorCode(err) {
		case "":
			out = append(out, v)
		case ENOTFOUND: // gone already: a run again
		default:
			return out, err
		}
	}
	return out, nil
}

// Attachment is a file sent with a message.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Message is an outgoing email. Subject never carries personal data.
type Message struct {
	From        string
	To          []string
	Cc          []string
	Subject     string
	Text        string
	Attachments []Attachment
}

// Mailer sends email. Adapters: internal/outbox, internal/sesmail; contract: internal/mailtest.
type Mailer interface {
	// Send delivers msg and returns the transport's message id. EINVALID if msg has no
	// recipient, no sender, or a header value with CR or LF.
	Send(ctx context.Context, msg Message) (string, error)
}

// Clock tells the time; injected so deadlines are testable.
type Clock interface{ Now() time.Time }

// IDs makes new unique ids; injected so tests are deterministic.
type IDs interface{ New() string }

// PresignedUpload is a one-time permission to PUT one file into staging.
type PresignedUpload struct {
	URL       string              `json:"url"`
	Method    string              `json:"method"`
	Headers   map[string][]string `json:"headers"` // the client must send exactly these
	ExpiresAt time.Time           `json:"expires_at"`
}

// Staging is where large uploads land before they are secured: the upload bucket in AWS
// (presigned S3 PUT), a folder served by the local server otherwise. Adapters:
// internal/s3staging, internal/filestaging.
type Staging interface {
	// PresignPut permits one PUT of key carrying meta, valid for ttl.
	PresignPut(ctx context.Context, key string, meta map[string]string, ttl time.Duration) (PresignedUpload, error)
	// Open returns the staged bytes of that version and the metadata they were uploaded
	// with. ENOTFOUND if absent (e.g. already secured and removed).
	Open(ctx context.Context, key, versionID string) (io.ReadCloser, map[string]string, error)
	// Delete removes a staged upload once it is secured. Absent is not an error. Where the
	// adapter can, the slot is used up too (a presigned S3 URL cannot be revoked: it takes
	// another file until it expires, and the ingest's idempotency is the guard there).
	Delete(ctx context.Context, key string) error
	// Discard removes a staged file the ingest refused (not a PDF, too large), leaving its
	// slot usable until it expires, so the uploader can send the right file to the same
	// URL. Absent is not an error.
	Discard(ctx context.Context, key string) error
}
