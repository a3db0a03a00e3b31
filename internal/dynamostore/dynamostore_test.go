package dynamostore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/dynamostore"
	"github.com/casehold/casehold/internal/emulators"
	"github.com/casehold/casehold/internal/storetest"
)

func TestStoreContract(t *testing.T) {
	client := mustClient(t)
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		s := mustStore(t, client)
		return storetest.Harness{Store: s, SetNow: func(now func() time.Time) { s.Now = now }}
	})
}

func TestCreateTable(t *testing.T) {
	client := mustClient(t)
	t.Run("SecondCallIsNoOp", func(t *testing.T) {
		table := mustTable(t, client)
		s := dynamostore.New(client, table)
		mustOK(t, s.CreateMatter(context.Background(), storetest.NewMatter("m1", "REF-A", time.Now())))
		mustOK(t, dynamostore.CreateTable(context.Background(), client, table))
		if _, err := s.GetMatter(context.Background(), "m1"); err != nil {
			t.Fatalf("second CreateTable lost data: %v", err)
		}
	})
	t.Run("Layout", func(t *testing.T) {
		table := mustTable(t, client)
		d, err := client.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		mustOK(t, err)
		if d.Table.BillingModeSummary == nil || d.Table.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
			t.Errorf("billing mode = %+v, want on-demand", d.Table.BillingModeSummary)
		}
		var names []string
		for _, g := range d.Table.GlobalSecondaryIndexes {
			names = append(names, aws.ToString(g.IndexName))
		}
		slices.Sort(names)
		if !slices.Equal(names, []string{"GSI1", "GSI2"}) {
			t.Errorf("indexes = %v, want GSI1 and GSI2", names)
		}
		ttl, err := client.DescribeTimeToLive(context.Background(), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
		mustOK(t, err)
		if ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled ||
			aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires_at" {
			t.Errorf("ttl = %+v, want enabled on expires_at", ttl.TimeToLiveDescription)
		}
	})
}

func TestStore_ErrInternalWithoutTable(t *testing.T) {
	s := dynamostore.New(mustClient(t), "casehold-no-such-table")
	_, err := s.GetMatter(context.Background(), "m1")
	if code := casehold.ErrorCode(err); code != casehold.EINTERNAL {
		t.Errorf("GetMatter on a missing table: code %q (%v), want %q", code, err, casehold.EINTERNAL)
	}
}

func TestStore_UpdateMatterKeepsKindAndReference(t *testing.T) {
	s := mustStore(t, mustClient(t))
	ctx := context.Background()
	mustOK(t, s.CreateMatter(ctx, storetest.NewMatter("m1", "REF-A", time.Now())))
	m, err := s.GetMatter(ctx, "m1")
	mustOK(t, err)
	m.Kind, m.Reference = casehold.KindSeriousCaseReview, "REF-B"
	mustOK(t, s.UpdateMatter(ctx, m))
	got, err := s.GetMatter(ctx, "m1")
	mustOK(t, err)
	if got.Kind != casehold.KindCCRCS17 || got.Reference != "REF-A" {
		t.Errorf("after update kind %q reference %q, want the originals", got.Kind, got.Reference)
	}
	// The original reference stays reserved.
	err = s.CreateMatter(ctx, storetest.NewMatter("m2", "REF-A", time.Now()))
	if code := casehold.ErrorCode(err); code != casehold.ECONFLICT {
		t.Errorf("reusing the reference: code %q, want %q", code, casehold.ECONFLICT)
	}
}

