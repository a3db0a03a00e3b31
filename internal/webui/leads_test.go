package webui_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
)

// openCCRC opens a CCRC matter received today through the form and returns its page.
func openCCRC(c *uiClient, reference, pid string) string {
	c.t.Helper()
	c.get("/ui/matters/new")
	status, matter, _ := c.post("/ui/matters/new", url.Values{"reference": {reference}, "contact": {"Case Review Manager, CCRC"},
		"received_on": {time.Now().UTC().Format("2006-01-02")}, "people": {pid + ", Robin Invented"}})
	if status != 200 || !strings.HasPrefix(matter, "/ui/matters/m-") {
		c.t.Fatalf("open the matter: %d at %s", status, matter)
	}
	return matter
}

// TestLeadOfficerAcknowledgementPage: a lead officer given an email is sent the notice,
// and the confirmation waits for their word; the coordinator records it on its own page,
// which is offered only while an area awaits it, and the email cannot simply be removed.
func TestLeadOfficerAcknowledgementPage(t *testing.T) {
	a, _, c := signedIn(t, "s-coord-01")
	today := time.Now().UTC().Format("2006-01-02")
	matter := openCCRC(c, "CCRC/07001/2026", "P7100001")
	if _, _, body := c.get(matter); strings.Contains(body, "/do/area-ack") {
		t.Fatal("the acknowledgement step is offered before any notice was sent")
	}
	c.get(matter + "/do/area")
	lead := url.Values{"area": {"social_care"}, "lead_officer": {"Avery Lead"}, "lead_email": {"avery.lead@council.example"}, "notified_on": {today}}
	if status, at, _ := c.post(matter+"/do/area", lead); status != 200 || at != matter {
		t.Fatalf("name the lead officer: %d at %s", status, at)
	}
	_, _, body := c.get(matter)
	if !strings.Contains(body, "/do/area-ack") {
		t.Fatalf("the acknowledgement step is not offered while the notice awaits an answer:\n%s", between(body, "<main", "</main>"))
	}
	// Re-saving the area without the address would let the confirmation stop waiting.
	c.get(matter + "/do/area")
	noEmail := url.Values{"area": {"social_care"}, "lead_officer": {"Avery Lead"}, "notified_on": {today}}
	if status, _, body := c.post(matter+"/do/area", noEmail); status != 409 || !strings.Contains(body, "record their acknowledgement") {
		t.Fatalf("removing the email of an officer awaited: %d\n%s", status, between(body, "<main", "</main>"))
	}
	if status, _, _ := c.get(matter + "/do/area-ack"); status != 200 {
		t.Fatalf("acknowledgement page: %d", status)
	}
	status, at, body := c.post(matter+"/do/area-ack", url.Values{"area": {"social_care"}})
	if status != 200 || at != matter || !strings.Contains(body, "Acknowledgement recorded") {
		t.Fatalf("record the acknowledgement: %d at %s\n%s", status, at, between(body, "<main", "</main>"))
	}
	if strings.Contains(body, "/do/area-ack") {
		t.Error("the acknowledgement step is still offered once recorded")
	}
	m, err := a.Service.Store.GetMatter(t.Context(), strings.TrimPrefix(matter, "/ui/matters/"))
	if err != nil || len(m.Work.Areas) != 1 || m.Work.Areas[0].AcknowledgedOn.IsZero() || m.Work.Areas[0].AcknowledgedBy != "s-coord-01" {
		t.Fatalf("stored area: %+v, %v", m.Work.Areas, err)
	}
}

