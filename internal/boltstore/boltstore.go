// Package boltstore is the embedded casehold.Store: one bbolt file, every conditional write
// checked and applied inside a single read-write transaction, so bbolt's single writer makes
// each one atomic without any extra locking.
package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/casehold/casehold/internal/casehold"
)

var _ casehold.Store = (*Store)(nil)

// Bucket names. Index buckets hold keys only; the value is empty.
var (
	bucketMatters   = []byte("matters")    // matter id -> Matter JSON
	bucketRefs      = []byte("matter_ref") // kind \x00 reference -> matter id
	bucketStatus    = []byte("status")     // status \x00 created \x00 id -> nil
	bucketDocuments = []byte("documents")  // document id -> Document JSON
	bucketFiling    = []byte("filing")     // matter id \x00 uploaded \x00 doc id -> nil
	bucketAudit     = []byte("audit")      // legacy hash chain: big-endian seq -> event JSON (read by the migration)
	bucketAuditIDs  = []byte("audit_id")   // legacy hash chain: event id -> big-endian seq
	bucketClaims    = []byte("claims")     // claim key -> claim JSON
	bucketInbound   = []byte("inbound")    // inbound message id -> InboundMessage JSON
	bucketInStatus  = []byte("in_status")  // status \x00 received \x00 id -> nil
	bucketReserved  = []byte("reserved")   // reservation key -> reservation JSON
)

var allBuckets = [][]byte{
	bucketMatters, bucketRefs, bucketStatus, bucketDocuments,
	bucketFiling, bucketAudit, bucketAuditIDs, bucketClaims,
	bucketInbound, bucketInStatus, bucketReserved, bucketDisposal,
	bucketAuditLeafIDs, bucketAuditLog, bucketAuditBy, bucketAuditHash, bucketAuditTree,
}

// lockTimeout bounds the wait for bbolt's exclusive file lock, so a second process
// pointed at the same file fails with a clear error instead of hanging.
const lockTimeout = 2 * time.Second

// Store is a casehold.Store backed by a bbolt file.
type Store struct {
	db *bolt.DB
	// Now tells the time for claim expiry; tests replace it. Defaults to time.Now.
	Now func() time.Time

	// journal holds recorded audit events until they are integrated; records feeds its
	// group committer (audit.go, journal.go).
	journal   *journal
	records   chan recordRequest
	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

// Open opens (creating if needed) the bbolt file at path.
func Open(path string) (*Store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open state file %s: it is locked by another process (is casehold already running?): %w", path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return ensureReaderIndex(tx)
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	// Batched writes (the mail queue's and the due index's, from a sweep's workers) wait
	// at most this long for company: bbolt's 10 ms default would dominate a sweep.
	db.MaxBatchDelay = time.Millisecond
	s := &Store{db: db, Now: time.Now, records: make(chan recordRequest, recordQueue), stop: make(chan struct{}), stopped: make(chan struct{})}
	if s.journal, err = openJournal(path+".audit", s.integratedIDs); err != nil {
		db.Close()
		return nil, fmt.Errorf("open state file %s: %w", path, err)
	}
	go s.commitRecords()
	return s, nil
}

// Close stops the audit committer and releases the file and its lock.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.stopped
	return errors.Join(s.journal.close(), s.db.Close())
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// view and update refuse to start work for a cancelled context; bbolt transactions
// themselves cannot be interrupted, and they are short.
func (s *Store) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

func (s *Store) update(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(fn)
}

// --- matters ---

func (s *Store) CreateMatter(ctx context.Context, m *casehold.Matter) error {
	if m.ID == "" {
		return casehold.Errorf(casehold.EINVALID, "create matter: id is empty")
	}
	stored := *m
	stored.Version = 1
	err := s.update(ctx, func(tx *bolt.Tx) error {
		matters := tx.Bucket(bucketMatters)
		if matters.Get([]byte(m.ID)) != nil {
			return casehold.Errorf(casehold.ECONFLICT, "matter %s already exists", m.ID)
		}
		refs := tx.Bucket(bucketRefs)
		rk := refKey(m.Kind, m.Reference)
		if refs.Get(rk) != nil {
			return casehold.Errorf(casehold.ECONFLICT, "a matter of this kind with this reference already exists")
		}
		if err := putJSON(matters, []byte(m.ID), &stored); err != nil {
			return err
		}
		if err := refs.Put(rk, []byte(m.ID)); err != nil {
			return err
		}
		if err := indexReaders(tx, nil, &stored); err != nil {
			return err
		}
		return tx.Bucket(bucketStatus).Put(statusKey(&stored), nil)
	})
	if err != nil {
		return fmt.Errorf("create matter %s: %w", m.ID, err)
	}
	m.Version = 1
	return nil
}

func (s *Store) GetMatter(ctx context.Context, id string) (*casehold.Matter, error) {
	var m casehold.Matter
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketMatters), []byte(id), &m, "matter")
	})
	if err != nil {
		return nil, fmt.Errorf("get matter %s: %w", id, err)
	}
	return &m, nil
}

