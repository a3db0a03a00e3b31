package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// NewLock returns a valid active lock on pid owned by owner, reviewed on due.
func NewLock(id, pid, owner string, due casehold.Date, requested time.Time) *casehold.Lock {
	return &casehold.Lock{
		ID: id, PID: pid, Owner: owner, Reason: casehold.LockHighProfile, Status: casehold.LockActive,
		AllowStaff: []string{"s-sw-1"}, AllowTeams: []string{"Adoption"}, DenyTeams: []string{"Duty"},
		OwnerConfirmed: true, RequestedBy: owner, RequestedAt: requested, ApprovedBy: "s-sm-1", AppliedBy: "s-support-1",
		ReviewDue: due,
		Temporary: []casehold.TemporaryAccess{{Staff: "s-tm-9", Reason: "complaint", AgreedBy: owner,
			From: requested, Until: requested.Add(casehold.TemporaryAccessPeriod)}},
	}
}

func lockStore(t *testing.T, newHarness func(t *testing.T) Harness) casehold.LockStore {
	t.Helper()
	ls, ok := newHarness(t).Store.(casehold.LockStore)
	if !ok {
		t.Fatal("the store does not keep locks (casehold.LockStore)")
	}
	return ls
}

func lockIDs(ls []*casehold.Lock) []string {
	out := []string{}
	for _, l := range ls {
		out = append(out, l.ID)
	}
	return out
}

func wantLockIDs(t *testing.T, what string, got []*casehold.Lock, want ...string) {
	t.Helper()
	g := lockIDs(got)
	if len(g) != len(want) {
		t.Fatalf("%s = %v, want %v", what, g, want)
	}
	for i := range g {
		if g[i] != want[i] {
			t.Fatalf("%s = %v, want %v", what, g, want)
		}
	}
}

