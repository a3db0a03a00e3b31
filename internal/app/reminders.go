package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
	"github.com/casehold/casehold/internal/workdays"
)

// The scheduled sweep. Matters and locks put themselves in the due-date index whenever
// they change (schedule); the sweep reads only the entries due, plans each subject's
// occasions (internal/reminders), queues one message per live occasion under the
// occasion's key, and only then moves the entry on to the subject's next occasion. A sweep
// stopped at any point and run again re-plans the entries it had not moved and finds the
// messages it had queued under their keys: nothing is sent twice, nothing is missed.

// dueIndex is the store's due-date index.
func (s *Deps) dueIndex() (casehold.DueIndex, error) {
	d, ok := s.Store.(casehold.DueIndex)
	if !ok {
		return nil, casehold.Errorf(casehold.EINTERNAL, "the state store keeps no due-date index")
	}
	return d, nil
}

// PlannedMail is one message a sweep queues (or, in a dry run, would queue). Recipients
// are staff ids (or the role of an address with no staff id), never names.
type PlannedMail struct {
	Key     string         `json:"key"`
	Kind    reminders.Kind `json:"kind"`
	Subject string         `json:"subject"` // matter or lock id
	To      []string       `json:"to"`
	Cc      []string       `json:"cc,omitempty"`
	// Restricted: the recipient may not read the case (a lock, no grant), so the message
	// carries ids and dates only.
	Restricted bool   `json:"restricted"`
	Queued     bool   `json:"queued"` // false: queued by an earlier sweep (or a dry run)
	Problem    string `json:"problem,omitempty"`
}

// SweepReport says what a sweep read and did.
type SweepReport struct {
	At       time.Time      `json:"at"`
	DryRun   bool           `json:"dry_run"`
	DueRead  int            `json:"due_read"`      // due-index entries read
	Subjects int            `json:"subjects_read"` // matters and locks loaded
	Mail     []PlannedMail  `json:"mail"`
	Delivery DeliveryReport `json:"delivery"`
}

// subject is what a plan was made from.
type subject struct {
	matter *casehold.Matter
	lock   *casehold.Lock
	report string // a report's subject key (reports.go)
}

// plan loads the subject of a due entry and plans it at `at`: the occasions and when the
// entry is next due (zero: remove it).
func (s *Deps) plan(ctx context.Context, it casehold.DueItem, at time.Time) ([]reminders.Occasion, time.Time, subject, error) {
	set := s.Remind
	switch {
	case strings.HasPrefix(it.Key, reminders.MatterPrefix):
		m, err := s.Store.GetMatter(ctx, strings.TrimPrefix(it.Key, reminders.MatterPrefix))
		if casehold.ErrorCode(err) == casehold.ENOTFOUND {
			return nil, time.Time{}, subject{}, nil
		}
		if err != nil {
			return nil, time.Time{}, subject{}, err
		}
		plan := reminders.Matter(m, set, at)
		_, next := reminders.Due(plan, at)
		return plan, next, subject{matter: m}, nil
	case strings.HasPrefix(it.Key, reminders.IdlePrefix):
		m, err := s.Store.GetMatter(ctx, strings.TrimPrefix(it.Key, reminders.IdlePrefix))
		if casehold.ErrorCode(err) == casehold.ENOTFOUND {
			return nil, time.Time{}, subject{}, nil
		}
		if err != nil {
			return nil, time.Time{}, subject{}, err
		}
		plan := reminders.Idle(m, it.Due, set)
		var next time.Time
		if len(plan) > 0 {
			next = plan[0].Until // still idle then: flagged again
		}
		return plan, next, subject{matter: m}, nil
	case strings.HasPrefix(it.Key, reminders.LockPrefix):
		if s.Locks == nil {
			return nil, time.Time{}, subject{}, nil
		}
		l, err := s.Locks.GetLock(ctx, strings.TrimPrefix(it.Key, reminders.LockPrefix))
		if casehold.ErrorCode(err) == casehold.ENOTFOUND {
			return nil, time.Time{}, subject{}, nil
		}
		if err != nil {
			return nil, time.Time{}, subject{}, err
		}
		plan := reminders.Lock(l, set, at)
		_, next := reminders.Due(plan, at)
		return plan, next, subject{lock: l}, nil
	case strings.HasPrefix(it.Key, reminders.ReportPrefix):
		plan := reminders.Report(it.Key, set, at)
		_, next := reminders.Due(plan, at)
		return plan, next, subject{report: it.Key}, nil
	}
	return nil, time.Time{}, subject{}, nil // an entry of a kind this version does not know
}

