package webui

import (
	"encoding/json"
	"net/http"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type signInData struct {
	Demo []casehold.Actor
	OIDC bool
}

// session returns the request's session, or starts an anonymous one (written to the
// response) so the sign-in form has a CSRF token to carry.
func (u *UI) anonymous(w http.ResponseWriter, r *http.Request) *session {
	now := u.App.Clock.Now()
	ss, err := u.sessions.read(r, now)
	if err != nil {
		ss = u.sessions.fresh(now)
		u.sessions.write(w, ss)
	}
	return ss
}

func (u *UI) signInPage(w http.ResponseWriter, r *http.Request) {
	ss := u.anonymous(w, r)
	v := u.newView(r, ss, "Sign in", "")
	v.Actor = nil
	u.takeNotice(w, ss, v)
	d := signInData{OIDC: u.oidc != nil}
	if u.cfg.Local {
		d.Demo = auth.DemoStaff
	}
	v.Data = d
	u.render(w, r, http.StatusOK, "signin.html", v)
}

// signInLocal signs in as one of the seeded demo staff: local mode only (config refuses
// local sign-in in Lambda and against real AWS endpoints).
func (u *UI) signInLocal(w http.ResponseWriter, r *http.Request) {
	if !u.cfg.Local {
		u.renderError(w, r, nil, http.StatusNotFound, "Page not found", "Sign in through your council account.")
		return
	}
	ss, err := u.sessions.read(r, u.App.Clock.Now())
	if err != nil || !u.csrfOK(r, ss) {
		u.renderError(w, r, nil, http.StatusForbidden, "This form has expired", "Go back, reload the page and try again.")
		return
	}
	a, ok := auth.DemoByID(r.PostFormValue("staff_id"))
	if !ok {
		v := u.newView(r, ss, "Error: Sign in", "")
		v.Actor = nil
		v.Errors = []fieldError{{Field: "staff_id", Message: "Choose who to sign in as"}}
		v.Form = &form{Errors: map[string]string{"staff_id": "Choose who to sign in as"}}
		v.Data = signInData{Demo: auth.DemoStaff, OIDC: u.oidc != nil}
		u.render(w, r, http.StatusBadRequest, "signin.html", v)
		return
	}
	u.startSession(w, r, ss, a)
}

// startSession signs the actor in with a new session (a new CSRF token too, so a token
// seen before sign-in is worth nothing after it) and audits the sign-in.
func (u *UI) startSession(w http.ResponseWriter, r *http.Request, old *session, a casehold.Actor) {
	next := "/"
	if old != nil {
		next = localNext(old.Next)
	}
	ss := u.sessions.fresh(u.App.Clock.Now())
	ss.Actor = &a
	u.sessions.write(w, ss)
	if err := u.App.RecordSignIn(r.Context(), a, "ui.sign_in"); err != nil {
		u.fail(w, r, ss, err)
		return
	}
	*r = *r.WithContext(auth.WithActor(r.Context(), a))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (u *UI) signOut(w http.ResponseWriter, r *http.Request, ss *session) {
	if err := u.App.EndSession(r.Context(), *ss.Actor, ss.ID, u.sessions.maxAge); err != nil {
		// Not recorded as ended: say so rather than let the person think a copy is dead.
		u.fail(w, r, ss, err)
		return
	}
	u.sessions.clear(w)
	fresh := u.sessions.fresh(u.App.Clock.Now())
	fresh.Notice = "You have signed out"
	u.sessions.write(w, fresh)
	http.Redirect(w, r, "/ui/sign-in", http.StatusSeeOther)
}
