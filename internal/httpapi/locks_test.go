package httpapi_test

import (
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
)

// TestLockedCaseThroughTheAPI walks seed 003 as the demo staff would: a team manager asks,
// the service manager approves, support applies; the helpdesk officer sees "locked to" the
// owner and nothing else; a suppressed lock looks like no record; temporary access for a
// CSO is refused; every step is audited without the child's PID in a URL or log.
func TestLockedCaseThroughTheAPI(t *testing.T) {
	e := newEnv(t, nil)
	const sm, support = "s-sm-01", "s-support-01"
	r := e.postJSON(tm, "/locks", map[string]any{"pid": "P300001", "owner": tm, "reason": "staff_related", "deny_teams": []string{"Duty"}})
	if r.status != 201 {
		t.Fatalf("request lock: %d %s", r.status, r.body)
	}
	var l casehold.Lock
	r.json(t, &l)
	steps := []struct {
		who, path string
		body      any
		status    int
	}{
		{support, "/locks/" + l.ID + "/apply", nil, 409},                            // not approved yet
		{tm, "/locks/" + l.ID + "/decision", map[string]bool{"approve": true}, 403}, // not the service manager
		{sm, "/locks/" + l.ID + "/decision", map[string]bool{"approve": true}, 200},
		{support, "/locks/" + l.ID + "/apply", nil, 200},
		{cso, "/locks/" + l.ID + "/temporary", map[string]string{"reason": "a caller"}, 403},
		{sw, "/locks/" + l.ID + "/temporary", map[string]string{"reason": "complaint"}, 200},
		{tm, "/locks/" + l.ID + "/temporary/" + sw + "/agree", nil, 200},
		{sw, "/locks/" + l.ID + "/temporary/give-back", nil, 200},
	}
	for _, s := range steps {
		body := s.body
		if body == nil {
			body = map[string]any{}
		}
		if got := e.postJSON(s.who, s.path, body); got.status != s.status {
			t.Fatalf("%s POST %s = %d %s, want %d", s.who, s.path, got.status, got.body, s.status)
		}
	}
	var notice struct {
		Locked    bool   `json:"locked"`
		OwnerName string `json:"owner_name"`
	}
	e.postJSON(cso, "/lookup", map[string]string{"pid": "P300001"}).json(t, &notice)
	if !notice.Locked || notice.OwnerName != "Owen Farrier" {
		t.Errorf("helpdesk lookup = %+v, want locked to the owner", notice)
	}
	// An urgent, suppressed lock answers exactly as a child with no lock.
	if got := e.postJSON(support, "/locks", map[string]any{"pid": "P300002", "owner": tm, "reason": "unexplained_death", "suppress_notice": true}); got.status != 201 {
		t.Fatalf("urgent lock: %d %s", got.status, got.body)
	}
	suppressed := e.postJSON(cso, "/lookup", map[string]string{"pid": "P300002"})
	none := e.postJSON(cso, "/lookup", map[string]string{"pid": "P399999"})
	if string(suppressed.body) != string(none.body) {
		t.Errorf("suppressed lock %s differs from no record %s", suppressed.body, none.body)
	}
	var mine struct{ Locks []casehold.Lock }
	e.do(tm, "GET", "/locks/mine", "", nil).json(t, &mine)
	if len(mine.Locks) != 2 {
		t.Errorf("the owner's list has %d locks, want 2", len(mine.Locks))
	}
	if got := e.do(cso, "GET", "/locks/mine", "", nil); got.status != 403 {
		t.Errorf("helpdesk listing locks: %d", got.status)
	}
	if got := e.do(ig, "POST", "/staff/import", "text/csv", strings.NewReader("staff_id,name\ns1,A\n")); got.status != 400 || got.code(t) != casehold.EINVALID {
		t.Errorf("import of a file without the columns: %d %s", got.status, got.body)
	}
	if strings.Contains(e.logs.String(), "P300001") {
		t.Error("a child's PID reached the request log")
	}
}

// TestGrantsRevokedAndLeavers: a grant works at once, ends at once when revoked, and a
// member of staff dropped from the directory by an import loses what a grant gave them.
func TestGrantsRevokedAndLeavers(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/GRANTS/1")
	d := e.mustUpload(m.ID, pdf("granted"))
	grant := func(staff string) {
		t.Helper()
		if r := e.postJSON(coord, "/matters/"+m.ID+"/access", map[string]string{"pid": people[0].PID, "staff_id": staff, "team": "T",
			"role": "r", "name": "n", "approved_by": "Head of Service"}); r.status != 200 {
			t.Fatalf("grant: %d %s", r.status, r.body)
		}
	}
	read := func(who string) int { return e.do(who, "GET", "/documents/"+d.ID+"/content", "", nil).status }
	grant(tm)
	if got := read(tm); got != 200 {
		t.Fatalf("granted read: %d", got)
	}
	if r := e.postJSON(coord, "/matters/"+m.ID+"/access/revoke", map[string]string{"staff_id": tm}); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if got := read(tm); got != 403 {
		t.Errorf("read after the grant was revoked: %d, want 403", got)
	}
	if r := e.postJSON(coord, "/matters/"+m.ID+"/access/revoke", map[string]string{"staff_id": tm}); r.status != 404 {
		t.Errorf("revoking a grant that is gone: %d, want 404", r.status)
	}
	grant(sw)
	if got := read(sw); got != 200 {
		t.Fatalf("granted read: %d", got)
	}
	// The next directory import no longer lists the social worker.
	dir := strings.ReplaceAll(auth.DemoDirectory, "s-sw-01,Beth Ashdown,beth.ashdown@council.example,Assessment East,s-tm-01\n", "")
	r := e.do(ig, "POST", "/staff/import", "text/csv", strings.NewReader(dir))
	var imp struct{ Leavers []string }
	r.json(t, &imp)
	if r.status != 200 || len(imp.Leavers) != 1 || imp.Leavers[0] != sw {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	if got := read(sw); got != 403 {
		t.Errorf("a leaver's read through an old grant: %d, want 403", got)
	}
}