// schedule puts a subject in the due-date index at its next occasion (now, if one is live),
// after the subject changed. A failure is logged loudly, not returned: the change itself
// is stored and audited, and the next change schedules it again.
func (s *Deps) schedule(ctx context.Context, key string) {
	idx, err := s.dueIndex()
	if err != nil {
		return
	}
	now := s.now()
	plan, next, _, err := s.plan(ctx, casehold.DueItem{Key: key, Due: now}, now)
	if err == nil {
		if live, _ := reminders.Due(plan, now); len(live) > 0 {
			next = now // the sweep sends what is due now (at most once, by key)
		}
		err = idx.SetDue(ctx, key, next)
	}
	if err != nil {
		s.Log.ErrorContext(ctx, ReminderScheduleFailed, "subject", key, "err", err)
	}
}

// ReminderScheduleFailed is logged when a subject could not be put in the due-date index;
// template.yaml's metric filter counts it.
const ReminderScheduleFailed = "reminder schedule failed"

// touchMatter records activity on a matter: its deadline occasions are re-planned and its
// idle flag moves IdleDays on.
func (s *Deps) touchMatter(ctx context.Context, m *casehold.Matter) {
	s.schedule(ctx, reminders.MatterPrefix+m.ID)
	idx, err := s.dueIndex()
	if err != nil {
		return
	}
	var idle time.Time
	if m.Status == casehold.MatterOpen {
		days := s.Remind.IdleDays
		if days <= 0 {
			days = reminders.DefaultSettings().IdleDays
		}
		idle = s.now().Add(time.Duration(days) * 24 * time.Hour)
	}
	if err := idx.SetDue(ctx, reminders.IdlePrefix+m.ID, idle); err != nil {
		s.Log.ErrorContext(ctx, ReminderScheduleFailed, "subject", reminders.IdlePrefix+m.ID, "err", err)
	}
}

// recipient is one addressee: a staff id where known (for the policy and the dry run) and
// the address.
type recipient struct {
	staffID string
	role    casehold.Role
	email   string
	label   string // what the dry run prints: the staff id, or the role of a bare address
}

// staffRecipient reads a member of staff from the directory; ok is false when they are
// not in it or have no address.
func (s *Deps) staffRecipient(ctx context.Context, id string, role casehold.Role) (recipient, *casehold.StaffMember, bool, error) {
	if id == "" || s.Staff == nil {
		return recipient{}, nil, false, nil
	}
	m, err := s.Staff.GetStaff(ctx, id)
	if casehold.ErrorCode(err) == casehold.ENOTFOUND {
		return recipient{}, nil, false, nil
	}
	if err != nil {
		return recipient{}, nil, false, fmt.Errorf("staff directory: %w", err)
	}
	if m.Email == "" {
		return recipient{}, m, false, nil
	}
	return recipient{staffID: id, role: role, email: m.Email, label: id}, m, true, nil
}

