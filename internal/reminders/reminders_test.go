package reminders

import (
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

func day(s string) casehold.Date {
	d, err := casehold.ParseDate("d", s)
	if err != nil {
		panic(err)
	}
	return d
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ccrc(received string) *casehold.Matter {
	r := day(received)
	return &casehold.Matter{ID: "m-1", Kind: casehold.KindCCRCS17, Status: casehold.MatterOpen, ReceivedOn: r, Deadline: casehold.CCRCDeadline(r)}
}

// summary lists "kind seq at(UTC)" of the first n occasions.
func summary(plan []Occasion, n int) string {
	var out []string
	for i, o := range plan {
		if i == n {
			break
		}
		out = append(out, string(o.Kind)+" "+o.Seq+" "+o.At.UTC().Format("2006-01-02T15:04Z"))
	}
	return strings.Join(out, ", ")
}

func TestMatterPlan(t *testing.T) {
	for _, c := range []struct {
		name, received, want string
	}{
		{"deadline on a Monday in winter (GMT)", "2026-11-02",
			"ccrc.warning 7wd 2026-11-19T08:00Z, ccrc.warning 2wd 2026-11-26T08:00Z, ccrc.due day 2026-11-30T08:00Z, ccrc.escalation w1 2026-12-01T08:00Z, ccrc.escalation w2 2026-12-08T08:00Z"},
		{"deadline on a Saturday in summer (BST): on the day means the Friday before", "2026-05-16",
			"ccrc.warning 7wd 2026-06-04T07:00Z, ccrc.warning 2wd 2026-06-11T07:00Z, ccrc.due day 2026-06-12T07:00Z, ccrc.escalation w1 2026-06-15T07:00Z, ccrc.escalation w2 2026-06-22T07:00Z"},
		{"deadline on Christmas Day 2026, Boxing Day substitute on the 28th", "2026-11-27",
			"ccrc.warning 7wd 2026-12-16T08:00Z, ccrc.warning 2wd 2026-12-23T08:00Z, ccrc.due day 2026-12-24T08:00Z, ccrc.escalation w1 2026-12-29T08:00Z, ccrc.escalation w2 2027-01-05T08:00Z"},
		{"clocks go forward on 28 March 2027, Easter in between", "2027-03-02",
			"ccrc.warning 7wd 2027-03-17T08:00Z, ccrc.warning 2wd 2027-03-24T08:00Z, ccrc.due day 2027-03-30T07:00Z, ccrc.escalation w1 2027-03-31T07:00Z, ccrc.escalation w2 2027-04-07T07:00Z"},
		{"clocks go back on 31 October 2027", "2027-10-04",
			"ccrc.warning 7wd 2027-10-21T07:00Z, ccrc.warning 2wd 2027-10-28T07:00Z, ccrc.due day 2027-11-01T08:00Z, ccrc.escalation w1 2027-11-02T08:00Z, ccrc.escalation w2 2027-11-09T08:00Z"},
		{"leap day 2028 deadline", "2028-02-01",
			"ccrc.warning 7wd 2028-02-18T08:00Z, ccrc.warning 2wd 2028-02-25T08:00Z, ccrc.due day 2028-02-29T08:00Z, ccrc.escalation w1 2028-03-01T08:00Z, ccrc.escalation w2 2028-03-08T08:00Z"},
		{"month end: received 31 January 2027", "2027-01-31",
			"ccrc.warning 7wd 2027-02-18T08:00Z, ccrc.warning 2wd 2027-02-25T08:00Z, ccrc.due day 2027-02-26T08:00Z, ccrc.escalation w1 2027-03-01T08:00Z, ccrc.escalation w2 2027-03-08T08:00Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := ccrc(c.received)
			// Escalations are planned a week past now: plan from three days after the deadline.
			plan := Matter(m, Settings{}, m.Deadline.AddDays(3).Time())
			if got := summary(plan, 5); got != c.want {
				t.Fatalf("plan:\n got  %s\n want %s", got, c.want)
			}
			for i := 0; i+1 < len(plan); i++ {
				if !plan[i].Until.Equal(plan[i+1].At) {
					t.Errorf("occasion %d ends at %v, not when the next starts (%v)", i, plan[i].Until, plan[i+1].At)
				}
			}
		})
	}
}

func TestDue(t *testing.T) {
	m := ccrc("2026-11-02") // deadline Monday 30 November 2026
	for _, c := range []struct {
		name, now, live, next string
	}{
		{"a minute early", "2026-11-19T07:59:00Z", "", "2026-11-19T08:00:00Z"},
		{"on time", "2026-11-19T08:00:00Z", "ccrc.warning/m-1/2026-11-30/7wd", "2026-11-26T08:00:00Z"},
		{"a sweep late by days still sends the current one", "2026-11-24T13:00:00Z", "ccrc.warning/m-1/2026-11-30/7wd", "2026-11-26T08:00:00Z"},
		{"on the day", "2026-11-30T10:00:00Z", "ccrc.due/m-1/2026-11-30/day", "2026-12-01T08:00:00Z"},
		// Created 34 days after the deadline: the escalation in force, not the stale warnings.
		{"34 days overdue", "2027-01-03T09:00:00Z", "ccrc.escalation/m-1/2026-11-30/w5", "2027-01-05T08:00:00Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			now := utc(c.now)
			live, next := Due(Matter(m, Settings{}, now), now)
			var keys []string
			for _, o := range live {
				keys = append(keys, o.Key())
			}
			if got := strings.Join(keys, " "); got != c.live {
				t.Errorf("live = %q, want %q", got, c.live)
			}
			if got := next.UTC().Format(time.RFC3339); got != c.next {
				t.Errorf("next = %s, want %s", got, c.next)
			}
		})
	}
	confirmed := ccrc("2026-11-02")
	confirmed.Work.ConfirmedOn = day("2026-11-20")
	if p := Matter(confirmed, Settings{}, utc("2026-12-01T08:00:00Z")); len(p) != 0 {
		t.Errorf("a confirmed matter still plans %d occasions", len(p))
	}
	released := ccrc("2026-11-02")
	released.Status = casehold.MatterReleased
	if p := Matter(released, Settings{}, utc("2026-12-01T08:00:00Z")); len(p) != 0 {
		t.Errorf("a released matter still plans %d occasions", len(p))
	}
}

