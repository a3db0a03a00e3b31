package casehold

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestReaderKeysNeverHideAMatter: for many generated matters and readers, whenever the
// policy lets a reader read a matter's record, the reader's keys meet the matter's keys, so
// the index lookup behind "my matters" finds every matter the policy would show.
func TestReaderKeysNeverHideAMatter(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	staff := []string{"s-1", "s-2", "s-3", "s-4", "s-5"}
	teams := []string{"Adoption", "Duty", "Assessment East", "Fostering"}
	roles := []Role{RoleCoordinator, RoleLegal, RoleIG, RoleHeadOfService, RoleServiceManager, RoleTeamManager,
		RoleSocialWorker, RoleEDT, RoleHelpdesk, RoleSupport}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	opened := 0
	for i := range 5000 {
		m := &Matter{ID: fmt.Sprintf("m%d", i), Coordinator: pick(staff), People: []Person{{PID: "P1"}, {PID: "P2"}}}
		for range rng.IntN(3) {
			m.Work.LegalOfficers = append(m.Work.LegalOfficers, pick(staff))
		}
		for range rng.IntN(4) {
			g := AccessGrant{PID: pick([]string{"P1", "P2", ""}), Team: pick(teams)}
			if rng.IntN(2) == 0 {
				g.StaffID = pick(staff)
			}
			m.Work.Access = append(m.Work.Access, g)
		}
		r := Reader{Actor: Actor{ID: pick(staff), Roles: []Role{roles[rng.IntN(len(roles))]}}, Listed: rng.IntN(4) > 0}
		for range rng.IntN(3) {
			r.Teams = append(r.Teams, pick(teams))
		}
		if !Decide(r, ActReadMatter, Scope{Matter: m}, now).Allow {
			continue
		}
		opened++
		mk := MatterReaderKeys(m)
		if !slices.ContainsFunc(r.Keys(), func(k string) bool { return slices.Contains(mk, k) }) {
			t.Fatalf("the policy opens matter %+v to %+v, but their keys %v do not meet the matter's %v", m, r, r.Keys(), mk)
		}
	}
	if opened < 500 {
		t.Fatalf("only %d of 5000 generated cases opened a matter: the generator tests too little", opened)
	}
}

func TestMatterReaderKeys(t *testing.T) {
	m := &Matter{Coordinator: "s-c", Work: Work{LegalOfficers: []string{"s-l", "s-c"},
		Access: []AccessGrant{{StaffID: "s-g", Team: "Duty"}, {Team: "Adoption"}, {Team: "Adoption", PID: "P2"}}}}
	want := []string{"staff:s-c", "staff:s-g", "staff:s-l", "team:Adoption"}
	if got := MatterReaderKeys(m); !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
}
