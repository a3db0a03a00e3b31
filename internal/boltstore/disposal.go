package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/casehold/casehold/internal/casehold"
)

// bucketDisposal is the disposal index: <due day> \x00 <doc id> -> nil, for exactly the
// documents whose DisposalDue reports true. The review queue reads it from the start up
// to today and touches no other document.
var bucketDisposal = []byte("disposal")

func disposalKey(day casehold.Date, id string) []byte {
	return []byte(day.String() + "\x00" + id)
}

// refileDisposal moves a document's disposal index entry from what before called for to
// what after calls for (before nil: a new document).
func refileDisposal(tx *bolt.Tx, before, after *casehold.Document) error {
	b, err := tx.CreateBucketIfNotExists(bucketDisposal)
	if err != nil {
		return err
	}
	if before != nil {
		if day, ok := before.DisposalDue(); ok {
			if err := b.Delete(disposalKey(day, before.ID)); err != nil {
				return err
			}
		}
	}
	if day, ok := after.DisposalDue(); ok {
		return b.Put(disposalKey(day, after.ID), nil)
	}
	return nil
}

func (s *Store) UpdateDisposal(ctx context.Context, d *casehold.Document) error {
	var stored casehold.Document
	err := s.update(ctx, func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocuments)
		if err := getJSON(docs, []byte(d.ID), &stored, "document"); err != nil {
			return err
		}
		if stored.Version != d.Version {
			return casehold.Errorf(casehold.ECONFLICT, "document %s changed since it was read", d.ID)
		}
		before := stored
		stored.Retention, stored.Disposal = d.Retention, d.Disposal
		stored.Version++
		if err := putJSON(docs, []byte(d.ID), &stored); err != nil {
			return err
		}
		return refileDisposal(tx, &before, &stored)
	})
	if err != nil {
		return fmt.Errorf("update disposal of document %s: %w", d.ID, err)
	}
	*d = stored
	return nil
}

func (s *Store) ListDisposalDue(ctx context.Context, day casehold.Date, after string, limit int) ([]*casehold.Document, error) {
	out := []*casehold.Document{}
	last := []byte(day.String() + "\x00\xff")
	var from []byte
	if d, id, ok := strings.Cut(after, "#"); ok {
		from = append([]byte(d+"\x00"+id), 0) // the first key after the cursor's
	}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDisposal)
		if b == nil {
			return nil
		}
		docs := tx.Bucket(bucketDocuments)
		c := b.Cursor()
		k, _ := c.First()
		if from != nil {
			k, _ = c.Seek(from)
		}
		for ; k != nil && bytes.Compare(k, last) <= 0 && len(out) < limit; k, _ = c.Next() {
			id := k[bytes.IndexByte(k, 0)+1:]
			var d casehold.Document
			if err := getJSON(docs, id, &d, "document"); err != nil {
				return fmt.Errorf("disposal index names a missing document: %w", err)
			}
			out = append(out, &d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list documents due for disposal: %w", err)
	}
	return out, nil
}
