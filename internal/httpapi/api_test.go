package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/wire"
)

// The invented people of the test matter. Their names must never reach a log line.
var people = []casehold.Person{{PID: "P7700123", Name: "Rowan Testfield"}, {PID: "P7700456", Name: "Ellis Testfield"}}

type env struct {
	t      testing.TB
	app    *wire.App
	srv    *httptest.Server
	logs   *syncBuffer
	tokens map[string]string
}

func newEnv(t testing.TB, mod func(*config.Config)) *env {
	t.Helper()
	cfg, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.MaxUploadBytes = 1 << 20
	cfg.IntakeRequireVerdicts = false // the local inbox: files a member of staff drops in
	if mod != nil {
		mod(&cfg)
	}
	logs := &syncBuffer{}
	e := &env{t: t, logs: logs, tokens: map[string]string{}}
	// The server's own URL is needed for presigned upload links: start, then build.
	var h http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	cfg.PublicURL = e.srv.URL
	e.app, err = wire.Build(context.Background(), cfg, wire.Logger(cfg, logs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.app.Close() })
	h = e.app.Handler
	for _, s := range auth.DemoStaff {
		tok, err := auth.Issue(e.app.TokenSecret, s, time.Now(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[s.ID] = tok
	}
	t.Cleanup(func() {
		for _, p := range people {
			if strings.Contains(logs.String(), p.Name) {
				t.Errorf("a person's name reached the logs")
			}
		}
	})
	return e
}

const coord, tm, sw, cso, ig = "s-coord-01", "s-tm-01", "s-sw-01", "s-cso-01", "s-ig-01"

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, r.body)
	}
}

func (r resp) code(t testing.TB) string {
	t.Helper()
	var b struct {
		Error struct{ Code, Message string }
	}
	r.json(t, &b)
	return b.Error.Code
}

func (e *env) do(who, method, path, ctype string, body io.Reader) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

func (e *env) postJSON(who, path string, v any) resp {
	e.t.Helper()
	b, _ := json.Marshal(v)
	return e.do(who, "POST", path, "application/json", bytes.NewReader(b))
}

func pdf(body string) []byte { return []byte("%PDF-1.4\n" + body + "\n%%EOF\n") }

type matter struct {
	ID       string `json:"id"`
	Deadline string `json:"deadline"`
	DaysLeft *int   `json:"days_left"`
	Status   string `json:"status"`
}

type document struct {
	ID            string   `json:"id"`
	SHA256        string   `json:"sha256"`
	Size          int64    `json:"size"`
	Held          bool     `json:"held"`
	HeldBy        []string `json:"held_by"`
	Key           string   `json:"key"`
	VersionID     string   `json:"version_id"`
	DocType       string   `json:"doc_type"`
	ActiveContent []string `json:"active_content"`
}

func (e *env) createMatter(ref string) matter {
	e.t.Helper()
	received := time.Now().UTC().AddDate(0, 0, -3).Format("2006-01-02")
	r := e.postJSON(coord, "/matters", map[string]any{"reference": ref, "contact": "Case Review Manager",
		"received_on": received, "people": people})
	if r.status != 201 {
		e.t.Fatalf("create matter: %d %s", r.status, r.body)
	}
	var m matter
	r.json(e.t, &m)
	return m
}

func (e *env) upload(matterID string, data []byte) resp {
	e.t.Helper()
	return e.do(coord, "POST", "/matters/"+matterID+"/documents?pid=P7700123&doc_type=Contact&doc_date=2013-12-21&filename=scan.pdf",
		"application/pdf", bytes.NewReader(data))
}

func (e *env) mustUpload(matterID string, data []byte) document {
	e.t.Helper()
	r := e.upload(matterID, data)
	if r.status != 201 {
		e.t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var d document
	r.json(e.t, &d)
	return d
}

func (e *env) auditActions() []string {
	e.t.Helper()
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	evs, err := e.app.Service.Store.ListAudit(context.Background(), 0, 10000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Action+":"+string(ev.Outcome))
	}
	return out
}

