// Package storetest is the contract every casehold.Store adapter passes: the embedded
// bbolt store in every `go test`, the DynamoDB store against DynamoDB Local in `make test`.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// Harness is a fresh, empty store for one subtest.
type Harness struct {
	Store casehold.Store
	// SetNow replaces the store's clock, so time-dependent promises (a claim's expiry) are
	// tested once here for every adapter, without sleeping.
	SetNow func(now func() time.Time)
}

// Run runs the whole contract. newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("Matter", func(t *testing.T) { testMatter(t, newHarness) })
	t.Run("Document", func(t *testing.T) { testDocument(t, newHarness) })
	t.Run("Holds", func(t *testing.T) { testHolds(t, newHarness) })
	t.Run("Claim", func(t *testing.T) { testClaim(t, newHarness) })
	t.Run("Reserve", func(t *testing.T) { testReserve(t, newHarness) })
	t.Run("Locks", func(t *testing.T) { testLocks(t, newHarness) })
	t.Run("Staff", func(t *testing.T) { testStaff(t, newHarness) })
	t.Run("Inbound", func(t *testing.T) { testInbound(t, newHarness) })
	t.Run("MattersFor", func(t *testing.T) { testMattersFor(t, newHarness) })
	t.Run("Disposal", func(t *testing.T) { testDisposal(t, newHarness) })
	t.Run("MailQueue", func(t *testing.T) { testMailQueue(t, newHarness) })
	t.Run("DueIndex", func(t *testing.T) { testDueIndex(t, newHarness) })
	t.Run("ExportJobs", func(t *testing.T) { testExportJobs(t, newHarness) })
}

var base = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// NewMatter returns a valid open matter with invented people.
func NewMatter(id, ref string, created time.Time) *casehold.Matter {
	return &casehold.Matter{
		ID: id, Kind: casehold.KindCCRCS17, Reference: ref, Contact: "Case Review Officer",
		ReceivedOn: casehold.Date{Year: 2026, Month: 3, Day: 2}, Deadline: casehold.Date{Year: 2026, Month: 3, Day: 30},
		Coordinator: "staff-coord", Status: casehold.MatterOpen, CreatedAt: created, CreatedBy: "staff-coord",
		People: []casehold.Person{{PID: "P1001", Name: "Test Person One"}, {PID: "P1002", Name: "Test Person Two"}},
		Work: casehold.Work{
			ContactEmail: "secure@review.example",
			Areas: []casehold.AreaLead{{Area: casehold.AreaSocialCare, LeadOfficer: "Lead Officer", NotifiedOn: casehold.Date{Year: 2026, Month: 3, Day: 3},
				LeadEmail: "lead.officer@council.example", NoticeOn: casehold.Date{Year: 2026, Month: 3, Day: 3}, AcknowledgedOn: casehold.Date{Year: 2026, Month: 3, Day: 4}, AcknowledgedBy: "staff-coord"}},
			Electronic: []casehold.ElectronicRecord{{PID: "P1001", System: "CCM", OpenCase: true, AuthorisedBy: "Head", AuthorisedRole: casehold.RoleHeadOfService}},
			Related:    []casehold.RelatedPerson{{Person: casehold.Person{PID: "P1003", Name: "Test Person Three"}, RelatedTo: "P1001", Relationship: "sibling", CCRCWants: casehold.Yes}},
		},
	}
}

// NewDocument returns a valid document filed under matterID and held by it.
func NewDocument(id, matterID string, uploaded time.Time) *casehold.Document {
	return &casehold.Document{
		ID: id, MatterIDs: []string{matterID}, HeldBy: []string{matterID}, PIDs: []string{"P1001"},
		DocType: "Contact", DocDate: casehold.Date{Year: 2013, Month: 12, Day: 21}, Filename: "scan.pdf",
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 1234,
		Source: casehold.SourceUpload, Key: "evidence/" + id, VersionID: "v1", UploadedBy: "staff-coord",
		UploadedAt: uploaded,
	}
}

func ctx() context.Context { return context.Background() }

func mustCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := casehold.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func mustCreateMatter(t *testing.T, s casehold.Store, m *casehold.Matter) {
	t.Helper()
	mustOK(t, s.CreateMatter(ctx(), m))
}

func mustCreateDocument(t *testing.T, s casehold.Store, d *casehold.Document) {
	t.Helper()
	mustOK(t, s.CreateDocument(ctx(), d))
}

