package reminders

import (
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/casehold"
)

// TestLeadPlan: the lead officer's notice, reminder after LeadAckDays working days and
// weekly escalations to the coordinator, across weekends, bank holidays and clock changes;
// nothing once acknowledged, released, or with no address.
func TestLeadPlan(t *testing.T) {
	for _, c := range []struct {
		name, notice, ack string
		days              int
		released, noEmail bool
		want              string
	}{
		{"Monday notice, winter", "2026-11-02", "", 0, false, false,
			"lead.notice education-x 2026-11-02T00:00Z, lead.reminder education-x-r 2026-11-09T08:00Z, lead.escalation education-x-w1 2026-11-16T08:00Z, lead.escalation education-x-w2 2026-11-23T08:00Z"},
		{"Friday notice before Christmas: Christmas Day and the Boxing Day substitute skipped", "2026-12-18", "", 0, false, false,
			"lead.notice education-x 2026-12-18T00:00Z, lead.reminder education-x-r 2026-12-29T08:00Z, lead.escalation education-x-w1 2027-01-05T08:00Z, lead.escalation education-x-w2 2027-01-12T08:00Z"},
		{"three working days, over the spring clock change and Easter 2027", "2027-03-24", "", 3, false, false,
			"lead.notice education-x 2027-03-24T00:00Z, lead.reminder education-x-r 2027-03-31T07:00Z, lead.escalation education-x-w1 2027-04-07T07:00Z, lead.escalation education-x-w2 2027-04-14T07:00Z"},
		{"escalation falling on the early May bank holiday moves to the Tuesday", "2027-04-19", "", 0, false, false,
			"lead.notice education-x 2027-04-18T23:00Z, lead.reminder education-x-r 2027-04-26T07:00Z, lead.escalation education-x-w1 2027-05-04T07:00Z, lead.escalation education-x-w2 2027-05-10T07:00Z"},
		{"acknowledged: nothing", "2026-11-02", "2026-11-03", 0, false, false, ""},
		{"released: nothing", "2026-11-02", "", 0, true, false, ""},
		{"no email: nothing", "2026-11-02", "", 0, false, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := ccrc("2026-01-05")
			m.Work.ConfirmedOn = day("2026-01-20") // the CCRC series is over: only the lead's remains
			a := leadArea(c.notice)
			if c.ack != "" {
				a.AcknowledgedOn, a.AcknowledgedBy = day(c.ack), "s-coord-01"
			}
			if c.noEmail {
				a.LeadEmail = ""
			}
			if c.released {
				m.Status = "released"
			}
			m.Work.Areas = append(m.Work.Areas, a)
			// Plan from two weeks after the notice: escalations are planned a week past now.
			plan := Matter(m, Settings{LeadAckDays: c.days}, day(c.notice).AddDays(14).Time())
			tag := a.EmailTag()
			got := summary(plan, 4)
			if c.want == "" {
				if got != "" {
					t.Fatalf("plan %s, want nothing", got)
				}
				return
			}
			for _, o := range plan {
				if len(o.Seq) < len("education-"+tag) || o.Seq[:len("education-"+tag)] != "education-"+tag {
					t.Fatalf("seq %q does not carry the address digest %s", o.Seq, tag)
				}
				if o.Detail["area"] != "education" || o.Due != day(c.notice) {
					t.Fatalf("occasion %+v: wrong area or due date", o)
				}
			}
			if want := replaceTag(c.want, tag); got != want {
				t.Fatalf("plan:\n got  %s\n want %s", got, want)
			}
			for i := 0; i+1 < len(plan); i++ {
				if !plan[i].Until.Equal(plan[i+1].At) {
					t.Errorf("occasion %d ends at %v, not when the next starts (%v)", i, plan[i].Until, plan[i+1].At)
				}
			}
			if plan[1].To != ToLeadOfficer || plan[2].To != ToCoordinator {
				t.Errorf("audiences %s, %s: want the lead officer then the coordinator", plan[1].To, plan[2].To)
			}
		})
	}
}

// TestLeadKeys: the same notice has the same key whenever planned; another address a new one.
func TestLeadKeys(t *testing.T) {
	m := ccrc("2026-11-02")
	a := leadArea("2026-11-03")
	k1 := LeadNoticeOccasion(m, a, Settings{}).Key()
	if k2 := LeadNoticeOccasion(m, a, Settings{LeadAckDays: 9}).Key(); k1 != k2 {
		t.Fatalf("keys differ: %s %s", k1, k2)
	}
	b := a
	b.LeadEmail = "LEAD.EDU@Council.example " // the same address, written differently
	if k := LeadNoticeOccasion(m, b, Settings{}).Key(); k != k1 {
		t.Fatalf("the same address gives another key: %s %s", k, k1)
	}
	b.LeadEmail = "other.lead@council.example"
	if k := LeadNoticeOccasion(m, b, Settings{}).Key(); k == k1 {
		t.Fatalf("another address gives the same key %s", k)
	}
	if want := "lead.notice/m-1/2026-11-03/education-" + a.EmailTag(); k1 != want {
		t.Fatalf("key %s, want %s", k1, want)
	}
}

func leadArea(notice string) casehold.AreaLead {
	return casehold.AreaLead{Area: casehold.AreaEducation, LeadOfficer: "Rowan Example", LeadEmail: "lead.edu@council.example", NoticeOn: day(notice)}
}

func replaceTag(s, tag string) string { return strings.ReplaceAll(s, "education-x", "education-"+tag) }
