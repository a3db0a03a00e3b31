package app

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
)

// Locked cases, as the council's case locking procedure runs them: a team manager asks, a
// service manager approves, system support applies; reviewed monthly; unlocked only with
// the service manager's authority. The lock store and staff directory are s.Locks and
// s.Staff. Every step is audited with the lock's id and the child's PID, never a name.

// lockReviewEvery is the time between reviews of a locked case.
// nextReview is the same day next month, or that month's last day when it is shorter
// (31 January -> 28 or 29 February, never 2 or 3 March).
func nextReview(d casehold.Date) casehold.Date {
	first := time.Date(d.Year, d.Month+1, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return casehold.Date{Year: first.Year(), Month: first.Month(), Day: min(d.Day, last)}
}

// breakGlassPeriod is how long an out-of-hours break-glass access lasts: until the owner can
// be reached on the next working day.
const breakGlassPeriod = 16 * time.Hour

// LockInput is a request to lock a child's record (the procedure's Appendix 1).
type LockInput struct {
	PID            string              `json:"pid"`
	Owner          string              `json:"owner"` // staff id of the responsible person
	Reason         casehold.LockReason `json:"reason"`
	AllowStaff     []string            `json:"allow_staff,omitempty"`
	AllowTeams     []string            `json:"allow_teams,omitempty"`
	DenyStaff      []string            `json:"deny_staff,omitempty"`
	DenyTeams      []string            `json:"deny_teams,omitempty"`
	SuppressNotice bool                `json:"suppress_notice,omitempty"`
}

func (s *Deps) lockAudit(ctx context.Context, actor casehold.Actor, action string, l *casehold.Lock, detail string) error {
	return s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, Detail: strings.TrimSpace("lock=" + l.ID + " pid=" + l.PID + " " + detail)})
}

func (s *Deps) lockRefuse(ctx context.Context, actor casehold.Actor, action, lockID string, err error) error {
	if aerr := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, Outcome: outcomeOf(err), Code: casehold.ErrorCode(err),
		Detail: "lock=" + lockID}); aerr != nil {
		s.Log.ErrorContext(ctx, "audit of a refusal failed", "action", action, "err", aerr)
	}
	return err
}

func outcomeOf(err error) casehold.Outcome {
	if casehold.ErrorCode(err) == casehold.EINTERNAL {
		return casehold.OutcomeFailed
	}
	return casehold.OutcomeRefused
}

// knownStaff refuses staff ids that are not in the directory.
func (s *Deps) knownStaff(ctx context.Context, field string, ids ...string) error {
	for _, id := range ids {
		if _, err := s.Staff.GetStaff(ctx, id); casehold.ErrorCode(err) == casehold.ENOTFOUND {
			return casehold.Errorf(casehold.EINVALID, "%s names someone who is not in the staff directory", field)
		} else if err != nil {
			return fmt.Errorf("check %s: %w", field, err)
		}
	}
	return nil
}

// RequestLock records a request to lock a child's record. System support, for a sudden
// unexplained death, locks at once; the owner confirms later.
func (s *LockedCases) RequestLock(ctx context.Context, actor casehold.Actor, in LockInput) (*casehold.Lock, error) {
	const action = "lock.request"
	if err := casehold.Authorize(actor, casehold.ActLockRequest); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	urgent := in.Reason == casehold.LockUnexplainedDeath && actor.Has(casehold.RoleSupport)
	if !urgent && !actor.Has(casehold.RoleTeamManager) {
		return nil, s.lockRefuse(ctx, actor, action, "", casehold.Errorf(casehold.EFORBIDDEN,
			"a team manager asks for a lock; system support locks at once only for a sudden unexplained death"))
	}
	now := s.now()
	l := &casehold.Lock{ID: "lk-" + s.IDs.New(), PID: strings.TrimSpace(in.PID), Owner: strings.TrimSpace(in.Owner), Reason: in.Reason,
		AllowStaff: in.AllowStaff, AllowTeams: in.AllowTeams, DenyStaff: in.DenyStaff, DenyTeams: in.DenyTeams,
		SuppressNotice: in.SuppressNotice, Status: casehold.LockRequested, RequestedBy: actor.ID, RequestedAt: now, OwnerConfirmed: true}
	if urgent {
		l.Status, l.AppliedBy, l.OwnerConfirmed, l.ReviewDue = casehold.LockActive, actor.ID, false, nextReview(s.today())
	}
	if err := l.Validate(); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	if err := s.knownStaff(ctx, "owner", l.Owner); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	if err := s.knownStaff(ctx, "allow_staff", l.AllowStaff...); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	if err := s.Locks.CreateLock(ctx, l); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", fmt.Errorf("request lock: %w", err))
	}
	detail := "status=" + string(l.Status) + " reason=" + string(l.Reason)
	if err := s.lockAudit(ctx, actor, action, l, detail); err != nil {
		return nil, err
	}
	s.schedule(ctx, reminders.LockPrefix+l.ID)
	return l, nil
}

