package webui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/whosaw"
)

// lockAction is one step on a locked case, calling the same use case as the API route.
type lockAction struct {
	Name, Title, Submit string
	Fields              []field
	run                 func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error)
}

func lockDecode[T any](f *form, call func(T) (*casehold.Lock, error)) error {
	var in T
	if err := f.decode(&in); err != nil {
		return err
	}
	_, err := call(in)
	return err
}

// chosen reads a yes/no choice the person must make; none made is an error at the field.
func chosen(f *form, name, what string) (bool, error) {
	switch f.Value(name) {
	case "yes":
		return true, nil
	case "no":
		return false, nil
	}
	return false, casehold.Errorf(casehold.EINVALID, "%s is not chosen: %s", name, what)
}

var lockActions = []lockAction{
	{Name: "decision", Title: "Decide on a lock request", Submit: "Record decision",
		// A choice, not a tick box: an unticked box submitted by mistake would refuse it.
		Fields: []field{{Name: "approve", Label: "Your decision", Kind: kAnswer,
			Options: []option{{"yes", "Approve the lock"}, {"no", "Refuse the request"}}}},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			approve, err := chosen(f, "approve", "approve the lock or refuse the request")
			if err != nil {
				return "", err
			}
			if _, err := s.DecideLock(ctx, a, id, approve); err != nil {
				return "", err
			}
			if approve {
				return "Lock approved: system support applies it", nil
			}
			return "Lock request refused", nil
		}},
	{Name: "apply", Title: "Apply an approved lock", Submit: "Apply the lock",
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			_, err := s.ApplyLock(ctx, a, id)
			return "Lock applied", err
		}},
	{Name: "confirm-owner", Title: "Confirm you own this lock", Submit: "Confirm",
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			_, err := s.ConfirmLockOwner(ctx, a, id)
			return "Ownership confirmed", err
		}},
	{Name: "review", Title: "Record the monthly review", Submit: "Record review",
		Fields: []field{{Name: "key_worker", Label: "Key worker (staff id)", Kind: kText},
			{Name: "stays_locked", Label: "Does the case stay locked?", Kind: kAnswer,
				Options: []option{{"yes", "Yes, it stays locked"}, {"no", "No, ask the service manager to unlock it"}}}},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			stays, err := chosen(f, "stays_locked", "say whether the case stays locked")
			if err != nil {
				return "", err
			}
			_, err = s.ReviewLock(ctx, a, id, app.LockReviewInput{KeyWorker: strings.TrimSpace(f.Value("key_worker")), StaysLocked: stays})
			return "Review recorded", err
		}},
	{Name: "unlock", Title: "Unlock the case", Submit: "Unlock",
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			_, err := s.UnlockCase(ctx, a, id)
			return "Case unlocked", err
		}},
	{Name: "temporary", Title: "Ask for 24 hours' access", Submit: "Ask the owner",
		Fields: []field{{Name: "reason", Label: "Why you need access", Kind: kTextarea}},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			return "Request sent to the owner", lockDecode(f, func(in app.TemporaryInput) (*casehold.Lock, error) { return s.RequestTemporaryAccess(ctx, a, id, in) })
		}},
	{Name: "agree", Title: "Agree a temporary access request", Submit: "Agree for 24 hours",
		Fields: []field{{Name: "staff", Label: "Staff id of who asked", Kind: kText, Path: true}},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			_, err := s.AgreeTemporaryAccess(ctx, a, id, f.Value("staff"))
			return "Temporary access agreed for 24 hours", err
		}},
	{Name: "give-back", Title: "Give back temporary access", Submit: "I no longer need access",
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			_, err := s.GiveBackTemporaryAccess(ctx, a, id)
			return "Access given back", err
		}},
	{Name: "break-glass", Title: "Break-glass access (EDT, out of hours)", Submit: "Open the case",
		Fields: []field{{Name: "reason", Label: "Why you need access now", Kind: kTextarea}},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, id string, f *form) (string, error) {
			return "Break-glass access recorded; the owner is told", lockDecode(f, func(in app.TemporaryInput) (*casehold.Lock, error) { return s.BreakGlass(ctx, a, id, in) })
		}},
}

