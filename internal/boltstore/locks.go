package boltstore

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/casehold/casehold/internal/casehold"
)

var _ casehold.LockStore = (*Store)(nil)

var (
	bucketLocks      = []byte("locks")        // lock id -> Lock JSON
	bucketLockPID    = []byte("lock_pid")     // pid \x00 lock id -> nil (every lock ever)
	bucketLockNow    = []byte("lock_current") // pid -> id of its current lock
	bucketLockOwner  = []byte("lock_owner")   // owner \x00 lock id -> nil (current locks)
	bucketLockReview = []byte("lock_review")  // review due \x00 lock id -> nil (active locks)
)

func init() {
	allBuckets = append(allBuckets, bucketLocks, bucketLockPID, bucketLockNow, bucketLockOwner, bucketLockReview)
}

func pair(a, b string) []byte { return append(append([]byte(a), 0), b...) }

// putLockIndexes writes the owner and review entries the lock's state calls for.
func putLockIndexes(tx *bolt.Tx, l *casehold.Lock) error {
	if l.Current() {
		if err := tx.Bucket(bucketLockOwner).Put(pair(l.Owner, l.ID), nil); err != nil {
			return err
		}
	}
	if l.Active() && !l.ReviewDue.IsZero() {
		if err := tx.Bucket(bucketLockReview).Put(pair(l.ReviewDue.String(), l.ID), nil); err != nil {
			return err
		}
	}
	return nil
}

func deleteLockIndexes(tx *bolt.Tx, l *casehold.Lock) error {
	if err := tx.Bucket(bucketLockOwner).Delete(pair(l.Owner, l.ID)); err != nil {
		return err
	}
	return tx.Bucket(bucketLockReview).Delete(pair(l.ReviewDue.String(), l.ID))
}

func (s *Store) CreateLock(ctx context.Context, l *casehold.Lock) error {
	if l.ID == "" || l.PID == "" {
		return casehold.Errorf(casehold.EINVALID, "create lock: id and pid are required")
	}
	stored := *l
	stored.Version = 1
	err := s.update(ctx, func(tx *bolt.Tx) error {
		locks := tx.Bucket(bucketLocks)
		if locks.Get([]byte(l.ID)) != nil {
			return casehold.Errorf(casehold.ECONFLICT, "lock %s already exists", l.ID)
		}
		if stored.Current() {
			now := tx.Bucket(bucketLockNow)
			if now.Get([]byte(l.PID)) != nil {
				return casehold.Errorf(casehold.ECONFLICT, "the child already has a lock requested or in force")
			}
			if err := now.Put([]byte(l.PID), []byte(l.ID)); err != nil {
				return err
			}
		}
		if err := putJSON(locks, []byte(l.ID), &stored); err != nil {
			return err
		}
		if err := tx.Bucket(bucketLockPID).Put(pair(l.PID, l.ID), nil); err != nil {
			return err
		}
		return putLockIndexes(tx, &stored)
	})
	if err != nil {
		return fmt.Errorf("create lock %s: %w", l.ID, err)
	}
	l.Version = 1
	return nil
}

func (s *Store) GetLock(ctx context.Context, id string) (*casehold.Lock, error) {
	var l casehold.Lock
	err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketLocks), []byte(id), &l, "lock")
	})
	if err != nil {
		return nil, fmt.Errorf("get lock %s: %w", id, err)
	}
	return &l, nil
}

func (s *Store) UpdateLock(ctx context.Context, l *casehold.Lock) error {
	var next int64
	err := s.update(ctx, func(tx *bolt.Tx) error {
		locks := tx.Bucket(bucketLocks)
		var old casehold.Lock
		if err := getJSON(locks, []byte(l.ID), &old, "lock"); err != nil {
			return err
		}
		if old.Version != l.Version {
			return casehold.Errorf(casehold.ECONFLICT, "lock %s was changed by someone else (version %d, not %d)", l.ID, old.Version, l.Version)
		}
		stored := *l
		stored.PID, stored.Version = old.PID, old.Version+1
		if old.Current() && !stored.Current() {
			if err := tx.Bucket(bucketLockNow).Delete([]byte(old.PID)); err != nil {
				return err
			}
		}
		if !old.Current() && stored.Current() {
			return casehold.Errorf(casehold.ECONFLICT, "a lock that ended cannot start again: request a new one")
		}
		if err := deleteLockIndexes(tx, &old); err != nil {
			return err
		}
		if err := putJSON(locks, []byte(l.ID), &stored); err != nil {
			return err
		}
		next = stored.Version
		return putLockIndexes(tx, &stored)
	})
	if err != nil {
		return fmt.Errorf("update lock %s: %w", l.ID, err)
	}
	l.Version = next
	return nil
}

// locksUnder reads the locks named by the index keys under prefix (prefix \x00 id).
func (s *Store) locksUnder(ctx context.Context, bucket []byte, prefix []byte, stop func(k []byte) bool) ([]*casehold.Lock, error) {
	out := []*casehold.Lock{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		locks := tx.Bucket(bucketLocks)
		c := tx.Bucket(bucket).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && !stop(k); k, _ = c.Next() {
			id := k[bytes.LastIndexByte(k, 0)+1:]
			var l casehold.Lock
			if err := getJSON(locks, id, &l, "lock"); err != nil {
				return err
			}
			out = append(out, &l)
		}
		return nil
	})
	return out, err
}

func never([]byte) bool { return false }

func (s *Store) LocksForPID(ctx context.Context, pid string) ([]*casehold.Lock, error) {
	out, err := s.locksUnder(ctx, bucketLockPID, pair(pid, ""), never)
	if err != nil {
		return nil, fmt.Errorf("locks for a child: %w", err)
	}
	casehold.SortLocks(out)
	return out, nil
}

func (s *Store) LocksByOwner(ctx context.Context, owner string) ([]*casehold.Lock, error) {
	out, err := s.locksUnder(ctx, bucketLockOwner, pair(owner, ""), never)
	if err != nil {
		return nil, fmt.Errorf("locks of an owner: %w", err)
	}
	casehold.SortLocks(out)
	return out, nil
}

func (s *Store) LocksDueBy(ctx context.Context, day casehold.Date) ([]*casehold.Lock, error) {
	last := []byte(day.String() + "\x01")
	out, err := s.locksUnder(ctx, bucketLockReview, nil, func(k []byte) bool { return bytes.Compare(k, last) >= 0 })
	if err != nil {
		return nil, fmt.Errorf("locks due for review: %w", err)
	}
	return out, nil
}