// changeLock loads a lock, lets change decide and modify it, stores it (re-reading on a
// lost race) and audits the step.
func (s *Deps) changeLock(ctx context.Context, actor casehold.Actor, act casehold.Action, action, id string,
	change func(l *casehold.Lock) (detail string, err error)) (*casehold.Lock, error) {
	if err := casehold.Authorize(actor, act); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, id, err)
	}
	for attempt := 0; ; attempt++ {
		l, err := s.Locks.GetLock(ctx, id)
		if err != nil {
			return nil, s.lockRefuse(ctx, actor, action, id, fmt.Errorf("%s: %w", action, err))
		}
		detail, err := change(l)
		if err != nil {
			return nil, s.lockRefuse(ctx, actor, action, id, err)
		}
		err = s.Locks.UpdateLock(ctx, l)
		if casehold.ErrorCode(err) == casehold.ECONFLICT && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, s.lockRefuse(ctx, actor, action, id, fmt.Errorf("%s: %w", action, err))
		}
		if err := s.lockAudit(ctx, actor, action, l, detail); err != nil {
			return nil, err
		}
		s.schedule(ctx, reminders.LockPrefix+l.ID)
		return l, nil
	}
}

// DecideLock is the service manager's approval or refusal of a requested lock.
func (s *LockedCases) DecideLock(ctx context.Context, actor casehold.Actor, id string, approve bool) (*casehold.Lock, error) {
	return s.changeLock(ctx, actor, casehold.ActLockDecide, "lock.decide", id, func(l *casehold.Lock) (string, error) {
		if l.Status != casehold.LockRequested {
			return "", casehold.Errorf(casehold.ECONFLICT, "the lock is %s, not awaiting a decision", l.Status)
		}
		l.ApprovedBy = actor.ID
		if approve {
			l.Status = casehold.LockApproved
			return "approved", nil
		}
		l.Status = casehold.LockRefused
		return "refused", nil
	})
}

// ApplyLock is system support putting an approved lock in force; the first review is due a
// month later.
func (s *LockedCases) ApplyLock(ctx context.Context, actor casehold.Actor, id string) (*casehold.Lock, error) {
	return s.changeLock(ctx, actor, casehold.ActLockApply, "lock.apply", id, func(l *casehold.Lock) (string, error) {
		if l.Status != casehold.LockApproved {
			return "", casehold.Errorf(casehold.ECONFLICT, "the lock is %s: only an approved lock is applied", l.Status)
		}
		l.Status, l.AppliedBy, l.ReviewDue = casehold.LockActive, actor.ID, nextReview(s.today())
		return "review_due=" + l.ReviewDue.String(), nil
	})
}

// LockReviewInput records a monthly review.
type LockReviewInput struct {
	KeyWorker   string `json:"key_worker"`   // staff id of the key worker the manager reviewed with
	StaysLocked bool   `json:"stays_locked"` // false: the manager asks the service manager to unlock
}

