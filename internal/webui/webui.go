// Package webui is casehold's staff web UI: server-rendered pages (html/template, GOV.UK
// Frontend) served by the same net/http handler as the JSON API. Pages parse forms and
// render; every decision is the app package's, through the same use cases and the same
// access policy the API calls. Pages work without JavaScript; the one script only enhances
// (upload progress, drag and drop).
package webui

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/workdays"
)

//go:embed templates/*.html
var templateFS embed.FS

// Config is how the UI signs people in and keeps their session.
type Config struct {
	// Local offers the seeded demo staff on the sign-in page (local mode only).
	Local bool
	// OIDC signs staff in through the council's identity provider (nil in local mode).
	OIDC *OIDCConfig
	// SessionKey seals session cookies (at least 32 bytes).
	SessionKey []byte
	// Secure marks cookies Secure; false only for a local server on plain http.
	Secure bool
	// IdleTimeout ends a session unused this long; MaxAge ends any session this old.
	IdleTimeout, MaxAge time.Duration
	// Council is shown in the header.
	Council string
	// DirectUploadMax: files larger than this go from the browser straight to the staging
	// store through a presigned PUT (API Gateway takes 10 MB, Lambda 6 MB); 0 means 5 MiB.
	DirectUploadMax int64
	// UploadOrigins are the origins of presigned upload URLs other than this server's (the
	// upload bucket in AWS), allowed as connect-src in the Content-Security-Policy.
	UploadOrigins []string
}

// UI is the web UI. Build it with New.
type UI struct {
	App       *app.Service
	Log       *slog.Logger
	RequestID func(context.Context) string
	cfg       Config
	sessions  *sessions
	oidc      *oidcClient
	pages     map[string]*template.Template
	assets    *assets
	csp       string
}

// Route is one page route. Roles lists who the page is for (nil: anyone signed in); the
// use case behind it decides, the list only documents and lets the matrix test check.
type Route struct {
	Method, Path string
	Handler      http.HandlerFunc
	Public       bool // reachable without a session (sign-in, assets)
	Roles        []casehold.Role
}

// New builds the UI. With OIDC configured, the provider is discovered at the first sign-in
// (see oidcClient).
func New(ctx context.Context, svc *app.Service, log *slog.Logger, requestID func(context.Context) string, cfg Config) (*UI, error) {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = 8 * time.Hour
	}
	if !cfg.Local && cfg.OIDC == nil {
		return nil, fmt.Errorf("web UI: no way to sign in (local mode or OpenID Connect is needed)")
	}
	ss, err := newSessions(cfg.SessionKey, cfg.Secure, cfg.IdleTimeout, cfg.MaxAge)
	if err != nil {
		return nil, fmt.Errorf("web UI: %w", err)
	}
	if cfg.DirectUploadMax == 0 {
		cfg.DirectUploadMax = 5 << 20
	}
	u := &UI{App: svc, Log: log, RequestID: requestID, cfg: cfg, sessions: ss}
	u.csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src " + strings.Join(append([]string{"'self'"}, cfg.UploadOrigins...), " ") +
		"; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
	if u.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if u.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if cfg.OIDC != nil {
		if u.oidc, err = newOIDCClient(*cfg.OIDC); err != nil {
			return nil, err
		}
	}
	return u, nil
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"date": func(d casehold.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.Time().Format("2 January 2006")
	},
	// category is a retention category's title in the schedule ("adoption_enquiry" reads
	// as the schedule names it); an unknown code is shown as it is.
	"category": func(code string) string {
		if r, err := casehold.Schedule().Rule(code); err == nil && r.Title != "" {
			return r.Title
		}
		return code
	},
	// Staff read times in the council's time, GMT or BST as the day is.
	"when": func(t time.Time) string { return t.In(workdays.London()).Format("2 January 2006 15:04 MST") },
	"abs": func(n int) int {
		if n < 0 {
			return -n
		}
		return n
	},
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	},
	"deref": func(p *int) int { return *p },
	"add":   func(a, b int) int { return a + b },
	"human": human,
	"navItem": func(cur, key, href, label string) map[string]any {
		return map[string]any{"Active": cur == key, "Href": href, "Label": label}
	},
}

