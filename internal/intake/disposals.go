package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/casehold/casehold/internal/app"
)

// Disposals runs the disposal job: the disposal function's handler, invoked by an
// EventBridge Scheduler rate schedule, and the local server's ticker. The schedule's input
// is not read: every run looks for every approved, due and unheld document.
type Disposals struct {
	App *app.Service
	Log *slog.Logger
}

// Handle runs the disposals once. A document that could not be disposed of is logged and
// tried again next run; only a failure to read the queue is an error.
func (d *Disposals) Handle(ctx context.Context, _ json.RawMessage) error {
	run, err := d.App.RunDisposals(ctx)
	if err != nil {
		d.Log.ErrorContext(ctx, "disposal run failed; will be retried", "err", err)
		return fmt.Errorf("run disposals: %w", err)
	}
	if len(run.Disposed) > 0 || len(run.Stopped) > 0 {
		d.Log.InfoContext(ctx, "disposal run", "disposed", len(run.Disposed), "stopped", len(run.Stopped))
	}
	return nil
}
