package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/casehold/casehold/internal/casehold"
)

func staffStore(t *testing.T, newHarness func(t *testing.T) Harness) casehold.StaffStore {
	t.Helper()
	ss, ok := newHarness(t).Store.(casehold.StaffStore)
	if !ok {
		t.Fatal("the store does not keep the staff directory (casehold.StaffStore)")
	}
	return ss
}

func testStaff(t *testing.T, newHarness func(t *testing.T) Harness) {
	member := func(id, team, manager string) casehold.StaffMember {
		return casehold.StaffMember{ID: id, Name: "Invented " + id, Email: id + "@council.example", Teams: []string{team}, Manager: manager}
	}
	t.Run("ReplaceReportsLeavers", func(t *testing.T) {
		s := staffStore(t, newHarness)
		leavers, err := s.ReplaceStaff(ctx(), []casehold.StaffMember{member("s1", "A", ""), member("s2", "A", "s1"), member("s3", "B", "s1")})
		mustOK(t, err)
		if len(leavers) != 0 {
			t.Errorf("first import leavers = %v, want none", leavers)
		}
		// s2 leaves, s3 moves to team C, s4 joins.
		leavers, err = s.ReplaceStaff(ctx(), []casehold.StaffMember{member("s1", "A", ""), member("s3", "C", "s1"), member("s4", "A", "s1")})
		mustOK(t, err)
		if !slices.Equal(leavers, []string{"s2"}) {
			t.Errorf("leavers = %v, want [s2]", leavers)
		}
		_, err = s.GetStaff(ctx(), "s2")
		mustCode(t, err, casehold.ENOTFOUND)
		got, err := s.GetStaff(ctx(), "s3")
		mustOK(t, err)
		if !slices.Equal(got.Teams, []string{"C"}) || got.Manager != "s1" || got.Email != "s3@council.example" {
			t.Errorf("s3 = %+v, want moved to team C", got)
		}
	})
	t.Run("LargeDirectory", func(t *testing.T) {
		s := staffStore(t, newHarness)
		var all []casehold.StaffMember
		for i := range 120 { // past DynamoDB's 25-item batches several times
			all = append(all, member(fmt.Sprintf("s%03d", i), "T", ""))
		}
		_, err := s.ReplaceStaff(ctx(), all)
		mustOK(t, err)
		leavers, err := s.ReplaceStaff(ctx(), all[:60])
		mustOK(t, err)
		if len(leavers) != 60 || leavers[0] != "s060" {
			t.Errorf("%d leavers starting %v, want 60 from s060", len(leavers), leavers[:min(1, len(leavers))])
		}
	})
}
