package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/casehold"
)

// TestAuditLogRoutes: the public key and checkpoint are served without a token and check
// each other; proofs served to audit readers verify offline with that key alone.
func TestAuditLogRoutes(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-PROOF")
	d := e.mustUpload(m.ID, pdf("proved"))
	e.do(coord, "GET", "/documents/"+d.ID, "", nil)
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}

	r := e.do("", "GET", "/audit/key", "", nil)
	if r.status != 200 {
		t.Fatalf("GET /audit/key without a token: %d %s", r.status, r.body)
	}
	keys, err := auditlog.KeysFrom("", strings.TrimSpace(string(r.body)))
	if err != nil {
		t.Fatalf("served key: %v", err)
	}
	r = e.do("", "GET", "/audit/checkpoint", "", nil)
	if r.status != 200 {
		t.Fatalf("GET /audit/checkpoint without a token: %d %s", r.status, r.body)
	}
	cp, err := auditlog.OpenCheckpoint(r.body, keys.Verifier)
	if err != nil || cp.Size < 3 {
		t.Fatalf("served checkpoint %+v: %v", cp, err)
	}

	t.Run("Filters", func(t *testing.T) {
		for _, c := range []struct {
			query string
			check func(casehold.AuditEvent) bool
		}{
			{"matter_id=" + m.ID, func(ev casehold.AuditEvent) bool { return ev.MatterID == m.ID }},
			{"document_id=" + d.ID, func(ev casehold.AuditEvent) bool { return ev.DocumentID == d.ID }},
		} {
			var page struct{ Events []casehold.AuditEvent }
			r := e.do(ig, "GET", "/audit?"+c.query, "", nil)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", c.query, r.status, r.body)
			}
			r.json(t, &page)
			if len(page.Events) < 2 {
				t.Errorf("%s: %d events, want the upload and the read at least", c.query, len(page.Events))
			}
			for _, ev := range page.Events {
				if !c.check(ev) {
					t.Errorf("%s returned %+v", c.query, ev)
				}
			}
		}
		if r := e.do(ig, "GET", "/audit?pid=P0000000", "", nil); r.status != 200 {
			t.Errorf("pid filter: %d", r.status)
		}
		if r := e.do(ig, "GET", "/audit?matter_id="+m.ID+"&pid=P1", "", nil); r.status != 400 || r.code(t) != casehold.EINVALID {
			t.Errorf("two filters: %d %s", r.status, r.body)
		}
		if r := e.do(tm, "GET", "/audit?matter_id="+m.ID, "", nil); r.status != 403 {
			t.Errorf("team manager reading the audit log: %d", r.status)
		}
	})

	t.Run("InclusionProof", func(t *testing.T) {
		var page struct{ Events []casehold.AuditEvent }
		e.do(ig, "GET", "/audit?document_id="+d.ID, "", nil).json(t, &page)
		ev := page.Events[0]
		r := e.do(ig, "GET", "/audit/events/"+ev.ID+"/proof", "", nil)
		if r.status != 200 {
			t.Fatalf("proof: %d %s", r.status, r.body)
		}
		var p auditlog.InclusionProof
		r.json(t, &p)
		if _, err := auditlog.CheckInclusion(&p, keys); err != nil {
			t.Fatalf("served proof does not check: %v", err)
		}
		if err := tlog.CheckRecord(p.Proof, int64(cp.Size), cp.Root, int64(ev.Seq-1), ev.LeafHash()); err != nil {
			t.Fatalf("proof against the public checkpoint: %v", err)
		}
		if r := e.do(ig, "GET", "/audit/events/no-such-event/proof", "", nil); r.status != 404 {
			t.Errorf("unknown event: %d", r.status)
		}
		if r := e.do(tm, "GET", "/audit/events/"+ev.ID+"/proof", "", nil); r.status != 403 {
			t.Errorf("team manager: %d", r.status)
		}
	})

	t.Run("Consistency", func(t *testing.T) {
		older := r.body
		e.do(coord, "GET", "/matters/"+m.ID, "", nil)
		if err := e.app.Service.FlushAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
		r := e.do(ig, "GET", "/audit/consistency?from="+itoa(cp.Size), "", nil)
		if r.status != 200 {
			t.Fatalf("consistency: %d %s", r.status, r.body)
		}
		var p auditlog.ConsistencyProof
		r.json(t, &p)
		if _, _, err := auditlog.CheckConsistency(older, []byte(p.Checkpoint), p.Proof, keys); err != nil {
			t.Fatalf("served consistency proof does not check: %v", err)
		}
		for _, q := range []string{"", "?from=0", "?from=x", "?from=5&to=2"} {
			if r := e.do(ig, "GET", "/audit/consistency"+q, "", nil); r.status != 400 {
				t.Errorf("consistency%s: %d, want 400", q, r.status)
			}
		}
	})

	t.Run("VerifyRecordsItselfAfter", func(t *testing.T) {
		if err := e.app.Service.FlushAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
		before, _ := e.app.Service.Store.AuditTree(context.Background())
		var rep auditlog.Report
		r := e.do(ig, "GET", "/audit/verify", "", nil)
		if err := json.Unmarshal(r.body, &rep); err != nil || r.status != 200 || !rep.OK {
			t.Fatalf("verify: %d %s", r.status, r.body)
		}
		if rep.Events != before.Size || rep.Checkpoints == 0 {
			t.Errorf("verify checked %d events and %d checkpoints, want the %d before it", rep.Events, rep.Checkpoints, before.Size)
		}
		if err := e.app.Service.FlushAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
		after, _ := e.app.Service.Store.ListAudit(context.Background(), before.Size, 10)
		if len(after) != 1 || after[0].Action != "audit.verify" {
			t.Errorf("after verify the log gained %+v, want its audit.verify event", after)
		}
	})

	t.Run("VerifyWindowByWindow", func(t *testing.T) {
		if err := e.app.Service.FlushAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
		tree, _ := e.app.Service.Store.AuditTree(context.Background())
		if tree.Checkpoint.Size < 3 {
			t.Fatalf("the log is too short for windows: %d", tree.Checkpoint.Size)
		}
		var checked uint64
		for from, calls := uint64(1), 0; from != 0; calls++ {
			var rep app.AuditReport
			r := e.do(ig, "GET", "/audit/verify?from="+itoa(from)+"&limit=2", "", nil)
			if err := json.Unmarshal(r.body, &rep); err != nil || r.status != 200 || !rep.OK || rep.From != from {
				t.Fatalf("verify from %d: %d %s", from, r.status, r.body)
			}
			checked += rep.Events
			if rep.Next != 0 && rep.Next != from+2 || calls > 1000 {
				t.Fatalf("verify from %d: next %d", from, rep.Next)
			}
			from = rep.Next
		}
		if checked != tree.Checkpoint.Size {
			t.Errorf("the windows checked %d events, want the checkpoint's %d", checked, tree.Checkpoint.Size)
		}
		for _, q := range []string{"?from=0", "?from=x", "?limit=0", "?limit=50001", "?from=1&limit=-3"} {
			if r := e.do(ig, "GET", "/audit/verify"+q, "", nil); r.status != 400 {
				t.Errorf("verify%s: %d, want 400", q, r.status)
			}
		}
	})
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
