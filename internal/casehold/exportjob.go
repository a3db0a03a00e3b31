package casehold

import (
	"context"
	"io"
	"time"
)

// An export job builds a matter's evidence pack in the background and keeps it in a
// PackStore, from which the requester downloads it by a short-lived link. A pack can be
// far larger than an HTTP response may be (API Gateway and Lambda answer at most 6 MB in
// 30 s), so in AWS this is the only way a real pack leaves.
//
// Life cycle: queued (recorded by the request) -> building (claimed by one builder, under
// a lease it renews as it progresses) -> ready (the pack is stored) or failed (a reason in
// plain words). A builder that stops without finishing leaves its lease to expire; the
// next delivery of the job claims it again and builds the pack from the start, so a job
// delivered twice is built once and a crashed build is not lost.

// ExportState is where an export job is.
type ExportState string

const (
	ExportQueued   ExportState = "queued"
	ExportBuilding ExportState = "building"
	ExportReady    ExportState = "ready"
	ExportFailed   ExportState = "failed"
)

// Finished reports whether the job has reached ready or failed.
func (s ExportState) Finished() bool { return s == ExportReady || s == ExportFailed }

// ExportProgress counts what the builder has written so far.
type ExportProgress struct {
	DocumentsDone  int   `json:"documents_done"`
	DocumentsTotal int   `json:"documents_total"`
	BytesDone      int64 `json:"bytes_done"`
	BytesTotal     int64 `json:"bytes_total"`
}

// ExportOutcome is what a ready job built.
type ExportOutcome struct {
	// Key is where the pack is in the PackStore.
	Key            string `json:"key"`
	FileName       string `json:"file_name"`
	Size           int64  `json:"size"`
	ManifestSHA256 string `json:"manifest_sha256"`
	CheckpointSize uint64 `json:"checkpoint_size"`
	Documents      int    `json:"documents"`
	AuditEvents    int    `json:"audit_events"`
}

// ExportJob is one request for a matter's evidence pack.
type ExportJob struct {
	ID       string `json:"id"`
	MatterID string `json:"matter_id"`
	// MatterReference is the matter's reference when the pack was asked for, so the job's
	// page names the matter as staff know it without reading the matter again.
	MatterReference string `json:"matter_reference,omitempty"`
	RequestedBy     string `json:"requested_by"` // actor id
	// RequesterRoles are the roles the requester's sign-in carried, so the build (which has
	// no sign-in) decides access again as that person.
	RequesterRoles []Role         `json:"requester_roles,omitempty"`
	State          ExportState    `json:"state"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	Progress       ExportProgress `json:"progress"`
	Result         *ExportOutcome `json:"result,omitempty"`
	// Failure says in plain words why a failed job failed (never personal data).
	Failure string `json:"failure,omitempty"`
	// Owner is the builder holding the job while it is building, until LeaseUntil.
	Owner      string    `json:"owner,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// Attempts counts claims: more than one means a build was resumed.
	Attempts int   `json:"attempts"`
	Version  int64 `json:"version"`
}

// Validate checks a job before it is first stored.
func (j *ExportJob) Validate() error {
	if j.ID == "" || len(j.ID) > 128 || j.MatterID == "" || j.RequestedBy == "" {
		return Errorf(EINVALID, "export job: an id, a matter and a requester are required")
	}
	if j.CreatedAt.IsZero() {
		return Errorf(EINVALID, "export job: no creation time")
	}
	return nil
}

// Claimable reports whether a builder may take the job at now: it is queued, or its
// builder's lease has run out (the builder stopped part-way).
func (j *ExportJob) Claimable(now time.Time) bool {
	return j.State == ExportQueued || j.State == ExportBuilding && !now.Before(j.LeaseUntil)
}

// Claim makes owner the job's builder until now+lease. ECONFLICT if the job is not
// claimable (finished, or another builder's lease is live).
func (j *ExportJob) Claim(owner string, now time.Time, lease time.Duration) error {
	if !j.Claimable(now) {
		if j.State.Finished() {
			return Errorf(ECONFLICT, "export job %s is %s already", j.ID, j.State)
		}
		return Errorf(ECONFLICT, "export job %s is being built by another worker until %s", j.ID, j.LeaseUntil.UTC().Format(time.RFC3339))
	}
	j.State, j.Owner, j.LeaseUntil, j.UpdatedAt = ExportBuilding, owner, now.Add(lease), now
	j.Attempts++
	j.Progress = ExportProgress{}
	return nil
}

// ExportJobStore keeps export jobs. Adapters: internal/boltstore, internal/dynamostore;
// contract: internal/storetest.
type ExportJobStore interface {
	// CreateExportJob stores j as queued with Version 1 and reports true. If a job with
	// j.ID exists already for the same matter and requester (a retried request) it changes
	// nothing and reports false; ECONFLICT if that id belongs to another job.
	CreateExportJob(ctx context.Context, j *ExportJob) (bool, error)
	// GetExportJob returns the job or ENOTFOUND.
	GetExportJob(ctx context.Context, id string) (*ExportJob, error)
	// ClaimExportJob makes owner the job's builder until now+lease (ExportJob.Claim) in one
	// conditional write and returns the job as stored. ECONFLICT if it is not claimable,
	// or another builder claimed it at the same moment; ENOTFOUND if absent.
	ClaimExportJob(ctx context.Context, id, owner string, now time.Time, lease time.Duration) (*ExportJob, error)
	// UpdateExportJob replaces the job if the stored Version equals j.Version, then sets
	// j.Version to the stored Version+1. ECONFLICT if the versions differ (the builder lost
	// its lease to another), ENOTFOUND if absent. The unfinished index follows State.
	UpdateExportJob(ctx context.Context, j *ExportJob) error
	// UnfinishedExportJobs returns up to limit queued or building jobs, oldest first,
	// from an index (never reading finished jobs). The index may lag a write briefly.
	UnfinishedExportJobs(ctx context.Context, limit int) ([]*ExportJob, error)
}

// PackWriter writes one pack. Nothing is visible under its key until Commit; Abort (or
// a failed Commit) leaves nothing there, not even part of the pack.
type PackWriter interface {
	io.Writer
	// Commit makes the written bytes the pack under the key (replacing an earlier one) and
	// returns its size.
	Commit() (int64, error)
	// Abort discards what was written. Safe after Commit (it then does nothing).
	Abort() error
}

// PackStore is where built evidence packs are kept until they are downloaded (they
// expire after days). Adapters: internal/filepacks (a folder), internal/s3packs (the
// staging bucket, multipart upload); contract: internal/packstoretest.
type PackStore interface {
	// Create starts a pack under key, written in flat memory however large it is.
	Create(ctx context.Context, key string) (PackWriter, error)
	// Open returns the pack and its size. ENOTFOUND if absent.
	Open(ctx context.Context, key string) (io.ReadCloser, int64, error)
	// Link returns a URL that downloads the pack, saved as filename, for ttl, without
	// signing in; or "" when the adapter has no such URL and casehold serves the pack
	// itself (GET /exports/{id}/download, for the requester only).
	Link(ctx context.Context, key, filename string, ttl time.Duration) (string, error)
	// Delete removes the pack. Absent is not an error.
	Delete(ctx context.Context, key string) error
}
