package httpapi_test

import (
	"context"
	"testing"

	"github.com/casehold/casehold/internal/intake"
)

// TestEveryReadIsAudited: each way of reading secured material leaves an audit event naming
// who read it (the audit trail itself and /me hold no case material).
func TestEveryReadIsAudited(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-READS")
	d := e.mustUpload(m.ID, pdf("read me"))
	in, err := intake.IngestFile(context.Background(), e.app.Service, rawEmail(t, "officer@review.example", "Records for "+m.ID, pdfAtt("a.pdf", "a")))
	if err != nil {
		t.Fatal(err)
	}
	reads := []string{
		"/matters", "/matters/" + m.ID, "/matters/" + m.ID + "/documents", "/matters/" + m.ID + "/progress",
		"/matters/" + m.ID + "/confirmation-form", "/documents/" + d.ID, "/documents/" + d.ID + "/content",
		"/inbound?status=secured", "/inbound/" + in.ID,
	}
	for _, path := range reads {
		t.Run(path, func(t *testing.T) {
			if err := e.app.Service.FlushAudit(context.Background()); err != nil {
				t.Fatal(err)
			}
			before, _ := e.app.Service.Store.AuditTree(context.Background())
			r := e.do(coord, "GET", path, "", nil)
			if r.status != 200 {
				t.Fatalf("GET %s: %d %s", path, r.status, r.body)
			}
			if err := e.app.Service.FlushAudit(context.Background()); err != nil {
				t.Fatal(err)
			}
			evs, err := e.app.Service.Store.ListAudit(context.Background(), before.Size, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 || evs[len(evs)-1].Actor != coord {
				t.Fatalf("GET %s left no audit event by %s: %+v", path, coord, evs)
			}
		})
	}
}
