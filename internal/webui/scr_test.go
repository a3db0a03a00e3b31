package webui_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/wire"
)

// uiClient is a browser without JavaScript: forms posted as they are, redirects followed.
type uiClient struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

func newUIClient(t *testing.T, base string) *uiClient {
	jar, _ := cookiejar.New(nil)
	return &uiClient{t: t, c: &http.Client{Jar: jar}, base: base}
}

func (c *uiClient) read(res *http.Response, err error) (int, string, string) {
	c.t.Helper()
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v := between(string(b), `name="csrf" value="`, `"`); v != "" {
		c.csrf = v
	}
	return res.StatusCode, res.Request.URL.Path, string(b)
}

func (c *uiClient) get(path string) (int, string, string) {
	return c.read(c.c.Get(c.base + path))
}

func (c *uiClient) post(path string, v url.Values) (int, string, string) {
	v.Set("csrf", c.csrf)
	return c.read(c.c.PostForm(c.base+path, v))
}

// signedIn serves a fresh embedded app and signs staffID in through the demo sign-in page.
func signedIn(t *testing.T, staffID string) (*wire.App, *httptest.Server, *uiClient) {
	t.Helper()
	a := embeddedApp(t)
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	c := newUIClient(t, srv.URL)
	c.get("/ui/sign-in")
	if status, at, _ := c.post("/ui/sign-in", url.Values{"staff_id": {staffID}}); status != 200 || at != "/" {
		t.Fatalf("sign in: %d at %s", status, at)
	}
	return a, srv, c
}

// TestSeriousCaseReviewPages: a serious case review carried out from start to finish in
// the pages alone, without JavaScript: a mistake on the opening form, files uploaded by
// the plain multipart form, view-only, the confirmation, a practitioner copy, the outcome
// and the release.
func TestSeriousCaseReviewPages(t *testing.T) {
	a, srv, c := signedIn(t, "s-coord-01")
	today := time.Now().UTC().Format("2006-01-02")
	review := url.Values{"kind": {"serious_case_review"}, "reference": {"SCB-2026-09"}, "contact": {"Example Safeguarding Children Board"},
		"received_on": {today}, "people": {"P7700123, Rowan Testfield\nP7700456, Ellis Testfield"}, "secure_up_to": {today},
		"senior_manager": {"Sasha Senior"}, "senior_manager_email": {"sasha.senior@council.example"},
		"case_line_managers": {"Owen Farrier, Sasha Senior"}, "board_manager": {"Blake Board"},
		"board_manager_email": {"blake.board@board.example"}, "case_locked": {"yes"}}
	c.get("/ui/matters/new?kind=serious_case_review")
	status, _, body := c.post("/ui/matters/new", review)
	if status != 400 || !strings.Contains(body, `href="#senior_manager">Senior manager securing the originals line-manages the case`) ||
		!strings.Contains(body, `value="SCB-2026-09"`) {
		t.Fatalf("a senior manager who line-manages the case: %d, want the error at the field and the input kept:\n%.2000s", status, body)
	}
	review.Set("case_line_managers", "Owen Farrier")
	status, at, body := c.post("/ui/matters/new", review)
	if status != 200 || !strings.HasPrefix(at, "/ui/matters/m-") || !strings.Contains(body, "Serious case review") {
		t.Fatalf("open the review: %d at %s", status, at)
	}
	matter := at

	// Scans through the plain form (no script): all secured, the page says so.
	upload := func(pid string, names ...string) {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("pid", pid)
		_ = mw.WriteField("doc_type", "Case Note")
		_ = mw.WriteField("doc_date", "2020-05-01")
		for _, name := range names {
			w, _ := mw.CreateFormFile("file", name)
			_, _ = w.Write([]byte("%PDF-1.4\n" + pid + name + "\n%%EOF\n"))
		}
		_ = mw.Close()
		req, _ := http.NewRequest("POST", srv.URL+matter+"/documents?csrf="+url.QueryEscape(c.csrf), &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		status, _, body := c.read(c.c.Do(req))
		if status != 200 || !strings.Contains(body, fmt.Sprintf("%d document(s) secured", len(names))) || !strings.Contains(body, "under legal hold: yes") {
			t.Fatalf("plain upload: %d\n%.1500s", status, body)
		}
	}
	upload("P7700123", "a.pdf", "b.pdf")
	upload("P7700456", "c.pdf")
	docs, err := a.Service.Store.ListMatterDocuments(t.Context(), strings.TrimPrefix(matter, "/ui/matters/"))
	if err != nil || len(docs) != 3 {
		t.Fatalf("documents: %d %v", len(docs), err)
	}
	steps := []struct {
		action string
		values url.Values
		notice string
	}{
		{"scr-view-only", url.Values{"pid": {"P7700123"}, "system": {"CCM"}, "set_on": {today}}, "View-only recorded"},
		{"scr-view-only", url.Values{"pid": {"P7700456"}, "system": {"CCM"}, "set_on": {today}}, "View-only recorded"},
		{"scr-confirmation", url.Values{}, "Confirmation sent"},
		{"scr-copy", url.Values{"practitioner": {"Jamie Worker"}, "due_on": {today}, "document_ids": {docs[0].ID}}, "Practitioner copy added"},
		{"scr-copy-provided", url.Values{"copy": {"0"}, "on": {today}}, "Copy recorded as provided"},
		{"scr-outcome", url.Values{"completed_on": {today}, "ratified_on": {today}}, "Outcome recorded"},
		{"scr-outcome", url.Values{"completed_on": {today}, "ratified_on": {today}, "criminal_proceedings_ended_on": {today}}, "Outcome recorded"},
		{"release", url.Values{"reason": {"review completed and ratified"}, "teams_told_on": {today}}, "Released"},
	}
	// A step that cannot be taken yet is the form again, saying why, with the input kept.
	status, _, body = c.post(matter+"/do/release", url.Values{"reason": {"too soon"}})
	if status != 409 || !strings.Contains(body, "There is a problem") || !strings.Contains(body, "The review cannot close yet") || !strings.Contains(body, `value="too soon"`) {
		t.Errorf("release before the outcome: %d\n%s", status, between(body, "<main", "</main>"))
	}
	for _, s := range steps {
		if status, _, _ := c.get(matter + "/do/" + s.action); status != 200 {
			t.Fatalf("%s page: %d", s.action, status)
		}
		status, at, body := c.post(matter+"/do/"+s.action, s.values)
		if status != 200 || at != matter || !strings.Contains(body, s.notice) {
			t.Fatalf("%s: %d at %s, want the matter page saying %q:\n%s", s.action, status, at, s.notice, between(body, "<main", "</main>"))
		}
	}
	// A CCRC-only step is not offered on a review.
	if status, _, _ := c.get(matter + "/do/confirm"); status != 404 {
		t.Errorf("the CCRC confirmation on a review: %d, want 404", status)
	}
}
