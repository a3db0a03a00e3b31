package intake

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestCreatedUnder(t *testing.T) {
	rec := func(name, key string) events.S3EventRecord {
		return events.S3EventRecord{EventName: name, S3: events.S3Entity{Bucket: events.S3Bucket{Name: "b"},
			Object: events.S3Object{Key: key, VersionID: "v1"}}}
	}
	ev := events.S3Event{Records: []events.S3EventRecord{
		rec("ObjectCreated:Put", "uploads/m-1/a+scan.pdf"),     // '+' is a space
		rec("ObjectCreated:Put", "uploads/m-1/b%2Fc.pdf"),      // escaped slash
		rec("ObjectRemoved:Delete", "uploads/m-1/gone.pdf"),    // not a creation
		rec("ObjectCreated:Put", "inbound/message"),            // another prefix
		rec("ObjectCreated:Put", "uploads/m-1/%zz-broken.pdf"), // malformed escape
	}}
	got := createdUnder(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil)), ev, "uploads/")
	want := []created{{"b", "uploads/m-1/a scan.pdf", "v1"}, {"b", "uploads/m-1/b/c.pdf", "v1"}}
	if len(got) != len(want) {
		t.Fatalf("createdUnder = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
