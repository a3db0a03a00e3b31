package storetest

import (
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// testMattersFor: matters are found by the keys of the people and teams their own record
// opens them to (casehold.MatterReaderKeys), by status, oldest first, each once, and a
// grant added later is found at once.
func testMattersFor(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
	m1 := NewMatter("mr1", "READERS-1", at(1))
	m1.Coordinator = "s-a"
	m1.Work.Access = []casehold.AccessGrant{{PID: "P1", StaffID: "s-b", Team: "Duty", Role: "team manager", Name: "B", ApprovedBy: "HoS"}}
	m2 := NewMatter("mr2", "READERS-2", at(2))
	m2.Coordinator = "s-b"
	m2.Work.Access = []casehold.AccessGrant{{PID: "P1", Team: "Duty", Role: "team", Name: "Duty team", ApprovedBy: "HoS"}}
	m3 := NewMatter("mr3", "READERS-3", at(3))
	m3.Coordinator = "s-c"
	m3.Work.LegalOfficers = []string{"s-l"}
	for _, m := range []*casehold.Matter{m3, m1, m2} { // created out of order: listed by creation time
		mustCreateMatter(t, s, m)
	}
	ids := func(keys ...string) []string {
		t.Helper()
		return idsFor(t, s, casehold.MatterOpen, keys...)
	}
	for _, c := range []struct {
		keys []string
		want []string
	}{
		{[]string{"staff:s-b"}, []string{"mr1", "mr2"}},
		{[]string{"team:Duty"}, []string{"mr2"}},
		{[]string{"staff:s-b", "team:Duty"}, []string{"mr1", "mr2"}},
		{[]string{"staff:s-l"}, []string{"mr3"}},
		{[]string{"staff:s-nobody", "team:Nobody"}, []string{}},
		{nil, []string{}},
	} {
		if got := ids(c.keys...); !equal(got, c.want) {
			t.Errorf("MattersFor(open, %v) = %v, want %v", c.keys, got, c.want)
		}
	}

	// A grant added later is found at once.
	got, err := s.GetMatter(ctx(), "mr3")
	mustOK(t, err)
	got.Work.Access = append(got.Work.Access, casehold.AccessGrant{PID: "P1", StaffID: "s-b", Team: "Duty", Role: "r", Name: "B", ApprovedBy: "HoS"})
	mustOK(t, s.UpdateMatter(ctx(), got))
	if got := ids("staff:s-b"); !equal(got, []string{"mr1", "mr2", "mr3"}) {
		t.Errorf("after a grant on mr3: MattersFor(open, staff:s-b) = %v", got)
	}

	// A released matter leaves the open list and joins the released one.
	got, err = s.GetMatter(ctx(), "mr1")
	mustOK(t, err)
	got.Status = casehold.MatterReleased
	mustOK(t, s.UpdateMatter(ctx(), got))
	if got := ids("staff:s-b"); !equal(got, []string{"mr2", "mr3"}) {
		t.Errorf("after releasing mr1: open = %v", got)
	}
	if got := idsFor(t, s, casehold.MatterReleased, "staff:s-a", "staff:s-b"); !equal(got, []string{"mr1"}) {
		t.Errorf("after releasing mr1: released = %v", got)
	}
}

func idsFor(t *testing.T, s casehold.Store, status casehold.MatterStatus, keys ...string) []string {
	t.Helper()
	ms, err := s.MattersFor(ctx(), status, keys)
	mustOK(t, err)
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
