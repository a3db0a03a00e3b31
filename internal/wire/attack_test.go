package wire_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/mailmsg"
	"github.com/casehold/casehold/internal/testids"
	"github.com/casehold/casehold/internal/wire"
)

// attackEnv is the AWS wiring on the emulators plus a raw S3 client standing for an
// outsider who holds ordinary credentials for the buckets.
type attackEnv struct {
	cfg config.Config
	app *wire.App
	raw *s3.Client
	ids *testids.Scripted
	m   *casehold.Matter
}

func newAttackEnv(t *testing.T, ref string) *attackEnv {
	t.Helper()
	cfg := awsConfig(t)
	ctx := context.Background()
	a, err := wire.Build(ctx, cfg, wire.Logger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	ids := &testids.Scripted{}
	a.Service.IDs = ids
	m, err := a.Service.CreateMatter(ctx, auth.DemoStaff[0], casehold.NewMatterInput{Reference: ref + cfg.Table, Contact: "c",
		ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P900009", Name: "Attack Testcase"}}})
	if err != nil {
		t.Fatal(err)
	}
	awsCfg, err := awsconf.Load(ctx, awsconf.Options{Region: cfg.Region, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return &attackEnv{cfg: cfg, app: a, raw: awsconf.S3(awsCfg, awsconf.Options{S3Endpoint: cfg.S3Endpoint}), ids: ids, m: m}
}

// plant writes an object with forged metadata claiming the SHA-256 of claimed.
func (e *attackEnv) plant(t *testing.T, key string, body, claimed []byte) {
	t.Helper()
	sum := sha256.Sum256(claimed)
	_, err := e.raw.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(e.cfg.EvidenceBucket), Key: aws.String(key),
		Body: bytes.NewReader(body), Metadata: map[string]string{"sha256": hex.EncodeToString(sum[:])}})
	if err != nil {
		t.Fatalf("plant %s: %v", key, err)
	}
}

func (e *attackEnv) auditActions(t *testing.T) []string {
	t.Helper()
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs, err := e.app.Service.Store.ListAudit(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Action+":"+string(ev.Outcome))
	}
	return out
}

func count(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// cliLegalHold asks the S3 gateway with the aws CLI, an independent client.
func (e *attackEnv) cliLegalHold(t *testing.T, key, version string) string {
	t.Helper()
	cmd := exec.Command("aws", "--endpoint-url", e.cfg.S3Endpoint, "--region", e.cfg.Region, "s3api", "get-object-legal-hold",
		"--bucket", e.cfg.EvidenceBucket, "--key", key, "--version-id", version, "--query", "LegalHold.Status", "--output", "text")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+e.cfg.AccessKey, "AWS_SECRET_ACCESS_KEY="+e.cfg.SecretKey)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, lerr := exec.LookPath("aws"); lerr != nil {
			t.Skip("aws CLI not installed")
		}
		return "error: " + strings.TrimSpace(string(out))
	}
	return strings.TrimSpace(string(out))
}

// TestAWSPlantedEvidenceRefused: an outsider with S3 credentials writes a file, with
// metadata claiming the real scan's hash, at the key casehold will use next. Both ingest
// paths refuse it as an integrity incident; nothing planted becomes evidence or is held.
func TestAWSPlantedEvidenceRefused(t *testing.T) {
	ctx := context.Background()
	real := pdf("the real scan")

	t.Run("PresignedUpload", func(t *testing.T) {
		e := newAttackEnv(t, "CCRC/PLANT/UP/")
		svc := e.app.Service
		slot, err := svc.CreateUpload(ctx, auth.DemoStaff[0], e.m.ID, app.UploadInput{PID: "P900009", DocType: "Assessment", DocDate: "2011-04-11"})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(slot.Method, slot.URL, bytes.NewReader(real))
		for k, vs := range slot.Headers {
			req.Header[k] = vs
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("presigned PUT: %v %v", res, err)
		}
		res.Body.Close()
		head, err := e.raw.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(e.cfg.UploadBucket), Key: aws.String(slot.Key)})
		if err != nil {
			t.Fatal(err)
		}
		e.plant(t, "documents/plantup1ed.pdf", pdf("a forged scan"), real)
		e.ids.Push("plantup1", "ed")
		var ev events.S3Event
		readEvent(t, "s3-put-upload.json", &ev)
		ev.Records[0].S3.Bucket.Name, ev.Records[0].S3.Object.Key, ev.Records[0].S3.Object.VersionID = e.cfg.UploadBucket, slot.Key, aws.ToString(head.VersionId)
		for range 2 { // redelivered: still refused, never adopted
			if err := e.app.Uploads.Handle(ctx, ev); err != nil {
				t.Fatalf("handle: %v (an integrity refusal is not retried)", err)
			}
		}
		docs, _ := svc.Store.ListMatterDocuments(ctx, e.m.ID)
		if len(docs) != 0 {
			t.Fatalf("%d documents recorded over a planted object, want 0: %+v", len(docs), docs[0])
		}
		log := e.auditActions(t)
		if count(log, "evidence.integrity:failed") == 0 || count(log, "document.upload:ok") != 0 {
			t.Errorf("audit = %v, want an integrity incident and no upload", log)
		}
		vs, _ := svc.Evidence.Versions(ctx, "documents/plantup1ed.pdf")
		if len(vs) != 1 {
			t.Fatalf("versions at the planted key = %+v", vs)
		}
		if got := e.cliLegalHold(t, vs[0].Key, vs[0].VersionID); got == "ON" {
			t.Error("the planted object was put under legal hold")
		}
		// The real scan waits in staging for whoever investigates.
		if _, err := e.raw.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(e.cfg.UploadBucket), Key: aws.String(slot.Key)}); err != nil {
			t.Errorf("the real scan left staging: %v", err)
		}
	})

	t.Run("EmailRawAndPDF", func(t *testing.T) {
		e := newAttackEnv(t, "CCRC/PLANT/MAIL/")
		body, err := mailmsg.Build(casehold.Message{From: "officer@review.example", To: []string{"intake@council.example"}, Subject: "Records for " + e.m.ID,
			Text: "attached", Attachments: []casehold.Attachment{{Filename: "scan.pdf", ContentType: "application/pdf", Data: real}}},
			"planted-1@review.example", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		raw := append([]byte("X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n"+
			"Authentication-Results: amazonses.com; spf=pass smtp.mailfrom=review.example; dkim=pass header.i=@review.example; dmarc=pass header.from=review.example\r\n"), body...)
		deliver := func(key string) *casehold.InboundMessage {
			put, err := e.raw.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(e.cfg.UploadBucket), Key: aws.String(key), Body: bytes.NewReader(raw)})
			if err != nil {
				t.Fatal(err)
			}
			var ev events.S3Event
			readEvent(t, "s3-put-upload.json", &ev)
			ev.Records[0].S3.Bucket.Name, ev.Records[0].S3.Object.Key, ev.Records[0].S3.Object.VersionID = e.cfg.UploadBucket, key, aws.ToString(put.VersionId)
			if err := e.app.Emails.Handle(ctx, ev); err != nil {
				t.Fatalf("handle: %v", err)
			}
			list, _ := e.app.Service.Store.ListInbound(ctx, casehold.InboundQuarantined)
			for _, r := range list {
				if strings.HasSuffix(r.Source, key+"#"+aws.ToString(put.VersionId)) {
					return r
				}
			}
			t.Fatalf("message %s was not quarantined", key)
			return nil
		}
		// The raw copy's key taken by a forged message.
		e.plant(t, "inbound/mailraw1ed.eml", []byte("From: forged\r\n\r\nforged"), raw)
		e.ids.Push("mailraw1", "ed")
		rec := deliver("inbound/ses-planted-raw")
		if !strings.Contains(rec.Reason, "integrity") || rec.RawKey != "" {
			t.Errorf("raw planted: record = %+v", rec)
		}
		// The PDF's key taken by a forged PDF.
		e.plant(t, "inbound/mailpdf1ed/1.pdf", pdf("forged"), real)
		e.ids.Push("mailpdf1", "ed")
		rec = deliver("inbound/ses-planted-pdf")
		if !strings.Contains(rec.Reason, "integrity") {
			t.Errorf("pdf planted: record = %+v", rec)
		}
		docs, _ := e.app.Service.Store.ListMatterDocuments(ctx, e.m.ID)
		if len(docs) != 0 {
			t.Errorf("%d documents filed from messages with planted objects, want 0", len(docs))
		}
		if n := count(e.auditActions(t), "evidence.integrity:failed"); n < 2 {
			t.Errorf("%d integrity incidents audited, want one per planted object", n)
		}
	})
}