// ReviewLock records the monthly review by the lock's owner (or a service manager) with the
// key worker, and sets the next review a month on.
func (s *LockedCases) ReviewLock(ctx context.Context, actor casehold.Actor, id string, in LockReviewInput) (*casehold.Lock, error) {
	if err := casehold.Authorize(actor, casehold.ActLockReview); err != nil {
		return nil, s.lockRefuse(ctx, actor, "lock.review", id, err)
	}
	if err := s.knownStaff(ctx, "key_worker", in.KeyWorker); strings.TrimSpace(in.KeyWorker) == "" || err != nil {
		if err == nil {
			err = casehold.Errorf(casehold.EINVALID, "key_worker is required: the review is the manager's and the key worker's")
		}
		return nil, s.lockRefuse(ctx, actor, "lock.review", id, err)
	}
	return s.changeLock(ctx, actor, casehold.ActLockReview, "lock.review", id, func(l *casehold.Lock) (string, error) {
		if !l.Active() {
			return "", casehold.Errorf(casehold.ECONFLICT, "the lock is %s: only a lock in force is reviewed", l.Status)
		}
		if actor.ID != l.Owner && !actor.Has(casehold.RoleServiceManager) && !actor.Has(casehold.RoleHeadOfService) {
			return "", casehold.Errorf(casehold.EFORBIDDEN, "a locked case is reviewed by its owner or a service manager")
		}
		l.ReviewDue = nextReview(s.today())
		return fmt.Sprintf("stays_locked=%v key_worker=%s review_due=%s", in.StaysLocked, in.KeyWorker, l.ReviewDue), nil
	})
}

// UnlockCase ends a lock on the service manager's authority. A lock made for a serious case
// review stays until the review's outcome and any criminal proceedings are recorded.
func (s *LockedCases) UnlockCase(ctx context.Context, actor casehold.Actor, id string) (*casehold.Lock, error) {
	return s.changeLock(ctx, actor, casehold.ActLockDecide, "lock.unlock", id, func(l *casehold.Lock) (string, error) {
		if !l.Current() {
			return "", casehold.Errorf(casehold.ECONFLICT, "the lock is already %s", l.Status)
		}
		if l.MatterID != "" {
			m, err := s.Store.GetMatter(ctx, l.MatterID)
			if err != nil {
				return "", fmt.Errorf("unlock: the review: %w", err)
			}
			if m.Work.SCR != nil {
				if b := casehold.SCRCloseBlockers(m.Work.SCR); len(b) > 0 {
					return "", casehold.Errorf(casehold.ECONFLICT, "the serious case review that locked this case is not finished: %s", strings.Join(b, "; "))
				}
			}
		}
		l.Status, l.UnlockedBy = casehold.LockUnlocked, actor.ID
		return "", nil
	})
}

// ConfirmLockOwner is the owner of a lock applied at once confirming it is theirs.
func (s *LockedCases) ConfirmLockOwner(ctx context.Context, actor casehold.Actor, id string) (*casehold.Lock, error) {
	return s.changeLock(ctx, actor, casehold.ActLockReview, "lock.confirm_owner", id, func(l *casehold.Lock) (string, error) {
		if actor.ID != l.Owner {
			return "", casehold.Errorf(casehold.EFORBIDDEN, "only the lock's owner confirms it")
		}
		l.OwnerConfirmed = true
		return "", nil
	})
}

// TemporaryInput asks for 24-hour access to a locked case.
type TemporaryInput struct {
	Reason string `json:"reason"`
}

// RequestTemporaryAccess is a member of staff not allocated to a locked case asking its
// owner for 24 hours' access. Helpdesk officers never get access, not even this.
func (s *LockedCases) RequestTemporaryAccess(ctx context.Context, actor casehold.Actor, id string, in TemporaryInput) (*casehold.Lock, error) {
	return s.changeLock(ctx, actor, casehold.ActLockTemporary, "lock.temporary_request", id, func(l *casehold.Lock) (string, error) {
		switch {
		case actor.Has(casehold.RoleHelpdesk):
			return "", casehold.Errorf(casehold.EFORBIDDEN, "helpdesk officers never have access to a locked case, not even for 24 hours")
		case strings.TrimSpace(in.Reason) == "" || len(in.Reason) > 500:
			return "", casehold.Errorf(casehold.EINVALID, "reason is required (at most 500 characters)")
		case !l.Active():
			return "", casehold.Errorf(casehold.ECONFLICT, "the case is not locked")
		case slices.Contains(l.DenyStaff, actor.ID):
			return "", casehold.Errorf(casehold.EFORBIDDEN, "you are on this lock's deny list")
		}
		l.Temporary = append(l.Temporary, casehold.TemporaryAccess{Staff: actor.ID, Reason: strings.TrimSpace(in.Reason)})
		return "staff=" + actor.ID, nil
	})
}