func parsePages() (map[string]*template.Template, error) {
	entries, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, e := range entries {
		name := strings.TrimPrefix(e, "templates/")
		if name == "layout.html" || name == "form.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/form.html", e)
		if err != nil {
			return nil, fmt.Errorf("web UI template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// Routes is the UI's route table: served by the API's handler, kept apart from the API's
// own table because these answer HTML and are not in the OpenAPI description.
func (u *UI) Routes() []Route {
	any := []casehold.Role(nil)
	matterRoles := []casehold.Role{casehold.RoleCoordinator, casehold.RoleLegal, casehold.RoleIG, casehold.RoleTeamManager}
	audit := []casehold.Role{casehold.RoleIG, casehold.RoleCoordinator, casehold.RoleLegal}
	lookup := []casehold.Role{casehold.RoleHelpdesk, casehold.RoleSupport, casehold.RoleEDT, casehold.RoleSocialWorker, casehold.RoleTeamManager}
	intake := []casehold.Role{casehold.RoleCoordinator, casehold.RoleLegal}
	rs := []Route{
		{"GET", "/{$}", u.page(u.myWork), false, any},
		{"GET", "/assets/{path...}", u.serveAsset, true, any},
		{"GET", "/ui/sign-in", u.signInPage, true, any},
		{"POST", "/ui/sign-in", u.signInLocal, true, any},
		{"GET", "/ui/sign-in/oidc", u.signInOIDC, true, any},
		{"GET", "/ui/auth/callback", u.oidcCallback, true, any},
		{"POST", "/ui/sign-out", u.page(u.signOut), false, any},
		{"GET", "/ui/matters/new", u.page(u.need(casehold.ActCreateMatter, u.newMatterPage)), false, intake},
		{"POST", "/ui/matters/new", u.page(u.need(casehold.ActCreateMatter, u.createMatter)), false, intake},
		{"GET", "/ui/matters/released", u.page(u.need(casehold.ActReadMatter, u.releasedMatters)), false, matterRoles},
		{"GET", "/ui/matters/{id}", u.page(u.matterPage), false, matterRoles},
		{"POST", "/ui/matters/{id}/documents", u.page(u.uploadDocuments), false, intake},
		{"POST", "/ui/matters/{id}/uploads", u.page(u.need(casehold.ActUploadDocument, u.createUploadSlot)), false, intake},
		{"GET", "/ui/matters/{id}/documents", u.page(u.documentsPage), false, matterRoles},
		{"GET", "/ui/matters/{id}/confirmation-form.pdf", u.page(u.previewForm), false, matterRoles},
		{"GET", "/ui/matters/{id}/do/{action}", u.page(u.actionPage), false, matterRoles},
		{"POST", "/ui/matters/{id}/do/{action}", u.page(u.doAction), false, matterRoles},
		{"GET", "/ui/documents/{doc}", u.page(u.documentPage), false, matterRoles},
		{"GET", "/ui/documents/{doc}/content", u.page(u.downloadDocument), false, matterRoles},
		{"GET", "/ui/locks", u.page(u.locksPage), false, any},
		{"POST", "/ui/locks", u.page(u.need(casehold.ActLockRequest, u.requestLock)), false, []casehold.Role{casehold.RoleTeamManager, casehold.RoleSupport}},
		{"GET", "/ui/locks/{lock}/do/{action}", u.page(u.lockActionPage), false, any},
		{"POST", "/ui/locks/{lock}/do/{action}", u.page(u.doLockAction), false, any},
		{"GET", "/ui/helpdesk", u.page(u.need(casehold.ActLockLookup, u.helpdeskPage)), false, lookup},
		{"POST", "/ui/helpdesk/lookup", u.page(u.need(casehold.ActLockLookup, u.lookupPID)), false, lookup},
		{"POST", "/ui/helpdesk/contact", u.page(u.need(casehold.ActLockLookup, u.recordContact)), false, lookup},
		{"GET", "/ui/audit", u.page(u.need(casehold.ActReadAudit, u.auditPage)), false, audit},
		{"POST", "/ui/audit/who-saw", u.page(u.need(casehold.ActReadAudit, u.whoSaw)), false, audit},
		{"POST", "/ui/audit/verify", u.page(u.need(casehold.ActReadAudit, u.verifyAudit)), false, audit},
		{"GET", "/ui/triage", u.page(u.triagePage), false, intake},
		{"POST", "/ui/triage/{in}/assign", u.page(u.need(casehold.ActUploadDocument, u.assignInbound)), false, intake},
		{"GET", "/ui/", u.page(u.notFound), false, any},
	}
	rs = append(rs, u.retentionRoutes()...)
	rs = append(rs, u.exportRoutes()...)
	rs = append(rs, u.reminderRoutes()...)
	for i := range rs {
		rs[i].Handler = u.secured(rs[i].Handler)
	}
	return rs
}

// secured sets the headers every UI answer carries. The CSP allows only this origin's own
// scripts and styles (no inline script or style anywhere); pages are never cached, since
// they show case content.
func (u *UI) secured(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		csp := u.csp
		if csp == "" { // a UI built without New (route listing in tests)
			csp = "default-src 'none'"
		}
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		next(w, r)
	}
}

// page wraps a handler that needs a signed-in member of staff: it opens the session (or
// sends the browser to sign in), refreshes its idle clock, checks the CSRF token of every
// POST, and puts the actor where the logging middleware and the use cases find it.
func (u *UI) page(next func(w http.ResponseWriter, r *http.Request, ss *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		now := u.App.Clock.Now()
		ss, err := u.sessions.read(r, now)
		if err != nil || ss.Actor == nil {
			if r.Method == http.MethodGet {
				fresh := u.sessions.fresh(now)
				if r.URL.Path != "/" {
					fresh.Next = r.URL.Path
				}
				u.sessions.write(w, fresh)
				http.Redirect(w, r, "/ui/sign-in", http.StatusSeeOther)
				return
			}
			u.renderError(w, r, nil, http.StatusForbidden, "Your session has ended", "Sign in again; what you entered was not saved.")
			return
		}
		ended, err := u.App.SessionEnded(r.Context(), *ss.Actor, ss.ID)
		if err != nil {
			u.renderError(w, r, nil, http.StatusServiceUnavailable, "Sorry, there is a problem with the service", "We could not check your session. Try again in a few minutes.")
			return
		}
		if ended {
			u.sessions.clear(w)
			u.renderError(w, r, nil, http.StatusForbidden, "Your session has ended", "You signed out of this session. Sign in again.")
			return
		}
		if r.Method == http.MethodPost && !u.csrfOK(r, ss) {
			u.renderError(w, r, ss, http.StatusForbidden, "This form has expired", "Go back, reload the page and try again.")
			return
		}
		ss.Seen = now.Unix()
		u.sessions.write(w, ss)
		*r = *r.WithContext(auth.WithActor(r.Context(), *ss.Actor))
		next(w, r, ss)
	}
}

// csrfOK compares the form's (or, for the upload script, the header's) token with the
// session's. Multipart uploads carry it in the header or the query, since the form body is
// streamed and the token must be checked before any file is read.
func (u *UI) csrfOK(r *http.Request, ss *session) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		tok = r.PostFormValue("csrf")
	}
	if tok == "" {
		tok = r.URL.Query().Get("csrf")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(ss.CSRF)) == 1
}

