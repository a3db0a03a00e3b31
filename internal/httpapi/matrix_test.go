package httpapi_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
)

// matrixParams fills every path parameter the API has with a fixture. A route with a new
// parameter fails TestAuthorizationMatrix until it is given one here.
func matrixParams(m matter, d document, lockID string) map[string]string {
	return map[string]string{"id": m.ID, "doc": d.ID, "lock": lockID, "in": "in-0000000000", "pid": people[0].PID,
		"area": "social_care", "did": "x-0000", "vid": "v-0000", "n": "1", "rid": "r-0000", "staff": "s-sw-01"}
}

// matrixBody is the request body and type that gets a route past its decoding to its
// authorisation: the empty JSON object, a PDF, or a CSV.
func matrixBody(method, path string) (string, []byte) {
	switch {
	case method == "POST" && strings.HasSuffix(path, "/documents"),
		method == "PUT" && strings.HasSuffix(path, "/content"),
		strings.HasSuffix(path, "/signed"):
		return "application/pdf", pdf("matrix")
	case path == "/staff/import":
		return "text/csv", []byte("staff_id,name,email,teams,manager_id\n")
	case method == "GET" || method == "DELETE":
		return "", nil
	}
	return "application/json", []byte("{}")
}

// TestAuthorizationMatrix walks every route of the server (from its route table) with a
// member of staff of each role who is on no matter, grant or lock: a role the route's
// documentation does not list must be refused (403), whatever the route; a route nobody may
// call without a signature (the upload receiver) is refused without one.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/MATRIX/1")
	d := e.mustUpload(m.ID, pdf("matrix"))
	r := e.postJSON(tm, "/locks", map[string]any{"pid": people[1].PID, "owner": tm, "reason": "high_profile"})
	if r.status != 201 {
		t.Fatalf("lock: %d %s", r.status, r.body)
	}
	var l casehold.Lock
	r.json(t, &l)
	params := matrixParams(m, d, l.ID)
	doc := loadOpenAPI(t)
	documented := map[string][]string{}
	for _, o := range operations(t, doc) {
		documented[o.String()] = stringList(o.op["x-casehold-roles"])
	}
	for _, role := range casehold.KnownRoles {
		a := casehold.Actor{ID: "s-matrix-" + string(role), Name: "Matrix " + string(role), Email: "matrix@council.example", Roles: []casehold.Role{role}}
		tok, err := auth.Issue(e.app.TokenSecret, a, time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[a.ID] = tok
	}
	for _, route := range serverRoutes(t) {
		method, tmpl, _ := strings.Cut(route, " ")
		if tmpl == "/healthz" || tmpl == "/audit/key" || tmpl == "/audit/checkpoint" {
			continue // public by design
		}
		if tmpl == "/uploads/{key}" {
			if r := e.do("", method, "/uploads/uploads/"+m.ID+"/x.pdf", "application/pdf", bytes.NewReader(pdf("x"))); r.status != 403 {
				t.Errorf("%s without a signature: %d, want 403", route, r.status)
			}
			continue
		}
		path := pathParam.ReplaceAllStringFunc(tmpl, func(p string) string {
			name := strings.TrimSuffix(pathParam.FindStringSubmatch(p)[1], "...")
			v, ok := params[name]
			if !ok {
				t.Errorf("%s: no fixture for path parameter {%s}: add it to matrixParams", route, name)
			}
			return v
		})
		allowed, ok := documented[route]
		if !ok {
			t.Errorf("%s is served but not documented", route)
			continue
		}
		for _, role := range casehold.KnownRoles {
			if len(allowed) == 0 || slices.Contains(allowed, string(role)) {
				continue // the role may call it; the policy decides the case (tested below and per use case)
			}
			ctype, body := matrixBody(method, path)
			res := e.do("s-matrix-"+string(role), method, path, ctype, bytes.NewReader(body))
			if res.status != 403 {
				t.Errorf("%s as %s (not a documented role): %d %s, want 403", route, role, res.status, firstLine(res.body))
			}
		}
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// lockClock lets the lock matrix move time past a temporary access.
type lockClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *lockClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// TestLockMatrix: the document routes under each state of a child's lock: no lock, locked
// and allowed, locked and not allowed, temporary access live and expired, break-glass.
func TestLockMatrix(t *testing.T) {
	e := newEnv(t, nil)
	clock := &lockClock{now: time.Now()}
	e.app.Service.Clock = clock
	const sm, support, edt, legal = "s-sm-01", "s-support-01", "s-edt-01", "s-legal-01"
	m := e.createMatter("CCRC/LOCKS/1")
	open := e.mustUpload(m.ID, pdf("not locked"))
	r := e.do(coord, "POST", "/matters/"+m.ID+"/documents?pid="+people[1].PID+"&doc_type=Contact&doc_date=2013-12-21", "application/pdf", bytes.NewReader(pdf("locked child")))
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var locked document
	r.json(t, &locked)
	// Matter access for everyone in the matrix, so only the lock decides.
	for _, staff := range []string{sw, edt, tm} {
		if r := e.postJSON(coord, "/matters/"+m.ID+"/access", map[string]string{"staff_id": staff, "pid": people[1].PID, "team": "T",
			"role": "r", "name": "n", "approved_by": "Head of Service"}); r.status != 200 {
			t.Fatalf("grant %s: %d %s", staff, r.status, r.body)
		}
	}
	if r := e.postJSON(coord, "/matters/"+m.ID+"/legal-officers", map[string]string{"staff_id": legal}); r.status != 200 {
		t.Fatalf("legal officer: %d %s", r.status, r.body)
	}
	r = e.postJSON(tm, "/locks", map[string]any{"pid": people[1].PID, "owner": tm, "reason": "adoption_placement_risk",
		"allow_staff": []string{sw}, "deny_teams": []string{"EDT"}})
	var l casehold.Lock
	r.json(t, &l)
	e.postJSON(sm, "/locks/"+l.ID+"/decision", map[string]bool{"approve": true})
	if r := e.postJSON(support, "/locks/"+l.ID+"/apply", map[string]any{}); r.status != 200 {
		t.Fatalf("apply: %d %s", r.status, r.body)
	}
	steps := []struct {
		name  string
		setup func()
		who   string
		doc   document
		want  int
	}{
		{"no lock: coordinator", nil, coord, open, 200},
		{"locked, not on the lock: coordinator", nil, coord, locked, 403},
		{"locked and allowed: social worker on the allow list", nil, sw, locked, 200},
		{"locked: the owner", nil, tm, locked, 200},
		{"locked: legal officer without access", nil, legal, locked, 403},
		{"temporary access live", func() {
			e.postJSON(legal, "/locks/"+l.ID+"/temporary", map[string]string{"reason": "complaint"})
			e.postJSON(tm, "/locks/"+l.ID+"/temporary/"+legal+"/agree", map[string]any{})
		}, legal, locked, 200},
		{"temporary access expired", func() { clock.mu.Lock(); clock.now = clock.now.Add(25 * time.Hour); clock.mu.Unlock() }, legal, locked, 403},
		{"EDT team denied", nil, edt, locked, 403},
		{"EDT break-glass", func() {
			if r := e.postJSON(edt, "/locks/"+l.ID+"/break-glass", map[string]string{"reason": "out of hours"}); r.status != 200 {
				t.Fatalf("break-glass: %d %s", r.status, r.body)
			}
		}, edt, locked, 200},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
		}
		for _, route := range []string{"content", "download-link", "record"} {
			path := "/documents/" + s.doc.ID
			switch route {
			case "content":
				path += "/content"
			case "download-link":
				path += "/download-link"
			}
			if got := e.do(s.who, "GET", path, "", nil); got.status != s.want {
				t.Errorf("%s: GET %s = %d %s, want %d", s.name, path, got.status, got.body, s.want)
			}
		}
	}
	// The list withholds the locked child's document from those outside the lock.
	var list struct{ Documents []document }
	e.do(coord, "GET", "/matters/"+m.ID+"/documents", "", nil).json(t, &list)
	if len(list.Documents) != 1 || list.Documents[0].ID != open.ID {
		t.Errorf("coordinator's list = %v, want only the unlocked child's document", list.Documents)
	}
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs, _ := e.app.Service.Store.ListAuditBy(context.Background(), casehold.AuditFilter{PID: people[1].PID}, 0, 1000)
	refused := 0
	for _, ev := range evs {
		if ev.Action == "document.download" && ev.Outcome == casehold.OutcomeRefused {
			refused++
		}
	}
	if refused < 4 {
		t.Errorf("%d refused downloads of the locked child audited under its PID, want at least 4", refused)
	}
}