func count(xs []string, x string) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t, nil)
	expired, _ := auth.Issue(e.app.TokenSecret, auth.DemoStaff[0], time.Now().Add(-2*time.Hour), time.Hour)
	forged, _ := auth.Issue([]byte("not-the-server-secret-000000000000"), auth.DemoStaff[0], time.Now(), time.Hour)
	cases := []struct {
		name, header string
		status       int
	}{
		{"Missing", "", 401},
		{"NotBearer", "Basic abc", 401},
		{"Garbage", "Bearer abc.def.ghi", 401},
		{"Expired", "Bearer " + expired, 401},
		{"Forged", "Bearer " + forged, 401},
		{"Valid", "Bearer " + e.tokens[coord], 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.srv.URL+"/me", nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
		})
	}
}

func TestCreateMatter(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-2026-0001")
	received := time.Now().UTC().AddDate(0, 0, -3)
	if want := received.AddDate(0, 0, 28).Format("2006-01-02"); m.Deadline != want {
		t.Errorf("deadline = %s, want %s (28 days from receipt)", m.Deadline, want)
	}
	if m.DaysLeft == nil || *m.DaysLeft != 25 {
		t.Errorf("days_left = %v, want 25", m.DaysLeft)
	}
	if m.Status != "open" {
		t.Errorf("status = %s", m.Status)
	}

	today := time.Now().UTC().Format("2006-01-02")
	valid := func() map[string]any {
		return map[string]any{"reference": "CCRC-2026-0002", "contact": "Case Review Manager", "received_on": today, "people": people}
	}
	cases := []struct {
		name   string
		who    string
		ctype  string // "" sends application/json
		body   string
		status int
		code   string
	}{
		{"Duplicate", coord, "", mustJSON(map[string]any{"reference": "CCRC-2026-0001", "contact": "x", "received_on": today, "people": people}), 409, casehold.ECONFLICT},
		{"WrongRole", sw, "", mustJSON(valid()), 403, casehold.EFORBIDDEN},
		{"Helpdesk", cso, "", mustJSON(valid()), 403, casehold.EFORBIDDEN},
		{"MalformedJSON", coord, "", `{"reference": "CCRC`, 400, casehold.EINVALID},
		{"EmptyBody", coord, "", ``, 400, casehold.EINVALID},
		{"UnknownField", coord, "", `{"reference":"R","surname":"x"}`, 400, casehold.EINVALID},
		{"WrongType", coord, "", `{"reference":17}`, 400, casehold.EINVALID},
		{"BadDate", coord, "", strings.Replace(mustJSON(valid()), today, "21/12/2013", 1), 400, casehold.EINVALID},
		{"NoPeople", coord, "", `{"reference":"R","contact":"c","received_on":"` + today + `","people":[]}`, 400, casehold.EINVALID},
		{"ReceivedBefore1990", coord, "", strings.Replace(mustJSON(valid()), today, "1989-12-31", 1), 400, casehold.EINVALID},
		{"AbsurdYear", coord, "", strings.Replace(mustJSON(valid()), today, "0201-01-01", 1), 400, casehold.EINVALID},
		// encoding/json would keep the last of two keys; the caller may have meant the first.
		{"DuplicateKey", coord, "", `{"reference":"R1","reference":"R2","contact":"c","received_on":"` + today + `","people":[]}`, 400, casehold.EINVALID},
		{"DuplicateNestedKey", coord, "", `{"reference":"R1","contact":"c","received_on":"` + today + `","people":[{"pid":"P1","pid":"P2","name":"N"}]}`, 400, casehold.EINVALID},
		// encoding/json would store "\xff" as U+FFFD without a word.
		{"InvalidUTF8", coord, "", strings.Replace(mustJSON(valid()), "Case Review Manager", "Case \xffReview", 1), 400, casehold.EINVALID},
		{"MissingContentType", coord, "none", mustJSON(valid()), 415, casehold.EUNSUPPORTED},
		{"FormContentType", coord, "application/x-www-form-urlencoded", mustJSON(valid()), 415, casehold.EUNSUPPORTED},
	}
	before := len(e.auditActions())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctype := c.ctype
			switch ctype {
			case "":
				ctype = "application/json"
			case "none":
				ctype = ""
			}
			r := e.do(c.who, "POST", "/matters", ctype, strings.NewReader(c.body))
			if r.status != c.status || r.code(t) != c.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
			for _, p := range people {
				if bytes.Contains(r.body, []byte(p.Name)) {
					t.Errorf("error response leaks a name: %s", r.body)
				}
			}
		})
	}
	var list struct{ Matters []matter }
	e.do(coord, "GET", "/matters", "", nil).json(t, &list)
	if len(list.Matters) != 1 {
		t.Errorf("after refused requests there are %d matters, want 1", len(list.Matters))
	}
	if refused := count(e.auditActions()[before:], "matter.create:refused"); refused < 4 {
		t.Errorf("refused creates audited %d times, want at least the application-level refusals", refused)
	}
}