func findLockAction(name string) (*lockAction, bool) {
	for i := range lockActions {
		if lockActions[i].Name == name {
			return &lockActions[i], true
		}
	}
	return nil, false
}

func lockRequestForm() *form {
	reasons := []option{}
	for _, r := range casehold.LockReasons {
		reasons = append(reasons, option{string(r), human(string(r))})
	}
	return &form{Action: "/ui/locks", Submit: "Ask for the lock", Values: url.Values{}, Fields: []field{
		{Name: "pid", Label: "Child's PID", Kind: kText},
		{Name: "owner", Label: "Responsible person (staff id)", Kind: kText, Hint: "The contact for access"},
		{Name: "reason", Label: "Reason", Kind: kSelect, Options: reasons},
		{Name: "allow_staff", Label: "Staff who need access", Kind: kList, Hint: "Staff ids, separated by commas"},
		{Name: "allow_teams", Label: "Teams who need access", Kind: kList},
		{Name: "deny_staff", Label: "Staff who must be denied", Kind: kList},
		{Name: "deny_teams", Label: "Teams who must be denied", Kind: kList},
		{Name: "suppress_notice", Label: "Do not show \"locked to\" (it could reveal where the child is)", Kind: kBool},
	}}
}

type locksData struct {
	Mine, Due  []*casehold.Lock
	CanList    bool
	CanRequest bool
	Actions    []lockAction
	LockID     string
}

func (u *UI) locksPage(w http.ResponseWriter, r *http.Request, ss *session) {
	u.renderLocks(w, r, ss, http.StatusOK, nil, nil)
}

func (u *UI) renderLocks(w http.ResponseWriter, r *http.Request, ss *session, status int, f *form, errs []fieldError) {
	ctx, a := r.Context(), actorOf(r)
	d := locksData{Actions: lockActions, LockID: strings.TrimSpace(r.URL.Query().Get("lock"))}
	if casehold.Authorize(a, casehold.ActLockList) == nil {
		d.CanList = true
		var err error
		if d.Mine, err = u.App.MyLocks(ctx, a); err != nil {
			u.fail(w, r, ss, err)
			return
		}
		if d.Due, err = u.App.LocksDue(ctx, a, casehold.DateOf(u.App.Clock.Now())); err != nil {
			u.fail(w, r, ss, err)
			return
		}
	}
	d.CanRequest = casehold.Authorize(a, casehold.ActLockRequest) == nil
	v := u.newView(r, ss, "Locked cases", "locks")
	if len(errs) > 0 {
		v.Title = "Error: Locked cases"
	}
	u.takeNotice(w, ss, v)
	v.Form = f
	if v.Form == nil {
		v.Form = lockRequestForm()
	}
	v.Errors = errs
	v.Data = d
	u.render(w, r, status, "locks.html", v)
}

func (u *UI) requestLock(w http.ResponseWriter, r *http.Request, ss *session) {
	f := lockRequestForm()
	f.Values = r.PostForm
	var l *casehold.Lock
	err := lockDecode(f, func(in app.LockInput) (*casehold.Lock, error) {
		var err error
		l, err = u.App.RequestLock(r.Context(), actorOf(r), in)
		return l, err
	})
	if err == nil {
		u.redirectWith(w, r, ss, "/ui/locks", "Lock "+l.ID+" requested: the service manager decides next")
		return
	}
	if casehold.ErrorCode(err) != casehold.EINVALID {
		u.fail(w, r, ss, err)
		return
	}
	u.renderLocks(w, r, ss, http.StatusBadRequest, f, f.place(err))
}

type lockActionData struct {
	LockID string
	Action *lockAction
}

