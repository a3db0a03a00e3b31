package boltstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/casehold/casehold/internal/casehold"
)

var (
	_ casehold.MailQueue = (*Store)(nil)
	_ casehold.DueIndex  = (*Store)(nil)
)

var (
	bucketMail    = []byte("mail")     // occasion key -> QueuedMail JSON
	bucketMailDue = []byte("mail_due") // next attempt \x00 key -> nil (pending messages only)
	bucketDue     = []byte("due")      // subject key -> due time (timeKey)
	bucketDueAt   = []byte("due_at")   // due time \x00 subject key -> nil
)

func init() {
	allBuckets = append(allBuckets, bucketMail, bucketMailDue, bucketDue, bucketDueAt)
}

func mailDueKey(q *casehold.QueuedMail) []byte { return pair(timeKey(q.NextAttempt), q.Key) }

func (s *Store) EnqueueMail(ctx context.Context, q *casehold.QueuedMail) (bool, error) {
	if err := q.Validate(); err != nil {
		return false, err
	}
	stored := *q
	stored.Status, stored.Version = casehold.MailPending, 1
	created := false
	err := s.batch(ctx, func(tx *bolt.Tx) error {
		created = false // bbolt may run a batched function again, alone
		b := tx.Bucket(bucketMail)
		if b.Get([]byte(q.Key)) != nil {
			return nil // claimed before: the occasion has its message
		}
		if err := putJSON(b, []byte(q.Key), &stored); err != nil {
			return err
		}
		created = true
		return tx.Bucket(bucketMailDue).Put(mailDueKey(&stored), nil)
	})
	if err != nil {
		return false, fmt.Errorf("enqueue mail: %w", err)
	}
	if created {
		q.Status, q.Version = stored.Status, 1
	}
	return created, nil
}

func (s *Store) GetMail(ctx context.Context, key string) (*casehold.QueuedMail, error) {
	var q casehold.QueuedMail
	if err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketMail), []byte(key), &q, "queued mail")
	}); err != nil {
		return nil, fmt.Errorf("get mail: %w", err)
	}
	return &q, nil
}

func (s *Store) UpdateMail(ctx context.Context, q *casehold.QueuedMail) error {
	var next int64
	err := s.batch(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMail)
		var old casehold.QueuedMail
		if err := getJSON(b, []byte(q.Key), &old, "queued mail"); err != nil {
			return err
		}
		if old.Version != q.Version {
			return casehold.Errorf(casehold.ECONFLICT, "queued mail was changed by another sender (version %d, not %d)", old.Version, q.Version)
		}
		stored := *q
		stored.Version = old.Version + 1
		if err := putJSON(b, []byte(q.Key), &stored); err != nil {
			return err
		}
		idx := tx.Bucket(bucketMailDue)
		if err := idx.Delete(mailDueKey(&old)); err != nil {
			return err
		}
		next = stored.Version
		if stored.Status != casehold.MailPending {
			return nil
		}
		return idx.Put(mailDueKey(&stored), nil)
	})
	if err != nil {
		return fmt.Errorf("update mail: %w", err)
	}
	q.Version = next
	return nil
}

func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]*casehold.QueuedMail, error) {
	out := []*casehold.QueuedMail{}
	last := []byte(timeKey(now) + "\x01")
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMail)
		c := tx.Bucket(bucketMailDue).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, last) < 0 && len(out) < limit; k, _ = c.Next() {
			var q casehold.QueuedMail
			if err := getJSON(b, k[bytes.IndexByte(k, 0)+1:], &q, "queued mail"); err != nil {
				return fmt.Errorf("mail index names a missing message: %w", err)
			}
			out = append(out, &q)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	return out, nil
}

// --- due-date index ---

func (s *Store) SetDue(ctx context.Context, key string, due time.Time) error {
	if key == "" {
		return casehold.Errorf(casehold.EINVALID, "set due: key is empty")
	}
	err := s.batch(ctx, func(tx *bolt.Tx) error { return putDue(tx, key, due) })
	if err != nil {
		return fmt.Errorf("set due: %w", err)
	}
	return nil
}

func putDue(tx *bolt.Tx, key string, due time.Time) error {
	b, at := tx.Bucket(bucketDue), tx.Bucket(bucketDueAt)
	if old := b.Get([]byte(key)); old != nil {
		if err := at.Delete(pair(string(old), key)); err != nil {
			return err
		}
	}
	if due.IsZero() {
		return b.Delete([]byte(key))
	}
	tk := timeKey(due)
	if err := b.Put([]byte(key), []byte(tk)); err != nil {
		return err
	}
	return at.Put(pair(tk, key), nil)
}

func (s *Store) MoveDue(ctx context.Context, key string, from, to time.Time) error {
	err := s.batch(ctx, func(tx *bolt.Tx) error {
		if old := tx.Bucket(bucketDue).Get([]byte(key)); old == nil || string(old) != timeKey(from) {
			return casehold.Errorf(casehold.ECONFLICT, "the due entry changed")
		}
		return putDue(tx, key, to)
	})
	if err != nil {
		return fmt.Errorf("move due: %w", err)
	}
	return nil
}

func (s *Store) GetDue(ctx context.Context, key string) (casehold.DueItem, error) {
	var out casehold.DueItem
	err := s.view(ctx, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketDue).Get([]byte(key))
		if v == nil {
			return casehold.Errorf(casehold.ENOTFOUND, "no due entry")
		}
		t, err := time.Parse("2006-01-02T15:04:05.000000000Z", string(v))
		out = casehold.DueItem{Key: key, Due: t}
		return err
	})
	if err != nil {
		return out, fmt.Errorf("get due: %w", err)
	}
	return out, nil
}

func (s *Store) DueBy(ctx context.Context, t time.Time, limit int) ([]casehold.DueItem, error) {
	out := []casehold.DueItem{}
	last := []byte(timeKey(t) + "\x01")
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDueAt).Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, last) < 0 && len(out) < limit; k, _ = c.Next() {
			i := bytes.IndexByte(k, 0)
			due, err := time.Parse("2006-01-02T15:04:05.000000000Z", string(k[:i]))
			if err != nil {
				return fmt.Errorf("due index holds a malformed time: %w", err)
			}
			out = append(out, casehold.DueItem{Key: string(k[i+1:]), Due: due})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("due by: %w", err)
	}
	return out, nil
}

// batch is update through bbolt's Batch: writes from concurrent callers (a sweep's workers)
// share one transaction and one fsync. fn must be safe to run twice: bbolt runs a function
// again, alone, when another in its batch failed. Each fn here re-reads what it checks.
func (s *Store) batch(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Batch(fn)
}

// WithoutSync runs fn with bbolt's fsync after each write turned off, then syncs once: for
// bulk loads (benchmarks, tests) where a crash part-way would simply mean loading again.
// Nothing else may write meanwhile.
func (s *Store) WithoutSync(fn func() error) error {
	s.db.NoSync = true
	err := fn()
	s.db.NoSync = false
	return errors.Join(err, s.db.Sync())
}