func TestUploadDownloadAndRefusals(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-2026-0100")
	data := pdf(strings.Repeat("scanned page\n", 5000))
	d := e.mustUpload(m.ID, data)
	if !d.Held || d.Size != int64(len(data)) || len(d.SHA256) != 64 || d.VersionID == "" {
		t.Fatalf("uploaded document = %+v", d)
	}
	held, err := e.app.Service.Evidence.LegalHold(context.Background(), d.Key, d.VersionID)
	if err != nil || !held {
		t.Fatalf("evidence legal hold = %v, %v; want on", held, err)
	}

	t.Run("BadUploads", func(t *testing.T) {
		cases := []struct {
			name, path, ctype string
			body              []byte
			status            int
			code              string
		}{
			{"NotPDF", "?pid=P7700123&doc_type=Contact&doc_date=2013-12-21", "application/pdf", []byte("PK\x03\x04zip"), 400, casehold.EINVALID},
			{"Truncated", "?pid=P7700123&doc_type=Contact&doc_date=2013-12-21", "application/pdf", data[:len(data)/2], 400, casehold.EINVALID},
			{"Empty", "?pid=P7700123&doc_type=Contact&doc_date=2013-12-21", "application/pdf", nil, 400, casehold.EINVALID},
			{"OverLimit", "?pid=P7700123&doc_type=Contact&doc_date=2013-12-21", "application/pdf", pdf(strings.Repeat("x", 2<<20)), 413, casehold.ETOOLARGE},
			{"WrongContentType", "?pid=P7700123&doc_type=Contact&doc_date=2013-12-21", "text/plain", data, 400, casehold.EINVALID},
			{"PIDNotInMatter", "?pid=P999&doc_type=Contact&doc_date=2013-12-21", "application/pdf", data, 400, casehold.EINVALID},
			{"BadDocDate", "?pid=P7700123&doc_type=Contact&doc_date=21.12.2013", "application/pdf", data, 400, casehold.EINVALID},
			{"UnknownDocType", "?pid=P7700123&doc_type=Selfie&doc_date=2013-12-21", "application/pdf", data, 400, casehold.EINVALID},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(coord, "POST", "/matters/"+m.ID+"/documents"+c.path, c.ctype, bytes.NewReader(c.body))
				if r.status != c.status || r.code(t) != c.code {
					t.Fatalf("got %d %s, want %d %s", r.status, r.body, c.status, c.code)
				}
			})
		}
		r := e.do(coord, "POST", "/matters/m-nope/documents?pid=P7700123&doc_type=Contact&doc_date=2013-12-21", "application/pdf", bytes.NewReader(data))
		if r.status != 404 {
			t.Errorf("unknown matter: %d %s", r.status, r.body)
		}
		r = e.do(tm, "POST", "/matters/"+m.ID+"/documents?pid=P7700123&doc_type=Contact&doc_date=2013-12-21", "application/pdf", bytes.NewReader(data))
		if r.status != 403 {
			t.Errorf("team manager upload: %d, want 403", r.status)
		}
		var list struct{ Documents []document }
		e.do(coord, "GET", "/matters/"+m.ID+"/documents", "", nil).json(t, &list)
		if len(list.Documents) != 1 {
			t.Errorf("after refused uploads the matter has %d documents, want 1", len(list.Documents))
		}
		// Nothing half-written is left in the evidence folder's temp area.
		tmp, _ := os.ReadDir(filepath.Join(e.app.Config.DataDir, "evidence", "tmp"))
		if len(tmp) != 0 {
			t.Errorf("%d temp files left behind by refused uploads", len(tmp))
		}
	})

	t.Run("Download", func(t *testing.T) {
		// Secured records are open to the coordinator and the staff on an access grant.
		if r := e.do(tm, "GET", "/documents/"+d.ID+"/content", "", nil); r.status != 403 {
			t.Fatalf("team manager without a grant: %d, want 403", r.status)
		}
		if r := e.postJSON(coord, "/matters/"+m.ID+"/access", map[string]string{"pid": "P7700123", "staff_id": tm, "team": "Assessment East",
			"role": "team manager", "name": "Owen Farrier", "approved_by": "Head of Service"}); r.status != 200 {
			t.Fatalf("grant: %d %s", r.status, r.body)
		}
		r := e.do(tm, "GET", "/documents/"+d.ID+"/content", "", nil)
		if r.status != 200 || !bytes.Equal(r.body, data) || r.header.Get("X-Casehold-Sha256") != d.SHA256 {
			t.Fatalf("download: %d, %d bytes, sha header %q", r.status, len(r.body), r.header.Get("X-Casehold-Sha256"))
		}
		if r := e.do(cso, "GET", "/documents/"+d.ID+"/content", "", nil); r.status != 403 {
			t.Errorf("helpdesk download: %d, want 403", r.status)
		}
		if r := e.do(sw, "GET", "/matters/"+m.ID+"/documents", "", nil); r.status != 403 {
			t.Errorf("social worker list: %d, want 403", r.status)
		}
		var link struct {
			URL    string
			Direct bool
			SHA256 string
		}
		e.do(tm, "GET", "/documents/"+d.ID+"/download-link", "", nil).json(t, &link)
		if link.Direct || link.URL != "/documents/"+d.ID+"/content" || link.SHA256 != d.SHA256 {
			t.Errorf("embedded download link = %+v", link)
		}
		acts := e.auditActions()
		// Refused: the team manager before the grant, and the helpdesk officer.
		if count(acts, "document.download:ok") != 1 || count(acts, "document.download:refused") != 2 {
			t.Errorf("downloads audited as %v", acts)
		}
	})

	t.Run("DeleteAndReplaceRefused", func(t *testing.T) {
		before := e.auditActions()
		if r := e.do(coord, "DELETE", "/documents/"+d.ID, "", nil); r.status != 423 || r.code(t) != casehold.EHELD {
			t.Errorf("delete held: %d %s", r.status, r.body)
		}
		if r := e.do(coord, "PUT", "/documents/"+d.ID+"/content", "application/pdf", bytes.NewReader(pdf("other"))); r.status != 423 || r.code(t) != casehold.EHELD {
			t.Errorf("replace held: %d %s", r.status, r.body)
		}
		after := e.auditActions()[len(before):]
		if count(after, "document.delete:refused") != 1 || count(after, "document.replace:refused") != 1 {
			t.Errorf("refusals audited as %v", after)
		}
		r := e.do(coord, "GET", "/documents/"+d.ID+"/content", "", nil)
		if !bytes.Equal(r.body, data) {
			t.Error("document changed after refused delete/replace")
		}
	})

	t.Run("TamperedEvidenceNotServedWhole", func(t *testing.T) {
		other := e.mustUpload(m.ID, pdf("a second scan"))
		// Alter the stored bytes behind casehold's back, as a disk fault or intruder would.
		var target string
		filepath.WalkDir(filepath.Join(e.app.Config.DataDir, "evidence"), func(p string, de os.DirEntry, err error) error {
			if err == nil && !de.IsDir() && strings.Contains(p, other.VersionID) && !strings.HasSuffix(p, ".json") {
				target = p
			}
			return nil
		})
		if target == "" {
			t.Fatal("evidence file layout not found")
		}
		os.Chmod(target, 0o644)
		if err := os.WriteFile(target, pdf("a forged scan!"), 0o444); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/documents/"+other.ID+"/content", nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens[coord])
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.ReadAll(res.Body)
			res.Body.Close()
		}
		if err == nil {
			t.Fatal("a tampered document downloaded without error")
		}
		if count(e.auditActions(), "evidence.integrity:failed") < 1 { // the client may retry the GET once
			t.Errorf("integrity failure not audited: %v", e.auditActions())
		}
	})
}

