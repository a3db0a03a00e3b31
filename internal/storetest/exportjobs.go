package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

func exportJobs(t *testing.T, newHarness func(t *testing.T) Harness) casehold.ExportJobStore {
	t.Helper()
	s, ok := newHarness(t).Store.(casehold.ExportJobStore)
	if !ok {
		t.Fatal("the store keeps no export jobs (casehold.ExportJobStore)")
	}
	return s
}

// NewExportJob returns a valid job for matter m1 requested by staff-coord at created.
func NewExportJob(id string, created time.Time) *casehold.ExportJob {
	return &casehold.ExportJob{ID: id, MatterID: "m1", RequestedBy: "staff-coord", CreatedAt: created, UpdatedAt: created}
}

func exportIDs(js []*casehold.ExportJob) []string {
	return keysOf(js, func(j *casehold.ExportJob) string { return j.ID })
}

func testExportJobs(t *testing.T, newHarness func(t *testing.T) Harness) {
	const lease = 2 * time.Minute
	t.Run("CreateOnce", func(t *testing.T) {
		s := exportJobs(t, newHarness)
		j := NewExportJob("x-1", base)
		created, err := s.CreateExportJob(ctx(), j)
		mustOK(t, err)
		if !created || j.Version != 1 || j.State != casehold.ExportQueued {
			t.Fatalf("first create: created=%v version=%d state=%s", created, j.Version, j.State)
		}
		created, err = s.CreateExportJob(ctx(), NewExportJob("x-1", base.Add(time.Second)))
		mustOK(t, err)
		if created {
			t.Error("the same request retried created a second job")
		}
		other := NewExportJob("x-1", base)
		other.MatterID = "m2"
		_, err = s.CreateExportJob(ctx(), other)
		mustCode(t, err, casehold.ECONFLICT)
		got, err := s.GetExportJob(ctx(), "x-1")
		mustOK(t, err)
		if got.MatterID != "m1" || got.RequestedBy != "staff-coord" || got.State != casehold.ExportQueued || !got.CreatedAt.Equal(base) || got.Version != 1 {
			t.Errorf("stored job = %+v", got)
		}
		_, err = s.GetExportJob(ctx(), "x-absent")
		mustCode(t, err, casehold.ENOTFOUND)
		_, err = s.CreateExportJob(ctx(), &casehold.ExportJob{ID: "x-2"})
		mustCode(t, err, casehold.EINVALID)
	})
	t.Run("ClaimOnce", func(t *testing.T) {
		s := exportJobs(t, newHarness)
		_, err := s.CreateExportJob(ctx(), NewExportJob("x-1", base))
		mustOK(t, err)
		var wg sync.WaitGroup
		wins := make([]string, 8)
		for i := range wins {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.ClaimExportJob(ctx(), "x-1", fmt.Sprintf("b%d", i), base, lease); err == nil {
					wins[i] = "won"
				} else if casehold.ErrorCode(err) != casehold.ECONFLICT {
					wins[i] = err.Error()
				}
			}()
		}
		wg.Wait()
		won := 0
		for i, w := range wins {
			switch w {
			case "won":
				won++
			case "":
			default:
				t.Errorf("builder %d: %s", i, w)
			}
		}
		if won != 1 {
			t.Fatalf("%d builders claimed one queued job at once, want exactly 1", won)
		}
		got, err := s.GetExportJob(ctx(), "x-1")
		mustOK(t, err)
		if got.State != casehold.ExportBuilding || got.Attempts != 1 || !got.LeaseUntil.Equal(base.Add(lease)) || got.Owner == "" {
			t.Errorf("claimed job = %+v", got)
		}
		_, err = s.ClaimExportJob(ctx(), "x-absent", "b", base, lease)
		mustCode(t, err, casehold.ENOTFOUND)
	})
	t.Run("StaleLeaseIsResumed", func(t *testing.T) {
		s := exportJobs(t, newHarness)
		_, err := s.CreateExportJob(ctx(), NewExportJob("x-1", base))
		mustOK(t, err)
		first, err := s.ClaimExportJob(ctx(), "x-1", "crashed", base, lease)
		mustOK(t, err)
		first.Progress = casehold.ExportProgress{DocumentsDone: 3, DocumentsTotal: 10}
		first.LeaseUntil = base.Add(time.Minute + lease)
		mustOK(t, s.UpdateExportJob(ctx(), first)) // a renewal a minute in
		_, err = s.ClaimExportJob(ctx(), "x-1", "next", base.Add(time.Minute+lease-time.Nanosecond), lease)
		mustCode(t, err, casehold.ECONFLICT) // the lease is live
		second, err := s.ClaimExportJob(ctx(), "x-1", "next", base.Add(time.Minute+lease), lease)
		mustOK(t, err)
		if second.Owner != "next" || second.Attempts != 2 || second.Progress.DocumentsDone != 0 {
			t.Errorf("resumed job = %+v", second)
		}
		// The first builder, back from the dead, may no longer write.
		first.Progress.DocumentsDone = 4
		mustCode(t, s.UpdateExportJob(ctx(), first), casehold.ECONFLICT)
	})
	t.Run("FinishLeavesIndex", func(t *testing.T) {
		s := exportJobs(t, newHarness)
		for i, id := range []string{"x-c", "x-a", "x-b"} {
			_, err := s.CreateExportJob(ctx(), NewExportJob(id, base.Add(time.Duration(i)*time.Minute)))
			mustOK(t, err)
		}
		eventually(t, func() string {
			got, err := s.UnfinishedExportJobs(ctx(), 10)
			mustOK(t, err)
			return fmt.Sprint(exportIDs(got))
		}, "[x-c x-a x-b]")
		j, err := s.ClaimExportJob(ctx(), "x-a", "b", base, lease)
		mustOK(t, err)
		j.State, j.Result = casehold.ExportReady, &casehold.ExportOutcome{Key: "exports/x-a.zip", Size: 42, ManifestSHA256: "ab"}
		mustOK(t, s.UpdateExportJob(ctx(), j))
		if j.Version != 3 {
			t.Errorf("version after create, claim, finish = %d, want 3", j.Version)
		}
		got, err := s.GetExportJob(ctx(), "x-a")
		mustOK(t, err)
		if got.State != casehold.ExportReady || got.Result == nil || got.Result.Size != 42 {
			t.Errorf("finished job = %+v", got)
		}
		_, err = s.ClaimExportJob(ctx(), "x-a", "late", base.Add(time.Hour), lease)
		mustCode(t, err, casehold.ECONFLICT) // a finished job is never built again
		eventually(t, func() string {
			got, err := s.UnfinishedExportJobs(ctx(), 10)
			mustOK(t, err)
			return fmt.Sprint(exportIDs(got))
		}, "[x-c x-b]")
		one, err := s.UnfinishedExportJobs(ctx(), 1)
		mustOK(t, err)
		if fmt.Sprint(exportIDs(one)) != "[x-c]" {
			t.Errorf("limit 1 = %v", exportIDs(one))
		}
		mustCode(t, s.UpdateExportJob(ctx(), NewExportJob("x-absent", base)), casehold.ENOTFOUND)
	})
}

// eventually waits for an index read to show want (GSI reads may lag a write briefly).
func eventually(t *testing.T, read func() string, want string) {
	t.Helper()
	var got string
	for i := 0; i < 50; i++ {
		if got = read(); got == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("index = %s, want %s", got, want)
}