// AgreeTemporaryAccess is the owner agreeing a request: access for 24 hours from now,
// recorded as a case note (the audit event).
func (s *LockedCases) AgreeTemporaryAccess(ctx context.Context, actor casehold.Actor, id, staff string) (*casehold.Lock, error) {
	return s.changeLock(ctx, actor, casehold.ActLockTemporary, "lock.temporary_agree", id, func(l *casehold.Lock) (string, error) {
		if actor.ID != l.Owner {
			return "", casehold.Errorf(casehold.EFORBIDDEN, "temporary access is agreed by the lock's owner")
		}
		now := s.now()
		for i := range l.Temporary {
			t := &l.Temporary[i]
			if t.Staff == staff && t.AgreedBy == "" {
				t.AgreedBy, t.From, t.Until = actor.ID, now, now.Add(casehold.TemporaryAccessPeriod)
				return "staff=" + staff + " until=" + t.Until.Format(time.RFC3339), nil
			}
		}
		return "", casehold.Errorf(casehold.ENOTFOUND, "no request for temporary access from that member of staff")
	})
}

// GiveBackTemporaryAccess ends the caller's temporary access early.
func (s *LockedCases) GiveBackTemporaryAccess(ctx context.Context, actor casehold.Actor, id string) (*casehold.Lock, error) {
	return s.changeLock(ctx, actor, casehold.ActLockTemporary, "lock.temporary_end", id, func(l *casehold.Lock) (string, error) {
		now := s.now()
		for i := range l.Temporary {
			t := &l.Temporary[i]
			if t.Staff == actor.ID && t.Live(now) {
				t.ReturnedAt = &now
				return "staff=" + actor.ID, nil
			}
		}
		return "", casehold.Errorf(casehold.ENOTFOUND, "you have no temporary access to give back")
	})
}

// BreakGlass is EDT's out-of-hours access with a stated reason: granted at once, flagged
// for the owner's review on the next working day.
func (s *LockedCases) BreakGlass(ctx context.Context, actor casehold.Actor, id string, in TemporaryInput) (*casehold.Lock, error) {
	return s.changeLock(ctx, actor, casehold.ActLockBreak, "lock.break_glass", id, func(l *casehold.Lock) (string, error) {
		switch {
		case strings.TrimSpace(in.Reason) == "" || len(in.Reason) > 500:
			return "", casehold.Errorf(casehold.EINVALID, "reason is required (at most 500 characters)")
		case !l.Active():
			return "", casehold.Errorf(casehold.ECONFLICT, "the case is not locked")
		case slices.Contains(l.DenyStaff, actor.ID):
			return "", casehold.Errorf(casehold.EFORBIDDEN, "you are named on this lock's deny list")
		}
		now := s.now()
		l.BreakGlass = append(l.BreakGlass, casehold.BreakGlass{Staff: actor.ID, Reason: strings.TrimSpace(in.Reason), At: now, Until: now.Add(breakGlassPeriod)})
		return "staff=" + actor.ID, nil
	})
}

// MyLocks lists the caller's current locks (as owner); support and service managers may
// ask for everything due for review by a day.
func (s *LockedCases) MyLocks(ctx context.Context, actor casehold.Actor) ([]*casehold.Lock, error) {
	if err := casehold.Authorize(actor, casehold.ActLockList); err != nil {
		return nil, s.lockRefuse(ctx, actor, "lock.list", "", err)
	}
	ls, err := s.Locks.LocksByOwner(ctx, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("my locks: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "lock.list", Detail: fmt.Sprintf("count=%d", len(ls))}); err != nil {
		return nil, err
	}
	return ls, nil
}

// LocksDue lists active locks whose review is due on or before day (support and service
// managers: every lock; a team manager: their own).
func (s *LockedCases) LocksDue(ctx context.Context, actor casehold.Actor, day casehold.Date) ([]*casehold.Lock, error) {
	if err := casehold.Authorize(actor, casehold.ActLockList); err != nil {
		return nil, s.lockRefuse(ctx, actor, "lock.due", "", err)
	}
	ls, err := s.Locks.LocksDueBy(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("locks due: %w", err)
	}
	if !actor.Has(casehold.RoleSupport) && !actor.Has(casehold.RoleServiceManager) && !actor.Has(casehold.RoleHeadOfService) {
		ls = slices.DeleteFunc(ls, func(l *casehold.Lock) bool { return l.Owner != actor.ID })
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "lock.due", Detail: fmt.Sprintf("by=%s count=%d", day, len(ls))}); err != nil {
		return nil, err
	}
	return ls, nil
}

