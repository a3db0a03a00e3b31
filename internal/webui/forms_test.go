package webui

import (
	"net/url"
	"testing"

	"github.com/casehold/casehold/internal/casehold"
)

// TestFormPlace: a use case's message, which starts with the JSON field's name, is shown
// beside that field in the label's words; one naming no field goes to the summary.
func TestFormPlace(t *testing.T) {
	for _, tc := range []struct{ msg, field, want string }{
		{"received_on must not be in the future", "received_on", "Date received must not be in the future"},
		{"received_on is required", "received_on", "Date received is required"},
		{"people[1].pid is a duplicate", "people", "People named: line 2: the PID is a duplicate"},
		{"people must name at least one individual", "people", "People named must name at least one individual"},
		{"contact_email must be an email address like name@example.org", "contact_email", "Requester's secure email address must be an email address like name@example.org"},
		// "contact" is a prefix of "contact_email": the longer name wins, and a bare
		// "contact" message is the contact field's.
		{"contact is required", "contact", "Requester's contact is required"},
		{"a matter with this reference exists", "kind", "A matter with this reference exists"},
	} {
		f := newMatterForm("")
		f.Values = url.Values{}
		got := f.place(casehold.Errorf(casehold.EINVALID, "%s", tc.msg))
		if len(got) != 1 || got[0].Field != tc.field || got[0].Message != tc.want {
			t.Errorf("place(%q) = %+v, want %s: %q", tc.msg, got, tc.field, tc.want)
		}
	}
}

// TestFormBody: form values become the JSON of the API's input, typed as the input wants.
func TestFormBody(t *testing.T) {
	f := &form{Fields: []field{{Name: "on", Kind: kDate}, {Name: "open_case", Kind: kBool}, {Name: "schools", Kind: kList},
		{Name: "ids", Kind: kChecks}, {Name: "people", Kind: kPeople}, {Name: "visit", Kind: kSelect, Path: true}, {Name: "blank", Kind: kText}},
		Values: url.Values{"on": {"2026-11-20"}, "open_case": {"yes"}, "schools": {" Elm Road , ,Hill Top"}, "ids": {"d-1", "d-2"},
			"people": {"P1, Ann Example\n\nP2,Bo"}, "visit": {"v-1"}, "blank": {"  "}}}
	b, err := f.body()
	want := `{"ids":["d-1","d-2"],"on":"2026-11-20","open_case":true,"people":[{"name":"Ann Example","pid":"P1"},{"name":"Bo","pid":"P2"}],"schools":["Elm Road","Hill Top"]}`
	if err != nil || string(b) != want {
		t.Errorf("body = %s, %v\nwant %s", b, err, want)
	}
	f.Values.Set("on", "20/11/2026")
	if _, err := f.body(); casehold.ErrorMessage(err) != "on must be a date in the form YYYY-MM-DD" {
		t.Errorf("a mistyped date: %v", err)
	}
}
