package casehold

import (
	"slices"
	"time"
)

// Withhold returns m as r may see it at now. A matter's staff may read its record, but
// the name of a named or related person is left out where r may not know it: an active
// lock on them (or the person they are related to) that r does not pass, or, for a reader
// who is on the matter only by access grants, a child no grant of theirs covers. They see
// that the child is on the matter (its PID, which they were given), never who. The
// coordinator, the matter's legal officers and information governance see every name a
// lock allows. m itself is not changed.
func Withhold(r Reader, m *Matter, locks []*Lock, now time.Time) *Matter {
	shut := func(pid string) bool {
		for _, l := range locks {
			if l.PID == pid && l.Active() {
				if _, ok := lockAccess(r, l, now); !ok {
					return true
				}
			}
		}
		return false
	}
	a := r.Actor
	whole := (a.ID != "" && a.ID == m.Coordinator) || (a.Has(RoleLegal) && slices.Contains(m.Work.LegalOfficers, a.ID)) || a.Has(RoleIG)
	covered := func(pid string) bool { return whole || granted(r, m, []string{pid}) }
	out := *m
	out.People = slices.Clone(m.People)
	out.Work.Related = slices.Clone(m.Work.Related)
	for i, p := range out.People {
		if shut(p.PID) || !covered(p.PID) {
			out.People[i] = Person{PID: p.PID, Withheld: true}
		}
	}
	for i, rp := range out.Work.Related {
		if shut(rp.PID) || shut(rp.RelatedTo) || !covered(rp.RelatedTo) && !covered(rp.PID) {
			out.Work.Related[i].Person = Person{PID: rp.PID, Withheld: true}
		}
	}
	return &out
}