// need refuses a page to a role the domain's role table does not give the action, before
// the form is read (so a wrong role is told so, not that a field is missing), and audits
// the refusal as a use case would.
func (u *UI) need(act casehold.Action, next func(http.ResponseWriter, *http.Request, *session)) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, ss *session) {
		if err := u.App.Authorize(r.Context(), actorOf(r), act); err != nil {
			u.fail(w, r, ss, err)
			return
		}
		next(w, r, ss)
	}
}

func actorOf(r *http.Request) casehold.Actor {
	a, _ := auth.ActorFrom(r.Context())
	return a
}

// view is what every page template gets.
type view struct {
	Title   string
	Nav     string
	Actor   *casehold.Actor
	CSRF    string
	Notice  string
	Council string
	Local   bool
	Errors  []fieldError
	Form    *form
	Data    any
	Request string
	Roles   map[string]bool
	// Can says which parts of the service the actor's roles reach (the domain's role
	// table), so the menu offers only those.
	Can      map[string]bool
	Status   int
	Message  string
	Headline string
	// Back is the page the person came from, offered on an error page.
	Back string
	// Refresh, when set, has the page's script fetch its live part again after that many
	// seconds (an export's progress; see poll in casehold.js).
	Refresh int
}

func (u *UI) newView(r *http.Request, ss *session, title, nav string) *view {
	v := &view{Title: title, Nav: nav, Council: u.cfg.Council, Local: u.cfg.Local, Roles: map[string]bool{}}
	if ss != nil {
		v.Actor, v.CSRF = ss.Actor, ss.CSRF
		if ss.Actor != nil {
			for _, role := range ss.Actor.Roles {
				v.Roles[string(role)] = true
			}
			a := *ss.Actor
			v.Can = map[string]bool{
				"audit":   casehold.Authorize(a, casehold.ActReadAudit) == nil,
				"triage":  a.Has(casehold.RoleCoordinator) || a.Has(casehold.RoleLegal),
				"locks":   casehold.Authorize(a, casehold.ActLockList) == nil || casehold.Authorize(a, casehold.ActLockTemporary) == nil || casehold.Authorize(a, casehold.ActLockBreak) == nil || casehold.Authorize(a, casehold.ActLockApply) == nil,
				"lookup":  casehold.Authorize(a, casehold.ActLockLookup) == nil,
				"matters": casehold.AuthorizeRole(a, casehold.ActReadMatter) == nil,
				// retention and reminders (retention.go, reminders.go)
				"disposals": casehold.Authorize(a, casehold.ActDisposalReview) == nil,
				"classify":  casehold.Authorize(a, casehold.ActClassifyRecord) == nil,
				"reminders": casehold.Authorize(a, casehold.ActRemindersPreview) == nil,
			}
		}
	}
	if u.RequestID != nil {
		v.Request = u.RequestID(r.Context())
	}
	return v
}

