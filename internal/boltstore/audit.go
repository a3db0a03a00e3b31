package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/casehold"
)

// Audit log buckets (the legacy chain keeps bucketAudit and bucketAuditIDs).
// Pending events are not in bbolt at all: they wait in the journal (journal.go).
var (
	bucketAuditLeafIDs = []byte("audit_ids")  // event id -> big-endian seq, once integrated
	bucketAuditLog     = []byte("audit_log")  // big-endian seq -> the leaf (Event.LeafData()): the log in order
	bucketAuditBy      = []byte("audit_by")   // m|d|p \x00 id \x00 big-endian seq -> nil
	bucketAuditHash    = []byte("audit_hash") // big-endian stored hash index -> 32 bytes
	bucketAuditTree    = []byte("audit_tree") // "tree" -> treeRecord JSON
)

var keyTree = []byte("tree")

// appendFill is how full the log's buckets fill a page before splitting it.
const appendFill = 0.95

// Group commit: recorders queue their events; one goroutine appends everything queued to
// the journal with one write and one sync, then answers each recorder, so an event is
// durable before its request answers and concurrent requests share one sync. No timer: a
// batch is whatever arrived while the previous sync ran.
const (
	recordQueue    = 4096
	maxRecordBatch = 1000
)

type recordRequest struct {
	event casehold.AuditEvent
	data  []byte
	done  chan error
}

var errClosed = errors.New("state file is closed")

func (s *Store) commitRecords() {
	defer close(s.stopped)
	for {
		var first recordRequest
		select {
		case <-s.stop:
			s.drainRecords()
			return
		case first = <-s.records:
		}
		batch := []recordRequest{first}
	fill:
		for len(batch) < maxRecordBatch {
			select {
			case r := <-s.records:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		err := s.journal.append(batch)
		for _, r := range batch {
			r.done <- err
		}
	}
}

// drainRecords fails what is still queued at Close, so no recorder waits forever.
func (s *Store) drainRecords() {
	for {
		select {
		case r := <-s.records:
			r.done <- errClosed
		default:
			return
		}
	}
}

// JournalStats reports the audit journal's group commits since the store opened.
func (s *Store) JournalStats() JournalStats {
	s.journal.mu.Lock()
	defer s.journal.mu.Unlock()
	return s.journal.stats
}

// integratedIDs reports which ids the log holds.
func (s *Store) integratedIDs(ids []string) (map[string]bool, error) {
	done := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAuditLeafIDs)
		for _, id := range ids {
			if b.Get([]byte(id)) != nil {
				done[id] = true
			}
		}
		return nil
	})
	return done, err
}

func (s *Store) RecordAudit(ctx context.Context, e casehold.AuditEvent) error {
	if err := casehold.ValidateAuditEvent(e); err != nil {
		return fmt.Errorf("record audit event: %w", err)
	}
	if _, ok := s.journal.get(e.ID); ok {
		return nil // recorded before: the same event delivered again
	}
	// An id the log holds already is dropped by the committer, one read per batch.
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("record audit event %s: encode: %w", e.ID, err)
	}
	req := recordRequest{event: e, data: data, done: make(chan error, 1)}
	select {
	case s.records <- req:
	case <-s.stop:
		return fmt.Errorf("record audit event %s: %w", e.ID, errClosed)
	case <-ctx.Done():
		return fmt.Errorf("record audit event %s: %w", e.ID, ctx.Err())
	}
	// Once queued the write happens whatever the context says, so wait for its outcome
	// rather than report a failure that may turn out a success.
	if err := <-req.done; err != nil {
		return fmt.Errorf("record audit event %s: %w", e.ID, err)
	}
	return nil
}

// leafAt decodes the leaf at seq from the log bucket.
func leafAt(leaves *bolt.Bucket, seq []byte) (casehold.AuditEvent, error) {
	v := leaves.Get(seq)
	if v == nil {
		return casehold.AuditEvent{}, casehold.Errorf(casehold.ENOTFOUND, "audit leaf not found")
	}
	e, err := casehold.EventFromLeaf(v)
	if err != nil {
		return casehold.AuditEvent{}, fmt.Errorf("decode audit leaf: %w", err)
	}
	e.Seq = binary.BigEndian.Uint64(seq)
	return e, nil
}

func (s *Store) GetAuditEvent(ctx context.Context, id string) (casehold.AuditEvent, error) {
	es, err := s.GetAuditEvents(ctx, []string{id})
	if err != nil {
		return casehold.AuditEvent{}, err
	}
	return es[0], nil
}

