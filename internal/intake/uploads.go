// Package intake turns outside events (an upload landing in staging) into use cases. The
// Lambda functions and the local server call the same handlers.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// Uploads handles S3 ObjectCreated events for the upload prefix.
type Uploads struct {
	App *app.Service
	Log *slog.Logger
}

// Handle secures every uploaded object in the event. A file refused on its content (not a
// PDF, too large, matter released) or for an integrity incident is audited and not retried; any other failure is
// returned so the platform delivers the event again, which is safe because ingest is
// idempotent.
func (u *Uploads) Handle(ctx context.Context, ev events.S3Event) error {
	var errs []error
	for _, obj := range createdUnder(ctx, u.Log, ev, app.UploadPrefix) {
		key := obj.key
		d, err := u.App.IngestStaged(ctx, key, obj.version)
		switch code := casehold.ErrorCode(err); code {
		case "":
			u.Log.InfoContext(ctx, "upload secured", "key", key, "document", d.ID, "size", d.Size)
		case casehold.EINVALID, casehold.ETOOLARGE, casehold.ECONFLICT, casehold.ENOTFOUND:
			u.Log.WarnContext(ctx, "upload refused", "key", key, "code", code, "reason", casehold.ErrorMessage(err))
		case casehold.EINTEGRITY:
			// Recorded and alarmed as an incident already; a retry would only meet the same
			// planted object, and the staged file stays for whoever investigates.
			u.Log.ErrorContext(ctx, "upload refused: integrity incident", "key", key)
		default:
			u.Log.ErrorContext(ctx, "upload not secured; will be retried", "key", key, "err", err)
			errs = append(errs, fmt.Errorf("ingest %s: %w", key, err))
		}
	}
	return errors.Join(errs...)
}