func TestHoldsReferenceCountedAcrossMatters(t *testing.T) {
	e := newEnv(t, nil)
	m1, m2 := e.createMatter("CCRC-A"), e.createMatter("CCRC-B")
	shared := e.mustUpload(m1.ID, pdf("shared"))
	only1 := e.mustUpload(m1.ID, pdf("only in m1"))
	r := e.do(coord, "PUT", "/matters/"+m2.ID+"/documents/"+shared.ID+"/hold", "", nil)
	if r.status != 200 {
		t.Fatalf("hold under m2: %d %s", r.status, r.body)
	}
	held := func(d document) bool {
		on, err := e.app.Service.Evidence.LegalHold(context.Background(), d.Key, d.VersionID)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}

	if r := e.postJSON(coord, "/matters/"+m1.ID+"/release", map[string]string{}); r.status != 400 {
		t.Errorf("release without reason: %d", r.status)
	}
	if r := e.postJSON(tm, "/matters/"+m1.ID+"/release", map[string]string{"reason": "direction withdrawn"}); r.status != 403 {
		t.Errorf("team manager release: %d", r.status)
	}
	var rel struct {
		Released  []string `json:"released"`
		StillHeld []string `json:"still_held"`
	}
	r = e.postJSON(coord, "/matters/"+m1.ID+"/release", map[string]string{"reason": "direction withdrawn"})
	if r.status != 200 {
		t.Fatalf("release m1: %d %s", r.status, r.body)
	}
	r.json(t, &rel)
	if fmt.Sprint(rel.Released) != fmt.Sprint([]string{only1.ID}) || fmt.Sprint(rel.StillHeld) != fmt.Sprint([]string{shared.ID}) {
		t.Errorf("release m1 = released %v still held %v", rel.Released, rel.StillHeld)
	}
	if !held(shared) || held(only1) {
		t.Errorf("after releasing m1: shared held=%v (want true), only1 held=%v (want false)", held(shared), held(only1))
	}
	if r := e.postJSON(coord, "/matters/"+m1.ID+"/release", map[string]string{"reason": "again"}); r.status != 409 {
		t.Errorf("second release: %d", r.status)
	}
	if r := e.upload(m1.ID, pdf("late")); r.status != 409 {
		t.Errorf("upload to released matter: %d %s", r.status, r.body)
	}
	// The unheld document still cannot be deleted through the API.
	if r := e.do(coord, "DELETE", "/documents/"+only1.ID, "", nil); r.status != 403 {
		t.Errorf("delete of released document: %d %s", r.status, r.body)
	}
	r = e.postJSON(coord, "/matters/"+m2.ID+"/release", map[string]string{"reason": "direction withdrawn"})
	r.json(t, &rel)
	if fmt.Sprint(rel.Released) != fmt.Sprint([]string{shared.ID}) || held(shared) {
		t.Errorf("release m2 = %v; shared held=%v", rel.Released, held(shared))
	}
	// EDT and the coordinator were told, with no names in the subject.
	mails, _ := filepath.Glob(filepath.Join(e.app.Config.DataDir, "outbox", "*.eml"))
	if len(mails) != 2 {
		t.Fatalf("%d notices in the outbox, want 2", len(mails))
	}
	b, _ := os.ReadFile(mails[0])
	if !bytes.Contains(b, []byte("edt@council.example")) || bytes.Contains(b, []byte("Testfield")) {
		t.Errorf("notice: %s", b)
	}
}

