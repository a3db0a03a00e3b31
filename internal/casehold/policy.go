package casehold

import (
	"slices"
	"time"
)

// This file is the one access policy: every read of a child's material and every change to
// a matter is decided by Decide, from who asks, what they ask to do, the matter and the
// children (PIDs) it touches, the locks on those children, and the time. The token's roles
// say what a person may do at all; the matter's grants, the staff directory and the locks
// say on which cases.

// Scope says what a request touches. A nil Matter is a request about children alone (a
// helpdesk lookup, a locked-case review).
type Scope struct {
	Matter *Matter
	PIDs   []string
	// Locks are the locks on PIDs; inactive ones are ignored, so callers may pass all.
	Locks []*Lock
}

// Reader is who asks: the authenticated actor and their teams from the staff directory.
type Reader struct {
	Actor Actor
	Teams []string
	// Listed is true when the staff directory holds the reader. Grants and lock allow lists
	// name staff of the directory: someone not in it (a leaver, after the import that
	// dropped them) gets nothing from them, without any grant having to be edited.
	Listed bool
}

// Decision is the policy's answer. Basis says why access was given (for the audit trail);
// a refusal carries an EFORBIDDEN error in plain words that names no child.
type Decision struct {
	Allow  bool
	Basis  string
	Locked bool // refused because a child's record is locked
	Err    error
}

// Bases of access, recorded with each audited read.
const (
	BasisCoordinator  = "coordinator"
	BasisLegalOfficer = "legal_officer"
	BasisGrant        = "grant"
	BasisIGMetadata   = "ig_metadata"
	BasisRole         = "role"
	BasisLockOwner    = "lock_owner"
	BasisLockAllowed  = "lock_allowed"
	BasisTemporary    = "temporary_access"
	BasisBreakGlass   = "break_glass"
	BasisSupport      = "system_support"
	BasisEDT          = "edt"
)

// matterKind says what an action does to a matter, which decides who on the matter may do
// it.
type matterKind int

const (
	kindNone     matterKind = iota // no matter involved
	kindContent                    // read the matter's secured material
	kindMetadata                   // read the matter's record without content (IG too)
	kindWork                       // record work or add material
	kindOutside                    // release, confirm, send to outside parties
)

// matterKinds classifies the actions that touch a matter.
var matterKinds = map[Action]matterKind{
	ActReadMatter:     kindContent,
	ActReadDocument:   kindContent,
	ActUploadDocument: kindWork,
	ActHoldDocument:   kindWork,
	ActDeleteDocument: kindWork,
	ActReleaseMatter:  kindOutside,
	ActReadAudit:      kindMetadata,
}

// Decide is the access policy. It never reads storage: callers load the matter and the
// locks (key lookups) and pass them in, so the decision is cheap enough for every path.
func Decide(r Reader, act Action, sc Scope, now time.Time) Decision {
	if err := authorizeRole(r.Actor, act); err != nil {
		return Decision{Err: err}
	}
	basis := BasisRole
	if sc.Matter != nil {
		b, ok := matterAccess(r, act, sc.Matter, sc.PIDs)
		if !ok {
			return Decision{Err: Errorf(EFORBIDDEN, "%s: this matter is open to its coordinator, its legal officers and the staff on its access grants", act)}
		}
		basis = b
	}
	if matterKinds[act] == kindMetadata {
		return Decision{Allow: true, Basis: basis} // ids and outcomes, no child's material
	}
	for _, pid := range sc.PIDs {
		for _, l := range sc.Locks {
			if l.PID != pid || !l.Active() {
				continue
			}
			b, ok := lockAccess(r, l, now)
			if !ok {
				return Decision{Locked: true, Err: Errorf(EFORBIDDEN, "a record this touches is locked: ask its owner for access")}
			}
			basis = b // the lock decided: the more telling reason
		}
	}
	return Decision{Allow: true, Basis: basis}
}

