// Package reminders plans what the scheduled sweep sends: from a matter or a lock as it now
// stands, the occasions (a warning, an escalation, a review reminder...) with the moment
// each falls due and the moment it is superseded. It is pure: no storage, no mail, no
// clock but the one passed in. The sweep (internal/app) finds the subjects due through the
// due-date index, asks Plan, queues a message per occasion and moves the subject's index
// entry to the next occasion.
package reminders

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/workdays"
)

// Settings are the intervals. Zero values take the defaults (DefaultSettings).
type Settings struct {
	// SendHour and SendMinute are the local (Europe/London) time reminders go out.
	SendHour, SendMinute int
	// CCRCWarnDays are the working days before a CCRC deadline the coordinator is warned.
	CCRCWarnDays []int
	// EscalateEveryDays repeats an escalation (CCRC deadline, lock review) until resolved.
	EscalateEveryDays int
	// LockReviewWarnDays are the working days before a lock's monthly review the owner is
	// reminded.
	LockReviewWarnDays int
	// IdleDays flags an open matter with nothing recorded for that many days.
	IdleDays int
	// LeadAckDays are the working days after a lead officer's notice before an
	// unacknowledged one is chased.
	LeadAckDays int
}

// DefaultSettings are the intervals the procedures suggest.
func DefaultSettings() Settings {
	return Settings{SendHour: 8, CCRCWarnDays: []int{7, 2}, EscalateEveryDays: 7, LockReviewWarnDays: 3, IdleDays: 30, LeadAckDays: 5}
}

func (s Settings) withDefaults() Settings {
	d := DefaultSettings()
	if s.SendHour == 0 && s.SendMinute == 0 {
		s.SendHour, s.SendMinute = d.SendHour, d.SendMinute
	}
	if len(s.CCRCWarnDays) == 0 {
		s.CCRCWarnDays = d.CCRCWarnDays
	}
	if s.EscalateEveryDays <= 0 {
		s.EscalateEveryDays = d.EscalateEveryDays
	}
	if s.LockReviewWarnDays <= 0 {
		s.LockReviewWarnDays = d.LockReviewWarnDays
	}
	if s.IdleDays <= 0 {
		s.IdleDays = d.IdleDays
	}
	if s.LeadAckDays <= 0 {
		s.LeadAckDays = d.LeadAckDays
	}
	return s
}

// ParseDays reads a comma-separated list of positive day counts ("7,2").
func ParseDays(field, s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		var n int
		if _, err := fmt.Sscanf(strings.TrimSpace(p), "%d", &n); err != nil || n <= 0 || n > 60 {
			return nil, casehold.Errorf(casehold.EINVALID, "%s must be whole days between 1 and 60, separated by commas", field)
		}
		out = append(out, n)
	}
	return out, nil
}

// Kind names an occasion.
type Kind string

const (
	CCRCWarning       Kind = "ccrc.warning"    // the deadline is N working days away
	CCRCDueToday      Kind = "ccrc.due"        // the deadline is today (or the last working day before it)
	CCRCEscalation    Kind = "ccrc.escalation" // the deadline passed unconfirmed: the line manager is told, weekly
	LockReviewDue     Kind = "lock.review"     // the monthly review is coming or due
	LockReviewOverdue Kind = "lock.review_overdue"
	TemporaryEnded    Kind = "lock.temporary_ended" // a temporary access ended
	BreakGlassList    Kind = "lock.break_glass"     // the break-glass accesses of a day, for the owner
	MatterIdle        Kind = "matter.idle"          // nothing recorded for IdleDays
	SCRCopyDue        Kind = "scr.copy"             // a practitioner's copy is due (before, on the day)
	SCRCopyOverdue    Kind = "scr.copy_overdue"     // not provided: the senior manager is told, weekly
	LeadNotice        Kind = "lead.notice"          // a service area's lead officer is told of the direction
	LeadReminder      Kind = "lead.reminder"        // the notice is unacknowledged after LeadAckDays working days
	LeadEscalation    Kind = "lead.escalation"      // still unacknowledged: the coordinator is told, weekly
)

// Audience is who an occasion is for; the sweep resolves it through the staff directory.
type Audience string

const (
	ToCoordinator        Audience = "coordinator"
	ToCoordinatorManager Audience = "coordinator_manager" // with the coordinator copied
	ToLockOwner          Audience = "lock_owner"
	ToLockOwnerManager   Audience = "lock_owner_manager" // with the owner copied
	ToSeniorManager      Audience = "senior_manager"     // a serious case review's, with the coordinator copied
	ToLeadOfficer        Audience = "lead_officer"       // a service area's lead officer, by the address recorded (Detail["area"])
)

