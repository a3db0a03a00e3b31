package httpapi_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/casehold/casehold/internal/evpack"
)

// TestExportJobRoutes: request (202 and Location), build, poll (progress, then the link),
// download through the local route; a stranger is told the job does not exist, and a
// refused request queues nothing.
func TestExportJobRoutes(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/PACKJOB/1")
	e.mustUpload(m.ID, pdf("a contact for the job"))
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := e.postJSON(coord, "/matters/"+m.ID+"/exports", nil)
	var job struct {
		ID       string `json:"id"`
		State    string `json:"state"`
		Progress struct {
			DocumentsDone  int `json:"documents_done"`
			DocumentsTotal int `json:"documents_total"`
		} `json:"progress"`
		Result *struct {
			Size           int64  `json:"size"`
			ManifestSHA256 string `json:"manifest_sha256"`
		} `json:"result"`
		DownloadURL string `json:"download_url"`
	}
	r.json(t, &job)
	if r.status != 202 || job.State != "queued" || r.header.Get("Location") != "/exports/"+job.ID {
		t.Fatalf("request: %d %s %v", r.status, r.body, r.header)
	}
	if err := e.app.Exports.Build(context.Background(), job.ID); err != nil {
		t.Fatal(err)
	}
	r = e.do(coord, "GET", "/exports/"+job.ID, "", nil)
	r.json(t, &job)
	if r.status != 200 || job.State != "ready" || job.DownloadURL != "/exports/"+job.ID+"/download" || job.Result == nil ||
		job.Progress.DocumentsDone != 1 || job.Progress.DocumentsTotal != 1 {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	r = e.do(coord, "GET", job.DownloadURL, "", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/zip" || int64(len(r.body)) != job.Result.Size {
		t.Fatalf("download: %d %v %.200s", r.status, r.header, r.body)
	}
	rep, err := evpack.Verify(bytes.NewReader(r.body), int64(len(r.body)), evpack.Options{Key: e.app.Service.AuditLog.Keys.VerifierKey})
	if err != nil || !rep.OK || rep.Documents != 1 {
		t.Fatalf("the downloaded pack does not check: %v %+v", err, rep)
	}
	for _, who := range []string{tm, ig} {
		for _, path := range []string{"/exports/" + job.ID, "/exports/" + job.ID + "/download"} {
			if r := e.do(who, "GET", path, "", nil); r.status != 404 {
				t.Errorf("%s GET %s: %d %s, want 404", who, path, r.status, r.body)
			}
		}
	}
	if r := e.do(cso, "GET", "/exports/"+job.ID, "", nil); r.status != 403 {
		t.Errorf("helpdesk polling a job: %d, want 403", r.status)
	}
	for _, who := range []string{sw, cso, tm} {
		if r := e.postJSON(who, "/matters/"+m.ID+"/exports", nil); r.status != 403 || r.code(t) != "forbidden" {
			t.Errorf("request as %s: %d %s", who, r.status, r.body)
		}
	}
	if ids, _ := e.app.Service.UnfinishedExports(context.Background(), 10); len(ids) != 0 {
		t.Errorf("refused requests queued jobs: %v", ids)
	}
}