// policyRoles widens the role gate for actions whose cases the policy narrows: with a grant
// or a lock's allow list, EDT, system support, managers and social workers read secured
// material too, while helpdesk staff never do. Actions not listed keep Authorize's table.
var policyRoles = map[Action][]Role{
	ActReadMatter: {RoleCoordinator, RoleLegal, RoleIG, RoleTeamManager, RoleHeadOfService, RoleServiceManager,
		RoleSocialWorker, RoleEDT, RoleSupport},
	ActReadDocument: {RoleCoordinator, RoleLegal, RoleIG, RoleTeamManager, RoleHeadOfService, RoleServiceManager,
		RoleSocialWorker, RoleEDT, RoleSupport},
}

// AuthorizeRole is the role gate of Decide alone: whether the actor's roles may take the
// action on some case. Use cases call it before loading anything, then Decide the case.
func AuthorizeRole(a Actor, act Action) error { return authorizeRole(a, act) }

func authorizeRole(a Actor, act Action) error {
	roles, ok := policyRoles[act]
	if !ok {
		return Authorize(a, act)
	}
	for _, r := range roles {
		if a.Has(r) {
			return nil
		}
	}
	return Errorf(EFORBIDDEN, "%s is not open to your role", act)
}

// matterAccess decides who on a matter may take the action: its coordinator and assigned
// legal officers always; staff on an access grant (for the grant's PID, or the whole
// matter) may read and record work but not speak for the council outside; IG reads the
// record and audit of every matter, never content unless granted.
func matterAccess(r Reader, act Action, m *Matter, pids []string) (string, bool) {
	a := r.Actor
	switch {
	case a.ID != "" && a.ID == m.Coordinator:
		return BasisCoordinator, true
	case a.Has(RoleLegal) && slices.Contains(m.Work.LegalOfficers, a.ID):
		return BasisLegalOfficer, true
	}
	kind := matterKinds[act]
	if kind == kindOutside {
		return "", false
	}
	if granted(r, m, pids) {
		return BasisGrant, true
	}
	if kind == kindMetadata && a.Has(RoleIG) {
		return BasisIGMetadata, true
	}
	return "", false
}

// granted reports whether one of the matter's access grants names the reader (by staff id,
// or by team when the grant names no one) for every PID asked about.
func granted(r Reader, m *Matter, pids []string) bool {
	covers := func(pid string) bool {
		for _, g := range m.Work.Access {
			if g.PID != "" && g.PID != pid {
				continue
			}
			if g.StaffID != "" && g.StaffID == r.Actor.ID && r.Listed {
				return true
			}
			if g.StaffID == "" && g.Team != "" && slices.Contains(r.Teams, g.Team) {
				return true
			}
		}
		return false
	}
	if len(pids) == 0 {
		// The matter as a whole (its record, its list): any grant naming the reader opens
		// it; each child's material is then checked against the grant's PID.
		for _, g := range m.Work.Access {
			if (g.StaffID != "" && g.StaffID == r.Actor.ID && r.Listed) || (g.StaffID == "" && g.Team != "" && slices.Contains(r.Teams, g.Team)) {
				return true
			}
		}
		return false
	}
	for _, pid := range pids {
		if !covers(pid) {
			return false
		}
	}
	return true
}

// lockAccess decides one active lock. A person named on the deny list never passes, nor do
// helpdesk staff, not even temporarily; a live break-glass passes an EDT officer; then a
// denied team stops the rest; then the owner and the allow lists, a live temporary access,
// and the automatic access of system support and EDT.
func lockAccess(r Reader, l *Lock, now time.Time) (string, bool) {
	a := r.Actor
	switch {
	case slices.Contains(l.DenyStaff, a.ID):
		return "", false
	case a.Has(RoleHelpdesk):
		return "", false
	case a.Has(RoleEDT) && l.brokenGlass(a.ID, now):
		// An emergency out of hours: granted at once even where the EDT team is denied
		// (never where the person is named), and flagged for the owner's review.
		return BasisBreakGlass, true
	case l.denied(a.ID, r.Teams):
		return "", false
	case a.ID == l.Owner:
		return BasisLockOwner, true
	case r.Listed && l.allowed(a.ID, r.Teams):
		return BasisLockAllowed, true
	case r.Listed && l.temporary(a.ID, now):
		return BasisTemporary, true
	case a.Has(RoleSupport):
		return BasisSupport, true
	case a.Has(RoleEDT):
		return BasisEDT, true
	}
	return "", false
}