func (u *UI) lockActionPage(w http.ResponseWriter, r *http.Request, ss *session) {
	act, ok := findLockAction(r.PathValue("action"))
	if !ok {
		u.notFound(w, r, ss)
		return
	}
	id := r.PathValue("lock")
	v := u.newView(r, ss, act.Title, "locks")
	v.Form = &form{Action: "/ui/locks/" + id + "/do/" + act.Name, Submit: act.Submit, Fields: act.Fields, Values: url.Values{}}
	v.Data = lockActionData{id, act}
	u.render(w, r, http.StatusOK, "lockaction.html", v)
}

func (u *UI) doLockAction(w http.ResponseWriter, r *http.Request, ss *session) {
	act, ok := findLockAction(r.PathValue("action"))
	if !ok {
		u.notFound(w, r, ss)
		return
	}
	id := r.PathValue("lock")
	f := &form{Action: "/ui/locks/" + id + "/do/" + act.Name, Submit: act.Submit, Fields: act.Fields, Values: r.PostForm}
	notice, err := act.run(r.Context(), u.App, actorOf(r), id, f)
	u.answerForm(w, r, ss, f, err, formPage{next: "/ui/locks", notice: notice, title: act.Title, nav: "locks",
		template: "lockaction.html", data: lockActionData{id, act}})
}

// Helpdesk.

type helpdeskData struct {
	Looked bool
	Notice *app.LockNotice
	PID    string
}

func helpdeskForms() (*form, *form) {
	return &form{Action: "/ui/helpdesk/lookup", Submit: "Look up", Values: url.Values{},
			Fields: []field{{Name: "pid", Label: "PID", Kind: kText, Hint: "The person id on the caller's record"}}},
		&form{Action: "/ui/helpdesk/contact", Submit: "Pass the contact on", Values: url.Values{}, Fields: []field{
			{Name: "pid", Label: "PID", Kind: kText},
			{Name: "summary", Label: "The contact, in the caller's words", Kind: kTextarea},
			{Name: "child_protection", Label: "This is a child protection matter (marks it urgent: phone the owner too)", Kind: kBool}}}
}

func (u *UI) helpdeskPage(w http.ResponseWriter, r *http.Request, ss *session) {
	v := u.newView(r, ss, "Helpdesk", "helpdesk")
	u.takeNotice(w, ss, v)
	look, _ := helpdeskForms()
	v.Form = look
	v.Data = helpdeskData{}
	u.render(w, r, http.StatusOK, "helpdesk.html", v)
}

// lookupPID shows "locked to <owner>" or nothing, and the contact form. The PID travels in
// the form body, never the URL.
func (u *UI) lookupPID(w http.ResponseWriter, r *http.Request, ss *session) {
	look, contact := helpdeskForms()
	look.Values = r.PostForm
	pid := strings.TrimSpace(r.PostFormValue("pid"))
	n, err := u.App.LookupPID(r.Context(), actorOf(r), pid)
	v := u.newView(r, ss, "Helpdesk", "helpdesk")
	status := http.StatusOK
	switch {
	case err == nil:
		contact.Values.Set("pid", pid)
		v.Form = contact
		v.Data = helpdeskData{Looked: true, Notice: n, PID: pid}
	case casehold.ErrorCode(err) == casehold.EINVALID:
		v.Title = "Error: Helpdesk"
		v.Form = look
		v.Errors = look.place(err)
		v.Data = helpdeskData{}
		status = http.StatusBadRequest
	default:
		u.fail(w, r, ss, err)
		return
	}
	u.render(w, r, status, "helpdesk.html", v)
}

func (u *UI) recordContact(w http.ResponseWriter, r *http.Request, ss *session) {
	_, contact := helpdeskForms()
	contact.Values = r.PostForm
	var res *app.ContactReceipt
	err := contact.decode(new(app.ContactInput))
	if err == nil {
		var in app.ContactInput
		_ = contact.decode(&in)
		res, err = u.App.RecordContact(r.Context(), actorOf(r), in)
	}
	if err == nil {
		msg := "Contact recorded"
		if res.Routed {
			// The same words whether or not the child is locked (a suppressed lock must
			// not show): the people responsible are the owner and the assessment team for a
			// locked child, the assessment team otherwise.
			msg = "Contact passed on to the people responsible for the child's case"
			if res.Urgent {
				msg += ", marked urgent: now phone the owner"
			}
		}
		u.redirectWith(w, r, ss, "/ui/helpdesk", msg)
		return
	}
	if casehold.ErrorCode(err) != casehold.EINVALID {
		u.fail(w, r, ss, err)
		return
	}
	v := u.newView(r, ss, "Error: Helpdesk", "helpdesk")
	v.Form = contact
	v.Errors = contact.place(err)
	v.Data = helpdeskData{Looked: true, PID: r.PostFormValue("pid")}
	u.render(w, r, http.StatusBadRequest, "helpdesk.html", v)
}

