package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// Export jobs: an evidence pack built in the background into the PackStore and handed to
// its requester by a short-lived link (see casehold.ExportJob). The decisions are the
// streaming export's (decideExport, PrepareExport): asked when the job is requested, asked
// again when it is built (access may have been revoked meanwhile) and when a link is
// issued.

const (
	// ExportLease is how long a builder holds a job without showing progress: each
	// progress update renews it, so a builder that died is replaced within a lease.
	ExportLease = 2 * time.Minute
	// ExportLinkTTL is how long a download link works.
	ExportLinkTTL = 15 * time.Minute
	// ExportPackTTL is how long a built pack is kept (the bucket's lifecycle rule, and the
	// local server's expiry, delete it after that).
	ExportPackTTL = 7 * 24 * time.Hour
	// MaxExportAttempts bounds the builds of one job: a pack that fails this often for
	// want of a store fails with a reason instead of trying for ever.
	MaxExportAttempts = 5
	// exportProgressEvery: progress is written after this many documents or this long,
	// whichever comes first.
	exportProgressDocs  = 20
	exportProgressEvery = 5 * time.Second
	// ExportStallAfter: an unfinished job unchanged this long has no builder left (every
	// delivery failed; the export function's failure queue has its record), and the
	// requester is told to ask again.
	ExportStallAfter = 30 * time.Minute
	// PackPrefix is where packs live in the PackStore (the staging bucket's exports/).
	PackPrefix = "exports/"
)

// ExportJobView is an export job as its requester sees it.
type ExportJobView struct {
	ID              string                  `json:"id"`
	MatterID        string                  `json:"matter_id"`
	MatterReference string                  `json:"matter_reference,omitempty"`
	State           casehold.ExportState    `json:"state"`
	CreatedAt       time.Time               `json:"created_at"`
	UpdatedAt       time.Time               `json:"updated_at"`
	Progress        casehold.ExportProgress `json:"progress"`
	// Result describes the built pack (ready jobs only).
	Result  *ExportJobResult `json:"result,omitempty"`
	Failure string           `json:"failure,omitempty"`
	// Stalled: the job is unfinished and nothing has changed it for ExportStallAfter.
	Stalled bool `json:"stalled,omitempty"`
	// DownloadURL fetches the pack until DownloadExpiresAt (ready jobs only): a presigned
	// S3 URL in AWS, casehold's own download route locally.
	DownloadURL       string     `json:"download_url,omitempty"`
	DownloadExpiresAt *time.Time `json:"download_expires_at,omitempty"`
}

// ExportJobResult is what a ready job built.
type ExportJobResult struct {
	FileName       string `json:"file_name"`
	Size           int64  `json:"size"`
	ManifestSHA256 string `json:"manifest_sha256"`
	CheckpointSize uint64 `json:"checkpoint_size"`
	Documents      int    `json:"documents"`
	AuditEvents    int    `json:"audit_events"`
}

func exportJobView(j *casehold.ExportJob, now time.Time) *ExportJobView {
	v := &ExportJobView{ID: j.ID, MatterID: j.MatterID, MatterReference: j.MatterReference, State: j.State, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt,
		Progress: j.Progress, Failure: j.Failure, Stalled: !j.State.Finished() && now.Sub(j.UpdatedAt) > ExportStallAfter}
	if r := j.Result; r != nil && j.State == casehold.ExportReady {
		v.Result = &ExportJobResult{FileName: r.FileName, Size: r.Size, ManifestSHA256: r.ManifestSHA256,
			CheckpointSize: r.CheckpointSize, Documents: r.Documents, AuditEvents: r.AuditEvents}
	}
	return v
}

func (s *Exports) exportStores() error {
	if s.ExportJobs == nil || s.Packs == nil {
		return casehold.Errorf(casehold.EINTERNAL, "export jobs are not configured in this process")
	}
	return nil
}

