package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/casehold/casehold/internal/app"
)

// Releases finishes recorded releases: the release function's handler, invoked by an
// EventBridge Scheduler rate schedule, and the local server's ticker. The schedule's input
// is not read: every run looks for every release that is not finished, so a run that is
// delivered twice, late, or not at all changes nothing but when the work is done.
type Releases struct {
	App *app.Service
	Log *slog.Logger
}

// Handle runs every unfinished release once. An error (one matter could not be finished)
// makes the scheduler retry; finished work is not done again.
func (r *Releases) Handle(ctx context.Context, _ json.RawMessage) error {
	done, err := r.App.RunReleases(ctx)
	if done > 0 {
		r.Log.InfoContext(ctx, "releases finished", "count", done)
	}
	if err != nil {
		r.Log.ErrorContext(ctx, "releases not finished; will be retried", "err", err)
		return fmt.Errorf("run releases: %w", err)
	}
	return nil
}