func TestPresignedUploadAndIdempotentIngest(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-UP")
	r := e.postJSON(coord, "/matters/"+m.ID+"/uploads", map[string]string{"pid": "P7700456", "doc_type": "Assessment", "doc_date": "2011-04-11", "filename": "big scan.pdf"})
	if r.status != 201 {
		t.Fatalf("create upload: %d %s", r.status, r.body)
	}
	var slot struct {
		URL, Method, Key string
	}
	r.json(t, &slot)
	// Printed for people to copy into curl: "&" as it is, not "\u0026".
	if bytes.Contains(r.body, []byte(`\u0026`)) || !strings.Contains(slot.URL, "&") {
		t.Errorf("upload slot JSON escapes the URL: %s", r.body)
	}
	put := func(url string, body []byte) (int, []byte) {
		req, _ := http.NewRequest(slot.Method, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/pdf")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	if st, b := put(strings.Replace(slot.URL, "signature=", "signature=00", 1), pdf("x")); st != 403 {
		t.Errorf("tampered signature: %d %s", st, b)
	}
	// A refused body (not a PDF) does not use up the slot: the right file can follow.
	if st, b := put(slot.URL, []byte("not a pdf at all")); st != 400 {
		t.Errorf("presigned PUT of a non-PDF: %d %s", st, b)
	}
	data := pdf("large scan via presigned url")
	st, b := put(slot.URL, data)
	if st != 201 {
		t.Fatalf("presigned PUT: %d %s", st, b)
	}
	var d document
	json.Unmarshal(b, &d)
	if !d.Held || d.Size != int64(len(data)) {
		t.Errorf("staged document = %+v", d)
	}
	if st, _ := put(slot.URL, data); st != 409 && st != 404 {
		t.Errorf("reusing the slot: %d, want 409", st)
	}
	// The same S3 event delivered again (as S3 may) makes nothing new.
	ev := events.S3Event{Records: []events.S3EventRecord{{EventName: "ObjectCreated:Put",
		S3: events.S3Entity{Object: events.S3Object{Key: slot.Key, VersionID: "1"}}}}}
	before := e.auditActions()
	for range 3 {
		if err := e.app.Uploads.Handle(context.Background(), ev); err != nil {
			t.Fatalf("redelivery: %v", err)
		}
	}
	if after := e.auditActions(); len(after) != len(before) {
		t.Errorf("redelivered events added audit entries: %v", after[len(before):])
	}
	var list struct{ Documents []document }
	e.do(coord, "GET", "/matters/"+m.ID+"/documents", "", nil).json(t, &list)
	if len(list.Documents) != 1 {
		t.Errorf("%d documents after redelivery, want 1", len(list.Documents))
	}
}

func TestAuditChainVerifies(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-AUD")
	e.mustUpload(m.ID, pdf("audited"))
	if r := e.do(tm, "GET", "/audit/verify", "", nil); r.status != 403 {
		t.Errorf("team manager audit: %d", r.status)
	}
	var rep struct {
		OK     bool
		Events int
	}
	if err := e.app.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := e.do(ig, "GET", "/audit/verify", "", nil)
	r.json(t, &rep)
	if r.status != 200 || !rep.OK || rep.Events < 3 {
		t.Fatalf("verify: %d %s", r.status, r.body)
	}
	var page struct{ Events []casehold.AuditEvent }
	e.do(ig, "GET", "/audit?after=0&limit=2", "", nil).json(t, &page)
	if len(page.Events) != 2 || page.Events[0].Seq != 1 {
		t.Errorf("audit page = %+v", page.Events)
	}
	if r := e.do(ig, "GET", "/audit?limit=0", "", nil); r.status != 400 {
		t.Errorf("limit=0: %d", r.status)
	}
}

func TestUnknownRouteAndInternalErrorsSayLittle(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(coord, "GET", "/nope", "", nil)
	if r.status != 404 || r.code(t) != casehold.ENOTFOUND {
		t.Errorf("unknown route: %d %s", r.status, r.body)
	}
	if r.header.Get("X-Request-Id") == "" {
		t.Error("no request id header")
	}
}

// syncBuffer collects log output written from server goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// FuzzCreateMatterJSON throws arbitrary bodies at the JSON parser and validation: the
// answer is always a 201 or a clear 4xx, never a 500 or a crash.
func FuzzCreateMatterJSON(f *testing.F) {
	f.Add(`{"reference":"R1","contact":"c","received_on":"2026-01-02","people":[{"pid":"P1","name":"N"}]}`)
	f.Add(`{"reference":`)
	f.Add(`[]`)
	f.Add(`{"people":[{"pid":"../../x","name":"\u0000"}]}`)
	e := newEnv(f, nil)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/matters", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.tokens[coord])
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.app.Handler.ServeHTTP(rec, req)
		if rec.Code != 201 && (rec.Code < 400 || rec.Code >= 500) {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		var b struct {
			Error struct{ Code, Message string }
		}
		if rec.Code != 201 && (json.Unmarshal(rec.Body.Bytes(), &b) != nil || b.Error.Message == "") {
			t.Fatalf("error response without a message: %s", rec.Body)
		}
	})
}

