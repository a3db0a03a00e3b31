package intake

import (
	"context"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// created is one object an S3 event reports as created.
type created struct {
	bucket, key, version string
}

// createdUnder returns the objects created under prefix in ev, with keys decoded (S3 event
// keys are URL-encoded, with '+' for space). Other events and prefixes are not casehold's.
func createdUnder(ctx context.Context, log *slog.Logger, ev events.S3Event, prefix string) []created {
	var out []created
	for _, rec := range ev.Records {
		if !strings.HasPrefix(rec.EventName, "ObjectCreated:") {
			continue
		}
		key, err := url.QueryUnescape(rec.S3.Object.Key)
		if err != nil {
			log.WarnContext(ctx, "S3 event with a malformed key", "err", err)
			continue
		}
		if strings.HasPrefix(key, prefix) {
			out = append(out, created{bucket: rec.S3.Bucket.Name, key: key, version: rec.S3.Object.VersionID})
		}
	}
	return out
}