// RequestExport decides the export exactly as the streaming export does (PrepareExport:
// the same refusals, audited the same way), then records a queued job and returns it.
// Nothing is queued when the export is refused.
func (s *Exports) RequestExport(ctx context.Context, actor casehold.Actor, matterID string) (*ExportJobView, error) {
	if err := s.exportStores(); err != nil {
		return nil, err
	}
	ex, err := s.PrepareExport(ctx, actor, matterID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	j := &casehold.ExportJob{ID: "x-" + s.IDs.New(), MatterID: matterID, MatterReference: ex.m.Reference, RequestedBy: actor.ID, RequesterRoles: actor.Roles,
		State: casehold.ExportQueued, CreatedAt: now, UpdatedAt: now}
	if _, err := s.ExportJobs.CreateExportJob(ctx, j); err != nil {
		return nil, fmt.Errorf("request export: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "export.requested", MatterID: matterID, Detail: "job=" + j.ID}); err != nil {
		return nil, err
	}
	if s.StartExport != nil {
		s.StartExport(j.ID)
	}
	return exportJobView(j, now), nil
}

// ExportBusyError wraps the ECONFLICT of a job another builder holds: the caller may wait
// for its lease (LeaseUntil) and try again.
type ExportBusyError struct {
	LeaseUntil time.Time
	err        error
}

func (e *ExportBusyError) Error() string { return e.err.Error() }
func (e *ExportBusyError) Unwrap() error { return e.err }

// BuildExport builds the job's pack, if no other builder holds it, and returns the job as
// it ends. A finished job is returned as it is (a second delivery builds nothing). Another
// builder's live lease is an *ExportBusyError. A refusal at build time (access revoked,
// evidence altered) fails the job with its reason; any other failure aborts the pack,
// leaves the job to the next delivery and is returned, until MaxExportAttempts.
func (s *Exports) BuildExport(ctx context.Context, jobID string) (*casehold.ExportJob, error) {
	if err := s.exportStores(); err != nil {
		return nil, err
	}
	owner := "builder-" + s.IDs.New()
	j, err := s.ExportJobs.ClaimExportJob(ctx, jobID, owner, s.now(), ExportLease)
	if casehold.ErrorCode(err) == casehold.ECONFLICT {
		cur, gerr := s.ExportJobs.GetExportJob(ctx, jobID)
		switch {
		case gerr != nil:
			return nil, fmt.Errorf("build export: %w", gerr)
		case cur.State.Finished():
			return cur, nil
		default:
			return nil, &ExportBusyError{LeaseUntil: cur.LeaseUntil, err: fmt.Errorf("build export: %w", err)}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("build export: %w", err)
	}
	requester := casehold.Actor{ID: j.RequestedBy, Roles: j.RequesterRoles}
	if j.Attempts > MaxExportAttempts {
		return s.finishExport(ctx, j, requester, nil, casehold.Errorf(casehold.ECONFLICT,
			"the pack could not be built in %d attempts; ask for a new export", MaxExportAttempts))
	}
	// The same decision again, as the requester: a lock placed or a grant lifted since the
	// request stops the pack.
	ex, err := s.PrepareExport(ctx, requester, j.MatterID)
	if casehold.ErrorCode(err) == casehold.EINTERNAL {
		return s.retryExport(ctx, j, err) // a store that did not answer decides nothing
	}
	if err != nil {
		return s.finishExport(ctx, j, requester, nil, err)
	}
	for _, d := range ex.docs {
		if !d.Disposed() {
			j.Progress.DocumentsTotal++
			j.Progress.BytesTotal += d.Size
		}
	}
	if err := s.ExportJobs.UpdateExportJob(ctx, j); err != nil {
		return nil, fmt.Errorf("build export: %w", err)
	}
	last := s.now()
	ex.onDocument = func(done int, bytes int64) error {
		now := s.now()
		if done%exportProgressDocs != 0 && now.Sub(last) < exportProgressEvery {
			return nil
		}
		last = now
		j.Progress.DocumentsDone, j.Progress.BytesDone = done, bytes
		j.UpdatedAt, j.LeaseUntil = now, now.Add(ExportLease)
		// ECONFLICT here: another builder took the job over (this one was too slow); stop.
		return s.ExportJobs.UpdateExportJob(ctx, j)
	}
	key := PackPrefix + j.ID + ".zip"
	w, err := s.Packs.Create(ctx, key)
	if err != nil {
		return s.retryExport(ctx, j, err)
	}
	res, err := ex.WriteTo(ctx, w)
	var size int64
	if err == nil {
		size, err = w.Commit()
	}
	if err != nil {
		_ = w.Abort()
		if code := casehold.ErrorCode(err); code == casehold.EINTEGRITY {
			return s.finishExport(ctx, j, requester, nil, err)
		}
		return s.retryExport(ctx, j, err)
	}
	j.Progress.DocumentsDone, j.Progress.BytesDone = res.Documents, res.Bytes
	j.Result = &casehold.ExportOutcome{Key: key, FileName: ex.FileName(), Size: size, ManifestSHA256: res.ManifestSHA256,
		CheckpointSize: res.CheckpointSize, Documents: res.Documents, AuditEvents: res.AuditEvents}
	return s.finishExport(ctx, j, requester, res, nil)
}

// finishExport records the job ready (cause nil) or failed with cause's plain words, and
// audits the build.
func (s *Exports) finishExport(ctx context.Context, j *casehold.ExportJob, requester casehold.Actor, res *ExportResult, cause error) (*casehold.ExportJob, error) {
	now := s.now()
	j.UpdatedAt, j.Owner, j.LeaseUntil = now, "", time.Time{}
	ev := casehold.AuditEvent{Actor: requester.ID, Action: "export.built", MatterID: j.MatterID}
	if cause == nil {
		j.State, j.Failure = casehold.ExportReady, ""
		ev.Detail = fmt.Sprintf("job=%s size=%d manifest_sha256=%s attempts=%d", j.ID, j.Result.Size, res.ManifestSHA256, j.Attempts)
	} else {
		j.State, j.Failure, j.Result = casehold.ExportFailed, failureReason(cause), nil
		ev.Outcome, ev.Code = casehold.OutcomeRefused, casehold.ErrorCode(cause)
		if ev.Code == casehold.EINTERNAL {
			ev.Outcome = casehold.OutcomeFailed
		}
		ev.Detail = fmt.Sprintf("job=%s attempts=%d", j.ID, j.Attempts)
	}
	if err := s.ExportJobs.UpdateExportJob(ctx, j); err != nil {
		return nil, fmt.Errorf("finish export: %w", err)
	}
	if err := s.audit(ctx, ev); err != nil {
		return nil, err
	}
	return j, nil
}

// retryExport hands the job back for the next delivery (its lease ends now) and returns
// the build's error.
func (s *Exports) retryExport(ctx context.Context, j *casehold.ExportJob, cause error) (*casehold.ExportJob, error) {
	s.Log.ErrorContext(ctx, "export build failed; it will be tried again", "job", j.ID, "attempt", j.Attempts, "err", cause)
	j.LeaseUntil, j.UpdatedAt = s.now(), s.now()
	if err := s.ExportJobs.UpdateExportJob(ctx, j); err != nil && casehold.ErrorCode(err) != casehold.ECONFLICT {
		return nil, errors.Join(fmt.Errorf("build export: %w", cause), err)
	}
	return nil, fmt.Errorf("build export: %w", cause)
}

// failureReason is the plain-words reason a requester reads: a casehold error's message
// (written for people, never with personal data), else a generic one.
func failureReason(err error) string {
	if ce := (*casehold.Error)(nil); errors.As(err, &ce) && ce.Code != casehold.EINTERNAL {
		return ce.Message
	}
	return "the pack could not be built because of an internal error; ask for a new export"
}

// ExportStatus returns the job to its requester, with a download link once it is ready
// (issuing the link is an audited read, decided again as for the export itself). Anyone
// else is told the job does not exist, and the attempt is audited.
func (s *Exports) ExportStatus(ctx context.Context, actor casehold.Actor, jobID string) (*ExportJobView, error) {
	j, err := s.requesterJob(ctx, actor, "export.status", jobID)
	if err != nil {
		return nil, err
	}
	v := exportJobView(j, s.now())
	if j.State != casehold.ExportReady {
		return v, nil
	}
	const action = "export.download_link"
	_, docs, _, err := s.decideExport(ctx, actor, action, j.MatterID)
	if err != nil {
		return nil, err
	}
	u, err := s.Packs.Link(ctx, j.Result.Key, j.Result.FileName, ExportLinkTTL)
	if err != nil {
		return nil, fmt.Errorf("export link: %w", err)
	}
	direct := u != ""
	if !direct {
		u = "/exports/" + j.ID + "/download"
	}
	exp := s.now().Add(ExportLinkTTL)
	v.DownloadURL, v.DownloadExpiresAt = u, &exp
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: j.MatterID, PIDs: documentPIDs(docs),
		Detail: fmt.Sprintf("job=%s direct=%v manifest_sha256=%s", j.ID, direct, j.Result.ManifestSHA256)}); err != nil {
		return nil, err
	}
	return v, nil
}

// OpenExportPack streams a ready job's pack to its requester (the local download route),
// decided and audited as a link is.
func (s *Exports) OpenExportPack(ctx context.Context, actor casehold.Actor, jobID string) (io.ReadCloser, int64, string, error) {
	const action = "export.download"
	j, err := s.requesterJob(ctx, actor, action, jobID)
	if err != nil {
		return nil, 0, "", err
	}
	if j.State != casehold.ExportReady {
		return nil, 0, "", s.refuse(ctx, actor, action, j.MatterID, "", casehold.Errorf(casehold.ECONFLICT, "the evidence pack is %s, not ready", j.State))
	}
	_, docs, _, err := s.decideExport(ctx, actor, action, j.MatterID)
	if err != nil {
		return nil, 0, "", err
	}
	rc, size, err := s.Packs.Open(ctx, j.Result.Key)
	if err != nil {
		return nil, 0, "", s.refuse(ctx, actor, action, j.MatterID, "", fmt.Errorf("export download: %w", err))
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: j.MatterID, PIDs: documentPIDs(docs),
		Detail: fmt.Sprintf("job=%s manifest_sha256=%s", j.ID, j.Result.ManifestSHA256)}); err != nil {
		rc.Close()
		return nil, 0, "", err
	}
	return rc, size, j.Result.FileName, nil
}

