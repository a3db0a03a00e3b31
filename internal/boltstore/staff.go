package boltstore

import (
	"context"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/casehold/casehold/internal/casehold"
)

var _ casehold.StaffStore = (*Store)(nil)

var bucketStaff = []byte("staff") // staff id -> StaffMember JSON

func init() { allBuckets = append(allBuckets, bucketStaff) }

// ReplaceStaff swaps the whole directory in one transaction: readers see the old one or
// the new one, never a mix.
func (s *Store) ReplaceStaff(ctx context.Context, members []casehold.StaffMember) ([]string, error) {
	leavers := []string{}
	err := s.update(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStaff)
		keep := make(map[string]bool, len(members))
		for _, m := range members {
			keep[m.ID] = true
		}
		c := b.Cursor()
		var gone [][]byte
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if !keep[string(k)] {
				gone = append(gone, append([]byte(nil), k...))
			}
		}
		for _, k := range gone {
			if err := b.Delete(k); err != nil {
				return err
			}
			leavers = append(leavers, string(k))
		}
		for i := range members {
			if err := putJSON(b, []byte(members[i].ID), &members[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("replace staff directory: %w", err)
	}
	sort.Strings(leavers)
	return leavers, nil
}

func (s *Store) GetStaff(ctx context.Context, id string) (*casehold.StaffMember, error) {
	var m casehold.StaffMember
	err := s.view(ctx, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketStaff), []byte(id), &m, "staff member") })
	if err != nil {
		return nil, fmt.Errorf("get staff member: %w", err)
	}
	return &m, nil
}
