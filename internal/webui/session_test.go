package webui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
)

// TestSignedOutCookieRefused: a copy of a session's cookie taken before sign-out is
// refused after it, not merely until the idle timeout, and the attempt is audited. A
// session signed in separately is not affected.
func TestSignedOutCookieRefused(t *testing.T) {
	a := embeddedApp(t)
	h := a.Handler
	coord := auth.DemoStaff[0]
	copied := sessionCookie(t, h, coord.ID)
	other := sessionCookie(t, h, coord.ID)

	get := func(c *http.Cookie) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(c)
		h.ServeHTTP(rec, req)
		return rec
	}
	res := get(copied)
	if res.Code != http.StatusOK {
		t.Fatalf("home page before sign-out: %d", res.Code)
	}
	csrf := between(res.Body.String(), `name="csrf" value="`, `"`)
	req := httptest.NewRequest("POST", "/ui/sign-out", strings.NewReader(url.Values{"csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(copied)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/ui/sign-in" {
		t.Fatalf("sign-out: %d to %q", rec.Code, rec.Header().Get("Location"))
	}

	res = get(copied)
	if res.Code != http.StatusForbidden || !strings.Contains(res.Body.String(), "You signed out of this session") {
		t.Errorf("the copied cookie after sign-out: %d\n%s", res.Code, res.Body.String())
	}
	if res := get(other); res.Code != http.StatusOK {
		t.Errorf("another session of the same person after the sign-out: %d", res.Code)
	}

	if err := a.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	events, err := a.Service.Store.ListAudit(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var signedOut, refused int
	for _, e := range events {
		switch {
		case e.Action == "ui.sign_out" && e.Actor == coord.ID:
			signedOut++
		case e.Action == "ui.session" && e.Outcome == casehold.OutcomeRefused && e.Actor == coord.ID:
			refused++
		}
	}
	if signedOut != 1 || refused != 1 {
		t.Errorf("audit: %d sign-outs and %d refused sessions, want 1 and 1", signedOut, refused)
	}
}
