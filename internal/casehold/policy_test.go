package casehold

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	staff := func(id string, roles ...Role) Actor { return Actor{ID: id, Roles: roles} }
	var (
		coord    = staff("s-coord", RoleCoordinator)
		legalIn  = staff("s-legal-in", RoleLegal)
		legalOut = staff("s-legal-out", RoleLegal)
		tmIn     = staff("s-tm-in", RoleTeamManager)
		tmOut    = staff("s-tm-out", RoleTeamManager)
		ig       = staff("s-ig", RoleIG)
		edt      = staff("s-edt", RoleEDT)
		support  = staff("s-support", RoleSupport)
		cso      = staff("s-cso", RoleHelpdesk)
		owner    = staff("s-owner", RoleTeamManager)
		temp     = staff("s-temp", RoleTeamManager)
	)
	matter := func() *Matter {
		return &Matter{ID: "m1", Coordinator: coord.ID, Work: Work{
			LegalOfficers: []string{legalIn.ID},
			Access: []AccessGrant{{PID: "P1", StaffID: tmIn.ID}, {StaffID: owner.ID}, {StaffID: temp.ID},
				{StaffID: edt.ID}, {StaffID: support.ID}, {StaffID: cso.ID}, {Team: "Performance"}},
		}}
	}
	lock := func(mod func(l *Lock)) *Lock {
		l := &Lock{PID: "P1", Owner: owner.ID, Reason: LockHighProfile, Status: LockActive, AllowTeams: []string{"Adoption"},
			Temporary: []TemporaryAccess{
				{Staff: temp.ID, From: now.Add(-time.Hour), Until: now.Add(23 * time.Hour)},
			}}
		if mod != nil {
			mod(l)
		}
		return l
	}
	inTeam := func(a Actor, teams ...string) Reader { return Reader{Actor: a, Teams: teams, Listed: true} }
	leaver := func(a Actor) Reader { return Reader{Actor: a} } // no longer in the staff directory
	read := func(locks ...*Lock) Scope { return Scope{Matter: matter(), PIDs: []string{"P1"}, Locks: locks} }
	tests := []struct {
		name   string
		reader Reader
		act    Action
		scope  Scope
		allow  bool
		basis  string
		locked bool
	}{
		// The matter: who may read its material, change it, speak for it outside.
		{"coordinator reads", inTeam(coord), ActReadDocument, read(), true, BasisCoordinator, false},
		{"assigned legal releases", inTeam(legalIn), ActReleaseMatter, read(), true, BasisLegalOfficer, false},
		{"other legal may not release", inTeam(legalOut), ActReleaseMatter, read(), false, "", false},
		{"other legal may not read", inTeam(legalOut), ActReadDocument, read(), false, "", false},
		{"granted manager reads granted pid", inTeam(tmIn), ActReadDocument, read(), true, BasisGrant, false},
		{"granted manager not for another pid", inTeam(tmIn), ActReadDocument, Scope{Matter: matter(), PIDs: []string{"P2"}}, false, "", false},
		{"manager without a grant refused", inTeam(tmOut), ActReadDocument, read(), false, "", false},
		{"team grant covers the team", inTeam(tmOut, "Performance"), ActReadDocument, read(), true, BasisGrant, false},
		{"granted manager may not release", inTeam(tmIn), ActReleaseMatter, read(), false, "", false},
		{"IG reads the audit of any matter", inTeam(ig), ActReadAudit, read(), true, BasisIGMetadata, false},
		{"IG never reads content ungranted", inTeam(ig), ActReadDocument, read(), false, "", false},
		{"helpdesk never reads a matter", inTeam(cso), ActReadMatter, read(), false, "", false},

		// Locks on the child the material concerns.
		{"unlocked: granted manager reads", inTeam(owner), ActReadDocument, read(), true, BasisGrant, false},
		{"locked: owner reads", inTeam(owner), ActReadDocument, read(lock(nil)), true, BasisLockOwner, false},
		{"locked: coordinator not on the lock refused", inTeam(coord), ActReadDocument, read(lock(nil)), false, "", true},
		{"locked: allowed team reads", inTeam(coord, "Adoption"), ActReadDocument, read(lock(nil)), true, BasisLockAllowed, false},
		{"locked: allowed staff reads", inTeam(coord), ActReadDocument, read(lock(func(l *Lock) { l.AllowStaff = []string{coord.ID} })), true, BasisLockAllowed, false},
		{"locked: denied staff refused though allowed", inTeam(coord, "Adoption"), ActReadDocument,
			read(lock(func(l *Lock) { l.DenyStaff = []string{coord.ID} })), false, "", true},
		{"locked: temporary access live", inTeam(temp), ActReadDocument, read(lock(nil)), true, BasisTemporary, false},
		{"locked: temporary access expired", inTeam(temp), ActReadDocument, read(lock(func(l *Lock) {
			l.Temporary[0].Until = now.Add(-time.Minute)
		})), false, "", true},
		{"locked: temporary access given back", inTeam(temp), ActReadDocument, read(lock(func(l *Lock) {
			back := now.Add(-time.Minute)
			l.Temporary[0].ReturnedAt = &back
		})), false, "", true},
		{"locked: support keeps access", inTeam(support), ActReadDocument, read(lock(nil)), true, BasisSupport, false},
		{"locked: support refused when denied", inTeam(support, "System Support"), ActReadDocument,
			read(lock(func(l *Lock) { l.DenyTeams = []string{"System Support"} })), false, "", true},
		{"locked: EDT keeps access", inTeam(edt, "EDT"), ActReadDocument, read(lock(nil)), true, BasisEDT, false},
		{"locked: EDT team denied", inTeam(edt, "EDT"), ActReadDocument, read(lock(func(l *Lock) { l.DenyTeams = []string{"EDT"} })), false, "", true},
		{"locked: break-glass passes a denied EDT team", inTeam(edt, "EDT"), ActReadDocument, read(lock(func(l *Lock) {
			l.DenyTeams = []string{"EDT"}
			l.BreakGlass = []BreakGlass{{Staff: edt.ID, At: now.Add(-time.Hour), Until: now.Add(time.Hour)}}
		})), true, BasisBreakGlass, false},
		{"locked: break-glass never passes a named denial", inTeam(edt, "EDT"), ActReadDocument, read(lock(func(l *Lock) {
			l.DenyStaff = []string{edt.ID}
			l.BreakGlass = []BreakGlass{{Staff: edt.ID, At: now.Add(-time.Hour), Until: now.Add(time.Hour)}}
		})), false, "", true},
		{"locked: helpdesk never, even with temporary access", inTeam(cso), ActReadDocument, read(lock(func(l *Lock) {
			l.Temporary = append(l.Temporary, TemporaryAccess{Staff: cso.ID, From: now.Add(-time.Hour), Until: now.Add(time.Hour)})
		})), false, "", false},
		{"requested lock not yet enforced", inTeam(coord), ActReadDocument, read(lock(func(l *Lock) { l.Status = LockRequested })), true, BasisCoordinator, false},
		{"unlocked lock not enforced", inTeam(coord), ActReadDocument, read(lock(func(l *Lock) { l.Status = LockUnlocked })), true, BasisCoordinator, false},
		{"lock on another child ignored", inTeam(coord), ActReadDocument, read(lock(func(l *Lock) { l.PID = "P9" })), true, BasisCoordinator, false},
		{"IG audit of a locked child allowed (ids only)", inTeam(ig), ActReadAudit, read(lock(nil)), true, BasisIGMetadata, false},
		{"leaver loses a named grant", leaver(tmIn), ActReadDocument, read(), false, "", false},
		{"leaver loses the lock's allow list", leaver(coord), ActReadDocument, read(lock(func(l *Lock) { l.AllowStaff = []string{coord.ID} })), false, "", true},
		{"leaver loses temporary access", leaver(temp), ActReadDocument, read(lock(nil)), false, "", false},
		{"role gate first: social worker may not read", inTeam(staff("s-sw", RoleSocialWorker)), ActReadDocument, read(), false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.reader, tt.act, tt.scope, now)
			if d.Allow != tt.allow || d.Basis != tt.basis || d.Locked != tt.locked {
				t.Fatalf("Decide = allow %v basis %q locked %v (%v); want allow %v basis %q locked %v",
					d.Allow, d.Basis, d.Locked, d.Err, tt.allow, tt.basis, tt.locked)
			}
			if !d.Allow && ErrorCode(d.Err) != EFORBIDDEN {
				t.Errorf("refusal error = %v, want %s", d.Err, EFORBIDDEN)
			}
		})
	}
}

