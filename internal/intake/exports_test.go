package intake_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/wire"
)

// exportsApp builds casehold as `make run` does, in a temporary folder, with one matter.
func exportsApp(t *testing.T, reference string) (*wire.App, *casehold.Matter) {
	t.Helper()
	cfg, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	a, err := wire.Build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	m, err := a.Service.CreateMatter(context.Background(), auth.DemoStaff[0], casehold.NewMatterInput{Reference: reference, Contact: "c",
		ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Export Person"}}})
	if err != nil {
		t.Fatal(err)
	}
	return a, m
}

// TestExportsStart: a starting server builds what the last one left (a queued job, and one
// whose builder died with it, its lease run out), then builds each new request by itself.
func TestExportsStart(t *testing.T) {
	a, m := exportsApp(t, "START-1")
	ctx := context.Background()
	svc, coord := a.Service, auth.DemoStaff[0]
	if _, err := svc.UploadDocument(ctx, coord, m.ID, app.UploadInput{PID: "P1", DocType: "Contact", DocDate: "2013-12-21"},
		bytes.NewReader([]byte("%PDF-1.4\nleft behind\n%%EOF\n"))); err != nil {
		t.Fatal(err)
	}
	if err := svc.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	queued, err := svc.RequestExport(ctx, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	dead, err := svc.RequestExport(ctx, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ExportJobs.ClaimExportJob(ctx, dead.ID, "builder-killed", time.Now().Add(-app.ExportLease), app.ExportLease); err != nil {
		t.Fatal(err)
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	if err := a.Exports.Start(runCtx); err != nil {
		t.Fatal(err)
	}
	a.Exports.Wait()
	fresh, err := svc.RequestExport(ctx, coord, m.ID) // built by the hook Start set
	if err != nil {
		t.Fatal(err)
	}
	a.Exports.Wait()
	for _, c := range []struct {
		name     string
		id       string
		attempts int
	}{{"Queued", queued.ID, 1}, {"BuilderDied", dead.ID, 2}, {"RequestedAfterStart", fresh.ID, 1}} {
		j, err := svc.ExportJobs.GetExportJob(ctx, c.id)
		if err != nil || j.State != casehold.ExportReady || j.Attempts != c.attempts {
			t.Errorf("%s: job = %+v, %v; want ready after %d attempt(s)", c.name, j, err, c.attempts)
		}
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// TestExportsScheduledSweep: the export function's schedule (an event with no records)
// builds a job nothing has touched for app.ExportIdleAfter, as when every stream delivery
// of it failed, and leaves alone a job a live builder holds and one just requested.
func TestExportsScheduledSweep(t *testing.T) {
	a, m := exportsApp(t, "SWEEP-1")
	ctx := context.Background()
	svc, coord := a.Service, auth.DemoStaff[0]
	if err := svc.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	idle, err := svc.RequestExport(ctx, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	held, err := svc.RequestExport(ctx, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(app.ExportIdleAfter + time.Minute)
	svc.Clock = fixedClock{later}
	if _, err := svc.ExportJobs.ClaimExportJob(ctx, held.ID, "builder-alive", later.Add(-time.Minute), app.ExportLease); err != nil {
		t.Fatal(err)
	}
	fresh, err := svc.RequestExport(ctx, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := a.Exports.Handle(ctx, events.DynamoDBEvent{}); err != nil {
		t.Fatalf("scheduled sweep: %v", err)
	}
	for _, c := range []struct {
		name  string
		id    string
		state casehold.ExportState
	}{{"Idle", idle.ID, casehold.ExportReady}, {"HeldByALiveBuilder", held.ID, casehold.ExportBuilding}, {"JustRequested", fresh.ID, casehold.ExportQueued}} {
		j, err := svc.ExportJobs.GetExportJob(ctx, c.id)
		if err != nil || j.State != c.state {
			t.Errorf("%s: job = %+v, %v; want %s", c.name, j, err, c.state)
		}
	}
}
