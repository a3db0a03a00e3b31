package httpapi_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/httpapi"
)

// pageClient is a browser stand-in: a cookie jar, no redirects followed.
type pageClient struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

func (e *env) pageClient(t *testing.T) *pageClient {
	jar, _ := cookiejar.New(nil)
	return &pageClient{t: t, base: e.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *pageClient) do(method, path string, form url.Values) (int, string, string) {
	p.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, p.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if _, rest, ok := strings.Cut(string(b), `name="csrf" value="`); ok {
		p.csrf, _, _ = strings.Cut(rest, `"`)
	}
	return res.StatusCode, res.Header.Get("Location"), string(b)
}

// signIn signs in through the local sign-in page as one of the demo staff.
func (p *pageClient) signIn(staffID string) {
	p.t.Helper()
	p.do("GET", "/ui/sign-in", nil)
	if status, loc, _ := p.do("POST", "/ui/sign-in", url.Values{"csrf": {p.csrf}, "staff_id": {staffID}}); status != 303 || loc != "/" {
		p.t.Fatalf("sign in as %s: %d to %q", staffID, status, loc)
	}
	p.do("GET", "/", nil) // the page carries the session's CSRF token
}

// TestPageMatrix walks every route of the web UI's own table (kept apart from the API's,
// which openapi.yaml describes) as every kind of member of staff: without a session a page
// sends the browser to sign in and a form is refused; a form without the session's CSRF
// token is refused; a role the route does not list is refused (403) by the use case or the
// role table behind it; and no page answers a server error, whoever asks.
func TestPageMatrix(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/PAGES/1")
	d := e.mustUpload(m.ID, pdf("pages"))
	r := e.postJSON(tm, "/locks", map[string]any{"pid": people[1].PID, "owner": tm, "reason": "high_profile"})
	var l casehold.Lock
	r.json(t, &l)
	params := matrixParams(m, d, l.ID)
	params["action"] = "area"
	params["path"] = "govuk/govuk-frontend.min.css"
	routes := (&httpapi.Server{UI: e.app.UI}).PageRoutes()
	if len(routes) < 20 {
		t.Fatalf("%d page routes: the table is not reached", len(routes))
	}
	fill := func(route string) string {
		return pathParam.ReplaceAllStringFunc(route, func(s string) string {
			name := strings.TrimSuffix(pathParam.FindStringSubmatch(s)[1], "...")
			if name == "$" {
				return ""
			}
			v, ok := params[name]
			if !ok {
				t.Errorf("%s: no fixture for path parameter {%s}: add it to matrixParams", route, name)
			}
			return v
		})
	}
	anon := e.pageClient(t)
	for _, rt := range routes {
		path := fill(rt.Path)
		if rt.Public {
			continue
		}
		switch status, loc, _ := anon.do(rt.Method, path, url.Values{}); {
		case rt.Method == "GET" && (status != 303 || loc != "/ui/sign-in"):
			t.Errorf("%s %s without a session: %d to %q, want 303 to the sign-in page", rt.Method, rt.Path, status, loc)
		case rt.Method == "POST" && status != 403:
			t.Errorf("%s %s without a session: %d, want 403", rt.Method, rt.Path, status)
		}
	}
	for _, staff := range auth.DemoStaff {
		p := e.pageClient(t)
		p.signIn(staff.ID)
		for _, rt := range routes {
			if rt.Public || rt.Path == "/ui/sign-out" {
				continue
			}
			path := fill(rt.Path)
			listed := rt.Roles == nil || slices.ContainsFunc(staff.Roles, func(r casehold.Role) bool { return slices.Contains(rt.Roles, r) })
			if rt.Method == "POST" {
				if status, _, _ := p.do("POST", path, url.Values{"csrf": {"forged"}}); status != 403 {
					t.Errorf("%s %s as %s with a forged CSRF token: %d, want 403", rt.Method, rt.Path, staff.ID, status)
				}
			}
			var form url.Values
			if rt.Method == "POST" {
				form = url.Values{"csrf": {p.csrf}}
			}
			status, _, body := p.do(rt.Method, path, form)
			if status >= 500 {
				t.Errorf("%s %s as %s: %d (a server error)", rt.Method, rt.Path, staff.ID, status)
			}
			if !listed && status != 403 {
				t.Errorf("%s %s as %s (not a listed role): %d, want 403\n%.300s", rt.Method, rt.Path, staff.ID, status, body)
			}
			if strings.Contains(body, people[0].Name) && !listed {
				t.Errorf("%s %s as %s shows a person's name", rt.Method, rt.Path, staff.ID)
			}
		}
		// Sign-out needs the token too, and ends the session.
		if status, _, _ := p.do("POST", "/ui/sign-out", url.Values{"csrf": {p.csrf}}); status != 303 {
			t.Errorf("sign out as %s: %d", staff.ID, status)
		}
		if status, loc, _ := p.do("GET", "/", nil); status != 303 || loc != "/ui/sign-in" {
			t.Errorf("after signing out, %s reached My work: %d %q", staff.ID, status, loc)
		}
	}
}