// takeNotice moves a one-time notice from the session to the page.
func (u *UI) takeNotice(w http.ResponseWriter, ss *session, v *view) {
	if ss != nil && ss.Notice != "" {
		v.Notice, ss.Notice = ss.Notice, ""
		u.sessions.write(w, ss)
	}
}

// render writes a page. It renders to a buffer first, so a template fault is a clean 500
// and never half a page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t, ok := u.pages[name]
	if !ok {
		u.Log.ErrorContext(r.Context(), "web UI: no such template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		u.Log.ErrorContext(r.Context(), "web UI: render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// statusOf maps an error code to the page's HTTP status (the same meaning as the API's).
var statusOf = map[string]int{
	casehold.EINVALID: http.StatusBadRequest, casehold.EUNAUTHORIZED: http.StatusUnauthorized,
	casehold.EFORBIDDEN: http.StatusForbidden, casehold.ENOTFOUND: http.StatusNotFound,
	casehold.ECONFLICT: http.StatusConflict, casehold.EHELD: http.StatusLocked,
	casehold.ETOOLARGE: http.StatusRequestEntityTooLarge, casehold.EUNSUPPORTED: http.StatusUnsupportedMediaType,
}

// fail renders a use case's refusal as a page: plain words, no internal detail.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, ss *session, err error) {
	code := casehold.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := casehold.ErrorMessage(err)
	headline := "Sorry, there is a problem"
	switch code {
	case casehold.EFORBIDDEN:
		headline = "You do not have access to this"
		msg = plainRefusal(msg)
	case casehold.ENOTFOUND:
		headline = "Page not found"
	case casehold.EINTERNAL, casehold.EINTEGRITY:
		headline = "Sorry, there is a problem with the service"
		u.Log.ErrorContext(r.Context(), "web UI: internal error", "err", err)
		msg = "Quote the request number below to system support."
	}
	if code == casehold.EINTEGRITY {
		msg = casehold.ErrorMessage(err)
	}
	u.renderError(w, r, ss, status, headline, msg)
}

func (u *UI) renderError(w http.ResponseWriter, r *http.Request, ss *session, status int, headline, msg string) {
	v := u.newView(r, ss, headline, "")
	v.Headline, v.Message, v.Status, v.Back = headline, msg, status, backTo(r)
	u.render(w, r, status, "error.html", v)
}

func (u *UI) notFound(w http.ResponseWriter, r *http.Request, ss *session) {
	u.fail(w, r, ss, casehold.Errorf(casehold.ENOTFOUND, "There is no page at this address."))
}

// redirectWith sends the browser on (post/redirect/get) with a one-time notice.
func (u *UI) redirectWith(w http.ResponseWriter, r *http.Request, ss *session, to, notice string) {
	ss.Notice = notice
	u.sessions.write(w, ss)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// localNext keeps a post-sign-in return address on this site.
func localNext(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" {
		return "/"
	}
	return p
}
