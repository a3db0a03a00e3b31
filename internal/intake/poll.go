package intake

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// StagingLister is an upload bucket that can list what is in it (s3staging).
type StagingLister interface {
	Bucket() string
	Latest(ctx context.Context, prefix string) ([]casehold.StoredObject, error)
}

// PollStaging stands in for S3 event notifications where there are none (the local server
// on the emulators, `make run-aws`): every `every` it lists the upload bucket and hands
// each object to the same handlers the Lambda functions run, as the S3 event would. The
// handlers are idempotent, so an object seen again is no second document or message.
func PollStaging(ctx context.Context, src StagingLister, uploads *Uploads, emails *Emails, every time.Duration, log *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	seen := map[string]bool{} // handled for good; refused files stay in staging, like in AWS
	for {
		for _, h := range []struct {
			prefix string
			handle func(context.Context, events.S3Event) error
		}{{app.UploadPrefix, uploads.Handle}, {InboundPrefix, emails.Handle}} {
			objs, err := src.Latest(ctx, h.prefix)
			if err != nil {
				log.WarnContext(ctx, "staging not listed", "prefix", h.prefix, "err", err)
				continue
			}
			for _, o := range objs {
				id := o.Key + "#" + o.VersionID
				if seen[id] {
					continue
				}
				ev := events.S3Event{Records: []events.S3EventRecord{{EventSource: "aws:s3", EventName: "ObjectCreated:Put",
					S3: events.S3Entity{Bucket: events.S3Bucket{Name: src.Bucket()},
						Object: events.S3Object{Key: url.QueryEscape(o.Key), VersionID: o.VersionID}}}}}
				// A failure is logged by the handler and tried again on the next tick.
				if h.handle(ctx, ev) == nil {
					seen[id] = true
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
