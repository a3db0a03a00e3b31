package webui

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// FuzzReadSession: a cookie from outside never panics the reader and is never taken for a
// session unless this server sealed it; a sealed one reads back as written.
func FuzzReadSession(f *testing.F) {
	ss, err := newSessions([]byte(strings.Repeat("k", 32)), false, time.Hour, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	good := ss.fresh(now)
	good.Actor = &casehold.Actor{ID: "s-1", Roles: []casehold.Role{casehold.RoleCoordinator}}
	rec := httptest.NewRecorder()
	ss.write(rec, good)
	sealed := rec.Result().Cookies()[0].Value
	f.Add(sealed)
	f.Add("")
	f.Add("AAAA")
	f.Add(sealed[:len(sealed)-2] + "AA")
	f.Fuzz(func(t *testing.T, value string) {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: localCookie, Value: value})
		got, err := ss.read(req, now)
		switch {
		case value == sealed && (err != nil || got.Actor == nil || got.Actor.ID != "s-1" || got.CSRF != good.CSRF):
			t.Fatalf("the sealed session did not read back: %+v %v", got, err)
		case value != sealed && err == nil:
			// Only a value sealed with the key can open; the fuzzer cannot forge GCM.
			if _, err := json.Marshal(got); err != nil || got.CSRF == "" {
				t.Fatalf("an unsealed value opened: %q", value)
			}
		}
	})
}

// FuzzFormBody: whatever a browser posts, the form turns it into JSON the use case can
// decode or a plain error, and places any message on a field or the summary; no panic.
func FuzzFormBody(f *testing.F) {
	f.Add("CCRC/1/2026", "2026-11-20", "P100234, Jordan Example\nP100235, Casey", "people[1].pid: must contain only letters")
	f.Add("", "20-11-2026", ",\n,,", "received_on is required")
	f.Add("\x00", "9999-99-99", "P1", "")
	f.Fuzz(func(t *testing.T, reference, received, people, message string) {
		fm := newMatterForm(string(casehold.KindSeriousCaseReview))
		fm.Values = url.Values{"reference": {reference}, "received_on": {received}, "people": {people}, "case_line_managers": {people}, "case_locked": {reference}}
		var in casehold.NewMatterInput
		err := fm.decode(&in)
		if err != nil && casehold.ErrorCode(err) != casehold.EINVALID {
			t.Fatalf("decode: %v", err)
		}
		errs := fm.place(casehold.Errorf(casehold.EINVALID, "%s", message))
		if len(errs) != 1 {
			t.Fatalf("place gave %d errors", len(errs))
		}
	})
}
