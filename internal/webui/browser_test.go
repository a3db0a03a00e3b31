package webui_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/pdftext"
	"github.com/casehold/casehold/internal/wire"
)

// The browser tests drive Debian's chromium (installed by `make test`) through chromedp.
// Without chromium they skip with a note, unless CASEHOLD_REQUIRE_BROWSER=1 (make test sets
// it), when they fail. axe-core (installed by make test into the cache; its path in
// CASEHOLD_AXE_JS) checks every page visited for serious and critical accessibility
// violations. CASEHOLD_SCREENSHOTS=1 saves the main pages to docs/screenshots.

func requireBrowser(t *testing.T) (chromium, axe string) {
	t.Helper()
	required := os.Getenv("CASEHOLD_REQUIRE_BROWSER") == "1"
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	axe = os.Getenv("CASEHOLD_AXE_JS")
	if _, err := os.Stat(axe); axe == "" || err != nil {
		axe = ""
	}
	switch {
	case chromium != "" && axe != "":
		return chromium, axe
	case required:
		t.Fatalf("CASEHOLD_REQUIRE_BROWSER=1 but chromium=%q axe-core=%q (make test installs both)", chromium, os.Getenv("CASEHOLD_AXE_JS"))
	default:
		t.Skip("browser tests skipped: no chromium on PATH or CASEHOLD_AXE_JS unset (make test installs both and sets CASEHOLD_REQUIRE_BROWSER=1)")
	}
	return "", ""
}

type browserEnv struct {
	t       *testing.T
	app     *wire.App
	srv     *httptest.Server
	alloc   context.Context
	root    context.Context // the first browser's context; the others are made in it
	axe     string
	shots   string
	visited map[string]bool
}