// TestStepsOfferedByRole: the matter page offers its steps to those who take them: the
// coordinator sees the coordinator's steps but not legal services' sign-offs, and a team
// manager on the matter by a grant sees no steps and no upload form, and is told why on a
// step's page before filling it in.
func TestStepsOfferedByRole(t *testing.T) {
	a, srv, c := signedIn(t, "s-coord-01")
	matter := openCCRC(c, "CCRC/07002/2026", "P7200001")
	id := strings.TrimPrefix(matter, "/ui/matters/")
	_, _, body := c.get(matter)
	for _, step := range []string{"/do/area\"", "/do/release\"", "Upload scanned PDFs"} {
		if !strings.Contains(body, step) {
			t.Errorf("the coordinator is not offered %s", step)
		}
	}
	for _, step := range []string{"/do/legal-confirmation\"", "/do/disclosure-review\"", "/do/visit-review\""} {
		if strings.Contains(body, step) {
			t.Errorf("the coordinator is offered legal services' step %s", step)
		}
	}
	if _, err := a.Service.AddAccess(t.Context(), auth.DemoStaff[0], id, casehold.AccessGrant{PID: "P7200001", StaffID: "s-tm-01",
		Team: "Assessment East", Role: "team manager", Name: "Owen Farrier", ApprovedBy: "Head of Service"}); err != nil {
		t.Fatal(err)
	}
	tm := newUIClient(t, srv.URL)
	tm.get("/ui/sign-in")
	tm.post("/ui/sign-in", url.Values{"staff_id": {"s-tm-01"}})
	status, _, body := tm.get(matter)
	if status != 200 || strings.Contains(body, "/do/") || strings.Contains(body, "Upload scanned PDFs") {
		t.Fatalf("a team manager by grant: %d, offered steps or the upload form:\n%s", status, between(body, "<main", "</main>"))
	}
	if status, _, body := tm.get(matter + "/do/area"); status != 403 || !strings.Contains(body, "taken by the matter&#39;s coordinator") {
		t.Errorf("a step's page for a team manager: %d\n%s", status, between(body, "<main", "</main>"))
	}
}

// TestLockDecisionIsAChoice: deciding on a lock request is a choice the manager makes, not
// a tick box whose absence refuses it: submitting none is an error at the field and the
// request stays as it was.
func TestLockDecisionIsAChoice(t *testing.T) {
	a, _, c := signedIn(t, "s-sm-01")
	tm := auth.DemoStaff[0]
	for _, s := range auth.DemoStaff {
		if s.ID == "s-tm-01" {
			tm = s
		}
	}
	l, err := a.Service.RequestLock(t.Context(), tm, app.LockInput{PID: "P7300001", Owner: "s-sm-01", Reason: casehold.LockHighProfile})
	if err != nil {
		t.Fatal(err)
	}
	page := "/ui/locks/" + l.ID + "/do/decision"
	if status, _, _ := c.get(page); status != 200 {
		t.Fatalf("decision page: %d", status)
	}
	status, _, body := c.post(page, url.Values{})
	if status != 400 || !strings.Contains(body, "Your decision is not chosen") {
		t.Fatalf("no choice made: %d\n%s", status, between(body, "<main", "</main>"))
	}
	if got, err := a.Service.Locks.GetLock(t.Context(), l.ID); err != nil || got.Status != casehold.LockRequested {
		t.Fatalf("after no choice: %+v, %v; want the request untouched", got, err)
	}
	c.get(page)
	if status, _, body := c.post(page, url.Values{"approve": {"no"}}); status != 200 || !strings.Contains(body, "Lock request refused") {
		t.Fatalf("refuse: %d\n%s", status, between(body, "<main", "</main>"))
	}
}

// TestReleasedMattersPage: a released matter leaves My work and is found under Released
// matters, most recent first, from where its page opens.
func TestReleasedMattersPage(t *testing.T) {
	_, _, c := signedIn(t, "s-coord-01")
	today := time.Now().UTC().Format("2006-01-02")
	for _, ref := range []string{"CCRC/07101/2026", "CCRC/07102/2026"} {
		matter := openCCRC(c, ref, "P7400001")
		c.get(matter + "/do/release")
		if status, _, body := c.post(matter+"/do/release", url.Values{"reason": {"direction withdrawn"}, "teams_told_on": {today}}); status != 200 {
			t.Fatalf("release %s: %d\n%s", ref, status, between(body, "<main", "</main>"))
		}
	}
	if _, _, body := c.get("/"); strings.Contains(body, "CCRC/07101/2026") || !strings.Contains(body, `href="/ui/matters/released"`) {
		t.Fatalf("My work lists a released matter, or has no way to the released ones:\n%s", between(body, "<main", "</main>"))
	}
	status, _, body := c.get("/ui/matters/released")
	first, second := strings.Index(body, "CCRC/07102/2026"), strings.Index(body, "CCRC/07101/2026")
	if status != 200 || first < 0 || second < 0 || first > second {
		t.Fatalf("released matters: %d, want both, the most recent first:\n%s", status, between(body, "<main", "</main>"))
	}
	if strings.Count(body, " GMT</td>")+strings.Count(body, " BST</td>") != 2 {
		t.Errorf("each released matter shows when it was released:\n%s", between(body, "<main", "</main>"))
	}
}

