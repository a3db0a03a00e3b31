package casehold

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
)

// LockReason is why a child's records are locked to named staff (the council's case locking
// procedure lists these).
type LockReason string

const (
	LockAdoptionRisk      LockReason = "adoption_placement_risk" // could break down an adoption placement
	LockStaffRelated      LockReason = "staff_related"           // a member of staff is related to the child
	LockHighProfile       LockReason = "high_profile"            // public or media interest
	LockSeriousCaseReview LockReason = "serious_case_review"     // a review is to be carried out
	LockUnexplainedDeath  LockReason = "unexplained_death"       // support may lock at once; owner confirmed later
	LockHeadOfService     LockReason = "head_of_service"         // the head of service decided
)

// LockReasons lists every reason, for validation and forms.
var LockReasons = []LockReason{LockAdoptionRisk, LockStaffRelated, LockHighProfile, LockSeriousCaseReview,
	LockUnexplainedDeath, LockHeadOfService}

// LockStatus is where a lock is in its life: a team manager requests, a service manager
// approves, system support applies; unlocking needs the service manager again.
type LockStatus string

const (
	LockRequested LockStatus = "requested"
	LockApproved  LockStatus = "approved"
	LockActive    LockStatus = "active" // applied: the policy enforces it
	LockRefused   LockStatus = "refused"
	LockUnlocked  LockStatus = "unlocked"
)

// TemporaryAccess is a short-term (24 hours) access to a locked case agreed by its owner
// for a member of staff not allocated to it. It ends at Until, or when given back.
type TemporaryAccess struct {
	Staff      string     `json:"staff"`
	Reason     string     `json:"reason"`
	AgreedBy   string     `json:"agreed_by"`
	From       time.Time  `json:"from"`
	Until      time.Time  `json:"until"`
	ReturnedAt *time.Time `json:"returned_at,omitempty"`
}

// Live reports whether the access is in force at now: checked at the moment of every read,
// so it ends by itself whether or not a job has run.
func (t TemporaryAccess) Live(now time.Time) bool {
	return !now.Before(t.From) && now.Before(t.Until) && (t.ReturnedAt == nil || now.Before(*t.ReturnedAt))
}

// TemporaryAccessPeriod is how long a temporary access lasts at most.
const TemporaryAccessPeriod = 24 * time.Hour

