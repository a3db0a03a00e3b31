package infra

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"gopkg.in/yaml.v3"

	"github.com/casehold/casehold/internal/intake"
)

// TestExportFunction: evidence packs are built by ExportFunction, started by the table's
// stream on the INSERT of a new export job only, with retries, bisection and a failure
// queue; it may write packs under exports/ in the staging bucket and nowhere else there;
// the API may only read (presign GETs of) packs; packs expire after 7 days.
func TestExportFunction(t *testing.T) {
	tpl := mustTemplate(t)
	fn := tpl.resource("ExportFunction")
	if fn == nil {
		t.Fatal("no ExportFunction")
	}
	if got := scalar(get(fn, "Properties", "MemorySize")); got != "512" {
		t.Errorf("MemorySize = %s, want 512", got)
	}
	if got := scalar(get(fn, "Properties", "Timeout")); got != "900" {
		t.Errorf("Timeout = %s, want 900", got)
	}
	if got := scalar(get(tpl.resource("Table"), "Properties", "StreamSpecification", "StreamViewType")); got != "KEYS_ONLY" {
		t.Errorf("the table's stream is %q, want KEYS_ONLY (the handler needs the key alone)", got)
	}
	ev := get(fn, "Properties", "Events", "NewExportJob")
	if scalar(get(ev, "Type")) != "DynamoDB" {
		t.Fatal("ExportFunction is not started by the table's stream")
	}
	// The sweep for jobs left idle (every delivery failed, or the builder died): a schedule
	// whose empty event the handler reads as "sweep".
	sweep := get(fn, "Properties", "Events", "IdleJobs")
	if scalar(get(sweep, "Type")) != "ScheduleV2" || scalar(get(sweep, "Properties", "Input")) != "{}" ||
		get(sweep, "Properties", "DeadLetterConfig", "Arn") == nil {
		t.Error("ExportFunction has no ScheduleV2 event IdleJobs with Input {} and a dead-letter queue")
	}
	p := get(ev, "Properties")
	for _, want := range []string{"MaximumRetryAttempts", "BisectBatchOnFunctionError", "MaximumRecordAgeInSeconds"} {
		if get(p, want) == nil {
			t.Errorf("the stream event has no %s", want)
		}
	}
	if get(p, "DestinationConfig", "OnFailure", "Destination") == nil {
		t.Error("records that fail every retry go nowhere (DestinationConfig.OnFailure)")
	}
	if !slices.Contains(scalars(get(p, "FunctionResponseTypes")), "ReportBatchItemFailures") {
		t.Error("the handler's batch item failures are ignored (FunctionResponseTypes)")
	}
	filters := seq(get(p, "FilterCriteria", "Filters"))
	if len(filters) != 1 {
		t.Fatalf("%d stream filters, want 1", len(filters))
	}
	var pattern struct {
		EventName []string `json:"eventName"`
		DynamoDB  struct {
			Keys struct {
				PK struct {
					S []struct {
						Prefix string `json:"prefix"`
					} `json:"S"`
				} `json:"PK"`
			} `json:"Keys"`
		} `json:"dynamodb"`
	}
	if err := json.Unmarshal([]byte(scalar(get(filters[0], "Pattern"))), &pattern); err != nil {
		t.Fatalf("filter pattern: %v", err)
	}
	if !slices.Equal(pattern.EventName, []string{"INSERT"}) || len(pattern.DynamoDB.Keys.PK.S) != 1 || pattern.DynamoDB.Keys.PK.S[0].Prefix != intake.ExportJobPrefix {
		t.Errorf("filter %+v, want INSERTs of keys beginning %s", pattern, intake.ExportJobPrefix)
	}

	// The sample record the wire tests hand the handler passes that filter.
	var sample events.DynamoDBEvent
	mustDecodeStrict(t, "events/dynamodb-stream-export-job.json", &sample)
	if r := sample.Records[0]; r.EventName != "INSERT" || !strings.HasPrefix(r.Change.Keys["PK"].String(), intake.ExportJobPrefix) {
		t.Errorf("the sample record does not match the filter: %+v", r)
	}

	packs := "casehold-uploads-${AWS::AccountId}-${AWS::Region}-${Stage}/exports/*"
	for _, id := range tpl.resourcesOfType("AWS::Serverless::Function") {
		walk(get(tpl.resource(id), "Properties", "Policies"), func(n *yaml.Node) {
			if n.Kind != yaml.MappingNode || scalar(get(n, "Effect")) != "Allow" || !strings.HasSuffix(scalar(get(n, "Resource")), packs) {
				return
			}
			acts := scalars(get(n, "Action"))
			switch id {
			case "ExportFunction":
				if !slices.Contains(acts, "s3:PutObject") || !slices.Contains(acts, "s3:AbortMultipartUpload") {
					t.Errorf("ExportFunction may not write or abort packs: %v", acts)
				}
			case "ApiFunction":
				if !slices.Equal(acts, []string{"s3:GetObject"}) {
					t.Errorf("ApiFunction may %v on packs, want s3:GetObject only (presigned GETs)", acts)
				}
			default:
				t.Errorf("%s is granted %v on packs", id, acts)
			}
		})
	}
	rules := get(tpl.resource("UploadBucket"), "Properties", "LifecycleConfiguration", "Rules")
	if days, ok := expiresWithin(rules, "exports/x-0000.zip"); !ok || days != 7 {
		t.Errorf("packs expire after %d days (rule found: %v), want 7", days, ok)
	}
}