func (s *Store) UpdateMatter(ctx context.Context, m *casehold.Matter) error {
	var next int64
	err := s.update(ctx, func(tx *bolt.Tx) error {
		matters := tx.Bucket(bucketMatters)
		var old casehold.Matter
		if err := getJSON(matters, []byte(m.ID), &old, "matter"); err != nil {
			return err
		}
		if old.Version != m.Version {
			return casehold.Errorf(casehold.ECONFLICT, "matter %s was changed by someone else (version %d, not %d)", m.ID, old.Version, m.Version)
		}
		stored := *m
		// Kind and Reference key the uniqueness index; keeping the stored ones means the
		// index can never go stale.
		stored.Kind, stored.Reference = old.Kind, old.Reference
		stored.Version = old.Version + 1
		if err := putJSON(matters, []byte(m.ID), &stored); err != nil {
			return err
		}
		status := tx.Bucket(bucketStatus)
		if err := status.Delete(statusKey(&old)); err != nil {
			return err
		}
		if err := status.Put(statusKey(&stored), nil); err != nil {
			return err
		}
		if err := indexReaders(tx, &old, &stored); err != nil {
			return err
		}
		next = stored.Version
		return nil
	})
	if err != nil {
		return fmt.Errorf("update matter %s: %w", m.ID, err)
	}
	m.Version = next
	return nil
}

func (s *Store) ListMatters(ctx context.Context, status casehold.MatterStatus) ([]*casehold.Matter, error) {
	out := []*casehold.Matter{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		matters := tx.Bucket(bucketMatters)
		prefix := append([]byte(status), 0)
		c := tx.Bucket(bucketStatus).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := k[bytes.LastIndexByte(k, 0)+1:]
			var m casehold.Matter
			if err := getJSON(matters, id, &m, "matter"); err != nil {
				return fmt.Errorf("status index names a missing matter: %w", err)
			}
			out = append(out, &m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s matters: %w", status, err)
	}
	return out, nil
}

func refKey(kind casehold.MatterKind, ref string) []byte {
	return []byte(string(kind) + "\x00" + ref)
}

func statusKey(m *casehold.Matter) []byte {
	return []byte(string(m.Status) + "\x00" + timeKey(m.CreatedAt) + "\x00" + m.ID)
}

// timeKey formats t so that byte order is time order: UTC, fixed width.
func timeKey(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// --- documents ---

func (s *Store) CreateDocument(ctx context.Context, d *casehold.Document) error {
	if d.ID == "" {
		return casehold.Errorf(casehold.EINVALID, "create document: id is empty")
	}
	stored := *d
	stored.Version = 1
	err := s.update(ctx, func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocuments)
		if docs.Get([]byte(d.ID)) != nil {
			return casehold.Errorf(casehold.ECONFLICT, "document %s already exists", d.ID)
		}
		if err := putJSON(docs, []byte(d.ID), &stored); err != nil {
			return err
		}
		for _, mid := range stored.MatterIDs {
			if err := tx.Bucket(bucketFiling).Put(filingKey(mid, &stored), nil); err != nil {
				return err
			}
		}
		return refileDisposal(tx, nil, &stored)
	})
	if err != nil {
		return fmt.Errorf("create document %s: %w", d.ID, err)
	}
	d.Version = 1
	return nil
}

