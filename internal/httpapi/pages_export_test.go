package httpapi_test

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/evpack"
)

// TestExportPages: the matter page's "Export evidence pack" button queues a job and sends
// the browser to its page, which refreshes itself while the pack is built and then offers
// the download; the pack downloaded checks; other staff are told the page does not exist.
func TestExportPages(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/PACKPAGE/1")
	e.mustUpload(m.ID, pdf("a contact for the page"))
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := e.pageClient(t)
	p.signIn(coord)
	status, _, body := p.do("GET", "/ui/matters/"+m.ID, nil)
	if status != 200 || !strings.Contains(body, `action="/ui/matters/`+m.ID+`/exports"`) || !strings.Contains(body, "Export evidence pack") {
		t.Fatalf("matter page: %d, no export button", status)
	}
	status, loc, _ := p.do("POST", "/ui/matters/"+m.ID+"/exports", url.Values{"csrf": {p.csrf}})
	if status != 303 || !strings.HasPrefix(loc, "/ui/exports/x-") {
		t.Fatalf("export button: %d to %q", status, loc)
	}
	jobID := strings.TrimPrefix(loc, "/ui/exports/")
	status, _, body = p.do("GET", loc, nil)
	if status != 200 || !strings.Contains(body, `data-poll="3000"`) || !strings.Contains(body, "Waiting to start") ||
		!strings.Contains(body, "0 of 0 document(s)") {
		t.Fatalf("queued job page: %d\n%.3000s", status, body)
	}
	// Were nothing to build it for half an hour, the page would say so and offer to ask again.
	jobs := e.app.Service.ExportJobs
	j, err := jobs.GetExportJob(context.Background(), jobID)
	if err != nil {
		t.Fatal(err)
	}
	j.UpdatedAt = j.UpdatedAt.Add(-31 * time.Minute)
	if err := jobs.UpdateExportJob(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	status, _, body = p.do("GET", loc, nil)
	if status != 200 || !strings.Contains(body, "The pack has stopped being built") || strings.Contains(body, "data-poll") {
		t.Fatalf("stalled job page: %d\n%.3000s", status, body)
	}
	if err := e.app.Exports.Build(context.Background(), jobID); err != nil {
		t.Fatal(err)
	}
	status, _, body = p.do("GET", loc, nil)
	if status != 200 || strings.Contains(body, `data-poll`) || !strings.Contains(body, "The pack is ready") ||
		!strings.Contains(body, `href="/ui/exports/`+jobID+`/download"`) {
		t.Fatalf("ready job page: %d\n%.3000s", status, body)
	}
	status, _, body = p.do("GET", "/ui/exports/"+jobID+"/download", nil)
	rep, err := evpack.Verify(bytes.NewReader([]byte(body)), int64(len(body)), evpack.Options{Key: e.app.Service.AuditLog.Keys.VerifierKey})
	if status != 200 || err != nil || !rep.OK || rep.Documents != 1 {
		t.Fatalf("download from the page: %d %v %+v", status, err, rep)
	}
	for _, who := range []string{ig, tm} {
		o := e.pageClient(t)
		o.signIn(who)
		for _, path := range []string{loc, "/ui/exports/" + jobID + "/download"} {
			if status, _, _ := o.do("GET", path, nil); status != 404 {
				t.Errorf("%s GET %s: %d, want 404", who, path, status)
			}
		}
	}
	sw := e.pageClient(t)
	sw.signIn("s-sw-01")
	if status, _, body := sw.do("GET", "/ui/matters/"+m.ID, nil); strings.Contains(body, "Export evidence pack") {
		t.Errorf("a social worker's matter page (%d) offers the export", status)
	}
}
