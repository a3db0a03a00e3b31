package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/casehold/casehold/internal/casehold"
)

var _ casehold.ExportJobStore = (*Store)(nil)

var (
	bucketExports       = []byte("exports")        // job id -> ExportJob JSON
	bucketExportsActive = []byte("exports_active") // created \x00 job id -> nil (queued or building only)
)

func init() { allBuckets = append(allBuckets, bucketExports, bucketExportsActive) }

func exportActiveKey(j *casehold.ExportJob) []byte { return pair(timeKey(j.CreatedAt), j.ID) }

func (s *Store) CreateExportJob(ctx context.Context, j *casehold.ExportJob) (bool, error) {
	if err := j.Validate(); err != nil {
		return false, err
	}
	stored := *j
	stored.State, stored.Version = casehold.ExportQueued, 1
	created := false
	err := s.batch(ctx, func(tx *bolt.Tx) error {
		created = false // bbolt may run a batched function again, alone
		b := tx.Bucket(bucketExports)
		if v := b.Get([]byte(j.ID)); v != nil {
			var old casehold.ExportJob
			if err := getJSON(b, []byte(j.ID), &old, "export job"); err != nil {
				return err
			}
			if old.MatterID != j.MatterID || old.RequestedBy != j.RequestedBy {
				return casehold.Errorf(casehold.ECONFLICT, "export job %s exists for another request", j.ID)
			}
			return nil
		}
		if err := putJSON(b, []byte(j.ID), &stored); err != nil {
			return err
		}
		created = true
		return tx.Bucket(bucketExportsActive).Put(exportActiveKey(&stored), nil)
	})
	if err != nil {
		return false, fmt.Errorf("create export job: %w", err)
	}
	if created {
		j.State, j.Version = stored.State, 1
	}
	return created, nil
}

func (s *Store) GetExportJob(ctx context.Context, id string) (*casehold.ExportJob, error) {
	var j casehold.ExportJob
	if err := s.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketExports), []byte(id), &j, "export job")
	}); err != nil {
		return nil, fmt.Errorf("get export job: %w", err)
	}
	return &j, nil
}

func (s *Store) ClaimExportJob(ctx context.Context, id, owner string, now time.Time, lease time.Duration) (*casehold.ExportJob, error) {
	var out casehold.ExportJob
	err := s.batch(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketExports)
		var j casehold.ExportJob
		if err := getJSON(b, []byte(id), &j, "export job"); err != nil {
			return err
		}
		if err := j.Claim(owner, now, lease); err != nil {
			return err
		}
		j.Version++
		out = j
		return putJSON(b, []byte(id), &j)
	})
	if err != nil {
		return nil, fmt.Errorf("claim export job: %w", err)
	}
	return &out, nil
}

func (s *Store) UpdateExportJob(ctx context.Context, j *casehold.ExportJob) error {
	var next int64
	err := s.batch(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketExports)
		var old casehold.ExportJob
		if err := getJSON(b, []byte(j.ID), &old, "export job"); err != nil {
			return err
		}
		if old.Version != j.Version {
			return casehold.Errorf(casehold.ECONFLICT, "export job %s was changed by another builder (version %d, not %d)", j.ID, old.Version, j.Version)
		}
		stored := *j
		stored.Version = old.Version + 1
		stored.CreatedAt, stored.MatterID, stored.RequestedBy = old.CreatedAt, old.MatterID, old.RequestedBy
		if err := putJSON(b, []byte(j.ID), &stored); err != nil {
			return err
		}
		next = stored.Version
		if stored.State.Finished() {
			return tx.Bucket(bucketExportsActive).Delete(exportActiveKey(&old))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update export job: %w", err)
	}
	j.Version = next
	return nil
}

func (s *Store) UnfinishedExportJobs(ctx context.Context, limit int) ([]*casehold.ExportJob, error) {
	out := []*casehold.ExportJob{}
	err := s.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketExports)
		c := tx.Bucket(bucketExportsActive).Cursor()
		for k, _ := c.First(); k != nil && len(out) < limit; k, _ = c.Next() {
			var j casehold.ExportJob
			if err := getJSON(b, k[bytes.IndexByte(k, 0)+1:], &j, "export job"); err != nil {
				return fmt.Errorf("export index names a missing job: %w", err)
			}
			out = append(out, &j)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unfinished export jobs: %w", err)
	}
	return out, nil
}