// Occasion is one message to send, due from At until Until (when the next of its series
// supersedes it: a sweep that was down for a day still sends the current one, never a
// stale one). Key is deterministic: the same occasion always has the same key.
type Occasion struct {
	Kind    Kind          `json:"kind"`
	Subject string        `json:"subject"` // matter or lock id
	Due     casehold.Date `json:"due"`     // the date it is about (deadline, review date, day of access)
	Seq     string        `json:"seq"`     // tells the occasions of one series apart
	At      time.Time     `json:"at"`
	Until   time.Time     `json:"until"`
	To      Audience      `json:"to"`
	// Detail is data the message needs (days left, staff ids), never personal data.
	Detail map[string]string `json:"detail,omitempty"`
}

// Key is the occasion key: what, about which subject, which due date, which one.
func (o Occasion) Key() string {
	return strings.Join([]string{string(o.Kind), o.Subject, o.Due.String(), o.Seq}, "/")
}

// Live reports whether the occasion is due at now and not yet superseded.
func (o Occasion) Live(now time.Time) bool { return !now.Before(o.At) && now.Before(o.Until) }

// Subject keys in the due-date index.
const (
	MatterPrefix = "matter:"
	IdlePrefix   = "idle:"
	LockPrefix   = "lock:"
)

// forever ends the last occasion of a series that has no successor.
const week = 7 * 24 * time.Hour

// Matter plans an open matter's occasions: a CCRC direction's deadline (a serious case
// review has no fixed deadline, but its practitioner copies have), and any lead officer
// notice awaiting acknowledgement (Leads). Escalations are planned up to a week past now.
func Matter(m *casehold.Matter, s Settings, now time.Time) []Occasion {
	s = s.withDefaults()
	if m.Status != casehold.MatterOpen {
		return nil
	}
	leads := Leads(m, s, now)
	if m.Kind == casehold.KindSeriousCaseReview && m.Work.SCR != nil {
		return append(scrCopies(m, s, now), leads...)
	}
	if m.Kind != casehold.KindCCRCS17 || m.Deadline.IsZero() || !m.Work.ConfirmedOn.IsZero() {
		return leads
	}
	return append(ccrcDeadline(m, s, now), leads...)
}

// LeadNoticeOccasion is the notice to an area's lead officer, live from the start of the
// day it was queued until the reminder; the use case that names the officer queues it at
// once under this key, and the sweep sends it only if that failed to be queued.
func LeadNoticeOccasion(m *casehold.Matter, a casehold.AreaLead, s Settings) Occasion {
	s = s.withDefaults()
	return Occasion{Kind: LeadNotice, Subject: m.ID, Due: a.NoticeOn, Seq: string(a.Area) + "-" + a.EmailTag(),
		At: workdays.At(a.NoticeOn, 0, 0), Until: workdays.At(workdays.Add(a.NoticeOn, s.LeadAckDays), s.SendHour, s.SendMinute),
		To: ToLeadOfficer, Detail: map[string]string{"area": string(a.Area)}}
}

// Leads plans each service area's unacknowledged lead officer notice: the notice, a
// reminder to the officer LeadAckDays working days after it, then an escalation to the
// coordinator EscalateEveryDays later and as often again until it is acknowledged. The
// keys carry a digest of the address, so naming another officer starts a new series.
func Leads(m *casehold.Matter, s Settings, now time.Time) []Occasion {
	s = s.withDefaults()
	if m.Status != casehold.MatterOpen {
		return nil
	}
	at := func(d casehold.Date) time.Time { return workdays.At(d, s.SendHour, s.SendMinute) }
	var out []Occasion
	for _, a := range m.Work.Areas {
		if !a.AwaitingAck() {
			continue
		}
		seq := string(a.Area) + "-" + a.EmailTag()
		detail := map[string]string{"area": string(a.Area)}
		remind := workdays.Add(a.NoticeOn, s.LeadAckDays)
		series := []Occasion{LeadNoticeOccasion(m, a, s),
			{Kind: LeadReminder, Subject: m.ID, Due: a.NoticeOn, Seq: seq + "-r", At: at(remind), To: ToLeadOfficer, Detail: detail}}
		for n := 1; ; n++ {
			o := Occasion{Kind: LeadEscalation, Subject: m.ID, Due: a.NoticeOn, Seq: fmt.Sprintf("%s-w%d", seq, n),
				At: at(workdays.OnOrAfter(remind.AddDays(n * s.EscalateEveryDays))), To: ToCoordinator, Detail: detail}
			series = append(series, o)
			if o.At.After(now.Add(week)) {
				break
			}
		}
		out = append(out, chain(series)...)
	}
	return out
}