func testLocks(t *testing.T, newHarness func(t *testing.T) Harness) {
	due := func(d int) casehold.Date { return casehold.Date{Year: 2026, Month: 4, Day: d} }
	t.Run("CreateGetRoundTrip", func(t *testing.T) {
		s := lockStore(t, newHarness)
		l := NewLock("lk1", "P1001", "s-owner", due(2), base)
		mustOK(t, s.CreateLock(ctx(), l))
		got, err := s.GetLock(ctx(), "lk1")
		mustOK(t, err)
		if got.Version != 1 || got.Owner != "s-owner" || len(got.Temporary) != 1 || !got.Temporary[0].Until.Equal(base.Add(24*time.Hour)) ||
			got.ReviewDue != due(2) || got.DenyTeams[0] != "Duty" {
			t.Errorf("round trip = %+v", got)
		}
		_, err = s.GetLock(ctx(), "absent")
		mustCode(t, err, casehold.ENOTFOUND)
	})
	t.Run("TimedAccessEndsUnderInjectedClock", func(t *testing.T) {
		// A temporary access and a break-glass access end at the instant stored: the store
		// keeps their times to the nanosecond and in any zone, and the policy asked with a
		// clock either side of the end decides accordingly, with no job run in between.
		s := lockStore(t, newHarness)
		london, err := time.LoadLocation("Europe/London")
		mustOK(t, err)
		from := time.Date(2026, 3, 29, 0, 30, 0, 123456789, london) // the night the clocks go forward
		until := from.Add(casehold.TemporaryAccessPeriod)
		l := NewLock("lk-timed", "P2001", "s-owner", due(2), base)
		l.Temporary = []casehold.TemporaryAccess{{Staff: "s-tm-9", Reason: "complaint", AgreedBy: "s-owner", From: from, Until: until}}
		l.BreakGlass = []casehold.BreakGlass{{Staff: "s-edt-9", Reason: "child at risk tonight", At: from, Until: from.Add(4 * time.Hour)}}
		mustOK(t, s.CreateLock(ctx(), l))
		stored, err := s.LocksForPID(ctx(), "P2001")
		mustOK(t, err)
		tm := casehold.Reader{Actor: casehold.Actor{ID: "s-tm-9", Roles: []casehold.Role{casehold.RoleTeamManager}}, Listed: true}
		// The lock denies the Duty team: only a live break-glass lets its EDT officer in.
		edt := casehold.Reader{Actor: casehold.Actor{ID: "s-edt-9", Roles: []casehold.Role{casehold.RoleEDT}}, Teams: []string{"Duty"}, Listed: true}
		scope := casehold.Scope{PIDs: []string{"P2001"}, Locks: stored}
		for _, c := range []struct {
			name string
			who  casehold.Reader
			at   time.Time
			want bool
		}{
			{"before the temporary access starts", tm, from.Add(-time.Nanosecond), false},
			{"temporary access starts", tm, from, true},
			{"last nanosecond of temporary access", tm, until.Add(-time.Nanosecond), true},
			{"temporary access ended", tm, until, false},
			{"before break-glass", edt, from.Add(-time.Nanosecond), false},
			{"break-glass live", edt, from.Add(4*time.Hour - time.Nanosecond), true},
			{"break-glass ended", edt, from.Add(4 * time.Hour), false},
		} {
			if got := casehold.Decide(c.who, casehold.ActReadDocument, scope, c.at).Allow; got != c.want {
				t.Errorf("%s (%s): allowed = %v, want %v", c.name, c.at, got, c.want)
			}
		}
		// Given back early: the end recorded takes effect at once.
		back := from.Add(time.Hour)
		stored[0].Temporary[0].ReturnedAt = &back
		mustOK(t, s.UpdateLock(ctx(), stored[0]))
		again, err := s.LocksForPID(ctx(), "P2001")
		mustOK(t, err)
		scope.Locks = again
		if casehold.Decide(tm, casehold.ActReadDocument, scope, back).Allow {
			t.Error("a temporary access given back still opens the lock")
		}
		if !casehold.Decide(tm, casehold.ActReadDocument, scope, back.Add(-time.Nanosecond)).Allow {
			t.Error("a temporary access given back closed before it was given back")
		}
	})
	t.Run("OneCurrentLockPerChild", func(t *testing.T) {
		s := lockStore(t, newHarness)
		mustOK(t, s.CreateLock(ctx(), NewLock("lk1", "P1001", "s-owner", due(2), base)))
		mustCode(t, s.CreateLock(ctx(), NewLock("lk2", "P1001", "s-other", due(3), base)), casehold.ECONFLICT)
		mustCode(t, s.CreateLock(ctx(), NewLock("lk1", "P1002", "s-other", due(3), base)), casehold.ECONFLICT)
		// Once unlocked, the child may be locked again.
		l, err := s.GetLock(ctx(), "lk1")
		mustOK(t, err)
		l.Status, l.UnlockedBy = casehold.LockUnlocked, "s-sm-1"
		mustOK(t, s.UpdateLock(ctx(), l))
		mustOK(t, s.CreateLock(ctx(), NewLock("lk3", "P1001", "s-other", due(3), base.Add(time.Hour))))
		all, err := s.LocksForPID(ctx(), "P1001")
		mustOK(t, err)
		wantLockIDs(t, "locks for P1001", all, "lk1", "lk3")
	})
	t.Run("ConcurrentCreatesOneWins", func(t *testing.T) {
		s := lockStore(t, newHarness)
		const n = 6
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.CreateLock(ctx(), NewLock("lk-race-"+string(rune('a'+i)), "P-RACE", "s-owner", due(2), base))
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch casehold.ErrorCode(err) {
			case "":
				wins++
			case casehold.ECONFLICT:
			default:
				t.Errorf("concurrent CreateLock: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d concurrent locks on one child stored, want 1", wins)
		}
	})
	t.Run("UpdateVersioned", func(t *testing.T) {
		s := lockStore(t, newHarness)
		mustOK(t, s.CreateLock(ctx(), NewLock("lk1", "P1001", "s-owner", due(2), base)))
		a, _ := s.GetLock(ctx(), "lk1")
		b, _ := s.GetLock(ctx(), "lk1")
		a.AllowStaff = append(a.AllowStaff, "s-sw-2")
		mustOK(t, s.UpdateLock(ctx(), a))
		if a.Version != 2 {
			t.Errorf("version after update = %d, want 2", a.Version)
		}
		b.SuppressNotice = true
		mustCode(t, s.UpdateLock(ctx(), b), casehold.ECONFLICT)
		mustCode(t, s.UpdateLock(ctx(), &casehold.Lock{ID: "absent", PID: "P1", Version: 1}), casehold.ENOTFOUND)
		got, _ := s.GetLock(ctx(), "lk1")
		if len(got.AllowStaff) != 2 || got.SuppressNotice {
			t.Errorf("stored after a lost race = %+v", got)
		}
	})
	t.Run("EndedLockCannotRestart", func(t *testing.T) {
		s := lockStore(t, newHarness)
		l := NewLock("lk1", "P1001", "s-owner", due(2), base)
		l.Status = casehold.LockRefused
		mustOK(t, s.CreateLock(ctx(), l))
		l.Status = casehold.LockActive
		mustCode(t, s.UpdateLock(ctx(), l), casehold.ECONFLICT)
	})
	t.Run("ByOwnerFollowsChanges", func(t *testing.T) {
		s := lockStore(t, newHarness)
		mustOK(t, s.CreateLock(ctx(), NewLock("lk1", "P1", "s-owner", due(2), base)))
		mustOK(t, s.CreateLock(ctx(), NewLock("lk2", "P2", "s-owner", due(3), base.Add(time.Minute))))
		mustOK(t, s.CreateLock(ctx(), NewLock("lk3", "P3", "s-other", due(4), base)))
		got, err := s.LocksByOwner(ctx(), "s-owner")
		mustOK(t, err)
		wantLockIDs(t, "s-owner's locks", got, "lk1", "lk2")
		// Ownership moves, and an unlocked case leaves the list.
		l2, _ := s.GetLock(ctx(), "lk2")
		l2.Owner = "s-other"
		mustOK(t, s.UpdateLock(ctx(), l2))
		l1, _ := s.GetLock(ctx(), "lk1")
		l1.Status = casehold.LockUnlocked
		mustOK(t, s.UpdateLock(ctx(), l1))
		got, _ = s.LocksByOwner(ctx(), "s-owner")
		wantLockIDs(t, "s-owner's locks after changes", got, []string{}...)
		got, _ = s.LocksByOwner(ctx(), "s-other")
		wantLockIDs(t, "s-other's locks", got, "lk3", "lk2")
	})
	t.Run("DueByReviewDate", func(t *testing.T) {
		s := lockStore(t, newHarness)
		mustOK(t, s.CreateLock(ctx(), NewLock("lk-a", "P1", "s-owner", due(10), base)))
		mustOK(t, s.CreateLock(ctx(), NewLock("lk-b", "P2", "s-owner", due(2), base)))
		mustOK(t, s.CreateLock(ctx(), NewLock("lk-c", "P3", "s-owner", due(20), base)))
		requested := NewLock("lk-d", "P4", "s-owner", due(1), base)
		requested.Status = casehold.LockRequested // not in force: no review yet
		mustOK(t, s.CreateLock(ctx(), requested))
		got, err := s.LocksDueBy(ctx(), due(10))
		mustOK(t, err)
		wantLockIDs(t, "due by the 10th", got, "lk-b", "lk-a")
		// A review moves the date on.
		b, _ := s.GetLock(ctx(), "lk-b")
		b.ReviewDue = casehold.Date{Year: 2026, Month: 5, Day: 2}
		mustOK(t, s.UpdateLock(ctx(), b))
		got, _ = s.LocksDueBy(ctx(), due(10))
		wantLockIDs(t, "due by the 10th after a review", got, "lk-a")
	})
}
