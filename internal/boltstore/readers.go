package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/casehold/casehold/internal/casehold"
)

// bucketReaders indexes matters by who their own record opens them to
// (casehold.MatterReaderKeys): reader key \x00 status \x00 created \x00 id -> nil. It is
// kept exact: a matter's write replaces its old entries in the same transaction.
var bucketReaders = []byte("matter_readers")

func readerIndexKeys(m *casehold.Matter) [][]byte {
	var out [][]byte
	for _, k := range casehold.MatterReaderKeys(m) {
		out = append(out, append([]byte(k+"\x00"), statusKey(m)...))
	}
	return out
}

// indexReaders moves matter's reader index entries from old (nil for a new matter) to m.
func indexReaders(tx *bolt.Tx, old, m *casehold.Matter) error {
	b := tx.Bucket(bucketReaders)
	if old != nil {
		for _, k := range readerIndexKeys(old) {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	for _, k := range readerIndexKeys(m) {
		if err := b.Put(k, nil); err != nil {
			return err
		}
	}
	return nil
}

// ensureReaderIndex makes the reader index, filling it from every matter when a state
// file made before it is opened.
func ensureReaderIndex(tx *bolt.Tx) error {
	if tx.Bucket(bucketReaders) != nil {
		return nil
	}
	if _, err := tx.CreateBucket(bucketReaders); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucketReaders, err)
	}
	return tx.Bucket(bucketMatters).ForEach(func(id, v []byte) error {
		var m casehold.Matter
		if err := getJSON(tx.Bucket(bucketMatters), id, &m, "matter"); err != nil {
			return err
		}
		return indexReaders(tx, nil, &m)
	})
}

func (s *Store) MattersFor(ctx context.Context, status casehold.MatterStatus, keys []string) ([]*casehold.Matter, error) {
	type hit struct{ order, id []byte }
	var hits []hit
	out := []*casehold.Matter{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketReaders).Cursor()
		seen := map[string]bool{}
		for _, key := range keys {
			prefix := []byte(key + "\x00" + string(status) + "\x00")
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				rest := k[len(key)+1:] // status \x00 created \x00 id: sorts oldest first
				id := rest[bytes.LastIndexByte(rest, 0)+1:]
				if !seen[string(id)] {
					seen[string(id)] = true
					hits = append(hits, hit{order: bytes.Clone(rest), id: bytes.Clone(id)})
				}
			}
		}
		slices.SortFunc(hits, func(a, b hit) int { return bytes.Compare(a.order, b.order) })
		matters := tx.Bucket(bucketMatters)
		for _, h := range hits {
			var m casehold.Matter
			if err := getJSON(matters, h.id, &m, "matter"); err != nil {
				return fmt.Errorf("reader index names a missing matter: %w", err)
			}
			out = append(out, &m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s matters by reader: %w", status, err)
	}
	return out, nil
}