// TestStore_ConcurrentUpdatesOneWins reads every copy before any write starts, so all
// writers hold version 1 and exactly one may win.
func TestStore_ConcurrentUpdatesOneWins(t *testing.T) {
	s := mustStore(t, mustClient(t))
	ctx := context.Background()
	mustOK(t, s.CreateMatter(ctx, storetest.NewMatter("m1", "REF-A", time.Now())))
	const n = 8
	copies := make([]*casehold.Matter, n)
	for i := range copies {
		m, err := s.GetMatter(ctx, "m1")
		mustOK(t, err)
		copies[i] = m
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, m := range copies {
		wg.Go(func() {
			m.Contact = fmt.Sprintf("writer %d", i)
			errs[i] = s.UpdateMatter(ctx, m)
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch casehold.ErrorCode(err) {
		case "":
			wins++
		case casehold.ECONFLICT:
		default:
			t.Errorf("concurrent update: %v", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d concurrent updates of version 1 succeeded, want 1", wins)
	}
}

// TestStore_RetriedAfterSuccess sends writes twice, as the SDK does when a response is
// lost after the write happened: the first caller must still see success.
func TestStore_RetriedAfterSuccess(t *testing.T) {
	ctx := context.Background()
	client := mustClient(t)
	twice := func(op string) *dynamodb.Client {
		return dynamodb.New(client.Options(), func(o *dynamodb.Options) {
			o.HTTPClient = sendTwice{op: op, next: http.DefaultClient}
		})
	}
	t.Run("Claim", func(t *testing.T) {
		s := dynamostore.New(twice("PutItem"), mustTable(t, client))
		won, err := s.Claim(ctx, "k", time.Hour)
		mustOK(t, err)
		if !won {
			t.Error("first Claim lost to its own retried write")
		}
		won, err = s.Claim(ctx, "k", time.Hour)
		mustOK(t, err)
		if won {
			t.Error("second Claim won")
		}
	})
	t.Run("UpdateMatter", func(t *testing.T) {
		s := dynamostore.New(twice("UpdateItem"), mustTable(t, client))
		mustOK(t, s.CreateMatter(ctx, storetest.NewMatter("m1", "REF-A", time.Now())))
		m, err := s.GetMatter(ctx, "m1")
		mustOK(t, err)
		m.Contact = "changed"
		mustOK(t, s.UpdateMatter(ctx, m))
		if m.Version != 2 {
			t.Errorf("Version = %d, want 2", m.Version)
		}
		m.Version = 1
		if code := casehold.ErrorCode(s.UpdateMatter(ctx, m)); code != casehold.ECONFLICT {
			t.Errorf("stale update: code %q, want %q", code, casehold.ECONFLICT)
		}
	})
	t.Run("CreateInbound", func(t *testing.T) {
		s := dynamostore.New(twice("PutItem"), mustTable(t, client))
		m := storetest.NewInbound("in1", casehold.InboundTriage, time.Now())
		mustOK(t, s.CreateInbound(ctx, m))
		if code := casehold.ErrorCode(s.CreateInbound(ctx, m)); code != casehold.ECONFLICT {
			t.Errorf("second create: code %q, want %q", code, casehold.ECONFLICT)
		}
	})
	t.Run("UpdateInbound", func(t *testing.T) {
		s := dynamostore.New(twice("UpdateItem"), mustTable(t, client))
		mustOK(t, s.CreateInbound(ctx, storetest.NewInbound("in1", casehold.InboundTriage, time.Now())))
		m, err := s.GetInbound(ctx, "in1")
		mustOK(t, err)
		m.Status = casehold.InboundSecured
		mustOK(t, s.UpdateInbound(ctx, m))
		if m.Version != 2 {
			t.Errorf("Version = %d, want 2", m.Version)
		}
		m.Version = 1
		if code := casehold.ErrorCode(s.UpdateInbound(ctx, m)); code != casehold.ECONFLICT {
			t.Errorf("stale update: code %q, want %q", code, casehold.ECONFLICT)
		}
	})
}

// sendTwice sends requests for one DynamoDB operation twice and returns the second response.
type sendTwice struct {
	op   string
	next *http.Client
}

func (c sendTwice) Do(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810."+c.op {
		return c.next.Do(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	first := r.Clone(r.Context())
	first.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := c.next.Do(first)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	return c.next.Do(r)
}

func TestStore_DatesAndTimesRoundTrip(t *testing.T) {
	s := mustStore(t, mustClient(t))
	ctx := context.Background()
	// A zone other than UTC and a time with nanoseconds.
	created := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.FixedZone("X", 3600))
	m := storetest.NewMatter("m1", "REF-A", created)
	m.Deadline = casehold.Date{}
	mustOK(t, s.CreateMatter(ctx, m))
	got, err := s.GetMatter(ctx, "m1")
	mustOK(t, err)
	if !got.CreatedAt.Equal(created) || got.ReceivedOn != m.ReceivedOn || !got.Deadline.IsZero() {
		t.Errorf("got created %v received %v deadline %v", got.CreatedAt, got.ReceivedOn, got.Deadline)
	}
}

// TestStore_EveryFieldRoundTrips fails when a field is added to Matter or Document but
// not to the stored item: the mapping is explicit, so a new field would otherwise be
// dropped silently.
func TestStore_EveryFieldRoundTrips(t *testing.T) {
	s := mustStore(t, mustClient(t))
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 9, 30, 0, 5, time.UTC)
	released := at.Add(time.Hour)
	m := &casehold.Matter{
		ID: "m1", Kind: casehold.KindCCRCS17, Reference: "REF-A", Contact: "Officer",
		ReceivedOn: casehold.Date{Year: 2026, Month: 3, Day: 2}, Deadline: casehold.Date{Year: 2026, Month: 3, Day: 30},
		Coordinator: "staff-1", CoordinatorEmail: "coord@example.org",
		People: []casehold.Person{{PID: "P1", Name: "Test Person"}}, Status: casehold.MatterReleased,
		CreatedAt: at, CreatedBy: "staff-1", ReleaseRequestedAt: &at, ReleasedAt: &released, ReleasedBy: "staff-2",
		ReleaseReason: "direction withdrawn", ReleaseNoticeSent: true, Version: 1,
		Work: casehold.Work{ContactEmail: "inbox@example.org", Areas: []casehold.AreaLead{{Area: casehold.AreaSocialCare, LeadOfficer: "Lead"}},
			SCR: &casehold.SCRWork{SeniorManager: "Senior", CaseLocked: true}},
	}
	d := &casehold.Document{
		ID: "d1", MatterIDs: []string{"m1"}, HeldBy: []string{"m1"}, PIDs: []string{"P1"},
		DocType: "Contact", DocDate: casehold.Date{Year: 2013, Month: 12, Day: 21}, Filename: "scan.pdf",
		SHA256: "ab", Size: 3, Source: casehold.SourceEmail, Key: "evidence/d1", VersionID: "v1",
		UploadedBy: "staff-1", UploadedAt: at, Version: 1, ActiveContent: []string{"javascript", "launch_action"},
		Retention: &casehold.Retention{Category: "send", ScheduleVersion: "2026-1", Permanent: true, DeferReason: "complaint",
			Facts: casehold.RetentionFacts{DateOfBirth: casehold.Date{Year: 2001, Month: 2, Day: 3}, DateOfDeath: casehold.Date{Year: 2011, Month: 2, Day: 3},
				ClosureDate: casehold.Date{Year: 2012, Month: 2, Day: 3}, CeasedFosteringOn: casehold.Date{Year: 2013, Month: 2, Day: 3}, NotifiedOn: casehold.Date{Year: 2014, Month: 2, Day: 3}},
			Starts: casehold.Date{Year: 2012, Month: 2, Day: 3}, DisposeOn: casehold.Date{Year: 2047, Month: 2, Day: 3}, DeferredTo: casehold.Date{Year: 2048, Month: 1, Day: 1},
			ClassifiedBy: "staff-ig", ClassifiedAt: at},
		Disposal: &casehold.Disposal{Status: casehold.DisposalDone, ApprovedBy: "staff-ig", ApprovedAt: at, Reason: "past its date",
			Destroyed: []casehold.StoredObject{{Key: "evidence/d1", VersionID: "v1", SHA256: "ab", Size: 3}}, DisposedAt: &released,
			CertificateKey: "disposal/certificates/d1.json"},
	}
	mustAllSet(t, *m)
	mustAllSet(t, *d)
	mustAllSet(t, *d.Retention)
	mustAllSet(t, d.Retention.Facts)
	mustAllSet(t, *d.Disposal)
	mustOK(t, s.CreateMatter(ctx, m))
	mustOK(t, s.CreateDocument(ctx, d))
	gotM, err := s.GetMatter(ctx, "m1")
	mustOK(t, err)
	if !reflect.DeepEqual(gotM, m) {
		t.Errorf("matter round trip:\n got %+v\nwant %+v", gotM, m)
	}
	gotD, err := s.GetDocument(ctx, "d1")
	mustOK(t, err)
	if !reflect.DeepEqual(gotD, d) {
		t.Errorf("document round trip:\n got %+v\nwant %+v", gotD, d)
	}
}

// TestStore_EveryInboundFieldRoundTrips is TestStore_EveryFieldRoundTrips for inbound
// messages and their attachments, and pins the index keys that doc.go describes.
func TestStore_EveryInboundFieldRoundTrips(t *testing.T) {
	client := mustClient(t)
	table := mustTable(t, client)
	s := dynamostore.New(client, table)
	ctx := context.Background()
	m := storetest.NewInbound("in1", casehold.InboundTriage, time.Date(2026, 3, 2, 9, 30, 0, 5, time.UTC))
	m.Version = 1
	mustAllSet(t, *m)
	mustAllSet(t, m.Attachments[0])
	mustOK(t, s.CreateInbound(ctx, m))
	got, err := s.GetInbound(ctx, "in1")
	mustOK(t, err)
	if !reflect.DeepEqual(got, m) {
		t.Errorf("inbound round trip:\n got %+v\nwant %+v", got, m)
	}
	// Nil and empty lists stay apart.
	m2 := &casehold.InboundMessage{ID: "in2", Status: casehold.InboundTriage, To: []string{}, Version: 1}
	mustOK(t, s.CreateInbound(ctx, m2))
	got, err = s.GetInbound(ctx, "in2")
	mustOK(t, err)
	if !reflect.DeepEqual(got, m2) {
		t.Errorf("sparse inbound round trip:\n got %#v\nwant %#v", got, m2)
	}

	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "INBOUND#in1"}, "SK": &types.AttributeValueMemberS{Value: "META"},
	}})
	mustOK(t, err)
	for name, want := range map[string]string{"GSI1PK": "INBOUND#triage", "GSI1SK": "2026-03-02T09:30:00.000000005Z#in1"} {
		if v, ok := out.Item[name].(*types.AttributeValueMemberS); !ok || v.Value != want {
			t.Errorf("%s = %v, want %q", name, out.Item[name], want)
		}
	}
}