func TestLockValidate(t *testing.T) {
	ok := func() *Lock { return &Lock{PID: "P1", Owner: "s-owner", Reason: LockStaffRelated} }
	tests := []struct {
		name string
		mod  func(l *Lock)
		code string
	}{
		{"OK", func(*Lock) {}, ""},
		{"NoPID", func(l *Lock) { l.PID = " " }, EINVALID},
		{"NoOwner", func(l *Lock) { l.Owner = "" }, EINVALID},
		{"UnknownReason", func(l *Lock) { l.Reason = "curiosity" }, EINVALID},
		{"DenyListRemovesOwner", func(l *Lock) { l.DenyStaff = []string{"s-x", "s-owner"} }, EINVALID},
		{"EmptyTeam", func(l *Lock) { l.AllowTeams = []string{""} }, EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := ok()
			tt.mod(l)
			if got := ErrorCode(l.Validate()); got != tt.code {
				t.Errorf("Validate code = %q, want %q", got, tt.code)
			}
		})
	}
}

func TestLockNotice(t *testing.T) {
	l := &Lock{PID: "P1", Owner: "s-owner", Status: LockActive}
	if owner, shown := l.Notice(); !shown || owner != "s-owner" {
		t.Errorf("notice = %q %v, want the owner shown", owner, shown)
	}
	l.SuppressNotice = true
	if owner, shown := l.Notice(); shown || owner != "" {
		t.Errorf("suppressed notice = %q %v, want nothing at all", owner, shown)
	}
}
