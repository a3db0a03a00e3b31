package casehold

import (
	"slices"
	"time"
)

// WithholdLocked returns m as r may see it at now. A matter's staff may read its record,
// but the name of a named or related person whose active lock r does not pass is left
// out: they see that a locked child is on the matter (its PID, which they were given),
// never who. m itself is not changed.
func WithholdLocked(r Reader, m *Matter, locks []*Lock, now time.Time) *Matter {
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
	out := *m
	out.People = slices.Clone(m.People)
	out.Work.Related = slices.Clone(m.Work.Related)
	for i, p := range out.People {
		if shut(p.PID) {
			out.People[i] = Person{PID: p.PID, Withheld: true}
		}
	}
	for i, rp := range out.Work.Related {
		if shut(rp.PID) || shut(rp.RelatedTo) {
			out.Work.Related[i].Person = Person{PID: rp.PID, Withheld: true}
		}
	}
	return &out
}
