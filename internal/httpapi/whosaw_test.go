package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// TestWhoSawThisChild: after a coordinator downloads a child's document and a team manager
// without a grant is refused, the report for that child lists both (and nothing about the
// other child), as JSON, CSV and PDF; only IG and matter staff may ask.
func TestWhoSawThisChild(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/WHO/1")
	d := e.mustUpload(m.ID, pdf("who saw this"))
	if r := e.do(coord, "GET", "/documents/"+d.ID+"/content", "", nil); r.status != 200 {
		t.Fatalf("download: %d", r.status)
	}
	if r := e.do(tm, "GET", "/documents/"+d.ID+"/content", "", nil); r.status != 403 {
		t.Fatalf("team manager without a grant: %d", r.status)
	}
	// A helpdesk officer who meets the child's PID saw something about the child too.
	if r := e.postJSON(cso, "/lookup", map[string]string{"pid": people[0].PID}); r.status != 200 {
		t.Fatalf("lookup: %d %s", r.status, r.body)
	}
	if r := e.postJSON(cso, "/contacts", map[string]any{"pid": people[0].PID, "summary": "caller asked about the family"}); r.status != 200 {
		t.Fatalf("contact: %d %s", r.status, r.body)
	}
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Subject    string
		ID         string
		EventsRead int `json:"events_read"`
		Rows       []struct {
			Actor, Action, Outcome, Path, Access string
			Document                             string
		}
	}
	r := e.postJSON(ig, "/reports/who-saw", map[string]string{"pid": people[0].PID})
	if r.status != 200 {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	r.json(t, &rep)
	seen := map[string]bool{}
	for _, row := range rep.Rows {
		seen[row.Actor+" "+row.Action+" "+row.Outcome] = true
	}
	for _, want := range []string{coord + " document.download ok", tm + " document.download refused", coord + " document.upload ok",
		cso + " lock.lookup ok", cso + " lock.contact ok"} {
		if !seen[want] {
			t.Errorf("report misses %q: %+v", want, rep.Rows)
		}
	}
	if rep.Subject != "child" || rep.EventsRead != len(rep.Rows) {
		t.Errorf("report read %d events for %d rows (subject %q)", rep.EventsRead, len(rep.Rows), rep.Subject)
	}
	var other struct{ Rows []any }
	e.postJSON(ig, "/reports/who-saw", map[string]string{"pid": people[1].PID}).json(t, &other)
	for _, row := range other.Rows {
		if strings.Contains(strings.ToLower(toString(row)), "document.download") {
			t.Errorf("the other child's report lists a download of this child's document: %v", row)
		}
	}

	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := e.postJSON(ig, "/reports/who-saw", map[string]string{"pid": people[0].PID, "format": "csv"})
	recs, err := csv.NewReader(bytes.NewReader(c.body)).ReadAll()
	if err != nil || c.status != 200 || len(recs) != len(rep.Rows)+2 || recs[0][0] != "seq" { // +1 header, +1 the JSON report's own event
		t.Errorf("csv: %d, %d records (%v), want header + %d", c.status, len(recs), err, len(rep.Rows)+1)
	}
	p := e.postJSON(ig, "/reports/who-saw", map[string]string{"pid": people[0].PID, "format": "pdf"})
	if p.status != 200 || !bytes.HasPrefix(p.body, []byte("%PDF-")) || p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("pdf: %d, %q", p.status, p.body[:min(8, len(p.body))])
	}
	if r := e.postJSON(tm, "/reports/who-saw", map[string]string{"pid": people[0].PID}); r.status != 403 {
		t.Errorf("team manager asking: %d", r.status)
	}
	if r := e.postJSON(ig, "/reports/who-saw", map[string]string{"pid": people[0].PID, "document_id": d.ID}); r.status != 400 {
		t.Errorf("two subjects at once: %d", r.status)
	}
	if strings.Contains(e.logs.String(), people[0].PID) {
		t.Error("the child's PID reached the request log")
	}
}

func toString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A PID that cannot be one is refused before it is looked up or indexed in the audit log,
// naming the field, never the value.
func TestLookupRefusesBadPID(t *testing.T) {
	e := newEnv(t, nil)
	for _, c := range []struct {
		name, path string
		body       map[string]any
	}{
		{"LookupTooLong", "/lookup", map[string]any{"pid": strings.Repeat("P", 33)}},
		{"LookupSlash", "/lookup", map[string]any{"pid": "P1/../P2"}},
		{"LookupEmpty", "/lookup", map[string]any{"pid": " "}},
		{"ContactTooLong", "/contacts", map[string]any{"pid": strings.Repeat("P", 33), "summary": "s"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.postJSON(cso, c.path, c.body)
			if r.status != 400 || !bytes.Contains(r.body, []byte("pid")) || bytes.Contains(r.body, []byte("PPPP")) {
				t.Fatalf("got %d %s, want 400 naming pid without repeating it", r.status, r.body)
			}
		})
	}
}