// TestAWSReleaseByReleaseFunction: the API (which may not lift holds) records the release;
// the release function's handler, run twice as a schedule may, lifts every hold it can,
// reports the version an outsider removed as an incident, and sends one notice.
func TestAWSReleaseByReleaseFunction(t *testing.T) {
	ctx := context.Background()
	e := newAttackEnv(t, "CCRC/RELEASE/")
	svc := e.app.Service
	coord := auth.DemoStaff[0]
	var docs []*casehold.Document
	for _, s := range []string{"one", "two", "three"} {
		d, err := svc.UploadDocument(ctx, coord, e.m.ID, app.UploadInput{PID: "P900009", DocType: "Contact", DocDate: "2013-12-21"}, bytes.NewReader(pdf(s)))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, d)
	}
	// An administrator lifts one hold by hand and removes the version.
	if _, err := e.raw.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(e.cfg.EvidenceBucket), Key: aws.String(docs[1].Key),
		VersionId: aws.String(docs[1].VersionID), LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.raw.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(e.cfg.EvidenceBucket), Key: aws.String(docs[1].Key), VersionId: aws.String(docs[1].VersionID)}); err != nil {
		t.Fatal(err)
	}

	deps := *svc.Deps // the API's own settings, on the same stores
	deps.LiftsHolds = false
	api := app.New(&deps)
	res, err := api.ReleaseMatter(ctx, coord, e.m.ID, app.ReleaseInput{Reason: "direction withdrawn"})
	if err != nil || !res.Pending {
		t.Fatalf("release through the API = %+v, %v; want pending", res, err)
	}
	if got := e.cliLegalHold(t, docs[0].Key, docs[0].VersionID); got != "ON" {
		t.Fatalf("hold = %s before the release function ran, want ON", got)
	}
	for range 2 {
		if err := e.app.Releases.Handle(ctx, nil); err != nil {
			t.Fatalf("release function: %v", err)
		}
	}
	m, _ := svc.Store.GetMatter(ctx, e.m.ID)
	if m.Status != casehold.MatterReleased || !m.ReleaseNoticeSent {
		t.Fatalf("matter after the release function: %s, notice sent %v", m.Status, m.ReleaseNoticeSent)
	}
	for _, d := range []*casehold.Document{docs[0], docs[2]} {
		if got := e.cliLegalHold(t, d.Key, d.VersionID); got != "OFF" {
			t.Errorf("hold on %s = %s after release, want OFF", d.ID, got)
		}
	}
	log := e.auditActions(t)
	if count(log, "matter.release:ok") != 1 || count(log, "evidence.integrity:failed") != 1 || count(log, "notice.release:ok") != 1 {
		t.Errorf("audit = %v, want one release, one incident, one notice", log)
	}
	r, err := http.Get(e.cfg.SESEndpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	store, _ := io.ReadAll(r.Body)
	if n := bytes.Count(store, []byte("preservation matter "+e.m.ID+" released")); n != 1 {
		t.Errorf("SES captured %d release notices, want 1", n)
	}
}