func TestSettings(t *testing.T) {
	m := ccrc("2026-11-02")
	plan := Matter(m, Settings{CCRCWarnDays: []int{3}, EscalateEveryDays: 14, SendHour: 9, SendMinute: 30}, m.Deadline.AddDays(10).Time())
	if got := summary(plan, 4); got != "ccrc.warning 3wd 2026-11-25T09:30Z, ccrc.due day 2026-11-30T09:30Z, ccrc.escalation w1 2026-12-01T09:30Z, ccrc.escalation w2 2026-12-15T09:30Z" {
		t.Errorf("plan = %s", got)
	}
	if _, err := ParseDays("warn", "7, 2"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "0", "x", "7,,2", "99"} {
		if _, err := ParseDays("warn", bad); casehold.ErrorCode(err) != casehold.EINVALID {
			t.Errorf("ParseDays(%q) = %v, want invalid", bad, err)
		}
	}
}

func TestLockPlan(t *testing.T) {
	from := utc("2027-01-12T10:00:00Z")
	returned := from.Add(3 * time.Hour)
	l := &casehold.Lock{ID: "lk-1", PID: "P9", Owner: "s-tm", Status: casehold.LockActive,
		ReviewDue: day("2027-01-31"), // a Sunday
		Temporary: []casehold.TemporaryAccess{{Staff: "s-x", From: from, Until: from.Add(24 * time.Hour), ReturnedAt: &returned}},
		BreakGlass: []casehold.BreakGlass{
			{Staff: "s-edt", At: utc("2027-01-15T23:00:00Z"), Until: utc("2027-01-16T15:00:00Z")}, // Friday night
			{Staff: "s-edt", At: utc("2027-01-16T01:00:00Z"), Until: utc("2027-01-16T17:00:00Z"), Reviewed: true},
		}}
	plan := Lock(l, Settings{}, from)
	want := "lock.temporary_ended s-x@20270112T100000 2027-01-12T13:00Z, lock.break_glass list 2027-01-18T08:00Z, " +
		"lock.review 3wd 2027-01-27T08:00Z, lock.review day 2027-01-29T08:00Z, lock.review_overdue w1 2027-02-01T08:00Z"
	if got := summary(plan, 5); got != want {
		t.Fatalf("lock plan:\n got  %s\n want %s", got, want)
	}
	l.Status = casehold.LockUnlocked
	if p := Lock(l, Settings{}, from); len(p) != 0 {
		t.Errorf("an unlocked case plans %d occasions", len(p))
	}
}

func TestReportPlan(t *testing.T) {
	for _, c := range []struct {
		key, now, live, next string
	}{
		// 1 January 2027 is a holiday and 2-3 a weekend: the period's report goes on the 4th.
		{LockedReportKey, "2027-01-04T08:00:00Z", "report.locked/locked/2027-01-04/period", "2027-03-01T08:00:00Z"},
		{LockedReportKey, "2027-02-20T10:00:00Z", "report.locked/locked/2027-01-04/period", "2027-03-01T08:00:00Z"},
		// 1 May 2027 is a Saturday and the 3rd the early May bank holiday: the 4th.
		{LockedReportKey, "2027-05-01T10:00:00Z", "report.locked/locked/2027-03-01/period", "2027-05-04T07:00:00Z"},
		{LockedSummaryKey, "2027-03-01T08:00:00Z", "report.summary/summary/2027-01-04/period", "2027-07-01T07:00:00Z"},
	} {
		now := utc(c.now)
		live, next := Due(Report(c.key, Settings{}, now), now)
		if len(live) != 1 || live[0].Key() != c.live || next.UTC().Format(time.RFC3339) != c.next {
			var keys []string
			for _, o := range live {
				keys = append(keys, o.Key())
			}
			t.Errorf("%s at %s: live %v next %s; want %s next %s", c.key, c.now, keys, next.UTC().Format(time.RFC3339), c.live, c.next)
		}
	}
}
