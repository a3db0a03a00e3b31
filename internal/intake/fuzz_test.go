package intake

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// FuzzLambdaEvents feeds the functions' event readers any JSON an event source might
// deliver: they never panic, report only created objects under the prefix asked for, and
// never a job without an id.
func FuzzLambdaEvents(f *testing.F) {
	f.Add([]byte(`{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"uploads/m-1/a+b%2Fc.pdf","versionId":"v1"}}}]}`))
	f.Add([]byte(`{"Records":[{"eventName":"ObjectCreated:Put","s3":{"object":{"key":"uploads/%zz"}}}]}`))
	f.Add([]byte(`{"Records":[{"eventName":"INSERT","dynamodb":{"Keys":{"PK":{"S":"EXPORT#x-1"}}}}]}`))
	f.Add([]byte(`{"Records":[{"eventName":"INSERT","dynamodb":{"Keys":{"PK":{"S":"EXPORT#"}}}}]}`))
	f.Add([]byte(`{"Records":[{"eventName":"INSERT","dynamodb":{"Keys":{"PK":{"N":"7"}}}}]}`))
	log := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, data []byte) {
		var s3ev events.S3Event
		if json.Unmarshal(data, &s3ev) == nil {
			for _, c := range createdUnder(context.Background(), log, s3ev, "uploads/") {
				if !strings.HasPrefix(c.key, "uploads/") {
					t.Fatalf("reported %q, outside the prefix", c.key)
				}
			}
		}
		var ddb events.DynamoDBEvent
		if json.Unmarshal(data, &ddb) == nil {
			for _, r := range ddb.Records {
				if id, ok := exportJobID(r); ok && id == "" {
					t.Fatalf("a job without an id from %+v", r.Change.Keys)
				}
			}
		}
	})
}