// GetAuditEvents reads the log first and the journal after: an event moves from the
// journal to the log, never back, so reading in this order cannot miss one.
func (s *Store) GetAuditEvents(ctx context.Context, ids []string) ([]casehold.AuditEvent, error) {
	out := make([]casehold.AuditEvent, len(ids))
	found := make([]bool, len(ids))
	err := s.view(ctx, func(tx *bolt.Tx) error {
		idx, leaves := tx.Bucket(bucketAuditLeafIDs), tx.Bucket(bucketAuditLog)
		for i, id := range ids {
			if seq := idx.Get([]byte(id)); seq != nil {
				e, err := leafAt(leaves, seq)
				if err != nil {
					return err
				}
				out[i], found[i] = e, true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("get audit events: %w", err)
	}
	for i, id := range ids {
		if found[i] {
			continue
		}
		e, ok := s.journal.get(id)
		if !ok {
			// Integrated since the read above? Then the log has it now.
			if done, err := s.integratedIDs([]string{id}); err == nil && done[id] {
				return s.GetAuditEvents(ctx, ids)
			}
			return nil, fmt.Errorf("get audit events: %w", casehold.Errorf(casehold.ENOTFOUND, "audit event %s not found", id))
		}
		out[i] = e
	}
	return out, nil
}

func (s *Store) ListAudit(ctx context.Context, after uint64, limit int) ([]casehold.AuditEvent, error) {
	out := []casehold.AuditEvent{}
	if limit <= 0 || after == ^uint64(0) {
		return out, nil
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		// Only committed leaves: a batch being written is not part of the log yet.
		t, err := readTree(tx)
		if err != nil {
			return err
		}
		end := seqKey(t.Size)
		c := tx.Bucket(bucketAuditLog).Cursor()
		for k, _ := c.Seek(seqKey(after + 1)); k != nil && bytes.Compare(k, end) <= 0 && len(out) < limit; k, _ = c.Next() {
			e, err := leafAt(tx.Bucket(bucketAuditLog), k)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list audit after %d: %w", after, err)
	}
	return out, nil
}

func byPrefix(f casehold.AuditFilter) []byte {
	switch {
	case f.MatterID != "":
		return []byte("m\x00" + f.MatterID + "\x00")
	case f.DocumentID != "":
		return []byte("d\x00" + f.DocumentID + "\x00")
	default:
		return []byte("p\x00" + f.PID + "\x00")
	}
}

func byKeys(e casehold.AuditEvent) [][]byte {
	var keys [][]byte
	add := func(f casehold.AuditFilter) { keys = append(keys, append(byPrefix(f), seqKey(e.Seq)...)) }
	if e.MatterID != "" {
		add(casehold.AuditFilter{MatterID: e.MatterID})
	}
	if e.DocumentID != "" {
		add(casehold.AuditFilter{DocumentID: e.DocumentID})
	}
	for _, p := range e.PIDs {
		add(casehold.AuditFilter{PID: p})
	}
	return keys
}

func (s *Store) ListAuditBy(ctx context.Context, f casehold.AuditFilter, after uint64, limit int) ([]casehold.AuditEvent, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("list audit by filter: %w", err)
	}
	out := []casehold.AuditEvent{}
	if limit <= 0 || after == ^uint64(0) {
		return out, nil
	}
	prefix := byPrefix(f)
	err := s.view(ctx, func(tx *bolt.Tx) error {
		leaves := tx.Bucket(bucketAuditLog)
		c := tx.Bucket(bucketAuditBy).Cursor()
		for k, _ := c.Seek(append(bytes.Clone(prefix), seqKey(after+1)...)); k != nil && bytes.HasPrefix(k, prefix) && len(out) < limit; k, _ = c.Next() {
			e, err := leafAt(leaves, k[len(prefix):])
			if err != nil {
				return fmt.Errorf("audit index names a missing leaf: %w", err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list audit by filter: %w", err)
	}
	return out, nil
}

func (s *Store) PendingAudit(ctx context.Context, limit int) ([]casehold.AuditEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.journal.oldest(limit), nil
}

// treeRecord is AuditTree as stored; Root as bytes.
type treeRecord struct {
	Size         uint64              `json:"size"`
	Root         []byte              `json:"root"`
	Batch        []string            `json:"batch,omitempty"`
	LeaseOwner   string              `json:"lease_owner,omitempty"`
	LeaseExpires time.Time           `json:"lease_expires"`
	Checkpoint   casehold.Checkpoint `json:"checkpoint"`
}

func readTree(tx *bolt.Tx) (treeRecord, error) {
	var t treeRecord
	v := tx.Bucket(bucketAuditTree).Get(keyTree)
	if v == nil {
		return t, nil
	}
	if err := json.Unmarshal(v, &t); err != nil {
		return t, fmt.Errorf("decode audit tree: %w", err)
	}
	return t, nil
}

func writeTree(tx *bolt.Tx, t treeRecord) error {
	return putJSON(tx.Bucket(bucketAuditTree), keyTree, &t)
}

func (s *Store) AuditTree(ctx context.Context) (casehold.AuditTree, error) {
	var t treeRecord
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		t, err = readTree(tx)
		return err
	})
	if err != nil {
		return casehold.AuditTree{}, fmt.Errorf("audit tree: %w", err)
	}
	out := casehold.AuditTree{Size: t.Size, Batch: t.Batch, LeaseOwner: t.LeaseOwner, LeaseExpires: t.LeaseExpires, Checkpoint: t.Checkpoint}
	copy(out.Root[:], t.Root)
	return out, nil
}

// changeTree applies change to the tree record in one transaction.
func (s *Store) changeTree(ctx context.Context, change func(tx *bolt.Tx, t *treeRecord) error) error {
	return s.update(ctx, func(tx *bolt.Tx) error {
		t, err := readTree(tx)
		if err != nil {
			return err
		}
		if err := change(tx, &t); err != nil {
			return err
		}
		return writeTree(tx, t)
	})
}

func (s *Store) AcquireAuditLease(ctx context.Context, owner string, now time.Time, ttl time.Duration) error {
	if owner == "" {
		return casehold.Errorf(casehold.EINVALID, "acquire audit lease: owner is empty")
	}
	err := s.changeTree(ctx, func(_ *bolt.Tx, t *treeRecord) error {
		if t.LeaseOwner != "" && t.LeaseOwner != owner && now.Before(t.LeaseExpires) {
			return casehold.Errorf(casehold.ECONFLICT, "another sequencer holds the audit lease")
		}
		t.LeaseOwner, t.LeaseExpires = owner, now.Add(ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("acquire audit lease: %w", err)
	}
	return nil
}

func (s *Store) BeginAuditBatch(ctx context.Context, owner string, size uint64, ids []string) error {
	if len(ids) == 0 {
		return casehold.Errorf(casehold.EINVALID, "begin audit batch: no events")
	}
	err := s.changeTree(ctx, func(_ *bolt.Tx, t *treeRecord) error {
		switch {
		case t.LeaseOwner != owner:
			return casehold.Errorf(casehold.ECONFLICT, "the audit lease is not held by this sequencer")
		case t.Size != size || len(t.Batch) != 0:
			return casehold.Errorf(casehold.ECONFLICT, "the audit tree moved on (size %d)", t.Size)
		}
		t.Batch = ids
		return nil
	})
	if err != nil {
		return fmt.Errorf("begin audit batch at %d: %w", size, err)
	}
	return nil
}

func (s *Store) WriteAuditLeaves(ctx context.Context, events []casehold.AuditEvent) error {
	err := s.update(ctx, func(tx *bolt.Tx) error { return putLeaves(tx, events) })
	if err != nil {
		return fmt.Errorf("write %d audit leaves: %w", len(events), err)
	}
	s.journal.integrated(eventIDs(events))
	return nil
}

func eventIDs(events []casehold.AuditEvent) []string {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

// putLeaves writes events as leaves, with their id and matter/document/person index
// entries.
func putLeaves(tx *bolt.Tx, events []casehold.AuditEvent) error {
	idx, leaves, by := tx.Bucket(bucketAuditLeafIDs), tx.Bucket(bucketAuditLog), tx.Bucket(bucketAuditBy)
	// Keys arrive in order (seq, time-ordered ids, seq within each index prefix), so
	// pages are filled before they split rather than left half empty.
	idx.FillPercent, leaves.FillPercent, by.FillPercent = appendFill, appendFill, appendFill
	for _, e := range events {
		if e.Seq == 0 {
			return casehold.Errorf(casehold.EINVALID, "audit leaf %s has no seq", e.ID)
		}
		k := seqKey(e.Seq)
		if err := leaves.Put(k, e.LeafData()); err != nil {
			return err
		}
		if err := idx.Put([]byte(e.ID), k); err != nil {
			return err
		}
		for _, bk := range byKeys(e) {
			if err := by.Put(bk, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) WriteAuditHashes(ctx context.Context, start int64, hashes []tlog.Hash) error {
	err := s.update(ctx, func(tx *bolt.Tx) error { return putHashes(tx, start, hashes) })
	if err != nil {
		return fmt.Errorf("write audit hashes from %d: %w", start, err)
	}
	return nil
}

func putHashes(tx *bolt.Tx, start int64, hashes []tlog.Hash) error {
	b := tx.Bucket(bucketAuditHash)
	b.FillPercent = appendFill
	for i, h := range hashes {
		if err := b.Put(hashKey(start+int64(i)), bytes.Clone(h[:])); err != nil {
			return err
		}
	}
	return nil
}

// IntegrateAuditBatch writes a whole batch in one transaction: bbolt commits it all or
// nothing, so no batch is ever left half-written and the tree record never carries the
// batch's ids.
func (s *Store) IntegrateAuditBatch(ctx context.Context, owner string, size uint64, events []casehold.AuditEvent, hashStart int64, hashes []tlog.Hash, root tlog.Hash) error {
	if len(events) == 0 {
		return casehold.Errorf(casehold.EINVALID, "integrate audit batch: no events")
	}
	var already []string
	err := s.changeTree(ctx, func(tx *bolt.Tx, t *treeRecord) error {
		switch {
		case t.LeaseOwner != owner:
			return casehold.Errorf(casehold.ECONFLICT, "the audit lease is not held by this sequencer")
		case t.Size != size || len(t.Batch) != 0:
			return casehold.Errorf(casehold.ECONFLICT, "the audit tree moved on (size %d)", t.Size)
		}
		idx := tx.Bucket(bucketAuditLeafIDs)
		for i, e := range events {
			if e.Seq != size+uint64(i)+1 {
				return casehold.Errorf(casehold.EINVALID, "audit leaf %s has seq %d, not %d", e.ID, e.Seq, size+uint64(i)+1)
			}
			if idx.Get([]byte(e.ID)) != nil {
				already = append(already, e.ID)
			}
		}
		if len(already) > 0 {
			return casehold.Errorf(casehold.ECONFLICT, "%d event(s) of the batch are leaves already", len(already))
		}
		if err := putHashes(tx, hashStart, hashes); err != nil {
			return err
		}
		if err := putLeaves(tx, events); err != nil {
			return err
		}
		t.Size, t.Root = size+uint64(len(events)), bytes.Clone(root[:])
		return nil
	})
	if len(already) > 0 {
		// The journal offered them again (recorded twice around an integration): drop them
		// so the next batch goes ahead without them.
		s.journal.integrated(already)
	}
	if err != nil {
		return fmt.Errorf("integrate audit batch at %d: %w", size, err)
	}
	s.journal.integrated(eventIDs(events))
	return nil
}

func (s *Store) ReadAuditHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAuditHash)
		for i, x := range indexes {
			v := b.Get(hashKey(x))
			if len(v) != tlog.HashSize {
				return casehold.Errorf(casehold.ENOTFOUND, "audit hash %d not stored", x)
			}
			copy(out[i][:], v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read audit hashes: %w", err)
	}
	return out, nil
}

func hashKey(i int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }

func (s *Store) CommitAuditBatch(ctx context.Context, owner string, size, newSize uint64, root tlog.Hash) error {
	err := s.changeTree(ctx, func(_ *bolt.Tx, t *treeRecord) error {
		switch {
		case t.LeaseOwner != owner:
			return casehold.Errorf(casehold.ECONFLICT, "the audit lease is not held by this sequencer")
		case t.Size != size || uint64(len(t.Batch)) != newSize-size || newSize <= size:
			return casehold.Errorf(casehold.ECONFLICT, "no audit batch from %d to %d in progress", size, newSize)
		}
		t.Size, t.Root, t.Batch = newSize, bytes.Clone(root[:]), nil
		return nil
	})
	if err != nil {
		return fmt.Errorf("commit audit batch at %d: %w", size, err)
	}
	return nil
}

func (s *Store) SetAuditCheckpoint(ctx context.Context, cp casehold.Checkpoint) error {
	err := s.changeTree(ctx, func(_ *bolt.Tx, t *treeRecord) error {
		if cp.Number > t.Checkpoint.Number {
			t.Checkpoint = cp
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set audit checkpoint %d: %w", cp.Number, err)
	}
	return nil
}

func (s *Store) LegacyAudit(ctx context.Context, after uint64, limit int) ([]casehold.LegacyAuditEvent, error) {
	out := []casehold.LegacyAuditEvent{}
	if limit <= 0 || after == ^uint64(0) {
		return out, nil
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		for k, v := c.Seek(seqKey(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			var e casehold.LegacyAuditEvent
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode legacy audit event: %w", err)
			}
			out = append(out, e)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list legacy audit after %d: %w", after, err)
	}
	return out, nil
}

// PutLegacyAudit writes one event of the legacy chain as the old code did; only the
// migration tests use it, to build a chain to migrate.
func (s *Store) PutLegacyAudit(e casehold.LegacyAuditEvent) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := putJSON(tx.Bucket(bucketAudit), seqKey(e.Seq), &e); err != nil {
			return err
		}
		return tx.Bucket(bucketAuditIDs).Put([]byte(e.ID), seqKey(e.Seq))
	})
}

func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, seq)
}