func mustAllSet(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if rv.Field(i).IsZero() {
			t.Fatalf("%s.%s is not set in the sample: set it, and store it", rv.Type().Name(), rv.Type().Field(i).Name)
		}
	}
}

func TestStore_CreateDocumentRepeatedMatter(t *testing.T) {
	s := mustStore(t, mustClient(t))
	ctx := context.Background()
	d := storetest.NewDocument("d1", "m1", time.Now())
	d.MatterIDs = []string{"m1", "m1"}
	mustOK(t, s.CreateDocument(ctx, d))
	docs, err := s.ListMatterDocuments(ctx, "m1")
	mustOK(t, err)
	if len(docs) != 1 {
		t.Errorf("listed %d documents, want 1", len(docs))
	}
}

// TestNoScan guards invariant 5: no request path reads the whole table.
func TestNoScan(t *testing.T) {
	files, err := filepath.Glob("*.go")
	mustOK(t, err)
	scan := regexp.MustCompile(`\bScan(Input|Paginator|\()|NewScanPaginator|\.Scan\b`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		mustOK(t, err)
		if loc := scan.FindIndex(b); loc != nil {
			t.Errorf("%s uses Scan: %q", f, b[loc[0]:loc[1]])
		}
	}
}

func BenchmarkListMatterDocuments(b *testing.B) {
	const n = 2000
	s := mustStore(b, mustClient(b))
	ctx := context.Background()
	base := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	var wg sync.WaitGroup
	var failed atomic.Bool
	ids := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				d := storetest.NewDocument(fmt.Sprintf("d%04d", i), "m1", base.Add(time.Duration(i)*time.Second))
				if err := s.CreateDocument(ctx, d); err != nil {
					b.Error(err)
					failed.Store(true)
				}
			}
		}()
	}
	for i := range n {
		ids <- i
	}
	close(ids)
	wg.Wait()
	if failed.Load() {
		b.FailNow()
	}
	for b.Loop() {
		docs, err := s.ListMatterDocuments(ctx, "m1")
		if err != nil {
			b.Fatal(err)
		}
		if len(docs) != n {
			b.Fatalf("listed %d documents, want %d", len(docs), n)
		}
	}
	b.ReportMetric(n, "docs/op")
}

// mustClient returns a client for DynamoDB Local, skipping (or failing, when the
// emulators are required) if no endpoint is configured.
func mustClient(t testing.TB) *dynamodb.Client {
	t.Helper()
	opts := emulators.Options(t, "dynamodb")
	cfg, err := awsconf.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return awsconf.DynamoDB(cfg, opts)
}

var tables atomic.Int64

// mustTable creates a fresh table and deletes it when the test ends.
func mustTable(t testing.TB, client *dynamodb.Client) string {
	t.Helper()
	name := fmt.Sprintf("casehold-test-%d-%d-%s", time.Now().UnixNano(), tables.Add(1),
		regexp.MustCompile(`[^a-zA-Z0-9_.-]+`).ReplaceAllString(t.Name(), "_"))
	name = name[:min(len(name), 255)]
	mustOK(t, dynamostore.CreateTable(context.Background(), client, name))
	t.Cleanup(func() {
		_, err := client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Errorf("delete table %s: %v", name, err)
		}
	})
	return name
}

func mustStore(t testing.TB, client *dynamodb.Client) *dynamostore.Store {
	t.Helper()
	return dynamostore.New(client, mustTable(t, client))
}

func mustOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}
