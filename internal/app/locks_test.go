package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *stepClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestLockLifeCycle(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	clock := &stepClock{now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
	a.Service.Clock = clock
	svc := a.Service
	who := func(id string, roles ...casehold.Role) casehold.Actor { return casehold.Actor{ID: id, Roles: roles} }
	var (
		tm      = who("s-tm", casehold.RoleTeamManager)
		sm      = who("s-sm", casehold.RoleServiceManager)
		support = who("s-support", casehold.RoleSupport)
		cso     = who("s-cso", casehold.RoleHelpdesk)
		sw      = who("s-sw", casehold.RoleSocialWorker)
		edt     = who("s-edt", casehold.RoleEDT)
		ig      = who("s-ig", casehold.RoleIG)
	)
	imp, err := svc.ImportStaff(ctx, ig, strings.NewReader("staff_id,name,email,teams,manager_id\n"+
		"s-sm,Sam Invented,sam@council.example,Service Management,\n"+
		"s-tm,Tara Invented,tara@council.example,Assessment East,s-sm\n"+
		"s-sw,Sol Invented,sol@council.example,Assessment East,s-tm\n"+
		"s-support,Sid Invented,sid@council.example,System Support,s-sm\n"+
		"s-cso,Cara Invented,cara@council.example,Helpdesk,s-sm\n"+
		"s-edt,Eli Invented,eli@council.example,EDT,s-sm\n"))
	if err != nil || imp.Members != 6 {
		t.Fatalf("import = %+v, %v", imp, err)
	}
	if _, err := svc.ImportStaff(ctx, ig, strings.NewReader("staff_id,name\ns1,A\n")); casehold.ErrorCode(err) != casehold.EINVALID {
		t.Errorf("import without columns = %v", err)
	}
	if _, err := svc.ImportStaff(ctx, tm, strings.NewReader("")); casehold.ErrorCode(err) != casehold.EFORBIDDEN {
		t.Errorf("import by a team manager = %v", err)
	}
	if got, _ := svc.Staff.GetStaff(ctx, "s-tm"); got == nil || got.Manager != "s-sm" {
		t.Errorf("a refused import changed the directory: %+v", got)
	}

	l, err := svc.RequestLock(ctx, tm, app.LockInput{PID: "P200001", Owner: tm.ID, Reason: casehold.LockStaffRelated, DenyTeams: []string{"Duty"}})
	if err != nil || l.Status != casehold.LockRequested {
		t.Fatalf("request = %+v, %v", l, err)
	}
	refusals := []struct {
		name string
		do   func() error
		code string
	}{
		{"SecondLockOnChild", func() error {
			_, err := svc.RequestLock(ctx, tm, app.LockInput{PID: "P200001", Owner: tm.ID, Reason: casehold.LockHighProfile})
			return err
		}, casehold.ECONFLICT},
		{"UnknownOwner", func() error {
			_, err := svc.RequestLock(ctx, tm, app.LockInput{PID: "P200002", Owner: "s-nobody", Reason: casehold.LockHighProfile})
			return err
		}, casehold.EINVALID},
		{"DenyListRemovesOwner", func() error {
			_, err := svc.RequestLock(ctx, tm, app.LockInput{PID: "P200002", Owner: tm.ID, Reason: casehold.LockHighProfile, DenyStaff: []string{tm.ID}})
			return err
		}, casehold.EINVALID},
		{"ApplyBeforeApproval", func() error { _, err := svc.ApplyLock(ctx, support, l.ID); return err }, casehold.ECONFLICT},
		{"TeamManagerMayNotApprove", func() error { _, err := svc.DecideLock(ctx, tm, l.ID, true); return err }, casehold.EFORBIDDEN},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			if got := casehold.ErrorCode(r.do()); got != r.code {
				t.Errorf("code = %q, want %q", got, r.code)
			}
		})
	}
	if l, err = svc.DecideLock(ctx, sm, l.ID, true); err != nil {
		t.Fatal(err)
	}
	if l, err = svc.ApplyLock(ctx, support, l.ID); err != nil || !l.Active() || l.ReviewDue.String() != "2027-01-02" {
		t.Fatalf("apply = %+v, %v", l, err)
	}

	t.Run("HelpdeskSeesOnlyTheOwner", func(t *testing.T) {
		n, err := svc.LookupPID(ctx, cso, "P200001")
		if err != nil || !n.Locked || n.OwnerName != "Tara Invented" {
			t.Fatalf("lookup = %+v, %v", n, err)
		}
		none, err := svc.LookupPID(ctx, cso, "P299999")
		if err != nil || none.Locked || none.OwnerName != "" {
			t.Fatalf("lookup of an unlocked child = %+v, %v", none, err)
		}
		if _, err := svc.RequestTemporaryAccess(ctx, cso, l.ID, app.TemporaryInput{Reason: "a caller"}); casehold.ErrorCode(err) != casehold.EFORBIDDEN {
			t.Errorf("temporary access for a CSO = %v, want forbidden", err)
		}
	})
	t.Run("SuppressedLooksLikeNoRecord", func(t *testing.T) {
		s, err := svc.RequestLock(ctx, support, app.LockInput{PID: "P200003", Owner: tm.ID, Reason: casehold.LockUnexplainedDeath, SuppressNotice: true})
		if err != nil || !s.Active() || s.OwnerConfirmed {
			t.Fatalf("urgent lock = %+v, %v; want in force at once, owner to confirm", s, err)
		}
		locked, _ := svc.LookupPID(ctx, cso, "P200003")
		unlocked, _ := svc.LookupPID(ctx, cso, "P299998")
		if *locked != *unlocked {
			t.Errorf("a suppressed lock looks like %+v, no record like %+v", locked, unlocked)
		}
		if _, err := svc.ConfirmLockOwner(ctx, sw, s.ID); casehold.ErrorCode(err) != casehold.EFORBIDDEN {
			t.Errorf("confirm by someone else = %v", err)
		}
		if c, err := svc.ConfirmLockOwner(ctx, tm, s.ID); err != nil || !c.OwnerConfirmed {
			t.Errorf("owner's confirmation = %+v, %v", c, err)
		}
	})
	t.Run("TemporaryAccessEndsByItself", func(t *testing.T) {
		if _, err := svc.RequestTemporaryAccess(ctx, sw, l.ID, app.TemporaryInput{Reason: "complaint investigation"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AgreeTemporaryAccess(ctx, sw, l.ID, sw.ID); casehold.ErrorCode(err) != casehold.EFORBIDDEN {
			t.Errorf("agreeing one's own request = %v, want forbidden", err)
		}
		got, err := svc.AgreeTemporaryAccess(ctx, tm, l.ID, sw.ID)
		if err != nil {
			t.Fatal(err)
		}
		decide := func() casehold.Decision {
			cur, _ := svc.Locks.GetLock(ctx, l.ID)
			m := &casehold.Matter{ID: "m1", Coordinator: "s-other", Work: casehold.Work{Access: []casehold.AccessGrant{{StaffID: sw.ID}}}}
			return casehold.Decide(casehold.Reader{Actor: sw, Listed: true}, casehold.ActReadDocument,
				casehold.Scope{Matter: m, PIDs: []string{"P200001"}, Locks: []*casehold.Lock{cur}}, clock.Now())
		}
		if d := decide(); !d.Allow || d.Basis != casehold.BasisTemporary {
			t.Fatalf("with agreed access: %+v (lock %+v)", d, got.Temporary)
		}
		clock.add(24*time.Hour + time.Second)
		if d := decide(); d.Allow || !d.Locked {
			t.Errorf("25 hours later: %+v, want refused", d)
		}
		if _, err := svc.GiveBackTemporaryAccess(ctx, sw, l.ID); casehold.ErrorCode(err) != casehold.ENOTFOUND {
			t.Errorf("giving back expired access = %v, want not found", err)
		}
	})
	t.Run("BreakGlassForEDT", func(t *testing.T) {
		if _, err := svc.BreakGlass(ctx, sw, l.ID, app.TemporaryInput{Reason: "night call"}); casehold.ErrorCode(err) != casehold.EFORBIDDEN {
			t.Errorf("break-glass by a social worker = %v", err)
		}
		b, err := svc.BreakGlass(ctx, edt, l.ID, app.TemporaryInput{Reason: "police at the door, 02:00"})
		if err != nil || len(b.BreakGlass) != 1 {
			t.Fatalf("break-glass = %+v, %v", b, err)
		}
	})
	t.Run("ReviewAndUnlock", func(t *testing.T) {
		if _, err := svc.ReviewLock(ctx, tm, l.ID, app.LockReviewInput{StaysLocked: true}); casehold.ErrorCode(err) != casehold.EINVALID {
			t.Errorf("review without the key worker = %v", err)
		}
		r, err := svc.ReviewLock(ctx, tm, l.ID, app.LockReviewInput{KeyWorker: sw.ID, StaysLocked: true})
		if err != nil || r.ReviewDue.String() != "2027-01-03" {
			t.Fatalf("review = %+v, %v", r, err)
		}
		due, err := svc.LocksDue(ctx, support, casehold.Date{Year: 2027, Month: 1, Day: 31})
		if err != nil || len(due) != 2 {
			t.Errorf("due by the end of January = %d, %v; want both locks", len(due), err)
		}
		mine, err := svc.MyLocks(ctx, tm)
		if err != nil || len(mine) != 2 {
			t.Errorf("the owner's list = %d, %v", len(mine), err)
		}
		if _, err := svc.UnlockCase(ctx, tm, l.ID); casehold.ErrorCode(err) != casehold.EFORBIDDEN {
			t.Errorf("unlock without the service manager = %v", err)
		}
		u, err := svc.UnlockCase(ctx, sm, l.ID)
		if err != nil || u.Status != casehold.LockUnlocked {
			t.Fatalf("unlock = %+v, %v", u, err)
		}
		if n, _ := svc.LookupPID(ctx, cso, "P200001"); n.Locked {
			t.Error("an unlocked case still shows as locked")
		}
	})
	t.Run("EveryStepAndRefusalAudited", func(t *testing.T) {
		log := auditOf(t, a)
		for _, want := range []string{"lock.request:ok", "lock.decide:ok", "lock.apply:ok", "lock.lookup:ok", "lock.temporary_agree:ok",
			"lock.break_glass:ok", "lock.review:ok", "lock.unlock:ok", "lock.request:refused", "lock.decide:refused",
			"lock.temporary_request:refused", "lock.unlock:refused", "staff.import:ok", "staff.import:refused"} {
			if countPrefix(log, want) == 0 {
				t.Errorf("no %s in the audit trail", want)
			}
		}
		for _, line := range log {
			if strings.Contains(line, "Invented") {
				t.Errorf("a name reached the audit trail: %s", line)
			}
		}
	})
}

// TestSeriousCaseReviewLocksItsChildren: opening a review locks each child it names (a
// child locked already keeps that lock), and the review's lock cannot be lifted before the
// review is finished.
func TestSeriousCaseReviewLocksItsChildren(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	svc := a.Service
	coord := casehold.Actor{ID: "s-coord-01", Roles: []casehold.Role{casehold.RoleCoordinator}, Email: "dana.whitlock@council.example"}
	tm := casehold.Actor{ID: "s-tm-01", Roles: []casehold.Role{casehold.RoleTeamManager}}
	sm := casehold.Actor{ID: "s-sm-01", Roles: []casehold.Role{casehold.RoleServiceManager}}
	// The demo directory is seeded for local sign-in; P400002 is locked already.
	earlier, err := svc.RequestLock(ctx, tm, app.LockInput{PID: "P400002", Owner: tm.ID, Reason: casehold.LockHighProfile})
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().UTC().Format("2006-01-02")
	m, err := svc.CreateMatter(ctx, coord, casehold.NewMatterInput{Kind: casehold.KindSeriousCaseReview, Reference: "SCB-LOCK-1",
		Contact: "Example Board", ReceivedOn: today, SecureUpTo: today, SeniorManager: sm.ID, SeniorManagerEmail: "ruth.calloway@council.example",
		BoardManager: "Blake Invented", BoardManagerEmail: "blake@board.example",
		People: []casehold.Person{{PID: "P400001", Name: "Review Child One"}, {PID: "P400002", Name: "Review Child Two"}}})
	if err != nil {
		t.Fatal(err)
	}
	one, _ := svc.Locks.LocksForPID(ctx, "P400001")
	if len(one) != 1 || !one[0].Active() || one[0].Owner != sm.ID || one[0].MatterID != m.ID || one[0].Reason != casehold.LockSeriousCaseReview {
		t.Fatalf("locks on the first child = %+v", one)
	}
	two, _ := svc.Locks.LocksForPID(ctx, "P400002")
	if len(two) != 1 || two[0].ID != earlier.ID {
		t.Errorf("the child locked already got %d locks, want only the earlier one", len(two))
	}
	if _, err := svc.UnlockCase(ctx, sm, one[0].ID); casehold.ErrorCode(err) != casehold.ECONFLICT {
		t.Errorf("unlock during the review = %v, want conflict", err)
	}
}

// TestHelpdeskContactRouting: a contact for a locked child goes to the owner, copied to the
// assessment team, urgent when it is child protection, with no PID or name in the subject;
// the officer's answer does not tell a suppressed lock from none.
func TestHelpdeskContactRouting(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	svc := a.Service
	mail := &failingMailer{}
	svc.Mail = mail
	tm := casehold.Actor{ID: "s-tm-01", Roles: []casehold.Role{casehold.RoleTeamManager}}
	support := casehold.Actor{ID: "s-support-01", Roles: []casehold.Role{casehold.RoleSupport}}
	cso := casehold.Actor{ID: "s-cso-01", Roles: []casehold.Role{casehold.RoleHelpdesk}}
	if _, err := svc.RequestLock(ctx, support, app.LockInput{PID: "P500001", Owner: tm.ID, Reason: casehold.LockUnexplainedDeath, SuppressNotice: true}); err != nil {
		t.Fatal(err)
	}
	locked, err := svc.RecordContact(ctx, cso, app.ContactInput{PID: "P500001", Summary: "Neighbour worried about Kit Invented", ChildProtection: true})
	if err != nil {
		t.Fatal(err)
	}
	open, err := svc.RecordContact(ctx, cso, app.ContactInput{PID: "P500002", Summary: "Routine call", ChildProtection: true})
	if err != nil {
		t.Fatal(err)
	}
	if *locked != *open {
		t.Errorf("the officer can tell a locked child (%+v) from another (%+v)", locked, open)
	}
	if len(mail.sent) != 2 {
		t.Fatalf("%d emails, want 2", len(mail.sent))
	}
	first := mail.sent[0]
	if len(first.To) != 1 || first.To[0] != "owen.farrier@council.example" || len(first.Cc) != 1 || first.Cc[0] != svc.AssessmentEmail ||
		!strings.HasPrefix(first.Subject, "URGENT") || !strings.Contains(first.Text, "locked to you") {
		t.Errorf("locked-case contact = %+v", first)
	}
	for _, m := range mail.sent {
		if strings.Contains(m.Subject, "P5000") || strings.Contains(m.Subject, "Kit") {
			t.Errorf("subject %q carries a PID or name", m.Subject)
		}
	}
	if mail.sent[1].To[0] != svc.AssessmentEmail {
		t.Errorf("an unlocked child's contact went to %v, want the assessment team", mail.sent[1].To)
	}
	if _, err := svc.RecordContact(ctx, cso, app.ContactInput{PID: "P500001"}); casehold.ErrorCode(err) != casehold.EINVALID {
		t.Errorf("contact without a summary = %v", err)
	}
}

// TestLockedChildNameWithheld: matter staff outside a child's lock still see that the
// child is on the matter, but not the child's name, wherever the matter's record is handed
// out (read, list, the answer to a change); the lock's owner and allowed staff see it.
func TestLockedChildNameWithheld(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	svc := a.Service
	coord := casehold.Actor{ID: "s-coord-01", Roles: []casehold.Role{casehold.RoleCoordinator}}
	tm := casehold.Actor{ID: "s-tm-01", Roles: []casehold.Role{casehold.RoleTeamManager}}
	sm := casehold.Actor{ID: "s-sm-01", Roles: []casehold.Role{casehold.RoleServiceManager}}
	support := casehold.Actor{ID: "s-support-01", Roles: []casehold.Role{casehold.RoleSupport}}
	m, err := svc.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "CCRC-WITHHELD-1", Contact: "Case Review Manager",
		ReceivedOn: time.Now().UTC().Format("2006-01-02"),
		People:     []casehold.Person{{PID: "P500001", Name: "Robin Invented"}, {PID: "P500002", Name: "Kit Invented"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, pid := range []string{"P500001", "P500002"} {
		if _, err := svc.AddAccess(ctx, coord, m.ID, casehold.AccessGrant{PID: pid, StaffID: tm.ID, Team: "Assessment East",
			Role: "team manager", Name: "Owen Farrier", ApprovedBy: "Head of Service"}); err != nil {
			t.Fatal(err)
		}
	}
	l, err := svc.RequestLock(ctx, tm, app.LockInput{PID: "P500001", Owner: sm.ID, Reason: casehold.LockHighProfile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DecideLock(ctx, sm, l.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApplyLock(ctx, support, l.ID); err != nil {
		t.Fatal(err)
	}
	names := func(m *casehold.Matter) map[string]string {
		out := map[string]string{}
		for _, p := range m.People {
			out[p.PID] = p.Name
			if p.Withheld {
				out[p.PID] = "(withheld)"
			}
		}
		return out
	}
	check := func(t *testing.T, how string, m *casehold.Matter, want1, want2 string) {
		t.Helper()
		got := names(m)
		if got["P500001"] != want1 || got["P500002"] != want2 {
			t.Errorf("%s: names = %v, want P500001 %q and P500002 %q", how, got, want1, want2)
		}
	}
	for _, c := range []struct {
		who          casehold.Actor
		want1, want2 string
	}{
		{tm, "(withheld)", "Kit Invented"},    // on the matter's grants, outside the lock
		{coord, "(withheld)", "Kit Invented"}, // the coordinator too: the lock decides
		// The owner's grant covers the locked child alone: the other child's name is not theirs.
		{sm, "Robin Invented", "(withheld)"},
	} {
		t.Run(c.who.ID, func(t *testing.T) {
			if c.who.ID == sm.ID {
				// The owner is not on the matter's staff: give them a grant to read it.
				if _, err := svc.AddAccess(ctx, coord, m.ID, casehold.AccessGrant{PID: "P500001", StaffID: sm.ID, Team: "Service Management",
					Role: "service manager", Name: "Owner", ApprovedBy: "Head of Service"}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := svc.GetMatter(ctx, c.who, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			check(t, "read", got, c.want1, c.want2)
			list, err := svc.ListMatters(ctx, c.who, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, lm := range list {
				if lm.ID == m.ID {
					check(t, "list", lm, c.want1, c.want2)
				}
			}
		})
	}
	changed, err := svc.PutRelated(ctx, coord, m.ID, casehold.RelatedPerson{Person: casehold.Person{PID: "P500009", Name: "Ash Relative", Withheld: true},
		RelatedTo: "P500001", Relationship: "sibling"})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "answer to a change", changed, "(withheld)", "Kit Invented")
	if r := changed.Work.Related[0]; r.Name != "" || !r.Withheld {
		t.Errorf("a locked child's relative is shown: %+v", r)
	}
	stored, err := svc.Store.GetMatter(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.People[0].Name != "Robin Invented" || stored.People[0].Withheld || stored.Work.Related[0].Withheld || stored.Work.Related[0].Name != "Ash Relative" {
		t.Errorf("the stored matter lost a name or kept a view's flag: %+v %+v", stored.People, stored.Work.Related)
	}
}
