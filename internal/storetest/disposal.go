package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// retained returns a document classified to be disposed of on the given day, held by
// the matter unless held is false.
func retained(id, matterID string, dispose casehold.Date, held bool) *casehold.Document {
	d := NewDocument(id, matterID, base)
	if !held {
		d.HeldBy = []string{}
	}
	d.Retention = &casehold.Retention{Category: "other_social_care", ScheduleVersion: "test", Starts: dispose.AddYears(-10),
		DisposeOn: dispose, ClassifiedBy: "staff-ig", ClassifiedAt: base}
	return d
}

// dueIDs lists the ids ListDisposalDue gives, waiting briefly for an index that lags
// (DynamoDB's GSI): the contract promises the index catches up, not that it is immediate.
func dueIDs(t *testing.T, s casehold.Store, day casehold.Date, limit int, want ...string) {
	t.Helper()
	var got []string
	for try := 0; try < 20; try++ {
		docs, err := s.ListDisposalDue(ctx(), day, "", limit)
		mustOK(t, err)
		got = got[:0]
		for _, d := range docs {
			got = append(got, d.ID)
		}
		if slices.Equal(got, want) || len(got) == 0 && len(want) == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("ListDisposalDue(%s) = %v, want %v", day, got, want)
}

func testDisposal(t *testing.T, newHarness func(t *testing.T) Harness) {
	y := func(year int) casehold.Date { return casehold.Date{Year: year, Month: 1, Day: 1} }
	today := casehold.Date{Year: 2026, Month: 12, Day: 1}
	t.Run("OnlyDueAndUnheldOldestFirst", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCreateDocument(t, s, retained("d-2019", "m1", y(2019), false))
		mustCreateDocument(t, s, retained("d-2030", "m1", y(2030), false))
		mustCreateDocument(t, s, retained("d-held", "m1", y(2010), true))
		mustCreateDocument(t, s, retained("d-2015", "m1", y(2015), false))
		mustCreateDocument(t, s, NewDocument("d-unclassified", "m1", base))
		perm := retained("d-permanent", "m1", casehold.Date{}, false)
		perm.Retention.Permanent = true
		mustCreateDocument(t, s, perm)
		dueIDs(t, s, today, 100, "d-2015", "d-2019")
		dueIDs(t, s, today, 1, "d-2015")
		dueIDs(t, s, y(2015), 100, "d-2015") // due on the day itself
		dueIDs(t, s, y(2014), 100)
	})
	t.Run("PagesOnFromACursor", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		for _, c := range []struct {
			id   string
			year int
		}{{"d-b", 2015}, {"d-a", 2015}, {"d-c", 2016}, {"d-d", 2017}} {
			mustCreateDocument(t, s, retained(c.id, "m1", y(c.year), false))
		}
		dueIDs(t, s, today, 100, "d-a", "d-b", "d-c", "d-d")
		var got []string
		for after := ""; ; {
			docs, err := s.ListDisposalDue(ctx(), today, after, 2)
			mustOK(t, err)
			for _, d := range docs {
				got = append(got, d.ID)
			}
			if len(docs) < 2 {
				break
			}
			after = docs[len(docs)-1].DisposalKey()
		}
		if fmt.Sprint(got) != "[d-a d-b d-c d-d]" {
			t.Errorf("paged by twos: %v", got)
		}
	})
	t.Run("HoldTakesOutReleaseBringsBack", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCreateMatter(t, s, NewMatter("m2", "REF-B", base))
		mustCreateDocument(t, s, retained("d1", "m1", y(2019), false))
		d, err := s.GetDocument(ctx(), "d1")
		mustOK(t, err)
		d.Disposal = &casehold.Disposal{Status: casehold.DisposalApproved, ApprovedBy: "staff-ig", ApprovedAt: base, Reason: "past its date"}
		mustOK(t, s.UpdateDisposal(ctx(), d))
		dueIDs(t, s, today, 100, "d1")
		held, err := s.AddHold(ctx(), "d1", "m2")
		mustOK(t, err)
		if held.Disposal != nil {
			t.Errorf("an approval survived a hold: %+v", held.Disposal)
		}
		dueIDs(t, s, today, 100)
		released, err := s.RemoveHold(ctx(), "d1", "m2")
		mustOK(t, err)
		if released.Retention == nil || released.Disposal != nil {
			t.Errorf("after release: retention %v disposal %v", released.Retention, released.Disposal)
		}
		dueIDs(t, s, today, 100, "d1")
	})
	t.Run("UpdateDisposalStaleVersionChangesNothing", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCreateDocument(t, s, NewDocument("d1", "m1", base))
		stale, err := s.GetDocument(ctx(), "d1")
		mustOK(t, err)
		_, err = s.RemoveHold(ctx(), "d1", "m1")
		mustOK(t, err)
		stale.Retention = &casehold.Retention{Category: "financial", DisposeOn: y(2010)}
		mustCode(t, s.UpdateDisposal(ctx(), stale), casehold.ECONFLICT)
		got, _ := s.GetDocument(ctx(), "d1")
		if got.Retention != nil {
			t.Error("a stale update was stored")
		}
		dueIDs(t, s, today, 100)
		mustCode(t, s.UpdateDisposal(ctx(), &casehold.Document{ID: "nope", Version: 1}), casehold.ENOTFOUND)
	})
	t.Run("ClassifyMoveDeferDispose", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCreateDocument(t, s, NewDocument("d1", "m1", base))
		d, err := s.RemoveHold(ctx(), "d1", "m1")
		mustOK(t, err)
		d.Retention = &casehold.Retention{Category: "financial", Starts: y(2003), DisposeOn: y(2010), ScheduleVersion: "v"}
		mustOK(t, s.UpdateDisposal(ctx(), d))
		if d.Version != 3 || d.Retention.DisposeOn != y(2010) {
			t.Fatalf("stored %+v", d)
		}
		dueIDs(t, s, today, 100, "d1")
		d.Retention.DisposeOn = y(2040) // a fact changed: the date moved on
		mustOK(t, s.UpdateDisposal(ctx(), d))
		dueIDs(t, s, today, 100)
		d.Retention.DisposeOn, d.Retention.DeferredTo = y(2010), y(2027)
		mustOK(t, s.UpdateDisposal(ctx(), d))
		dueIDs(t, s, today, 100)
		dueIDs(t, s, y(2027), 100, "d1")
		now := base
		d.Disposal = &casehold.Disposal{Status: casehold.DisposalDone, ApprovedBy: "staff-ig", DisposedAt: &now,
			Destroyed: []casehold.StoredObject{{Key: "evidence/d1", VersionID: "v1", SHA256: d.SHA256, Size: d.Size}}}
		mustOK(t, s.UpdateDisposal(ctx(), d))
		dueIDs(t, s, y(2030), 100)
		got, err := s.GetDocument(ctx(), "d1")
		mustOK(t, err)
		if got.Disposal == nil || got.Disposal.Status != casehold.DisposalDone || fmt.Sprint(got.Disposal.Destroyed) != fmt.Sprint(d.Disposal.Destroyed) ||
			got.SHA256 != d.SHA256 {
			t.Errorf("the disposed document's record: %+v", got)
		}
	})
}
