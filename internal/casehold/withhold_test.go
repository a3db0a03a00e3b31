package casehold

import (
	"slices"
	"testing"
	"time"
)

func TestWithhold(t *testing.T) {
	now := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
	matter := func() *Matter {
		return &Matter{ID: "m1", Coordinator: "s-coord", People: []Person{{PID: "P1", Name: "Alex Example"}, {PID: "P2", Name: "Sam Sample"}},
			Work: Work{Related: []RelatedPerson{{Person: Person{PID: "R1", Name: "Jo Relative"}, RelatedTo: "P1"}}}}
	}
	lockP1 := &Lock{ID: "l1", PID: "P1", Owner: "s-owner", Status: LockActive, AllowTeams: []string{"Adoption"}}
	tm := func(teams ...string) Reader {
		return Reader{Actor: Actor{ID: "s-tm", Roles: []Role{RoleTeamManager}}, Teams: teams, Listed: true}
	}
	coord := Reader{Actor: Actor{ID: "s-coord", Roles: []Role{RoleCoordinator}}, Listed: true}
	ig := Reader{Actor: Actor{ID: "s-ig", Roles: []Role{RoleIG}}, Listed: true}
	grantP1 := func(m *Matter) { m.Work.Access = []AccessGrant{{PID: "P1", StaffID: "s-tm"}} }
	grantTeam := func(m *Matter) { m.Work.Access = []AccessGrant{{Team: "Duty"}} }
	grantP2 := func(m *Matter) { m.Work.Access = []AccessGrant{{PID: "P2", Team: "Duty"}} }
	for _, c := range []struct {
		name     string
		r        Reader
		locks    []*Lock
		withheld []string // PIDs whose names are withheld
		grants   func(*Matter)
	}{
		{"coordinator, no lock: every name", coord, nil, nil, nil},
		{"IG, no lock: every name", ig, nil, nil, nil},
		{"grant for one child: the other child withheld", tm(), nil, []string{"P2"}, grantP1},
		{"grant for the whole matter: every name", tm("Duty"), nil, nil, grantTeam},
		{"grant for the other child: this child and their relative withheld", tm("Duty"), nil, []string{"P1", "R1"}, grantP2},
		{"no grant at all: every name withheld", tm(), nil, []string{"P1", "P2", "R1"}, func(*Matter) {}},
		{"outside the lock: the child and their relative withheld", tm("Duty"), []*Lock{lockP1}, []string{"P1", "R1"}, nil},
		{"allowed team: every name", tm("Adoption"), []*Lock{lockP1}, nil, nil},
		{"the owner: every name", Reader{Actor: Actor{ID: "s-owner", Roles: []Role{RoleTeamManager}}, Listed: true}, []*Lock{lockP1}, nil, nil},
		{"helpdesk: withheld", Reader{Actor: Actor{ID: "s-cso", Roles: []Role{RoleHelpdesk}}, Listed: true}, []*Lock{lockP1}, []string{"P1", "R1"}, nil},
		{"lock ended: every name", tm("Duty"), []*Lock{{ID: "l1", PID: "P1", Owner: "s-owner", Status: LockUnlocked}}, nil, nil},
		{"another child's lock: only that child", tm(), []*Lock{{ID: "l2", PID: "P2", Owner: "s-owner", Status: LockActive}}, []string{"P2"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := matter()
			if c.grants != nil {
				c.grants(m)
			} else {
				// The lock cases below: the reader is on the matter by a grant for all.
				m.Work.Access = []AccessGrant{{StaffID: c.r.Actor.ID}}
			}
			got := Withhold(c.r, m, c.locks, now)
			names := map[string]string{}
			withheld := map[string]bool{}
			for _, p := range append(got.People, got.Work.Related[0].Person) {
				names[p.PID], withheld[p.PID] = p.Name, p.Withheld
			}
			for _, pid := range []string{"P1", "P2", "R1"} {
				want := !slices.Contains(c.withheld, pid)
				if shown := names[pid] != "" && !withheld[pid]; shown != want {
					t.Errorf("%s: name shown = %v (withheld=%v), want shown = %v", pid, shown, withheld[pid], want)
				}
			}
			if m.People[0].Name != "Alex Example" || m.Work.Related[0].Name != "Jo Relative" {
				t.Error("the stored matter was changed")
			}
		})
	}
}