// audience resolves an occasion's recipients: the main ones, and copies. An escalation
// goes to the person's line manager with the person copied; with no manager on record,
// to the person alone (and the log says so).
func (s *Deps) audience(ctx context.Context, o reminders.Occasion, subj subject) (to, cc []recipient, err error) {
	var person recipient
	var member *casehold.StaffMember
	var ok, escalate bool
	managerRole := casehold.RoleTeamManager
	switch o.To {
	case reminders.ToCoordinator, reminders.ToCoordinatorManager:
		m := subj.matter
		if person, member, ok, err = s.staffRecipient(ctx, m.Coordinator, casehold.RoleCoordinator); err != nil {
			return nil, nil, err
		}
		if !ok && m.CoordinatorEmail != "" {
			person, ok = recipient{staffID: m.Coordinator, role: casehold.RoleCoordinator, email: m.CoordinatorEmail, label: m.Coordinator}, true
		}
		escalate = o.To == reminders.ToCoordinatorManager
	case reminders.ToLockOwner, reminders.ToLockOwnerManager:
		if person, member, ok, err = s.staffRecipient(ctx, subj.lock.Owner, casehold.RoleTeamManager); err != nil {
			return nil, nil, err
		}
		escalate, managerRole = o.To == reminders.ToLockOwnerManager, casehold.RoleServiceManager
	case reminders.ToLeadOfficer:
		// A lead officer is named with an address, outside the matter: what they get says
		// ids, the reference and what to do, never the children's names.
		if a, ok := areaLead(subj.matter, o.Detail["area"]); ok && a.LeadEmail != "" {
			return []recipient{{email: a.LeadEmail, label: "lead-officer:" + string(a.Area)}}, nil, nil
		}
		return nil, nil, nil
	case reminders.ToSeniorManager:
		// A review's senior manager is named with an address, not a staff id: the policy
		// cannot know them, so what they get says ids and dates only.
		m := subj.matter
		if m.Work.SCR == nil || m.Work.SCR.SeniorManagerEmail == "" {
			return nil, nil, nil
		}
		to = []recipient{{email: m.Work.SCR.SeniorManagerEmail, label: "senior-manager"}}
		if coord, _, ok, err := s.staffRecipient(ctx, m.Coordinator, casehold.RoleCoordinator); err != nil {
			return nil, nil, err
		} else if ok {
			cc = append(cc, coord)
		}
		return to, cc, nil
	default:
		return nil, nil, nil
	}
	if escalate && member != nil {
		mgr, _, mok, err := s.staffRecipient(ctx, member.Manager, managerRole)
		if err != nil {
			return nil, nil, err
		}
		if mok {
			to = append(to, mgr)
		}
	}
	switch {
	case !ok:
		return to, nil, nil
	case len(to) == 0:
		if escalate {
			s.Log.WarnContext(ctx, "escalation has no line manager in the staff directory; sent to the person alone", "occasion", o.Key())
		}
		return []recipient{person}, nil, nil
	default:
		return to, []recipient{person}, nil
	}
}

// restricted asks the access policy whether r may read the subject (the matter with its
// children, past their locks; or the locked child). A recipient who may not gets ids and
// dates only.
func (s *Deps) restricted(ctx context.Context, r recipient, subj subject) (bool, error) {
	rd, err := s.reader(ctx, casehold.Actor{ID: r.staffID, Roles: []casehold.Role{r.role}})
	if err != nil {
		return true, err
	}
	var sc casehold.Scope
	switch {
	case subj.matter != nil:
		pids := subj.matter.PIDs()
		locks, err := s.locksOn(ctx, pids)
		if err != nil {
			return true, err
		}
		sc = casehold.Scope{Matter: subj.matter, PIDs: pids, Locks: locks}
	case subj.lock != nil:
		sc = casehold.Scope{PIDs: []string{subj.lock.PID}, Locks: []*casehold.Lock{subj.lock}}
	}
	return !casehold.Decide(rd, casehold.ActReadMatter, sc, s.now()).Allow, nil
}