// ccrcDeadline plans a CCRC direction's deadline: warnings, the day, weekly escalations.
func ccrcDeadline(m *casehold.Matter, s Settings, now time.Time) []Occasion {
	at := func(d casehold.Date) time.Time { return workdays.At(d, s.SendHour, s.SendMinute) }
	var out []Occasion
	warn := append([]int(nil), s.CCRCWarnDays...)
	sort.Sort(sort.Reverse(sort.IntSlice(warn)))
	for _, n := range warn {
		out = append(out, Occasion{Kind: CCRCWarning, Subject: m.ID, Due: m.Deadline, Seq: fmt.Sprintf("%dwd", n),
			At: at(workdays.Add(m.Deadline, -n)), To: ToCoordinator, Detail: map[string]string{"working_days": fmt.Sprint(n)}})
	}
	// On the day: a deadline at a weekend or on a holiday is met on the working day before.
	out = append(out, Occasion{Kind: CCRCDueToday, Subject: m.ID, Due: m.Deadline, Seq: "day", At: at(workdays.OnOrBefore(m.Deadline)), To: ToCoordinator})
	// After: the first working day after the deadline, then every EscalateEveryDays
	// (moved on to a working day), until confirmed or released.
	first := workdays.Add(m.Deadline, 1)
	for n := 0; ; n++ {
		d := workdays.OnOrAfter(first.AddDays(n * s.EscalateEveryDays))
		o := Occasion{Kind: CCRCEscalation, Subject: m.ID, Due: m.Deadline, Seq: fmt.Sprintf("w%d", n+1), At: at(d), To: ToCoordinatorManager,
			Detail: map[string]string{"days_overdue": fmt.Sprint(m.Deadline.DaysUntil(d))}}
		out = append(out, o)
		if o.At.After(now.Add(week)) {
			break
		}
	}
	return chain(out)
}

// Idle plans the flag of a matter with nothing recorded since lastActivity (the due-date
// index holds lastActivity+IdleDays; any change to the matter moves it on).
func Idle(m *casehold.Matter, idleSince time.Time, s Settings) []Occasion {
	s = s.withDefaults()
	if m.Status != casehold.MatterOpen {
		return nil
	}
	day := workdays.Today(idleSince)
	return []Occasion{{Kind: MatterIdle, Subject: m.ID, Due: day, Seq: "idle", At: idleSince, Until: idleSince.Add(time.Duration(s.IdleDays) * 24 * time.Hour),
		To: ToCoordinator, Detail: map[string]string{"idle_days": fmt.Sprint(s.IdleDays)}}}
}

// Lock plans a lock's occasions: the monthly review (reminder, on the day, escalation
// weekly while overdue), the end of each temporary access, and each day's break-glass
// accesses, for the owner on the next working day.
func Lock(l *casehold.Lock, s Settings, now time.Time) []Occasion {
	s = s.withDefaults()
	if l.Status != casehold.LockActive {
		return nil
	}
	at := func(d casehold.Date) time.Time { return workdays.At(d, s.SendHour, s.SendMinute) }
	var review []Occasion
	if !l.ReviewDue.IsZero() {
		d := l.ReviewDue
		review = append(review,
			Occasion{Kind: LockReviewDue, Subject: l.ID, Due: d, Seq: fmt.Sprintf("%dwd", s.LockReviewWarnDays), At: at(workdays.Add(d, -s.LockReviewWarnDays)), To: ToLockOwner},
			Occasion{Kind: LockReviewDue, Subject: l.ID, Due: d, Seq: "day", At: at(workdays.OnOrBefore(d)), To: ToLockOwner})
		first := workdays.Add(d, 1)
		for n := 0; ; n++ {
			e := workdays.OnOrAfter(first.AddDays(n * s.EscalateEveryDays))
			o := Occasion{Kind: LockReviewOverdue, Subject: l.ID, Due: d, Seq: fmt.Sprintf("w%d", n+1), At: at(e), To: ToLockOwnerManager}
			review = append(review, o)
			if o.At.After(now.Add(week)) {
				break
			}
		}
	}
	out := chain(review)
	for _, t := range l.Temporary {
		end := t.Until
		if t.ReturnedAt != nil && t.ReturnedAt.Before(end) {
			end = *t.ReturnedAt
		}
		out = append(out, Occasion{Kind: TemporaryEnded, Subject: l.ID, Due: workdays.Today(t.From), Seq: t.Staff + "@" + t.From.UTC().Format("20060102T150405"),
			At: end, Until: end.Add(week), To: ToLockOwner, Detail: map[string]string{"staff": t.Staff}})
	}
	days := map[casehold.Date]bool{}
	for _, b := range l.BreakGlass {
		if !b.Reviewed {
			days[workdays.Today(b.At)] = true
		}
	}
	for d := range days {
		when := at(workdays.Add(d, 1))
		out = append(out, Occasion{Kind: BreakGlassList, Subject: l.ID, Due: d, Seq: "list", At: when, Until: when.Add(week), To: ToLockOwner})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Key() < out[j].Key()
	})
	return out
}

