package intake

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/casehold/casehold/internal/app"
)

// Reminders runs the scheduled sweep: the reminders function's handler, invoked by an
// EventBridge Scheduler rate schedule, and the local server's ticker. The event's content is
// not read: each run sends what is due at the moment it runs, and every occasion has its own
// key, so a run delivered twice, late or retried sends nothing twice.
type Reminders struct {
	App *app.Service
	Log *slog.Logger
}

// Handle sweeps once. An error (a subject could not be handled) makes the scheduler retry;
// what was queued already is not queued again.
func (r *Reminders) Handle(ctx context.Context, _ json.RawMessage) error {
	rep, err := r.App.Sweep(ctx, time.Time{}, false)
	if rep != nil {
		queued := 0
		for _, m := range rep.Mail {
			if m.Queued {
				queued++
			}
		}
		// Counts only: a subject key is an id, but the log needs no more than numbers.
		r.Log.InfoContext(ctx, "reminder sweep", "due_read", rep.DueRead, "subjects", rep.Subjects, "queued", queued,
			"sent", rep.Delivery.Sent, "send_failed", rep.Delivery.Failed)
	}
	if err != nil {
		r.Log.ErrorContext(ctx, "reminder sweep incomplete; will be retried", "err", err)
		return fmt.Errorf("reminder sweep: %w", err)
	}
	return nil
}