// BreakGlass is an out-of-hours access taken by the Emergency Duty Team with a stated reason,
// granted at once and flagged for the owner's review on the next working day.
type BreakGlass struct {
	Staff    string    `json:"staff"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
	Until    time.Time `json:"until"`
	Reviewed bool      `json:"reviewed"`
}

// Lock restricts one child's records (one PID) to named staff and teams.
type Lock struct {
	ID     string     `json:"id"`
	PID    string     `json:"pid"`
	Owner  string     `json:"owner"` // staff id of the responsible person, the contact for access
	Reason LockReason `json:"reason"`
	Status LockStatus `json:"status"`
	// Who may see the case besides the owner, and who must not (the deny list wins over
	// everything, including the automatic access of system support and EDT).
	AllowStaff []string `json:"allow_staff,omitempty"`
	AllowTeams []string `json:"allow_teams,omitempty"`
	DenyStaff  []string `json:"deny_staff,omitempty"`
	DenyTeams  []string `json:"deny_teams,omitempty"`
	// SuppressNotice hides even "locked to <owner>" where naming the owner could reveal
	// where the child is or why they were referred: the case then looks like no record.
	SuppressNotice bool `json:"suppress_notice,omitempty"`
	// MatterID is the serious case review that locked it, if one did: such a lock stays until
	// the review's outcome and any criminal proceedings are recorded as complete.
	MatterID       string            `json:"matter_id,omitempty"`
	OwnerConfirmed bool              `json:"owner_confirmed"` // false for a lock applied at once, until its owner confirms
	RequestedBy    string            `json:"requested_by"`
	RequestedAt    time.Time         `json:"requested_at"`
	ApprovedBy     string            `json:"approved_by,omitempty"`
	AppliedBy      string            `json:"applied_by,omitempty"`
	UnlockedBy     string            `json:"unlocked_by,omitempty"`
	ReviewDue      Date              `json:"review_due"`
	Temporary      []TemporaryAccess `json:"temporary,omitempty"`
	BreakGlass     []BreakGlass      `json:"break_glass,omitempty"`
	Version        int64             `json:"version"`
}

// Active reports whether the policy enforces the lock.
func (l *Lock) Active() bool { return l != nil && l.Status == LockActive }

// Validate checks a lock request: a known reason, a PID, an owner who is not on the deny
// list, and short lists. Messages name fields, never values.
func (l *Lock) Validate() error {
	if strings.TrimSpace(l.PID) == "" {
		return Errorf(EINVALID, "pid is required")
	}
	if strings.TrimSpace(l.Owner) == "" {
		return Errorf(EINVALID, "owner (the responsible person) is required")
	}
	if !slices.Contains(LockReasons, l.Reason) {
		names := make([]string, len(LockReasons))
		for i, r := range LockReasons {
			names[i] = string(r)
		}
		return Errorf(EINVALID, "reason must be one of: %s", strings.Join(names, ", "))
	}
	if slices.Contains(l.DenyStaff, l.Owner) {
		return Errorf(EINVALID, "the deny list must not name the lock's owner")
	}
	for name, list := range map[string][]string{"allow_staff": l.AllowStaff, "allow_teams": l.AllowTeams,
		"deny_staff": l.DenyStaff, "deny_teams": l.DenyTeams} {
		if len(list) > 200 {
			return Errorf(EINVALID, "%s must name at most 200 entries", name)
		}
		for _, v := range list {
			if strings.TrimSpace(v) == "" || len(v) > maxShortText {
				return Errorf(EINVALID, "%s has an empty or over-long entry", name)
			}
		}
	}
	return nil
}

// denied reports whether the deny list names the person or one of their teams.
func (l *Lock) denied(staff string, teams []string) bool {
	if slices.Contains(l.DenyStaff, staff) {
		return true
	}
	for _, t := range teams {
		if slices.Contains(l.DenyTeams, t) {
			return true
		}
	}
	return false
}

// allowed reports whether the allow lists name the person or one of their teams.
func (l *Lock) allowed(staff string, teams []string) bool {
	if staff == l.Owner || slices.Contains(l.AllowStaff, staff) {
		return true
	}
	for _, t := range teams {
		if slices.Contains(l.AllowTeams, t) {
			return true
		}
	}
	return false
}

// temporary returns the live temporary access of staff at now, if any.
func (l *Lock) temporary(staff string, now time.Time) bool {
	for _, t := range l.Temporary {
		if t.Staff == staff && t.Live(now) {
			return true
		}
	}
	return false
}

// brokenGlass reports a live break-glass access of staff at now.
func (l *Lock) brokenGlass(staff string, now time.Time) bool {
	for _, b := range l.BreakGlass {
		if b.Staff == staff && !now.Before(b.At) && now.Before(b.Until) {
			return true
		}
	}
	return false
}

// Notice is what a person outside a lock is shown for the PID: "locked to <owner>", or
// nothing at all where the notice is suppressed (indistinguishable from no record).
func (l *Lock) Notice() (owner string, shown bool) {
	if !l.Active() || l.SuppressNotice {
		return "", false
	}
	return l.Owner, true
}

// LockStore keeps locks. Every lookup is by key or index (no scan): a child's locks, an
// owner's current locks, and active locks by review date. Adapters: internal/boltstore,
// internal/dynamostore; contract: internal/storetest.
type LockStore interface {
	// CreateLock stores a new lock with Version 1. ECONFLICT if the id exists or the PID
	// already has a current lock (requested, approved or active): one lock per child.
	CreateLock(ctx context.Context, l *Lock) error
	// GetLock returns the lock or ENOTFOUND.
	GetLock(ctx context.Context, id string) (*Lock, error)
	// UpdateLock replaces the lock if the stored Version equals l.Version, then sets
	// l.Version to the stored Version+1. ECONFLICT if the versions differ, ENOTFOUND if
	// absent. ID and PID never change; the indexes follow Owner, Status and ReviewDue.
	UpdateLock(ctx context.Context, l *Lock) error
	// LocksForPID returns every lock the child has had, current or not, oldest first.
	LocksForPID(ctx context.Context, pid string) ([]*Lock, error)
	// LocksByOwner returns the owner's current locks.
	LocksByOwner(ctx context.Context, owner string) ([]*Lock, error)
	// LocksDueBy returns the active locks whose review is due on or before day, earliest first.
	LocksDueBy(ctx context.Context, day Date) ([]*Lock, error)
}

// Current reports whether the lock still stands or may yet (requested, approved, active).
func (l *Lock) Current() bool {
	return l.Status == LockRequested || l.Status == LockApproved || l.Status == LockActive
}

// SortLocks orders locks oldest request first (ids break ties), so adapters answer alike.
func SortLocks(ls []*Lock) {
	sort.Slice(ls, func(i, j int) bool {
		if !ls[i].RequestedAt.Equal(ls[j].RequestedAt) {
			return ls[i].RequestedAt.Before(ls[j].RequestedAt)
		}
		return ls[i].ID < ls[j].ID
	})
}