func newBrowserEnv(t *testing.T) *browserEnv {
	chromium, axePath := requireBrowser(t)
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	cfg.MaxUploadBytes = 16 << 20
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	cfg.PublicURL = srv.URL
	a, err := wire.Build(context.Background(), cfg, wire.Logger(cfg, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	h = a.Handler
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(chromium), chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1200, 900)}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	e := &browserEnv{t: t, app: a, srv: srv, alloc: alloc, axe: string(axe), visited: map[string]bool{}}
	if os.Getenv("CASEHOLD_SCREENSHOTS") == "1" {
		e.shots = filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(e.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// browser opens a browser (the first call) or a fresh, cookie-less browser context in it:
// one per member of staff.
func (e *browserEnv) browser() context.Context {
	var ctx context.Context
	var cancel context.CancelFunc
	if e.root == nil {
		ctx, cancel = chromedp.NewContext(e.alloc)
		e.root = ctx
	} else {
		ctx, cancel = chromedp.NewContext(e.root, chromedp.WithNewBrowserContext())
	}
	e.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		e.t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func (e *browserEnv) run(ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		e.fatal(ctx, what, err)
	}
}

func (e *browserEnv) fatal(ctx context.Context, what string, err error) {
	e.t.Helper()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	e.t.Fatalf("%s: %v (at %s)\n%.800s", what, err, loc, body)
}

// get runs one action that returns a value.
func get[T any](e *browserEnv, ctx context.Context, what string, a chromedp.Action[T]) T {
	e.t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		e.fatal(ctx, what, err)
	}
	return v
}

// check runs axe-core on the page: no serious or critical violations. It names the page
// by its path, so each page is reported once.
func (e *browserEnv) check(ctx context.Context, page string) {
	e.t.Helper()
	get(e, ctx, "load axe", chromedp.Evaluate[bool](e.axe+";\ntrue"))
	violations := get(e, ctx, "axe "+page, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
			.filter(v => v.impact === 'serious' || v.impact === 'critical')
			.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' [' + v.nodes.map(n => n.target.join(' ')).join('; ') + ']'))`,
		chromedp.EvalAwaitPromise))
	for _, v := range violations {
		e.t.Errorf("accessibility (%s): %s", page, v)
	}
	e.visited[page] = true
}

func (e *browserEnv) screenshot(ctx context.Context, name string) {
	e.t.Helper()
	if e.shots == "" {
		return
	}
	png := get(e, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(e.shots, name+".png"), png, 0o644); err != nil {
		e.t.Fatal(err)
	}
}

func (e *browserEnv) signIn(ctx context.Context, staffID string) {
	e.t.Helper()
	e.run(ctx, "sign in as "+staffID, chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`input[name=staff_id]`)))
	e.check(ctx, "sign-in")
	e.run(ctx, "choose "+staffID, chromedp.Click(chromedp.CSS(`input[value="`+staffID+`"]`)))
	e.clickAndLoad(ctx, "sign in", `form[action="/ui/sign-in"] button`)
}

func (e *browserEnv) text(ctx context.Context, sel string) string {
	e.t.Helper()
	return get(e, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// submit fills a form's text fields (id -> value), sets selects, and presses its button.
func (e *browserEnv) fill(ctx context.Context, what string, values map[string]string) {
	e.t.Helper()
	var actions []chromedp.Action[chromedp.Void]
	for id, v := range values {
		actions = append(actions, chromedp.SetValue(chromedp.CSS("#"+id), v))
	}
	e.run(ctx, what, actions...)
}

func (e *browserEnv) submit(ctx context.Context, what string) {
	e.t.Helper()
	e.clickAndLoad(ctx, what, `main form[method=post] button[type=submit]`)
}

// clickAndLoad clicks and waits for the next page to have loaded: the old page is marked
// first, so a check cannot read it while the new one is on its way.
func (e *browserEnv) clickAndLoad(ctx context.Context, what, sel string) {
	e.t.Helper()
	get(e, ctx, what+": mark the page", chromedp.Evaluate[bool](`document.documentElement.dataset.stale = '1'; true`))
	e.run(ctx, what, chromedp.Click(chromedp.CSS(sel)))
	deadline := time.Now().Add(20 * time.Second)
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		loaded, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`!document.documentElement.dataset.stale && document.readyState === 'complete' && !!document.querySelector('h1')`))
		cancel()
		if err == nil && loaded {
			return
		}
		if time.Now().After(deadline) {
			e.fatal(ctx, what+": the next page did not load", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBrowserJourney: a coordinator signs in, opens a CCRC matter (making a mistake
// first), uploads two scans with the progress shown, completes the checklist, previews
// and confirms; the upload page is worked by keyboard alone; a helpdesk officer looks up a
// locked PID and passes a contact on; a team manager outside the lock is refused.
func TestBrowserJourney(t *testing.T) {
	e := newBrowserEnv(t)
	ctx := context.Background()
	yesterday := casehold.DateOf(time.Now().UTC().AddDate(0, 0, -1)).String()
	const pid, reference = "P7700123", "CCRC/00777/2026"

	coord := e.browser()
	e.signIn(coord, "s-coord-01")
	if h := e.text(coord, "h1"); h != "My work" {
		t.Fatalf("after sign-in: %q, want My work", h)
	}
	e.check(coord, "my-work")

	// A form with a mistake: the error summary, the message at the field, the input kept.
	e.clickAndLoad(coord, "open the new matter form", `a[href="/ui/matters/new"]`)
	e.fill(coord, "new matter", map[string]string{"reference": reference, "contact": "Case Review Manager, CCRC",
		"received_on": "2099-01-01", "people": pid + ", Rowan Testfield"})
	e.submit(coord, "submit the mistake")
	summary := e.text(coord, ".govuk-error-summary")
	if !strings.Contains(summary, "There is a problem") || !strings.Contains(summary, "Date received must not be in the future") {
		t.Errorf("error summary = %q", summary)
	}
	if msg := e.text(coord, "#received_on-error"); !strings.Contains(msg, "Date received must not be in the future") {
		t.Errorf("message at the field = %q", msg)
	}
	kept := get(e, coord, "kept reference", chromedp.Value(chromedp.CSS("#reference")))
	keptPeople := get(e, coord, "kept people", chromedp.Value(chromedp.CSS("#people")))
	title := get(e, coord, "title", chromedp.Title())
	if kept != reference || !strings.Contains(keptPeople, "Rowan Testfield") {
		t.Errorf("input not kept: reference %q, people %q", kept, keptPeople)
	}
	if !strings.HasPrefix(title, "Error: ") {
		t.Errorf("title %q should start with Error:", title)
	}
	e.check(coord, "new-matter-error")
	e.screenshot(coord, "error-summary")
	e.fill(coord, "fix the date", map[string]string{"received_on": yesterday})
	e.submit(coord, "open the matter")
	loc := get(e, coord, "location", chromedp.Location())
	if !strings.Contains(loc, "/ui/matters/m-") {
		t.Fatalf("after opening: at %s", loc)
	}
	matterURL := loc
	matterID := loc[strings.LastIndex(loc, "/")+1:]
	if strings.Contains(loc, pid) || strings.Contains(title, "Rowan") {
		t.Error("personal data in the URL or title")
	}
	e.check(coord, "matter")

	// Upload two scans at once: one request a file, each with its progress bar.
	dir := t.TempDir()
	var files []string
	// The second is over the 5 MiB a request through API Gateway and Lambda may carry, so it
	// goes by presigned PUT to the staging store (this server's, locally) and is secured there.
	large := "second scan\n" + strings.Repeat("% padding of a large scan\n", 6<<20/26)
	for i, body := range []string{"first scan", large} {
		p := filepath.Join(dir, fmt.Sprintf("scan-%d.pdf", i+1))
		if err := os.WriteFile(p, []byte("%PDF-1.4\n"+body+"\n%%EOF\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	e.run(coord, "choose the scans", chromedp.SetValue(chromedp.CSS("#doc_type"), "Contact"), chromedp.SetValue(chromedp.CSS("#doc_date"), "2013-12-21"),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), files),
		chromedp.Click(chromedp.CSS(`form[data-upload] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.casehold-progress__item--done + .casehold-progress__item--done`)))
	bars := get(e, coord, "read progress", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.casehold-progress__item')).filter(li => li.querySelector('progress')).map(li => li.querySelector('progress').value + ' ' + li.textContent)`))
	if len(bars) != 2 {
		t.Fatalf("progress items = %q, want one per file", bars)
	}
	for _, b := range bars {
		if !strings.HasPrefix(b, "100 ") || !strings.Contains(b, "Secured. SHA-256 ") || !strings.Contains(b, "Legal hold: on") {
			t.Errorf("progress item %q: want a full bar, the SHA-256 and the hold", b)
		}
	}
	// The large one took the presigned path: an upload slot was asked for on this matter.
	if err := e.app.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := e.app.Service.Store.ListAuditBy(ctx, casehold.AuditFilter{MatterID: loc[strings.LastIndex(loc, "/")+1:]}, 0, 100)
	if err != nil || !slices.ContainsFunc(evs, func(ev casehold.AuditEvent) bool { return ev.Action == "upload.create" }) {
		t.Errorf("the large scan did not go through a presigned upload (%v)", err)
	}
	e.check(coord, "matter-uploaded")
	e.screenshot(coord, "upload-progress")

	// Keyboard alone: Tab from the top reaches every control of the upload form, in order.
	e.run(coord, "reload", chromedp.Navigate(matterURL), chromedp.WaitVisible(chromedp.CSS("#file")))
	var order []string
	for i := 0; i < 60 && len(order) < 200; i++ {
		e.run(coord, "tab", chromedp.KeyEvent(kb.Tab))
		id := get(e, coord, "focus", chromedp.Evaluate[string](`(document.activeElement.id || document.activeElement.textContent.trim())`))
		order = append(order, id)
		if id == "Upload and secure" {
			break
		}
	}
	want := []string{"Skip to main content", "pid", "doc_type", "doc_date", "file", "Upload and secure"}
	at := 0
	for _, id := range order {
		if at < len(want) && id == want[at] {
			at++
		}
	}
	if at < len(want) {
		t.Errorf("tabbing reached %q; want %q in that order", order, want)
	}
	e.run(coord, "enter on skip link", chromedp.Navigate(matterURL), chromedp.WaitVisible(chromedp.CSS("#file")), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter))
	drop := get(e, coord, "skip", chromedp.Evaluate[bool](`document.activeElement.id === 'main-content' || location.hash === '#main-content'`))
	if !drop {
		t.Error("the skip link does not move to the main content")
	}

	// The checklist, step by step.
	steps := []struct {
		action string
		values map[string]string
		radio  string
	}{
		{"area", map[string]string{"area": "social_care", "lead_officer": "Avery Lead", "notified_on": yesterday}, ""},
		{"electronic", map[string]string{"system": "CCM", "authorised_by": "Harper Head", "authorised_role": "head_of_service",
			"authorised_on": yesterday, "secured_on": yesterday, "edt_told_on": yesterday}, ""},
		{"paper", nil, "#exists-1"},
		{"contact-email", map[string]string{"contact_email": "case.review@review.example"}, ""},
	}
	for _, s := range steps {
		e.run(coord, "open "+s.action, chromedp.Navigate(matterURL+"/do/"+s.action), chromedp.WaitVisible(chromedp.CSS("main form")))
		e.check(coord, "action-"+s.action)
		e.fill(coord, s.action, s.values)
		if s.radio != "" {
			e.run(coord, "radio", chromedp.Click(chromedp.CSS(s.radio)))
		}
		e.submit(coord, "save "+s.action)
		if n := e.text(coord, "h1"); n != reference {
			t.Fatalf("after %s: at %q (want the matter page): %s", s.action, n, e.text(coord, "main"))
		}
	}
	if ready := e.text(coord, "#progress + p"); !strings.Contains(ready, "Ready to confirm") {
		t.Errorf("after the checklist: %q, want Ready to confirm", ready)
	}
	e.check(coord, "matter-complete")
	e.screenshot(coord, "matter")

	// Preview (a PDF marked DRAFT), then confirm.
	preview := get(e, coord, "preview", chromedp.Evaluate[string](`fetch('/ui/matters/`+matterID+`/confirmation-form.pdf').then(r => r.status + ' ' + r.headers.get('content-type'))`, chromedp.EvalAwaitPromise))
	if preview != "200 application/pdf" {
		t.Errorf("preview: %q", preview)
	}
	// The bytes the browser received, read as text: marked DRAFT.
	b64 := get(e, coord, "preview bytes", chromedp.Evaluate[string](`fetch('/ui/matters/`+matterID+`/confirmation-form.pdf').then(r => r.arrayBuffer()).then(b => {
		let s = ''; for (const c of new Uint8Array(b)) s += String.fromCharCode(c); return btoa(s) })`, chromedp.EvalAwaitPromise))
	raw, _ := base64.StdEncoding.DecodeString(b64)
	if doc, err := pdftext.Read(raw); err != nil || !strings.Contains(doc.Text(), "DRAFT") || !strings.Contains(doc.Text(), reference) {
		t.Errorf("the preview is not the matter's form marked DRAFT (%v)", err)
	}
	e.run(coord, "open confirm", chromedp.Navigate(matterURL+"/do/confirm"), chromedp.WaitVisible(chromedp.CSS("#approved_by")))
	e.check(coord, "action-confirm")
	e.fill(coord, "confirm", map[string]string{"approved_by": "Harper Head", "approver_role": "head_of_service", "approved_on": yesterday, "officer_phone": "01632 960001"})
	e.submit(coord, "confirm")
	if n := e.text(coord, ".govuk-notification-banner"); !strings.Contains(n, "Confirmed") {
		t.Errorf("after confirming: %q", n)
	}
	e.run(coord, "documents", chromedp.Navigate(matterURL+"/documents"), chromedp.WaitVisible(chromedp.CSS("table")))
	e.check(coord, "documents")
	e.screenshot(coord, "documents")
	e.run(coord, "my work", chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("table")))
	e.screenshot(coord, "my-work")

	// The evidence pack, from the matter page's button: the job's page refreshes itself
	// until the pack is ready (built here as the local server's goroutine would build it).
	if err := e.app.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	e.run(coord, "matter page", chromedp.Navigate(matterURL), chromedp.WaitVisible(chromedp.CSS("#evidence-pack")))
	e.clickAndLoad(coord, "export evidence pack", `form[action="/ui/matters/`+matterID+`/exports"] button`)
	e.check(coord, "export-job")
	jobURL := get(e, coord, "job page", chromedp.Location())
	jobID := jobURL[strings.LastIndex(jobURL, "/")+1:]
	if err := e.app.Exports.Build(ctx, jobID); err != nil {
		t.Fatalf("build the pack: %v", err)
	}
	e.run(coord, "the job page refreshes to ready", chromedp.WaitVisible(chromedp.CSS(".govuk-panel--confirmation")))
	e.check(coord, "export-ready")
	e.screenshot(coord, "export")
	packStatus := get(e, coord, "download the pack", chromedp.Evaluate[string](`fetch('/ui/exports/`+jobID+`/download').then(r => r.status + ' ' + r.headers.get('content-type'))`, chromedp.EvalAwaitPromise))
	if packStatus != "200 application/zip" {
		t.Errorf("pack download from the page: %q", packStatus)
	}

	// The child is then locked at once by system support (a sudden death), owned by the
	// service manager; the team manager has a grant on the matter but is not on the lock.
	docs, err := e.app.Service.ListDocuments(ctx, actor(t, "s-coord-01"), matterID)
	if err != nil || len(docs) < 2 {
		t.Fatalf("documents: %v %d", err, len(docs))
	}
	if _, err := e.app.Service.AddAccess(ctx, actor(t, "s-coord-01"), matterID, casehold.AccessGrant{PID: pid, StaffID: "s-tm-01",
		Team: "Assessment East", Role: "team manager", Name: "Owen Farrier", ApprovedBy: "Harper Head"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Service.RequestLock(ctx, actor(t, "s-support-01"), app.LockInput{PID: pid, Owner: "s-sm-01", Reason: casehold.LockUnexplainedDeath}); err != nil {
		t.Fatal(err)
	}

	// A helpdesk officer looks the PID up: "locked to <owner>", nothing else; the contact
	// they take is passed on.
	cso := e.browser()
	e.signIn(cso, "s-cso-01")
	e.run(cso, "helpdesk", chromedp.Navigate(e.srv.URL+"/ui/helpdesk"), chromedp.WaitVisible(chromedp.CSS("#pid")))
	e.check(cso, "helpdesk")
	e.fill(cso, "lookup", map[string]string{"pid": pid})
	e.submit(cso, "look up")
	if r := e.text(cso, "#lookup-result"); !strings.Contains(r, "locked to Ruth Calloway") {
		t.Errorf("lookup = %q, want locked to the owner", r)
	}
	if body := e.text(cso, "main"); strings.Contains(body, "Rowan") || strings.Contains(body, reference) {
		t.Error("the helpdesk page shows more than the lock's owner")
	}
	e.check(cso, "helpdesk-locked")
	e.screenshot(cso, "helpdesk")
	e.fill(cso, "contact", map[string]string{"summary": "Caller asked for the allocated worker to ring back."})
	e.submit(cso, "pass the contact on")
	if n := e.text(cso, ".govuk-notification-banner"); !strings.Contains(n, "passed on") {
		t.Errorf("after the contact: %q", n)
	}

	// A team manager outside the lock is refused the locked child's document.
	tm := e.browser()
	e.signIn(tm, "s-tm-01")
	e.run(tm, "open the locked document", chromedp.Navigate(e.srv.URL+"/ui/documents/"+docs[0].ID), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h := e.text(tm, "h1"); h != "You do not have access to this" {
		t.Errorf("team manager outside the lock: %q, want refused", h)
	}
	e.check(tm, "refused")
	e.screenshot(tm, "refused")
	status := get(e, tm, "status", chromedp.Evaluate[int](`fetch('/ui/documents/`+docs[0].ID+`/content').then(r => r.status)`, chromedp.EvalAwaitPromise))
	if status != http.StatusForbidden {
		t.Errorf("download by the team manager outside the lock: %d, want 403", status)
	}
	e.run(tm, "locks", chromedp.Navigate(e.srv.URL+"/ui/locks"), chromedp.WaitVisible(chromedp.CSS("h1")))
	e.check(tm, "locks")
	e.screenshot(tm, "locks")

	// Information governance: who saw this child, and verify.
	ig := e.browser()
	e.signIn(ig, "s-ig-01")
	if err := e.app.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	e.run(ig, "audit", chromedp.Navigate(e.srv.URL+"/ui/audit"), chromedp.WaitVisible(chromedp.CSS("#pid")))
	e.fill(ig, "who saw", map[string]string{"pid": pid})
	e.submit(ig, "who saw")
	if rows := e.text(ig, "main"); !strings.Contains(rows, "document.download") || !strings.Contains(rows, "refused") {
		t.Errorf("who saw this child: want the team manager's refused download among the rows:\n%.600s", rows)
	}
	e.check(ig, "who-saw")
	e.screenshot(ig, "who-saw")
	e.clickAndLoad(ig, "verify", `form[action="/ui/audit/verify"] button`)
	if v := e.text(ig, "#verify-result"); !strings.Contains(v, "checks out") {
		t.Errorf("verify: %q", v)
	}

	// Retention and reminders: the disposal review, a decision with its reason left out
	// (the error summary), the classify form, and the next reminder sweep's dry run.
	// One document classified long past its date and released from the matter's hold, so
	// the review lists it.
	if _, err := e.app.Service.ClassifyDocument(ctx, actor(t, "s-ig-01"), docs[1].ID, app.ClassifyInput{Category: "other_social_care", ClosureDate: "2012-01-31"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Service.ReleaseMatter(ctx, actor(t, "s-coord-01"), matterID, app.ReleaseInput{Reason: "direction withdrawn"}); err != nil {
		t.Fatal(err)
	}
	e.clickAndLoad(ig, "disposal review", `a[href="/ui/disposals"]`)
	if s := e.text(ig, "main table"); !strings.Contains(s, docs[1].ID) {
		t.Errorf("disposal review: %s not listed:\n%s", docs[1].ID, s)
	}
	if h := e.text(ig, "h1"); h != "Disposal review" {
		t.Errorf("disposal review: %q", h)
	}
	e.check(ig, "disposals")
	e.screenshot(ig, "disposals")
	e.run(ig, "decide", chromedp.Navigate(e.srv.URL+"/ui/disposals/"+docs[0].ID), chromedp.WaitVisible(chromedp.CSS("#reason")))
	e.check(ig, "disposal")
	e.run(ig, "choose approve", chromedp.Click(chromedp.CSS(`input[name=decision][value=approve]`)))
	e.submit(ig, "decide without a reason")
	if s := e.text(ig, ".govuk-error-summary"); !strings.Contains(s, "Reason is required") {
		t.Errorf("decision without a reason: error summary %q", s)
	}
	e.check(ig, "disposal-error")
	e.run(ig, "classify", chromedp.Navigate(e.srv.URL+"/ui/documents/"+docs[0].ID+"/classify"), chromedp.WaitVisible(chromedp.CSS("#category")))
	e.check(ig, "classify")
	e.clickAndLoad(ig, "reminders", `a[href="/ui/reminders"]`)
	if h := e.text(ig, "h1"); h != "What the next reminder sweep would send" {
		t.Errorf("reminders: %q", h)
	}
	e.check(ig, "reminders")
	e.screenshot(ig, "reminders")
}

func actor(t *testing.T, id string) casehold.Actor {
	t.Helper()
	a, ok := auth.DemoByID(id)
	if !ok {
		t.Fatalf("no demo staff %s", id)
	}
	return a
}