func testMatter(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("CreateGet", func(t *testing.T) {
		s := newHarness(t).Store
		m := NewMatter("m1", "CCRC-REF-1", base)
		mustCreateMatter(t, s, m)
		got, err := s.GetMatter(ctx(), "m1")
		mustOK(t, err)
		if got.Version != 1 {
			t.Errorf("Version = %d, want 1", got.Version)
		}
		if got.Reference != m.Reference || got.Kind != m.Kind || got.Contact != m.Contact ||
			got.ReceivedOn != m.ReceivedOn || got.Deadline != m.Deadline || got.Status != m.Status ||
			got.Coordinator != m.Coordinator || got.CreatedBy != m.CreatedBy || !got.CreatedAt.Equal(m.CreatedAt) {
			t.Errorf("GetMatter = %+v, want the fields of %+v", got, m)
		}
		if len(got.People) != 2 || got.People[1] != m.People[1] {
			t.Errorf("People = %+v, want %+v", got.People, m.People)
		}
		if got.ReleasedAt != nil {
			t.Errorf("ReleasedAt = %v, want nil", got.ReleasedAt)
		}
		gotWork, _ := json.Marshal(got.Work)
		wantWork, _ := json.Marshal(m.Work)
		if string(gotWork) != string(wantWork) {
			t.Errorf("Work = %s, want %s", gotWork, wantWork)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := newHarness(t).Store
		_, err := s.GetMatter(ctx(), "nope")
		mustCode(t, err, casehold.ENOTFOUND)
		m := NewMatter("nope", "R", base)
		m.Version = 1
		mustCode(t, s.UpdateMatter(ctx(), m), casehold.ENOTFOUND)
	})
	t.Run("ErrConflictDuplicateID", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCode(t, s.CreateMatter(ctx(), NewMatter("m1", "REF-B", base)), casehold.ECONFLICT)
		got, err := s.GetMatter(ctx(), "m1")
		mustOK(t, err)
		if got.Reference != "REF-A" {
			t.Errorf("duplicate create changed the matter: reference %q", got.Reference)
		}
	})
	t.Run("ErrConflictDuplicateReference", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCode(t, s.CreateMatter(ctx(), NewMatter("m2", "REF-A", base)), casehold.ECONFLICT)
		_, err := s.GetMatter(ctx(), "m2")
		mustCode(t, err, casehold.ENOTFOUND)
		// The same reference under another kind is a different demand.
		other := NewMatter("m3", "REF-A", base)
		other.Kind = casehold.KindSeriousCaseReview
		mustCreateMatter(t, s, other)
	})
	t.Run("UpdateOK", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		m, err := s.GetMatter(ctx(), "m1")
		mustOK(t, err)
		rel := base.Add(time.Hour)
		m.Status, m.ReleasedAt, m.ReleasedBy = casehold.MatterReleased, &rel, "staff-x"
		mustOK(t, s.UpdateMatter(ctx(), m))
		if m.Version != 2 {
			t.Errorf("Version after update = %d, want 2", m.Version)
		}
		got, err := s.GetMatter(ctx(), "m1")
		mustOK(t, err)
		if got.Status != casehold.MatterReleased || got.ReleasedAt == nil || !got.ReleasedAt.Equal(rel) ||
			got.ReleasedBy != "staff-x" || got.Version != 2 {
			t.Errorf("after update got %+v", got)
		}
	})
	t.Run("UpdateErrConflictStaleVersion", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		a, _ := s.GetMatter(ctx(), "m1")
		b, _ := s.GetMatter(ctx(), "m1")
		a.Contact = "first writer"
		mustOK(t, s.UpdateMatter(ctx(), a))
		b.Contact = "second writer"
		mustCode(t, s.UpdateMatter(ctx(), b), casehold.ECONFLICT)
		got, _ := s.GetMatter(ctx(), "m1")
		if got.Contact != "first writer" {
			t.Errorf("stale update overwrote: contact %q", got.Contact)
		}
	})
	t.Run("ConcurrentUpdatesOneWins", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		// Every writer reads version 1 before any writes, so exactly one may win.
		copies := make([]*casehold.Matter, n)
		for i := range n {
			m, err := s.GetMatter(ctx(), "m1")
			mustOK(t, err)
			copies[i] = m
		}
		for i, m := range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.Contact = fmt.Sprintf("writer %d", i)
				errs[i] = s.UpdateMatter(ctx(), m)
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				mustCode(t, err, casehold.ECONFLICT)
			}
		}
		if wins != 1 {
			t.Errorf("%d concurrent updates of version 1 succeeded, want exactly 1", wins)
		}
	})
	t.Run("ListByStatus", func(t *testing.T) {
		s := newHarness(t).Store
		for i := range 3 {
			mustCreateMatter(t, s, NewMatter(fmt.Sprintf("m%d", i), fmt.Sprintf("REF-%d", i), base.Add(time.Duration(i)*time.Minute)))
		}
		m, _ := s.GetMatter(ctx(), "m1")
		m.Status = casehold.MatterReleased
		mustOK(t, s.UpdateMatter(ctx(), m))
		// Indexes may be eventually consistent (DynamoDB GSI): poll briefly.
		wantIDs := func(status casehold.MatterStatus, want ...string) {
			t.Helper()
			var got []string
			for range 50 {
				ms, err := s.ListMatters(ctx(), status)
				mustOK(t, err)
				got = got[:0]
				for _, m := range ms {
					got = append(got, m.ID)
				}
				if fmt.Sprint(got) == fmt.Sprint(want) {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
			t.Errorf("ListMatters(%s) = %v, want %v", status, got, want)
		}
		wantIDs(casehold.MatterOpen, "m0", "m2")
		wantIDs(casehold.MatterReleased, "m1")
	})
}

func testDocument(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("CreateGet", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		d := NewDocument("d1", "m1", base)
		d.ActiveContent = []string{"javascript", "launch_action"}
		mustCreateDocument(t, s, d)
		got, err := s.GetDocument(ctx(), "d1")
		mustOK(t, err)
		if fmt.Sprint(got.ActiveContent) != "[javascript launch_action]" {
			t.Errorf("ActiveContent = %v, want what was recorded", got.ActiveContent)
		}
		if got.Version != 1 || got.SHA256 != d.SHA256 || got.Size != d.Size || got.DocDate != d.DocDate ||
			got.DocType != d.DocType || got.Key != d.Key || got.VersionID != d.VersionID ||
			got.Source != d.Source || !got.UploadedAt.Equal(d.UploadedAt) || got.Filename != d.Filename {
			t.Errorf("GetDocument = %+v, want fields of %+v", got, d)
		}
		if fmt.Sprint(got.HeldBy) != "[m1]" || fmt.Sprint(got.MatterIDs) != "[m1]" || fmt.Sprint(got.PIDs) != "[P1001]" {
			t.Errorf("HeldBy %v MatterIDs %v PIDs %v", got.HeldBy, got.MatterIDs, got.PIDs)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := newHarness(t).Store
		_, err := s.GetDocument(ctx(), "nope")
		mustCode(t, err, casehold.ENOTFOUND)
	})
	t.Run("ErrConflictDuplicate", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCreateDocument(t, s, NewDocument("d1", "m1", base))
		dup := NewDocument("d1", "m1", base)
		dup.SHA256 = "different"
		mustCode(t, s.CreateDocument(ctx(), dup), casehold.ECONFLICT)
		got, _ := s.GetDocument(ctx(), "d1")
		if got.SHA256 == "different" {
			t.Error("duplicate create overwrote the document")
		}
		docs, err := s.ListMatterDocuments(ctx(), "m1")
		mustOK(t, err)
		if len(docs) != 1 {
			t.Errorf("matter lists %d documents after a refused duplicate, want 1", len(docs))
		}
	})
	t.Run("ListMatterDocumentsOldestFirst", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCreateMatter(t, s, NewMatter("m2", "REF-B", base))
		// Created out of order to check ordering comes from upload time.
		mustCreateDocument(t, s, NewDocument("d-late", "m1", base.Add(2*time.Minute)))
		mustCreateDocument(t, s, NewDocument("d-early", "m1", base.Add(time.Minute)))
		mustCreateDocument(t, s, NewDocument("d-other", "m2", base))
		docs, err := s.ListMatterDocuments(ctx(), "m1")
		mustOK(t, err)
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		if fmt.Sprint(ids) != "[d-early d-late]" {
			t.Errorf("ListMatterDocuments(m1) = %v, want [d-early d-late]", ids)
		}
		none, err := s.ListMatterDocuments(ctx(), "m-empty")
		mustOK(t, err)
		if len(none) != 0 {
			t.Errorf("unknown matter lists %d documents, want 0", len(none))
		}
	})
	t.Run("ListManyDocuments", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		const n = 130 // more than one DynamoDB BatchGetItem (100 keys)
		for i := range n {
			mustCreateDocument(t, s, NewDocument(fmt.Sprintf("d%03d", i), "m1", base.Add(time.Duration(i)*time.Second)))
		}
		docs, err := s.ListMatterDocuments(ctx(), "m1")
		mustOK(t, err)
		if len(docs) != n {
			t.Fatalf("listed %d documents, want %d", len(docs), n)
		}
		for i, d := range docs {
			if want := fmt.Sprintf("d%03d", i); d.ID != want {
				t.Fatalf("docs[%d] = %s, want %s", i, d.ID, want)
			}
		}
	})
}