// Audit: who saw this child, and verify.

type auditData struct {
	Report *whosaw.Report
	Verify *app.AuditReport
	PID    string
}

func whoSawForm() *form {
	return &form{Action: "/ui/audit/who-saw", Submit: "Show who saw this child", Values: url.Values{},
		Fields: []field{{Name: "pid", Label: "PID", Kind: kText}}}
}

func (u *UI) auditPage(w http.ResponseWriter, r *http.Request, ss *session) {
	v := u.newView(r, ss, "Audit", "audit")
	v.Form = whoSawForm()
	v.Data = auditData{}
	u.render(w, r, http.StatusOK, "audit.html", v)
}

func (u *UI) whoSaw(w http.ResponseWriter, r *http.Request, ss *session) {
	f := whoSawForm()
	f.Values = r.PostForm
	pid := strings.TrimSpace(r.PostFormValue("pid"))
	if pid == "" {
		v := u.newView(r, ss, "Error: Audit", "audit")
		v.Form = f
		v.Errors = f.place(casehold.Errorf(casehold.EINVALID, "pid is required"))
		v.Data = auditData{}
		u.render(w, r, http.StatusBadRequest, "audit.html", v)
		return
	}
	rep, err := u.App.WhoSaw(r.Context(), actorOf(r), casehold.AuditFilter{PID: pid})
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	switch r.PostFormValue("format") {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="who-saw.csv"`)
		if err := whosaw.CSV(w, rep); err != nil {
			u.Log.ErrorContext(r.Context(), "who-saw csv not written", "err", err)
		}
		return
	case "pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="who-saw.pdf"`)
		if err := whosaw.PDF(w, rep, u.App.Council); err != nil {
			u.Log.ErrorContext(r.Context(), "who-saw pdf not written", "err", err)
		}
		return
	}
	v := u.newView(r, ss, "Audit", "audit")
	v.Form = f
	v.Data = auditData{Report: rep, PID: pid}
	u.render(w, r, http.StatusOK, "audit.html", v)
}

func (u *UI) verifyAudit(w http.ResponseWriter, r *http.Request, ss *session) {
	rep, err := u.App.VerifyAudit(r.Context(), actorOf(r))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	v := u.newView(r, ss, "Audit", "audit")
	v.Form = whoSawForm()
	v.Data = auditData{Verify: rep}
	u.render(w, r, http.StatusOK, "audit.html", v)
}

// Email triage.

type triageData struct {
	Messages []*casehold.InboundMessage
	Matters  []*casehold.Matter
}

func (u *UI) triagePage(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, a := r.Context(), actorOf(r)
	list, err := u.App.ListInbound(ctx, a, casehold.InboundTriage)
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	ms, err := u.App.ListMatters(ctx, a, casehold.MatterOpen)
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	v := u.newView(r, ss, "Email triage", "triage")
	u.takeNotice(w, ss, v)
	v.Data = triageData{Messages: list, Matters: ms}
	u.render(w, r, http.StatusOK, "triage.html", v)
}

func (u *UI) assignInbound(w http.ResponseWriter, r *http.Request, ss *session) {
	in, err := u.App.AssignInbound(r.Context(), actorOf(r), r.PathValue("in"), r.PostFormValue("matter_id"))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	u.redirectWith(w, r, ss, "/ui/triage", "Message "+in.ID+" filed under its matter and its PDFs secured")
}
