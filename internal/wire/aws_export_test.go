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
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/evpack"
	"github.com/casehold/casehold/internal/evpack/packtest"
	"github.com/casehold/casehold/internal/s3packs"
	"github.com/casehold/casehold/internal/wire"
)

// streamRecord is the sample stream record (infra/events) of a new export job, for jobID.
func streamRecord(t *testing.T, jobID string) events.DynamoDBEvent {
	t.Helper()
	var ev events.DynamoDBEvent
	readEvent(t, "dynamodb-stream-export-job.json", &ev)
	ev.Records[0].Change.Keys["PK"] = events.NewStringAttribute("EXPORT#" + jobID)
	return ev
}

// TestAWSExportJob: the API records a job; the export function, handed the stream record,
// builds the pack into the staging bucket (multipart); the API hands out a presigned link
// that downloads a pack evpack and sha256sum accept. A second delivery builds nothing.
func TestAWSExportJob(t *testing.T) {
	cfg := awsConfig(t)
	ctx := context.Background()
	api, err := wire.Build(ctx, cfg, wire.Logger(cfg, io.Discard))
	if err != nil {
		t.Fatalf("build api: %v", err)
	}
	// The export function, as deployed: the log's public key only (proofs need no signing).
	fnCfg := cfg
	fnCfg.AuditSigningKey, fnCfg.AuditPublicKey = "", api.Service.AuditLog.Keys.VerifierKey
	fn, err := wire.Build(ctx, fnCfg, wire.Logger(fnCfg, io.Discard))
	if err != nil {
		t.Fatalf("build export function: %v", err)
	}
	packs, ok := fn.Service.Packs.(*s3packs.Packs)
	if !ok {
		t.Fatalf("the AWS pack store is %T, want *s3packs.Packs", fn.Service.Packs)
	}
	packs.PartSize = 5 << 20 // S3's smallest: the pack below spans parts
	coord := auth.DemoStaff[0]
	m, err := api.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "CCRC/E2E-JOB/" + cfg.Table, Contact: "c",
		ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P900003", Name: "Ash Testcase"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"a short contact", strings.Repeat("a long scanned assessment ", 480000)} {
		if _, err := api.Service.UploadDocument(ctx, coord, m.ID, app.UploadInput{PID: "P900003", DocType: "Contact", DocDate: "2013-12-21"},
			bytes.NewReader(pdf(body))); err != nil {
			t.Fatal(err)
		}
	}
	if err := api.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := api.Service.RequestExport(ctx, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}

	ignored := streamRecord(t, v.ID)
	ignored.Records[0].EventName = "MODIFY" // a progress update: never a build
	ignored.Records = append(ignored.Records, streamRecord(t, "x").Records[0])
	ignored.Records[1].Change.Keys["PK"] = events.NewStringAttribute("MATTER#" + m.ID)
	if res, err := fn.Exports.Handle(ctx, ignored); err != nil || len(res.BatchItemFailures) != 0 {
		t.Fatalf("records of other writes: %+v, %v", res, err)
	}
	if j, _ := api.Service.ExportJobs.GetExportJob(ctx, v.ID); j.State != casehold.ExportQueued {
		t.Fatalf("a MODIFY record started the build: %+v", j)
	}
	for delivery := 1; delivery <= 2; delivery++ {
		res, err := fn.Exports.Handle(ctx, streamRecord(t, v.ID))
		if err != nil || len(res.BatchItemFailures) != 0 {
			t.Fatalf("delivery %d: %+v, %v", delivery, res, err)
		}
	}
	j, err := api.Service.ExportJobs.GetExportJob(ctx, v.ID)
	if err != nil || j.State != casehold.ExportReady || j.Attempts != 1 || j.Result.Size < 10<<20 {
		t.Fatalf("job after two deliveries = %+v, %v", j, err)
	}
	if n, err := packs.Unfinished(ctx, app.PackPrefix); err != nil || n != 0 {
		t.Errorf("%d multipart uploads left unfinished (%v)", n, err)
	}

	st, err := api.Service.ExportStatus(ctx, coord, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.DownloadURL, cfg.S3Endpoint) || !strings.Contains(st.DownloadURL, "X-Amz-Signature=") {
		t.Fatalf("download link %q is not a presigned S3 URL", st.DownloadURL)
	}
	res, err := http.Get(st.DownloadURL)
	if err != nil {
		t.Fatal(err)
	}
	pack, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || int64(len(pack)) != st.Result.Size || !strings.Contains(res.Header.Get("Content-Disposition"), st.Result.FileName) {
		t.Fatalf("GET link: %d, %d bytes, %q", res.StatusCode, len(pack), res.Header.Get("Content-Disposition"))
	}
	rep, err := evpack.Verify(bytes.NewReader(pack), int64(len(pack)), evpack.Options{Key: api.Service.AuditLog.Keys.VerifierKey})
	if err != nil || !rep.OK || rep.Documents != 2 {
		t.Fatalf("the pack from the link does not check: %v %+v", err, rep)
	}
	dir := packtest.Unzip(t, pack)
	sums, _ := os.ReadFile(filepath.Join(dir, evpack.ManifestSHA256))
	if d := sha256.Sum256(sums); hex.EncodeToString(d[:]) != st.Result.ManifestSHA256 {
		t.Errorf("manifest.sha256 hashes to %x, the job says %s", d, st.Result.ManifestSHA256)
	}
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "-c", evpack.ManifestSHA256)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "FAILED") {
			t.Fatalf("sha256sum -c: %v\n%s", err, out)
		}
	}
	if _, err := api.Service.ExportStatus(ctx, auth.DemoStaff[1], v.ID); casehold.ErrorCode(err) != casehold.ENOTFOUND {
		t.Errorf("a stranger polling the job = %v, want not found", err)
	}
}