// TestUploadFilenames: an upload's filename goes through the same cleaner as an email
// attachment's; a name that would need more than that is refused, saying why.
func TestUploadFilenames(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-NAMES-1")
	cases := []struct {
		in, want string // want "" means refused with 400
	}{
		{"scan.pdf", "scan.pdf"},
		{`C:\\Scans\\Contact 21.12.2013.PDF`, "Contact 21.12.2013.PDF"},
		{"../../etc/passwd", "passwd.pdf"},
		{"contact", "contact.pdf"},
		{"bad\x01name.pdf", ""},
		{"fdp\u202e.exe", ""},
		{"..", ""},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			r := e.do(coord, "POST", "/matters/"+m.ID+"/documents?pid=P7700123&doc_type=Contact&doc_date=2013-12-21&filename="+url.QueryEscape(c.in),
				"application/pdf", bytes.NewReader(pdf("named "+c.in)))
			if c.want == "" {
				if r.status != 400 || r.code(t) != casehold.EINVALID {
					t.Fatalf("got %d %s, want 400", r.status, r.body)
				}
				return
			}
			mustStatus(t, r, 201, "upload")
			var d struct{ Filename string }
			r.json(t, &d)
			if d.Filename != c.want {
				t.Errorf("filename = %q, want %q", d.Filename, c.want)
			}
		})
	}
}