// requesterJob returns the job if actor requested it; for anyone else, as for an absent
// job, an audited ENOTFOUND (a job's existence is not disclosed).
func (s *Exports) requesterJob(ctx context.Context, actor casehold.Actor, action, jobID string) (*casehold.ExportJob, error) {
	if err := s.exportStores(); err != nil {
		return nil, err
	}
	if err := casehold.AuthorizeRole(actor, casehold.ActReadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, "", "", err)
	}
	j, err := s.ExportJobs.GetExportJob(ctx, jobID)
	switch {
	case casehold.ErrorCode(err) == casehold.ENOTFOUND || err == nil && j.RequestedBy != actor.ID:
		matterID := ""
		if j != nil {
			matterID = j.MatterID
		}
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ENOTFOUND, "export job not found"))
	case err != nil:
		return nil, fmt.Errorf("export job: %w", err)
	}
	return j, nil
}

// UnfinishedExports lists the jobs a server start should build (queued, or building
// under a lease that may have died with the last process).
// ExportIdleAfter is how long an unfinished job may go unchanged before the scheduled
// sweep builds it: longer than a build waits between progress writes and than a stream
// delivery takes to arrive, far shorter than ExportStallAfter.
const ExportIdleAfter = 10 * time.Minute

// IdleExports lists up to limit unfinished jobs that nothing has changed for
// ExportIdleAfter, oldest first: queued jobs whose stream deliveries all failed, and jobs
// whose builder died. The export function's schedule builds them.
func (s *Exports) IdleExports(ctx context.Context, limit int) ([]string, error) {
	if err := s.exportStores(); err != nil {
		return nil, err
	}
	js, err := s.ExportJobs.UnfinishedExportJobs(ctx, limit)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, j := range js {
		if s.now().Sub(j.UpdatedAt) >= ExportIdleAfter {
			ids = append(ids, j.ID)
		}
	}
	return ids, nil
}

func (s *Exports) UnfinishedExports(ctx context.Context, limit int) ([]string, error) {
	if err := s.exportStores(); err != nil {
		return nil, err
	}
	js, err := s.ExportJobs.UnfinishedExportJobs(ctx, limit)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(js))
	for i, j := range js {
		ids[i] = j.ID
	}
	return ids, nil
}