func testHolds(t *testing.T, newHarness func(t *testing.T) Harness) {
	setup := func(t *testing.T) casehold.Store {
		s := newHarness(t).Store
		mustCreateMatter(t, s, NewMatter("m1", "REF-A", base))
		mustCreateMatter(t, s, NewMatter("m2", "REF-B", base))
		mustCreateDocument(t, s, NewDocument("d1", "m1", base))
		return s
	}
	t.Run("AddHoldFilesUnderSecondMatter", func(t *testing.T) {
		s := setup(t)
		d, err := s.AddHold(ctx(), "d1", "m2")
		mustOK(t, err)
		if fmt.Sprint(d.HeldBy) != "[m1 m2]" || fmt.Sprint(d.MatterIDs) != "[m1 m2]" {
			t.Errorf("after AddHold: HeldBy %v MatterIDs %v, want [m1 m2] both", d.HeldBy, d.MatterIDs)
		}
		docs, err := s.ListMatterDocuments(ctx(), "m2")
		mustOK(t, err)
		if len(docs) != 1 || docs[0].ID != "d1" {
			t.Errorf("m2 lists %v, want d1", docs)
		}
		again, err := s.AddHold(ctx(), "d1", "m2")
		mustOK(t, err)
		if fmt.Sprint(again.HeldBy) != "[m1 m2]" {
			t.Errorf("repeated AddHold: HeldBy %v", again.HeldBy)
		}
		docs, _ = s.ListMatterDocuments(ctx(), "m2")
		if len(docs) != 1 {
			t.Errorf("repeated AddHold filed the document %d times", len(docs))
		}
	})
	t.Run("RemoveHoldReferenceCounted", func(t *testing.T) {
		s := setup(t)
		_, err := s.AddHold(ctx(), "d1", "m2")
		mustOK(t, err)
		d, err := s.RemoveHold(ctx(), "d1", "m1")
		mustOK(t, err)
		if fmt.Sprint(d.HeldBy) != "[m2]" {
			t.Fatalf("after releasing m1: HeldBy %v, want [m2]", d.HeldBy)
		}
		d, err = s.RemoveHold(ctx(), "d1", "m2")
		mustOK(t, err)
		if len(d.HeldBy) != 0 {
			t.Fatalf("after releasing both: HeldBy %v, want empty", d.HeldBy)
		}
		if fmt.Sprint(d.MatterIDs) != "[m1 m2]" {
			t.Errorf("releasing must keep the filing: MatterIDs %v", d.MatterIDs)
		}
		again, err := s.RemoveHold(ctx(), "d1", "m2")
		mustOK(t, err)
		if len(again.HeldBy) != 0 {
			t.Errorf("removing an absent hold: HeldBy %v", again.HeldBy)
		}
		docs, _ := s.ListMatterDocuments(ctx(), "m1")
		if len(docs) != 1 {
			t.Errorf("released matter lists %d documents, want 1 (filing is kept)", len(docs))
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := setup(t)
		_, err := s.AddHold(ctx(), "nope", "m1")
		mustCode(t, err, casehold.ENOTFOUND)
		_, err = s.RemoveHold(ctx(), "nope", "m1")
		mustCode(t, err, casehold.ENOTFOUND)
	})
	t.Run("ConcurrentHoldsNoneLost", func(t *testing.T) {
		s := setup(t)
		const n = 6
		for i := range n {
			mustCreateMatter(t, s, NewMatter(fmt.Sprintf("x%d", i), fmt.Sprintf("REF-X%d", i), base))
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.AddHold(ctx(), "d1", fmt.Sprintf("x%d", i))
			}()
		}
		wg.Wait()
		for _, err := range errs {
			mustOK(t, err)
		}
		d, err := s.GetDocument(ctx(), "d1")
		mustOK(t, err)
		if len(d.HeldBy) != n+1 {
			t.Fatalf("HeldBy has %d matters after %d concurrent AddHold, want %d: %v", len(d.HeldBy), n, n+1, d.HeldBy)
		}
		// Concurrent releases: exactly the last one sees no holder left.
		empties := 0
		var mu sync.Mutex
		ids := []string{"m1"}
		for i := range n {
			ids = append(ids, fmt.Sprintf("x%d", i))
		}
		for _, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := s.RemoveHold(ctx(), "d1", id)
				if err != nil {
					t.Errorf("RemoveHold(%s): %v", id, err)
					return
				}
				if len(d.HeldBy) == 0 {
					mu.Lock()
					empties++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if empties != 1 {
			t.Errorf("%d releases saw the document unheld, want exactly 1", empties)
		}
	})
}

func testClaim(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("Expires", func(t *testing.T) {
		h := newHarness(t)
		if h.SetNow == nil {
			t.Fatal("the harness must give SetNow so claim expiry can be tested")
		}
		now := base
		h.SetNow(func() time.Time { return now })
		steps := []struct {
			after time.Duration
			want  bool
		}{
			{0, true},
			{time.Hour, false},
			{23*time.Hour - time.Nanosecond, false},
			{time.Nanosecond, true}, // exactly 24 h after the first claim: expired
			{time.Hour, false},      // the re-claim started a new 24 h
		}
		held := func() bool {
			ok, err := h.Store.Claimed(ctx(), "s3:bucket/key#v1")
			mustOK(t, err)
			return ok
		}
		if held() {
			t.Error("Claimed before any claim = true")
		}
		for i, st := range steps {
			now = now.Add(st.after)
			wasHeld := held()
			got, err := h.Store.Claim(ctx(), "s3:bucket/key#v1", 24*time.Hour)
			mustOK(t, err)
			if got != st.want {
				t.Errorf("step %d at %v: Claim = %v, want %v", i, now.Sub(base), got, st.want)
			}
			if i > 0 && wasHeld != !st.want {
				t.Errorf("step %d at %v: Claimed before claiming = %v, want %v", i, now.Sub(base), wasHeld, !st.want)
			}
			if !held() {
				t.Errorf("step %d at %v: Claimed just after a claim = false", i, now.Sub(base))
			}
		}
		if ok, err := h.Store.Claimed(ctx(), "s3:bucket/other"); err != nil || ok {
			t.Errorf("Claimed(another key) = %v, %v; want false", ok, err)
		}
	})
	t.Run("OnceOnly", func(t *testing.T) {
		s := newHarness(t).Store
		first, err := s.Claim(ctx(), "s3:bucket/key#v1", 24*time.Hour)
		mustOK(t, err)
		second, err := s.Claim(ctx(), "s3:bucket/key#v1", 24*time.Hour)
		mustOK(t, err)
		other, err := s.Claim(ctx(), "s3:bucket/key#v2", 24*time.Hour)
		mustOK(t, err)
		if !first || second || !other {
			t.Errorf("claims = %v %v %v, want true false true", first, second, other)
		}
	})
	t.Run("ConcurrentOneWins", func(t *testing.T) {
		s := newHarness(t).Store
		const n = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.Claim(ctx(), "mail:ack:1", time.Hour)
				if err != nil {
					t.Errorf("Claim: %v", err)
					return
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d concurrent claims won, want 1", wins)
		}
	})
}

func testReserve(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("FirstValueKept", func(t *testing.T) {
		s := newHarness(t).Store
		got, err := s.Reserve(ctx(), "evkey:d-1", "documents/aaaa.pdf", time.Hour)
		mustOK(t, err)
		again, err := s.Reserve(ctx(), "evkey:d-1", "documents/bbbb.pdf", time.Hour)
		mustOK(t, err)
		other, err := s.Reserve(ctx(), "evkey:d-2", "documents/cccc.pdf", time.Hour)
		mustOK(t, err)
		if got != "documents/aaaa.pdf" || again != got || other != "documents/cccc.pdf" {
			t.Errorf("reserved %q, %q, %q; want the first value twice, then the other key's own", got, again, other)
		}
	})
	t.Run("EmptyRefused", func(t *testing.T) {
		s := newHarness(t).Store
		_, err := s.Reserve(ctx(), "k", "", time.Hour)
		mustCode(t, err, casehold.EINVALID)
	})
	t.Run("ConcurrentAllSeeOneValue", func(t *testing.T) {
		s := newHarness(t).Store
		const n = 8
		var wg sync.WaitGroup
		got := make([]string, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := s.Reserve(ctx(), "evkey:race", fmt.Sprintf("value-%d", i), time.Hour)
				if err != nil {
					t.Errorf("Reserve: %v", err)
				}
				got[i] = v
			}()
		}
		wg.Wait()
		for i := range got {
			if got[i] != got[0] || got[i] == "" {
				t.Fatalf("concurrent reservations returned %v, want one value for all", got)
			}
		}
	})
}