// A query string Go would read loosely is refused, naming the parameter, never its value:
// a malformed pair would be dropped and a second value ignored.
func TestQueryStringStrict(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-2026-0301")
	pdf := "%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
	base := "/matters/" + m.ID + "/documents?doc_type=Contact&doc_date=2013-12-21&pid=" + people[0].PID
	cases := []struct {
		name, query string
		status      int
		msg         string
	}{
		{"Plain", "", 201, ""},
		{"EscapedFilename", "&filename=a%20b.pdf", 201, ""},
		{"SecondPID", "&pid=P999", 400, `query parameter \"pid\" is given more than once`},
		{"BadEscape", "&filename=%zzsecret", 400, `query parameter \"filename\" is not URL-encoded correctly`},
		{"Semicolon", "&filename=a;b", 400, "the query string is malformed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(coord, "POST", base+c.query, "application/pdf", strings.NewReader(pdf))
			if r.status != c.status || !strings.Contains(string(r.body), c.msg) {
				t.Fatalf("got %d %s, want %d %q", r.status, r.body, c.status, c.msg)
			}
			if bytes.Contains(r.body, []byte("secret")) {
				t.Errorf("the refusal repeats a value: %s", r.body)
			}
		})
	}
	if r := e.do(coord, "GET", "/matters?status=open&status=released", "", nil); r.status != 400 {
		t.Errorf("a list with two statuses: %d %s, want 400", r.status, r.body)
	}
}
