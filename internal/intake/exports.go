package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// ExportJobPrefix begins the partition key of an export job's item in the table: the
// stream records the export function is given are the INSERTs of such items (template.yaml
// filters the stream on it; internal/dynamostore/exportjobs.go writes it).
const ExportJobPrefix = "EXPORT#"

// Exports builds evidence packs for export jobs: the export function's handler, given the
// table's stream records of new jobs, and locally a goroutine per requested job plus, at
// start, every job a stopped server left unfinished.
type Exports struct {
	App *app.Service
	Log *slog.Logger

	// running holds the jobs this process is building, so a job is built once per
	// process even if it is asked for twice.
	mu      sync.Mutex
	running map[string]bool
	wg      sync.WaitGroup
}

// Handle builds the job of each new-job record. A record whose build failed is reported
// as a batch item failure, so Lambda delivers it again (and, after its retries, to the
// dead-letter queue); other records are never redone. An event with no records is the
// function's schedule: it builds the jobs left idle (see Sweep).
func (x *Exports) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var out events.DynamoDBEventResponse
	if len(ev.Records) == 0 {
		return out, x.Sweep(ctx)
	}
	for _, r := range ev.Records {
		id, ok := exportJobID(r)
		if !ok {
			continue
		}
		if err := x.Build(ctx, id); err != nil {
			x.Log.ErrorContext(ctx, "export job not built; it will be delivered again", "job", id, "err", err)
			out.BatchItemFailures = append(out.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
		}
	}
	return out, nil
}

// Sweep builds, one after another, the jobs nothing has changed for app.ExportIdleAfter:
// those whose every stream delivery failed (their records are in the dead-letter queue)
// and those whose builder died. A job another builder holds is left to it. It stops
// starting builds when too little of ctx's time is left for one.
func (x *Exports) Sweep(ctx context.Context) error {
	ids, err := x.App.IdleExports(ctx, 100)
	if err != nil {
		return fmt.Errorf("sweep export jobs: %w", err)
	}
	var failed int
	for i, id := range ids {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < 5*time.Minute {
			x.Log.WarnContext(ctx, "export sweep: out of time; the next run goes on", "left", len(ids)-i)
			break
		}
		j, err := x.App.BuildExport(ctx, id)
		var busy *app.ExportBusyError
		switch {
		case errors.As(err, &busy):
			continue // a live builder has it
		case err != nil:
			failed++
			x.Log.ErrorContext(ctx, "export sweep: job not built", "job", id, "err", err)
		default:
			x.Log.InfoContext(ctx, "export sweep: job finished", "job", id, "state", j.State, "attempts", j.Attempts)
		}
	}
	if failed > 0 {
		return fmt.Errorf("sweep export jobs: %d job(s) not built", failed)
	}
	return nil
}

// exportJobID reads the job id from a stream record of a new export job.
func exportJobID(r events.DynamoDBEventRecord) (string, bool) {
	if r.EventName != "INSERT" {
		return "", false
	}
	pk, ok := r.Change.Keys["PK"]
	if !ok || pk.DataType() != events.DataTypeString || !strings.HasPrefix(pk.String(), ExportJobPrefix) {
		return "", false
	}
	id := strings.TrimPrefix(pk.String(), ExportJobPrefix)
	return id, id != ""
}

// Build builds the job, waiting while another builder holds it: that builder finishes
// (and Build returns), or dies and its lease runs out (and Build takes the job over).
// It gives up when ctx ends.
func (x *Exports) Build(ctx context.Context, id string) error {
	for {
		j, err := x.App.BuildExport(ctx, id)
		var busy *app.ExportBusyError
		switch {
		case errors.As(err, &busy):
			wait := time.Until(busy.LeaseUntil) + time.Second
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+30*time.Second {
				return err // not enough time left to take over: the next delivery will
			}
			t := time.NewTimer(max(wait, time.Second))
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
			continue
		case casehold.ErrorCode(err) == casehold.ENOTFOUND:
			x.Log.WarnContext(ctx, "export job record not found; nothing to build", "job", id)
			return nil
		case err != nil:
			return err
		}
		x.Log.InfoContext(ctx, "export job finished", "job", id, "state", j.State, "attempts", j.Attempts)
		return nil
	}
}

// Start is the local stand-in for the stream: it makes the service build each new job in
// a goroutine, and starts the jobs a stopped server left queued or building (their lease
// runs out first), so nothing requested is lost to a kill -9. Wait waits for them.
func (x *Exports) Start(ctx context.Context) error {
	x.App.StartExport = func(id string) { x.spawn(ctx, id) }
	ids, err := x.App.UnfinishedExports(ctx, 1000)
	if err != nil {
		return fmt.Errorf("resume export jobs: %w", err)
	}
	for _, id := range ids {
		x.spawn(ctx, id)
	}
	if e, ok := x.App.Packs.(packExpirer); ok {
		// What the bucket's lifecycle rule does in AWS: packs go after app.ExportPackTTL.
		go func() {
			tick := time.NewTicker(time.Hour)
			defer tick.Stop()
			for {
				if _, err := e.Expire(time.Now(), app.ExportPackTTL); err != nil {
					x.Log.ErrorContext(ctx, "expiring old evidence packs failed", "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
	return nil
}

// packExpirer is a local pack store, which has no lifecycle rule to delete old packs.
type packExpirer interface {
	Expire(now time.Time, age time.Duration) (int, error)
}

func (x *Exports) spawn(ctx context.Context, id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.running == nil {
		x.running = map[string]bool{}
	}
	if x.running[id] {
		return
	}
	x.running[id] = true
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		defer func() { x.mu.Lock(); delete(x.running, id); x.mu.Unlock() }()
		// A failed attempt has handed the job back; try again a few times, then leave it
		// to the next start.
		for attempt := 0; attempt < app.MaxExportAttempts; attempt++ {
			err := x.Build(ctx, id)
			if err == nil || ctx.Err() != nil {
				return
			}
			x.Log.ErrorContext(ctx, "export job not built; trying again", "job", id, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Duration(attempt+1) * 5 * time.Second):
			}
		}
	}()
}

// Wait waits for the builds Start and the service started.
func (x *Exports) Wait() { x.wg.Wait() }