// LockNotice is what a person who meets a PID is told about locks.
type LockNotice struct {
	Locked    bool   `json:"locked"`
	OwnerName string `json:"owner_name,omitempty"` // whom to contact
}

// LookupPID tells a helpdesk officer (or anyone meeting a PID) whether it is locked, and to
// whom: "locked to <owner>", or nothing at all where the notice is suppressed, exactly as
// for a child with no lock. Nothing else about the child is returned.
func (s *LockedCases) LookupPID(ctx context.Context, actor casehold.Actor, pid string) (*LockNotice, error) {
	const action = "lock.lookup"
	if err := casehold.Authorize(actor, casehold.ActLockLookup); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	pid = strings.TrimSpace(pid)
	if err := casehold.CheckPID(pid); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	ls, err := s.Locks.LocksForPID(ctx, pid)
	if err != nil {
		return nil, fmt.Errorf("look up: %w", err)
	}
	out := &LockNotice{}
	for _, l := range ls {
		if owner, shown := l.Notice(); shown {
			out.Locked = true
			if m, err := s.Staff.GetStaff(ctx, owner); err == nil {
				out.OwnerName = m.Name
			} else {
				out.OwnerName = owner
			}
		}
	}
	// The audit names the PID looked up (who saw what), not what was shown.
	// Indexed by the PID too, so "who saw this child" lists the lookup.
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, PIDs: []string{pid}, Detail: "pid=" + pid}); err != nil {
		return nil, err
	}
	return out, nil
}

// StaffImport reports an import of the staff directory.
type StaffImport struct {
	Members int      `json:"members"`
	Leavers []string `json:"leavers"` // staff ids no longer in the directory
}

// ImportStaff replaces the staff directory from the council's CSV export and reports the
// leavers. A bad file changes nothing and its error names the row and column. The policy
// reads teams from the directory at every decision, so a mover loses the old team's access
// at once. Taking leavers off named grants and lock lists needs an index of those by staff
// member, which is not built yet: until then a leaver's named entries stay (they cannot sign
// in once the identity provider disables them).
func (s *LockedCases) ImportStaff(ctx context.Context, actor casehold.Actor, csv io.Reader) (*StaffImport, error) {
	const action = "staff.import"
	if err := casehold.Authorize(actor, casehold.ActStaffImport); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	members, err := casehold.ParseStaffCSV(csv)
	if err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	leavers, err := s.Staff.ReplaceStaff(ctx, members)
	if err != nil {
		return nil, fmt.Errorf("import staff: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action,
		Detail: fmt.Sprintf("members=%d leavers=%d", len(members), len(leavers))}); err != nil {
		return nil, err
	}
	return &StaffImport{Members: len(members), Leavers: leavers}, nil
}

// lockForReview locks each child a serious case review names, unless the child has a lock
// already: owned by the review's senior manager where that names someone in the staff
// directory, else by the coordinator who opened it until the senior manager confirms. Such
// a lock stays until the review's outcome and any criminal proceedings are recorded.
func (s *Deps) lockForReview(ctx context.Context, actor casehold.Actor, m *casehold.Matter) error {
	if m.Kind != casehold.KindSeriousCaseReview || s.Locks == nil {
		return nil
	}
	owner, confirmed := actor.ID, false
	if m.Work.SCR != nil && s.Staff != nil {
		if _, err := s.Staff.GetStaff(ctx, m.Work.SCR.SeniorManager); err == nil {
			owner, confirmed = m.Work.SCR.SeniorManager, true
		}
	}
	for _, p := range m.People {
		now := s.now()
		l := &casehold.Lock{ID: "lk-" + s.IDs.New(), PID: p.PID, Owner: owner, Reason: casehold.LockSeriousCaseReview,
			Status: casehold.LockActive, MatterID: m.ID, OwnerConfirmed: confirmed, RequestedBy: actor.ID, RequestedAt: now,
			AppliedBy: SystemActor.ID, ReviewDue: nextReview(s.today())}
		err := s.Locks.CreateLock(ctx, l)
		if casehold.ErrorCode(err) == casehold.ECONFLICT {
			continue // the child is locked already: that lock stands
		}
		if err != nil {
			return fmt.Errorf("lock for review %s: %w", m.ID, err)
		}
		if err := s.lockAudit(ctx, actor, "lock.request", l, "status=active reason=serious_case_review matter="+m.ID); err != nil {
			return err
		}
		s.schedule(ctx, reminders.LockPrefix+l.ID)
	}
	return nil
}

