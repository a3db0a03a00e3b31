package httpapi_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/evpack"
)

func TestExportRoute(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/PACK/1")
	d := e.mustUpload(m.ID, pdf("a contact for the pack"))
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := e.do(coord, "GET", "/matters/"+m.ID+"/export", "", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(r.header.Get("Content-Disposition"), "casehold-"+m.ID+".zip") {
		t.Fatalf("export: %d %v %.200s", r.status, r.header, r.body)
	}
	rep, err := evpack.Verify(bytes.NewReader(r.body), int64(len(r.body)), evpack.Options{Key: e.app.Service.AuditLog.Keys.VerifierKey})
	if err != nil || !rep.OK || rep.Documents != 1 {
		t.Fatalf("the served pack does not check: %v %+v", err, rep)
	}
	if !bytes.Contains(r.body, []byte(d.SHA256+"  documents/Contact 21.12.2013")) {
		t.Error("manifest.sha256 does not list the document by its disclosure name and recorded hash")
	}
	for _, who := range []string{sw, cso, tm} {
		if r := e.do(who, "GET", "/matters/"+m.ID+"/export", "", nil); r.status != 403 || r.code(t) != "forbidden" {
			t.Errorf("export as %s: %d %s", who, r.status, r.body)
		}
	}
}