// TestAWSVerifyReportsEverything: verify goes on past a missing version and reports a
// version written over a document's key, a hold turned off by hand, and all of it in the
// audit trail.
func TestAWSVerifyReportsEverything(t *testing.T) {
	ctx := context.Background()
	e := newAttackEnv(t, "CCRC/VERIFY/")
	svc := e.app.Service
	coord := auth.DemoStaff[0]
	up := func(s string) *casehold.Document {
		d, err := svc.UploadDocument(ctx, coord, e.m.ID, app.UploadInput{PID: "P900009", DocType: "Contact", DocDate: "2013-12-21"}, bytes.NewReader(pdf(s)))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	good, missing, overwritten, unheld := up("good"), up("missing"), up("overwritten"), up("unheld")
	bucket := aws.String(e.cfg.EvidenceBucket)
	off := &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}
	for _, d := range []*casehold.Document{missing, unheld} {
		if _, err := e.raw.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: bucket, Key: aws.String(d.Key), VersionId: aws.String(d.VersionID), LegalHold: off}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.raw.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String(missing.Key), VersionId: aws.String(missing.VersionID)}); err != nil {
		t.Fatal(err)
	}
	e.plant(t, overwritten.Key, pdf("a newer version"), pdf("overwritten"))

	rep, err := svc.VerifyEvidence(ctx, app.VerifyOptions{})
	if err != nil {
		t.Fatalf("verify stopped: %v", err)
	}
	got := map[string][]string{}
	for _, f := range rep.Findings {
		got[f.Document] = append(got[f.Document], f.Kind)
	}
	want := map[string]string{missing.ID: app.FindMissing, overwritten.ID: app.FindForeign, unheld.ID: app.FindHoldOff}
	for id, kind := range want {
		if len(got[id]) != 1 || got[id][0] != kind {
			t.Errorf("findings for %s = %v, want [%s]", id, got[id], kind)
		}
	}
	if len(got[good.ID]) != 0 || rep.OK != 1 || rep.Documents != 4 {
		t.Errorf("report = %+v", rep)
	}
	if n := count(e.auditActions(t), "evidence.integrity:failed"); n != 3 {
		t.Errorf("%d integrity incidents audited, want 3", n)
	}
	// The document whose key was written over is still served: by its own version id.
	_, rc, err := svc.OpenDocument(ctx, coord, overwritten.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(b, pdf("overwritten")) {
		t.Errorf("download of a document whose key was written over = %q, %v", b, err)
	}
}