// chain sets each occasion's Until to the next one's At; the last runs a week.
func chain(series []Occasion) []Occasion {
	sort.SliceStable(series, func(i, j int) bool { return series[i].At.Before(series[j].At) })
	for i := range series {
		if i+1 < len(series) {
			series[i].Until = series[i+1].At
		} else {
			series[i].Until = series[i].At.Add(week)
		}
	}
	return series
}

// Due splits a plan at now: the occasions live now, and the moment the next one starts
// (zero when nothing more is planned).
func Due(plan []Occasion, now time.Time) (live []Occasion, next time.Time) {
	for _, o := range plan {
		if o.Live(now) {
			live = append(live, o)
		}
		if o.At.After(now) && (next.IsZero() || o.At.Before(next)) {
			next = o.At
		}
	}
	return live, next
}

// Reports: the bi-monthly locked-cases report (each manager's locked cases with their
// current access, to their service manager) and the twice-yearly summary (numbers and
// status, to the senior leadership team). Each is one subject in the due-date index.
const (
	LockedReport  Kind = "report.locked"
	LockedSummary Kind = "report.summary"

	ReportPrefix     = "report:"
	LockedReportKey  = ReportPrefix + "locked"
	LockedSummaryKey = ReportPrefix + "summary"
)

// reportMonths are the months a report period starts: every two months from January for
// the report, January and July for the summary.
var reportMonths = map[string][]time.Month{
	LockedReportKey:  {time.January, time.March, time.May, time.July, time.September, time.November},
	LockedSummaryKey: {time.January, time.July},
}

// Report plans a report subject: the occasion of the period in force at now (sent on the
// first working day of the period, at the send time) and when the next period's is due.
func Report(key string, s Settings, now time.Time) []Occasion {
	s = s.withDefaults()
	months, ok := reportMonths[key]
	if !ok {
		return nil
	}
	kind := LockedReport
	if key == LockedSummaryKey {
		kind = LockedSummary
	}
	start := func(year int, m time.Month) time.Time {
		return workdays.At(workdays.OnOrAfter(casehold.Date{Year: year, Month: m, Day: 1}), s.SendHour, s.SendMinute)
	}
	var out []Occasion
	today := workdays.Today(now)
	for _, y := range []int{today.Year - 1, today.Year, today.Year + 1} {
		for _, m := range months {
			at := start(y, m)
			out = append(out, Occasion{Kind: kind, Subject: strings.TrimPrefix(key, ReportPrefix), Due: workdays.Today(at), Seq: "period", At: at})
		}
	}
	return chain(out)
}

// scrCopyWarnDays is how many working days before a practitioner's copy is due the
// coordinator is reminded.
const scrCopyWarnDays = 2

// scrCopies plans a serious case review's practitioner copies not yet provided: a reminder
// to the coordinator before and on the day, then weekly overdue notices to the senior
// manager. The practitioner's name stays out of the key (keys reach logs and the audit
// trail): copies are told apart by their place in the list.
func scrCopies(m *casehold.Matter, s Settings, now time.Time) []Occasion {
	at := func(d casehold.Date) time.Time { return workdays.At(d, s.SendHour, s.SendMinute) }
	var out []Occasion
	for i, c := range m.Work.SCR.Copies {
		if c.DueOn.IsZero() || !c.ProvidedOn.IsZero() {
			continue
		}
		n := fmt.Sprint(i + 1)
		series := []Occasion{
			{Kind: SCRCopyDue, Subject: m.ID, Due: c.DueOn, Seq: "c" + n + "-" + fmt.Sprint(scrCopyWarnDays) + "wd", At: at(workdays.Add(c.DueOn, -scrCopyWarnDays)), To: ToCoordinator, Detail: map[string]string{"copy": n}},
			{Kind: SCRCopyDue, Subject: m.ID, Due: c.DueOn, Seq: "c" + n + "-day", At: at(workdays.OnOrBefore(c.DueOn)), To: ToCoordinator, Detail: map[string]string{"copy": n}},
		}
		first := workdays.Add(c.DueOn, 1)
		for w := 0; ; w++ {
			o := Occasion{Kind: SCRCopyOverdue, Subject: m.ID, Due: c.DueOn, Seq: fmt.Sprintf("c%s-w%d", n, w+1), At: at(workdays.OnOrAfter(first.AddDays(w * s.EscalateEveryDays))),
				To: ToSeniorManager, Detail: map[string]string{"copy": n}}
			series = append(series, o)
			if o.At.After(now.Add(week)) {
				break
			}
		}
		out = append(out, chain(series)...)
	}
	return out
}