func (s *Store) GetDocument(ctx context.Context, id string) (*casehold.Document, error) {
	var d casehold.Document
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketDocuments), []byte(id), &d, "document")
	})
	if err != nil {
		return nil, fmt.Errorf("get document %s: %w", id, err)
	}
	return &d, nil
}

func (s *Store) ListMatterDocuments(ctx context.Context, matterID string) ([]*casehold.Document, error) {
	out := []*casehold.Document{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocuments)
		prefix := []byte(matterID + "\x00")
		c := tx.Bucket(bucketFiling).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := k[bytes.LastIndexByte(k, 0)+1:]
			var d casehold.Document
			if err := getJSON(docs, id, &d, "document"); err != nil {
				return fmt.Errorf("filing index names a missing document: %w", err)
			}
			out = append(out, &d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list documents of matter %s: %w", matterID, err)
	}
	return out, nil
}

func (s *Store) AddHold(ctx context.Context, docID, matterID string) (*casehold.Document, error) {
	d, err := s.changeDocument(ctx, docID, func(tx *bolt.Tx, d *casehold.Document) (bool, error) {
		filed := containsString(d.MatterIDs, matterID)
		if !d.AddHold(matterID) {
			return false, nil
		}
		if !filed {
			return true, tx.Bucket(bucketFiling).Put(filingKey(matterID, d), nil)
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("add hold of matter %s to document %s: %w", matterID, docID, err)
	}
	return d, nil
}

func (s *Store) RemoveHold(ctx context.Context, docID, matterID string) (*casehold.Document, error) {
	d, err := s.changeDocument(ctx, docID, func(_ *bolt.Tx, d *casehold.Document) (bool, error) {
		return d.RemoveHold(matterID), nil
	})
	if err != nil {
		return nil, fmt.Errorf("remove hold of matter %s from document %s: %w", matterID, docID, err)
	}
	return d, nil
}

// changeDocument reads, changes and writes a document in one transaction; change reports
// whether it changed anything, and only then is the Version bumped.
func (s *Store) changeDocument(ctx context.Context, id string, change func(*bolt.Tx, *casehold.Document) (bool, error)) (*casehold.Document, error) {
	var d casehold.Document
	err := s.update(ctx, func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocuments)
		if err := getJSON(docs, []byte(id), &d, "document"); err != nil {
			return err
		}
		before := d
		changed, err := change(tx, &d)
		if err != nil || !changed {
			return err
		}
		d.Version++
		if err := putJSON(docs, []byte(id), &d); err != nil {
			return err
		}
		// A hold takes the document out of the disposal queue; the last hold lifted
		// puts it back under its retention.
		return refileDisposal(tx, &before, &d)
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func filingKey(matterID string, d *casehold.Document) []byte {
	return []byte(matterID + "\x00" + timeKey(d.UploadedAt) + "\x00" + d.ID)
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// --- inbound messages ---

func (s *Store) CreateInbound(ctx context.Context, m *casehold.InboundMessage) error {
	if m.ID == "" {
		return casehold.Errorf(casehold.EINVALID, "create inbound message: id is empty")
	}
	stored := *m
	stored.Version = 1
	err := s.update(ctx, func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketInbound)
		if msgs.Get([]byte(m.ID)) != nil {
			return casehold.Errorf(casehold.ECONFLICT, "inbound message %s already exists", m.ID)
		}
		if err := putJSON(msgs, []byte(m.ID), &stored); err != nil {
			return err
		}
		return tx.Bucket(bucketInStatus).Put(inboundStatusKey(&stored), nil)
	})
	if err != nil {
		return fmt.Errorf("create inbound message %s: %w", m.ID, err)
	}
	m.Version = 1
	return nil
}

func (s *Store) GetInbound(ctx context.Context, id string) (*casehold.InboundMessage, error) {
	var m casehold.InboundMessage
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketInbound), []byte(id), &m, "inbound message")
	})
	if err != nil {
		return nil, fmt.Errorf("get inbound message %s: %w", id, err)
	}
	return &m, nil
}

