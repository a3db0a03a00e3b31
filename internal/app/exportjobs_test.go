package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/evpack"
	"github.com/casehold/casehold/internal/evpack/packtest"
	"github.com/casehold/casehold/internal/wire"
)

// jobPack downloads a ready job's pack as its requester and checks it with evpack and,
// where installed, `sha256sum -c`.
func jobPack(t *testing.T, a *wire.App, actor casehold.Actor, jobID string) []byte {
	t.Helper()
	ctx := context.Background()
	v, err := a.Service.ExportStatus(ctx, actor, jobID)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if v.State != casehold.ExportReady || v.DownloadURL != "/exports/"+jobID+"/download" || v.DownloadExpiresAt == nil || v.Result == nil {
		t.Fatalf("ready job = %+v", v)
	}
	rc, size, name, err := a.Service.OpenExportPack(ctx, actor, jobID)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	defer rc.Close()
	pack, _ := io.ReadAll(rc)
	if int64(len(pack)) != size || size != v.Result.Size || name != v.Result.FileName {
		t.Fatalf("downloaded %d bytes named %q; the job says %d bytes named %q", len(pack), name, v.Result.Size, v.Result.FileName)
	}
	rep, err := evpack.Verify(bytes.NewReader(pack), int64(len(pack)), evpack.Options{Key: a.Service.AuditLog.Keys.VerifierKey})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Documents != v.Result.Documents || rep.CheckpointSize != v.Result.CheckpointSize || !rep.KeyPinned {
		t.Fatalf("the job's pack fails its check: %+v (job %+v)", rep, v.Result)
	}
	dir := packtest.Unzip(t, pack)
	sums, _ := os.ReadFile(filepath.Join(dir, evpack.ManifestSHA256))
	if d := sha256.Sum256(sums); hex.EncodeToString(d[:]) != v.Result.ManifestSHA256 {
		t.Errorf("the job records manifest SHA-256 %s; the pack's is %x", v.Result.ManifestSHA256, d)
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		if out, err := sha256sumCheck(t, dir); err != nil || strings.Contains(out, "FAILED") {
			t.Fatalf("sha256sum -c on the job's pack: %v\n%s", err, out)
		}
	}
	return pack
}

func TestExportJob(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	m := newMatter(t, a, "JOB-1")
	for _, s := range []string{"first contact", "second contact", "third contact"} {
		upload(t, a, m.ID, s)
	}
	if err := a.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := a.Service.RequestExport(ctx, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != casehold.ExportQueued || v.MatterID != m.ID || v.DownloadURL != "" {
		t.Fatalf("requested job = %+v", v)
	}
	if got, err := a.Service.ExportStatus(ctx, coord, v.ID); err != nil || got.State != casehold.ExportQueued || got.DownloadURL != "" ||
		got.MatterReference != m.Reference || m.Reference == "" {
		t.Fatalf("status of a queued job = %+v, %v (want the matter's reference %q)", got, err, m.Reference)
	}

	t.Run("DeliveredTwiceBuildsOnce", func(t *testing.T) {
		var wg sync.WaitGroup
		var built atomic.Int32
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j, err := a.Service.BuildExport(ctx, v.ID)
				var busy *app.ExportBusyError
				switch {
				case errors.As(err, &busy):
				case err != nil:
					t.Errorf("build: %v", err)
				case j.State != casehold.ExportReady:
					t.Errorf("built job = %+v", j)
				default:
					built.Add(1)
				}
			}()
		}
		wg.Wait()
		if built.Load() == 0 {
			t.Fatal("no delivery built the job")
		}
		again, err := a.Service.BuildExport(ctx, v.ID) // a late redelivery
		if err != nil || again.State != casehold.ExportReady || again.Attempts != 1 {
			t.Fatalf("redelivered job = %+v, %v", again, err)
		}
		log := auditOf(t, a)
		if n := countPrefix(log, "matter.exported:ok"); n != 1 {
			t.Errorf("%d packs made for one job, want 1: %v", n, log)
		}
		if countPrefix(log, "export.requested:ok job="+v.ID) != 1 || countPrefix(log, "export.built:ok job="+v.ID) != 1 {
			t.Errorf("request or build not audited: %v", log)
		}
		p := again.Progress
		if p.DocumentsDone != 3 || p.DocumentsTotal != 3 || p.BytesDone != p.BytesTotal || p.BytesTotal == 0 {
			t.Errorf("progress of a ready job = %+v", p)
		}
	})
	t.Run("RequesterDownloadsAVerifiablePack", func(t *testing.T) {
		jobPack(t, a, coord, v.ID)
		if log := auditOf(t, a); countPrefix(log, "export.download_link:ok job="+v.ID) != 1 || countPrefix(log, "export.download:ok job="+v.ID) != 1 {
			t.Errorf("link and download not audited: %v", log)
		}
		// "Who saw this child" finds the link and the download.
		evs, err := a.Service.Store.ListAuditBy(ctx, casehold.AuditFilter{PID: "P1"}, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, ev := range evs {
			seen[ev.Action] = true
		}
		if !seen["export.download_link"] || !seen["export.download"] {
			t.Errorf("the child's audit trail lacks the pack's link or download: %v", seen)
		}
	})
	t.Run("StrangerGetsNotFound", func(t *testing.T) {
		for _, id := range []string{v.ID, "x-nope"} {
			for _, who := range []casehold.Actor{auth.DemoStaff[1], auth.DemoStaff[3]} {
				if _, err := a.Service.ExportStatus(ctx, who, id); casehold.ErrorCode(err) != casehold.ENOTFOUND {
					t.Errorf("%s polling job %s = %v, want not found", who.ID, id, err)
				}
				if _, _, _, err := a.Service.OpenExportPack(ctx, who, id); casehold.ErrorCode(err) != casehold.ENOTFOUND {
					t.Errorf("%s downloading job %s = %v, want not found", who.ID, id, err)
				}
			}
		}
		if log := auditOf(t, a); countPrefix(log, "export.status:refused") != 4 || countPrefix(log, "export.download:refused") != 4 {
			t.Errorf("strangers' attempts not audited: %v", log)
		}
	})
}