// reminderText writes a reminder. Subjects carry the kind and ids only; a restricted body
// carries ids and dates only, never a reference, PID, name or reason.
func reminderText(o reminders.Occasion, subj subject, restricted bool) (string, string) {
	var b strings.Builder
	date := func(d casehold.Date) string { return d.Time().Format("Monday 2 January 2006") }
	switch o.Kind {
	case reminders.CCRCWarning, reminders.CCRCDueToday, reminders.CCRCEscalation:
		m := subj.matter
		subject := "casehold: matter " + m.ID + " must be confirmed by " + m.Deadline.String()
		switch o.Kind {
		case reminders.CCRCWarning:
			fmt.Fprintf(&b, "The CCRC must have confirmation that everything is secured for matter %s by %s: %s working days from now.\n", m.ID, date(m.Deadline), o.Detail["working_days"])
		case reminders.CCRCDueToday:
			subject = "casehold: matter " + m.ID + " confirmation due today"
			fmt.Fprintf(&b, "Confirmation to the CCRC for matter %s is due today (deadline %s).\n", m.ID, date(m.Deadline))
		default:
			subject = "casehold: OVERDUE matter " + m.ID + " (escalation)"
			fmt.Fprintf(&b, "Matter %s passed its 28-day deadline (%s) %s days ago without confirmation to the CCRC.\n"+
				"You are told as the coordinating officer's line manager; this is repeated weekly until it is confirmed or released.\n", m.ID, date(m.Deadline), o.Detail["days_overdue"])
		}
		if !restricted {
			fmt.Fprintf(&b, "CCRC reference: %s. People named: %d.\n", m.Reference, len(m.People))
		}
		b.WriteString("Open the matter in casehold to see what is outstanding.\n")
		return subject, b.String()
	case reminders.SCRCopyDue, reminders.SCRCopyOverdue:
		m := subj.matter
		subject := "casehold: practitioner copy due (serious case review " + m.ID + ")"
		if o.Kind == reminders.SCRCopyOverdue {
			subject = "casehold: OVERDUE practitioner copy (serious case review " + m.ID + ")"
			fmt.Fprintf(&b, "Copy %s of the secured records for a practitioner, for serious case review %s, was due on %s and is not recorded as provided. This is repeated weekly until it is.\n",
				o.Detail["copy"], m.ID, date(o.Due))
		} else {
			fmt.Fprintf(&b, "Copy %s of the secured records for a practitioner, for serious case review %s, is due on %s.\n", o.Detail["copy"], m.ID, date(o.Due))
		}
		if !restricted {
			if i, err := strconv.Atoi(o.Detail["copy"]); err == nil && m.Work.SCR != nil && i >= 1 && i <= len(m.Work.SCR.Copies) {
				fmt.Fprintf(&b, "Practitioner: %s. Board reference: %s.\n", m.Work.SCR.Copies[i-1].Practitioner, m.Reference)
			}
		}
		return subject, b.String()
	case reminders.LeadNotice, reminders.LeadReminder, reminders.LeadEscalation:
		return leadText(o, subj.matter, restricted)
	case reminders.MatterIdle:
		m := subj.matter
		fmt.Fprintf(&b, "Nothing has been recorded on matter %s for %s days. If the work is finished, confirm or release it; if not, record progress.\n", m.ID, o.Detail["idle_days"])
		return "casehold: matter " + m.ID + " has been idle", b.String()
	case reminders.LockReviewDue, reminders.LockReviewOverdue:
		l := subj.lock
		subject := "casehold: locked case review due (lock " + l.ID + ")"
		if o.Kind == reminders.LockReviewOverdue {
			subject = "casehold: OVERDUE locked case review (lock " + l.ID + ")"
			fmt.Fprintf(&b, "The monthly review of lock %s was due on %s and is not recorded. This is repeated weekly until it is.\n", l.ID, date(l.ReviewDue))
		} else {
			fmt.Fprintf(&b, "The monthly review of lock %s is due on %s: decide with the key worker whether it stays locked.\n", l.ID, date(l.ReviewDue))
		}
		if !restricted {
			fmt.Fprintf(&b, "Child's PID: %s. Owner: %s.\n", l.PID, l.Owner)
		}
		return subject, b.String()
	case reminders.TemporaryEnded:
		l := subj.lock
		fmt.Fprintf(&b, "The temporary access of staff %s to lock %s has ended.\n", o.Detail["staff"], l.ID)
		if !restricted {
			fmt.Fprintf(&b, "Child's PID: %s.\n", l.PID)
		}
		return "casehold: temporary access ended (lock " + l.ID + ")", b.String()
	case reminders.BreakGlassList:
		l := subj.lock
		fmt.Fprintf(&b, "Break-glass access was taken to lock %s on %s. Please review it:\n", l.ID, date(o.Due))
		for _, g := range l.BreakGlass {
			if workdays.Today(g.At) == o.Due {
				line := fmt.Sprintf("  staff %s at %s", g.Staff, g.At.In(workdays.London()).Format("15:04"))
				if !restricted {
					line += ": " + g.Reason
				}
				b.WriteString(line + "\n")
			}
		}
		return "casehold: break-glass access to review (lock " + l.ID + ")", b.String()
	}
	return "casehold: reminder", "A reminder from casehold: " + o.Key() + "\n"
}
