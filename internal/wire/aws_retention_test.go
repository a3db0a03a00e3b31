package wire_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/evpack"
	"github.com/casehold/casehold/internal/wire"
)

// TestAWSRetentionAndPack: on the AWS backend, a classified document's disposal date is
// Object Lock retention (GOVERNANCE) on its S3 version, extended when the date moves
// later; and a matter's evidence pack streams from S3 and checks.
func TestAWSRetentionAndPack(t *testing.T) {
	cfg := awsConfig(t)
	ctx := context.Background()
	a, err := wire.Build(ctx, cfg, wire.Logger(cfg, io.Discard))
	if err != nil {
		t.Fatalf("build aws backend: %v", err)
	}
	svc := a.Service
	coord, ig := auth.DemoStaff[0], auth.DemoStaff[2]
	m, err := svc.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "CCRC/E2E-RET/" + cfg.Table, Contact: "c",
		ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P900002", Name: "Rio Testcase"}}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.UploadDocument(ctx, coord, m.ID, app.UploadInput{PID: "P900002", DocType: "Contact", DocDate: "2013-12-21"}, bytes.NewReader(pdf("retained in S3")))
	if err != nil {
		t.Fatal(err)
	}
	awsCfg, err := awsconf.Load(ctx, awsconf.Options{Region: cfg.Region, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	raw := awsconf.S3(awsCfg, awsconf.Options{S3Endpoint: cfg.S3Endpoint})
	retained := func() string {
		out, err := raw.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(cfg.EvidenceBucket), Key: aws.String(d.Key), VersionId: aws.String(d.VersionID)})
		if err != nil {
			return "error: " + err.Error()
		}
		return string(out.Retention.Mode) + " " + out.Retention.RetainUntilDate.UTC().Format(time.DateOnly)
	}
	for _, c := range []struct{ closure, want string }{
		{"2020-06-30", "GOVERNANCE 2030-06-30"},
		{"2024-01-15", "GOVERNANCE 2034-01-15"}, // later: extended
		{"2019-01-01", "GOVERNANCE 2034-01-15"}, // earlier: never shortened
	} {
		if _, err := svc.ClassifyDocument(ctx, ig, d.ID, app.ClassifyInput{Category: "other_social_care", ClosureDate: c.closure}); err != nil {
			t.Fatalf("classify: %v", err)
		}
		if got := retained(); got != c.want {
			t.Errorf("closure %s: S3 retention %s, want %s", c.closure, got, c.want)
		}
	}

	if err := svc.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	ex, err := svc.PrepareExport(ctx, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := ex.WriteTo(ctx, &buf); err != nil {
		t.Fatalf("export from S3: %v", err)
	}
	rep, err := evpack.Verify(bytes.NewReader(buf.Bytes()), int64(buf.Len()), evpack.Options{Key: svc.AuditLog.Keys.VerifierKey})
	if err != nil || !rep.OK || rep.Documents != 1 {
		t.Fatalf("the pack from S3 does not check: %v %+v", err, rep)
	}
}