// ContactInput is what a helpdesk officer took from a caller about a child.
type ContactInput struct {
	PID             string `json:"pid"`
	Summary         string `json:"summary"`          // the contact, in the caller's words (personal data: mail body only)
	ChildProtection bool   `json:"child_protection"` // marks the email urgent; the officer also phones
}

// ContactReceipt is all a helpdesk officer learns: the contact was passed on.
type ContactReceipt struct {
	Routed bool `json:"routed"`
	Urgent bool `json:"urgent"`
}

// RecordContact routes a contact a helpdesk officer took about a child. For a locked child
// it goes by email to the lock's owner, copied to the assessment team, saying the case is
// locked; otherwise to the assessment team. The officer's answer is the same either way, so
// they learn nothing of a suppressed lock. The subject carries no name or PID; a child
// protection contact is marked urgent.
func (s *LockedCases) RecordContact(ctx context.Context, actor casehold.Actor, in ContactInput) (*ContactReceipt, error) {
	const action = "lock.contact"
	if err := casehold.Authorize(actor, casehold.ActLockLookup); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", err)
	}
	pid, summary := strings.TrimSpace(in.PID), strings.TrimSpace(in.Summary)
	if pid != "" {
		if err := casehold.CheckPID(pid); err != nil {
			return nil, s.lockRefuse(ctx, actor, action, "", err)
		}
	}
	if pid == "" || summary == "" || len(summary) > 5000 {
		return nil, s.lockRefuse(ctx, actor, action, "", casehold.Errorf(casehold.EINVALID, "pid and summary are required (summary at most 5,000 characters)"))
	}
	ls, err := s.Locks.LocksForPID(ctx, pid)
	if err != nil {
		return nil, fmt.Errorf("record contact: %w", err)
	}
	var lock *casehold.Lock
	for _, l := range ls {
		if l.Active() {
			lock = l
		}
	}
	msg := casehold.Message{From: s.MailFrom, Subject: "casehold: a contact taken by the helpdesk"}
	body := fmt.Sprintf("The helpdesk took a contact about the child with PID %s.\n\n%s\n", pid, summary)
	if lock != nil {
		owner, err := s.Staff.GetStaff(ctx, lock.Owner)
		if err != nil {
			return nil, fmt.Errorf("record contact: the lock's owner: %w", err)
		}
		msg.To, msg.Cc = []string{owner.Email}, []string{s.AssessmentEmail}
		msg.Subject = "casehold: a contact for a locked case"
		body = "This case is locked to you (lock " + lock.ID + "); the helpdesk could not record the contact.\n" +
			"Please record it in the case system.\n\n" + body
	} else {
		msg.To = []string{s.AssessmentEmail}
	}
	if in.ChildProtection {
		msg.Subject = "URGENT (child protection): " + msg.Subject
		body = "URGENT: child protection. The helpdesk officer will also telephone.\n\n" + body
	}
	msg.Text = body
	// Each contact is its own occasion: the helpdesk takes it once per call.
	if _, err := s.queueMail(ctx, occasionKey("helpdesk.contact", s.IDs.New()), "", msg, nil); err != nil {
		return nil, s.lockRefuse(ctx, actor, action, "", fmt.Errorf("record contact: send: %w", err))
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, PIDs: []string{pid},
		Detail: fmt.Sprintf("pid=%s locked=%v urgent=%v", pid, lock != nil, in.ChildProtection)}); err != nil {
		return nil, err
	}
	return &ContactReceipt{Routed: true, Urgent: in.ChildProtection}, nil
}