// TestScriptUploadErrorsUseLabels: the upload script shows the server's message as it is,
// so it names the field as the page does ("Document date"), not by its code.
func TestScriptUploadErrorsUseLabels(t *testing.T) {
	_, srv, c := signedIn(t, "s-coord-01")
	matter := openCCRC(c, "CCRC/07201/2026", "P7500001")
	for _, tc := range []struct{ name, path, want string }{
		{"Direct", matter + "/documents", "Document date must be"},
		{"Presigned", matter + "/uploads", "Document date must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body bytes.Buffer
			ctype := "application/x-www-form-urlencoded"
			fields := map[string]string{"pid": "P7500001", "doc_type": "Contact", "doc_date": "21/12/2013", "filename": "a.pdf"}
			if tc.name == "Direct" {
				mw := multipart.NewWriter(&body)
				for k, v := range fields {
					_ = mw.WriteField(k, v)
				}
				w, _ := mw.CreateFormFile("file", "a.pdf")
				_, _ = w.Write([]byte("%PDF-1.4\nx\n%%EOF\n"))
				_ = mw.Close()
				ctype = mw.FormDataContentType()
			} else {
				v := url.Values{}
				for k, x := range fields {
					v.Set(k, x)
				}
				body.WriteString(v.Encode())
			}
			req, _ := http.NewRequest("POST", srv.URL+tc.path, &body)
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Accept", "application/json")
			req.Header.Set("X-CSRF-Token", c.csrf)
			status, _, got := c.read(c.c.Do(req))
			if status != 400 || !strings.Contains(got, tc.want) {
				t.Fatalf("got %d %s, want 400 saying %q", status, got, tc.want)
			}
		})
	}
}

// TestPeopleLineWithoutComma: a pasted line with no comma between PID and name says so.
func TestPeopleLineWithoutComma(t *testing.T) {
	_, _, c := signedIn(t, "s-coord-01")
	c.get("/ui/matters/new")
	status, _, body := c.post("/ui/matters/new", url.Values{"reference": {"CCRC/07301/2026"}, "contact": {"Case Review Manager, CCRC"},
		"received_on": {time.Now().UTC().Format("2006-01-02")}, "people": {"P7600001 Robin Invented"}})
	if status != 400 || !strings.Contains(body, "has no comma: put a comma between the PID and the name") || !strings.Contains(body, "P7600001 Robin Invented") {
		t.Fatalf("a line without a comma: %d\n%s", status, between(body, "<main", "</main>"))
	}
}

// TestFormNamesWhatIsMissing: ending the access of someone who has none is the form again,
// saying so, with what was typed kept, not a "Page not found" page.
func TestFormNamesWhatIsMissing(t *testing.T) {
	_, _, c := signedIn(t, "s-coord-01")
	matter := openCCRC(c, "CCRC/07401/2026", "P7700001")
	c.get(matter + "/do/revoke-access")
	status, _, body := c.post(matter+"/do/revoke-access", url.Values{"staff_id": {"s-nobody-99"}})
	if status != 400 || !strings.Contains(body, "No such grant on this matter") || !strings.Contains(body, `value="s-nobody-99"`) {
		t.Fatalf("ending access nobody has: %d\n%s", status, between(body, "<main", "</main>"))
	}
}