// lockChild places an applied lock on pid, owned by the service manager.
func lockChild(t *testing.T, a *wire.App, pid string) {
	t.Helper()
	ctx := context.Background()
	tm := casehold.Actor{ID: "s-tm-01", Roles: []casehold.Role{casehold.RoleTeamManager}}
	sm := casehold.Actor{ID: "s-sm-01", Roles: []casehold.Role{casehold.RoleServiceManager}}
	support := casehold.Actor{ID: "s-support-01", Roles: []casehold.Role{casehold.RoleSupport}}
	l, err := a.Service.RequestLock(ctx, tm, app.LockInput{PID: pid, Owner: sm.ID, Reason: casehold.LockHighProfile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.DecideLock(ctx, sm, l.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.ApplyLock(ctx, support, l.ID); err != nil {
		t.Fatal(err)
	}
}

func TestExportJobRefusals(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	m := newMatter(t, a, "JOB-2")
	upload(t, a, m.ID, "a contact")
	if err := a.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	unfinished := func(t *testing.T) []string {
		t.Helper()
		ids, err := a.Service.UnfinishedExports(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}

	t.Run("RevokedBeforeTheBuild", func(t *testing.T) {
		// Requested while allowed; the child is locked before the pack is built.
		other := newMatter(t, a, "JOB-3")
		upload(t, a, other.ID, "another contact")
		if err := a.Service.FlushAudit(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := a.Service.RequestExport(ctx, coord, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		lockChild(t, a, "P1")
		j, err := a.Service.BuildExport(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != casehold.ExportFailed || !strings.Contains(j.Failure, "records you may not read") || j.Result != nil {
			t.Fatalf("job built after the lock = %+v", j)
		}
		if log := auditOf(t, a); countPrefix(log, "export.built:refused") != 1 || countPrefix(log, "matter.exported") != 0 {
			t.Errorf("refused build not audited as refused: %v", log)
		}
		if got, err := a.Service.ExportStatus(ctx, coord, v.ID); err != nil || got.State != casehold.ExportFailed || got.DownloadURL != "" {
			t.Errorf("status of the failed job = %+v, %v", got, err)
		}
	})

	// Now the child is locked: every export the coordinator asks for is refused, by the
	// job exactly as by the stream, and nothing is queued.
	before := unfinished(t)
	for _, c := range []struct {
		name    string
		actor   casehold.Actor
		matter  string
		code    string
		message string
	}{
		{"LockedChild", coord, m.ID, casehold.EFORBIDDEN, "records you may not read"},
		{"SocialWorkerNotOnTheMatter", auth.DemoStaff[4], m.ID, casehold.EFORBIDDEN, ""},
		{"Helpdesk", auth.DemoStaff[5], m.ID, casehold.EFORBIDDEN, ""},
		{"NoSuchMatter", coord, "m-nope", casehold.ENOTFOUND, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, streamErr := exportPack(t, a, c.actor, c.matter)
			_, jobErr := a.Service.RequestExport(ctx, c.actor, c.matter)
			if casehold.ErrorCode(jobErr) != c.code || fmtErr(jobErr) != fmtErr(streamErr) || !strings.Contains(fmtErr(jobErr), c.message) {
				t.Errorf("job refusal %v; stream refusal %v; want both %s", jobErr, streamErr, c.code)
			}
		})
	}
	if got := unfinished(t); len(got) != len(before) {
		t.Errorf("refused requests queued jobs: %v", got)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// failingEvidence fails one Open after `after` successful ones, once: a build cut off
// part-way (a store outage, a killed process).
type failingEvidence struct {
	casehold.Evidence
	after, opens atomic.Int32
	cancel       func()
}

func (f *failingEvidence) Open(ctx context.Context, key, version string) (io.ReadCloser, error) {
	if f.opens.Add(1) == f.after.Load()+1 {
		if f.cancel != nil {
			f.cancel() // the process dies here
			return nil, context.Canceled
		}
		return nil, errors.New("evidence store unavailable")
	}
	return f.Evidence.Open(ctx, key, version)
}

func TestExportJobResumes(t *testing.T) {
	for _, c := range []struct {
		name   string
		killed bool // the process died: its lease must run out before another build
	}{{"FailedAttempt", false}, {"KilledProcess", true}} {
		t.Run(c.name, func(t *testing.T) {
			a := embedded(t)
			ctx := context.Background()
			clock := &stepClock{now: time.Now().UTC()}
			a.Service.Clock = clock
			coord := auth.DemoStaff[0]
			m := newMatter(t, a, "JOB-4")
			for _, s := range []string{"one", "two", "three", "four"} {
				upload(t, a, m.ID, s)
			}
			if err := a.Service.FlushAudit(ctx); err != nil {
				t.Fatal(err)
			}
			v, err := a.Service.RequestExport(ctx, coord, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			fe := &failingEvidence{Evidence: a.Service.Evidence}
			fe.after.Store(2)
			a.Service.Evidence = fe
			bctx := ctx
			if c.killed {
				var cancel func()
				bctx, cancel = context.WithCancel(ctx)
				fe.cancel = cancel
			}
			if _, err := a.Service.BuildExport(bctx, v.ID); err == nil {
				t.Fatal("the cut-off build reported success")
			}
			j, _ := a.Service.ExportJobs.GetExportJob(ctx, v.ID)
			if j.State != casehold.ExportBuilding || j.Result != nil {
				t.Fatalf("job after the cut-off build = %+v", j)
			}
			if c.killed {
				var busy *app.ExportBusyError
				if _, err := a.Service.BuildExport(ctx, v.ID); !errors.As(err, &busy) {
					t.Fatalf("build while the dead builder's lease is live = %v, want busy", err)
				}
				// Long after, nothing has moved it: the requester is told it stalled.
				clock.add(app.ExportStallAfter + time.Minute)
				if v, err := a.Service.ExportStatus(ctx, coord, v.ID); err != nil || !v.Stalled || v.State != casehold.ExportBuilding {
					t.Fatalf("status of a job whose builder died = %+v, %v; want stalled", v, err)
				}
			}
			if ids, _ := a.Service.UnfinishedExports(ctx, 10); len(ids) != 1 || ids[0] != v.ID {
				t.Errorf("unfinished jobs a restart would pick up = %v", ids)
			}
			j, err = a.Service.BuildExport(ctx, v.ID)
			if err != nil || j.State != casehold.ExportReady || j.Attempts != 2 || j.Result.Documents != 4 {
				t.Fatalf("resumed build = %+v, %v", j, err)
			}
			if v, _ := a.Service.ExportStatus(ctx, coord, v.ID); v.Stalled {
				t.Error("a ready job is reported stalled")
			}
			jobPack(t, a, coord, v.ID)
			if ids, _ := a.Service.UnfinishedExports(ctx, 10); len(ids) != 0 {
				t.Errorf("a ready job is still unfinished: %v", ids)
			}
		})
	}
}