func (s *Store) UpdateInbound(ctx context.Context, m *casehold.InboundMessage) error {
	var next int64
	err := s.update(ctx, func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketInbound)
		var old casehold.InboundMessage
		if err := getJSON(msgs, []byte(m.ID), &old, "inbound message"); err != nil {
			return err
		}
		if old.Version != m.Version {
			return casehold.Errorf(casehold.ECONFLICT, "inbound message %s was changed by someone else (version %d, not %d)", m.ID, old.Version, m.Version)
		}
		stored := *m
		stored.Version = old.Version + 1
		if err := putJSON(msgs, []byte(m.ID), &stored); err != nil {
			return err
		}
		// Status and ReceivedAt may both change, so the old index key is removed, not reused.
		status := tx.Bucket(bucketInStatus)
		if err := status.Delete(inboundStatusKey(&old)); err != nil {
			return err
		}
		if err := status.Put(inboundStatusKey(&stored), nil); err != nil {
			return err
		}
		next = stored.Version
		return nil
	})
	if err != nil {
		return fmt.Errorf("update inbound message %s: %w", m.ID, err)
	}
	m.Version = next
	return nil
}

func (s *Store) ListInbound(ctx context.Context, status casehold.InboundStatus) ([]*casehold.InboundMessage, error) {
	out := []*casehold.InboundMessage{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		msgs := tx.Bucket(bucketInbound)
		prefix := append([]byte(status), 0)
		c := tx.Bucket(bucketInStatus).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			id := k[bytes.LastIndexByte(k, 0)+1:]
			var m casehold.InboundMessage
			if err := getJSON(msgs, id, &m, "inbound message"); err != nil {
				return fmt.Errorf("inbound status index names a missing message: %w", err)
			}
			out = append(out, &m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s inbound messages: %w", status, err)
	}
	return out, nil
}

func inboundStatusKey(m *casehold.InboundMessage) []byte {
	return []byte(string(m.Status) + "\x00" + timeKey(m.ReceivedAt) + "\x00" + m.ID)
}

// --- claims ---

type claim struct {
	Expires time.Time `json:"expires"`
}

func (s *Store) Claimed(ctx context.Context, key string) (bool, error) {
	now := s.now()
	var held bool
	err := s.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketClaims).Get([]byte(key))
		if v == nil {
			return nil
		}
		var c claim
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("decode claim: %w", err)
		}
		held = now.Before(c.Expires)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("read claim: %w", err)
	}
	return held, nil
}

func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if key == "" {
		return false, casehold.Errorf(casehold.EINVALID, "claim: key is empty")
	}
	now := s.now()
	var won bool
	err := s.update(ctx, func(tx *bolt.Tx) error {
		claims := tx.Bucket(bucketClaims)
		if v := claims.Get([]byte(key)); v != nil {
			var c claim
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode claim: %w", err)
			}
			if now.Before(c.Expires) {
				return nil
			}
		}
		won = true
		return putJSON(claims, []byte(key), &claim{Expires: now.Add(ttl)})
	})
	if err != nil {
		return false, fmt.Errorf("claim %s: %w", key, err)
	}
	return won, nil
}

type reservation struct {
	Value   string    `json:"value"`
	Expires time.Time `json:"expires"`
}

func (s *Store) Reserve(ctx context.Context, key, value string, ttl time.Duration) (string, error) {
	if key == "" || value == "" {
		return "", casehold.Errorf(casehold.EINVALID, "reserve: key and value are required")
	}
	now := s.now()
	stored := value
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketReserved)
		if v := b.Get([]byte(key)); v != nil {
			var r reservation
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode reservation: %w", err)
			}
			if now.Before(r.Expires) {
				stored = r.Value
				return nil
			}
		}
		return putJSON(b, []byte(key), &reservation{Value: value, Expires: now.Add(ttl)})
	})
	if err != nil {
		return "", fmt.Errorf("reserve: %w", err)
	}
	return stored, nil
}

// --- encoding ---

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return b.Put(key, data)
}

// getJSON decodes the value at key, or returns ENOTFOUND naming what. Decoding copies,
// so callers never hold memory that bbolt owns.
func getJSON(b *bolt.Bucket, key []byte, v any, what string) error {
	data := b.Get(key)
	if data == nil {
		return casehold.Errorf(casehold.ENOTFOUND, "%s not found", what)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}
