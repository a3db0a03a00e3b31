package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/boltstore"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/ccrcform"
)

// countingStore counts calls per Store method, to prove a use case makes one query per
// access pattern however large the matter.
type countingStore struct {
	casehold.Store
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingStore) count(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls[name]++
}

func (c *countingStore) GetMatter(ctx context.Context, id string) (*casehold.Matter, error) {
	c.count("GetMatter")
	return c.Store.GetMatter(ctx, id)
}

func (c *countingStore) GetDocument(ctx context.Context, id string) (*casehold.Document, error) {
	c.count("GetDocument")
	return c.Store.GetDocument(ctx, id)
}

func (c *countingStore) ListMatterDocuments(ctx context.Context, id string) ([]*casehold.Document, error) {
	c.count("ListMatterDocuments")
	return c.Store.ListMatterDocuments(ctx, id)
}

func (c *countingStore) ListMatters(ctx context.Context, st casehold.MatterStatus) ([]*casehold.Matter, error) {
	c.count("ListMatters")
	return c.Store.ListMatters(ctx, st)
}

type fixedClock struct{ t time.Time }

func (f fixedClock) Now() time.Time { return f.t }

// bigMatter stores a matter with 50 people, 200 records and 2,000 documents.
func bigMatter(tb testing.TB) (*app.Service, *countingStore, *casehold.Matter) {
	tb.Helper()
	store, err := boltstore.Open(filepath.Join(tb.TempDir(), "state.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	m := &casehold.Matter{ID: "m-big", Kind: casehold.KindCCRCS17, Reference: "CCRC/BIG", Contact: "c", Status: casehold.MatterOpen,
		ReceivedOn: casehold.Date{Year: 2026, Month: 11, Day: 10}, Deadline: casehold.Date{Year: 2026, Month: 12, Day: 8}, CreatedAt: now,
		Coordinator: auth.DemoStaff[0].ID}
	day := casehold.Date{Year: 2026, Month: 11, Day: 20}
	for i := range 50 {
		pid := fmt.Sprintf("P%05d", i)
		m.People = append(m.People, casehold.Person{PID: pid, Name: fmt.Sprintf("Invented Person %d", i)})
		m.Work.Electronic = append(m.Work.Electronic, casehold.ElectronicRecord{PID: pid, System: "CCM", AuthorisedBy: "H",
			AuthorisedRole: casehold.RoleHeadOfService, SecuredOn: day, EDTToldOn: day})
		m.Work.Paper = append(m.Work.Paper, casehold.PaperFile{PID: pid, Exists: casehold.Yes, Location: "archive", StoredOn: day, StoredAt: "legal services"})
		m.Work.Education = append(m.Work.Education, casehold.EducationRecord{PID: pid, Details: "pupil file", CCRCWants: casehold.No})
		m.Work.Access = append(m.Work.Access, casehold.AccessGrant{PID: pid, Team: "T", Role: "team manager", Name: "N", ApprovedBy: "H"})
	}
	m.Work.Areas = []casehold.AreaLead{{Area: casehold.AreaSocialCare, LeadOfficer: "L", NotifiedOn: day}}
	m.Work.LegalConfirmed = day
	if err := store.CreateMatter(ctx, m); err != nil {
		tb.Fatal(err)
	}
	for i := range 2000 {
		d := &casehold.Document{ID: fmt.Sprintf("d-%05d", i), MatterIDs: []string{m.ID}, HeldBy: []string{m.ID},
			PIDs: []string{fmt.Sprintf("P%05d", i%50)}, DocType: "Contact", DocDate: day, SHA256: "00", Size: 1,
			Source: casehold.SourceUpload, Key: "k", VersionID: "v", UploadedAt: now.Add(time.Duration(i) * time.Second)}
		if err := store.CreateDocument(ctx, d); err != nil {
			tb.Fatal(err)
		}
	}
	cs := &countingStore{Store: store, calls: map[string]int{}}
	svc := app.New(&app.Deps{Store: cs, Clock: fixedClock{now}, IDs: app.RandomIDs{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return svc, cs, m
}

func TestProgressOneQueryPerAccessPattern(t *testing.T) {
	svc, cs, m := bigMatter(t)
	p, err := svc.Progress(context.Background(), auth.DemoStaff[0], m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Complete || p.Documents != 2000 || len(p.People) != 50 {
		t.Fatalf("progress = complete %v, %d documents, %d people; outstanding %v", p.Complete, p.Documents, len(p.People), p.Outstanding)
	}
	want := map[string]int{"GetMatter": 1, "ListMatterDocuments": 1}
	if fmt.Sprint(cs.calls) != fmt.Sprint(want) {
		t.Errorf("store calls = %v, want %v (no per-document or per-person reads)", cs.calls, want)
	}
}

// BenchmarkProgress: the progress view of a 50-person, 200-record, 2,000-document matter on
// the embedded store (issue target: under 50 ms).
func BenchmarkProgress(b *testing.B) {
	svc, _, m := bigMatter(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.Progress(ctx, auth.DemoStaff[0], m.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConfirmationForm: filling in and rendering the CCRC form for the same matter
// (issue target: under 1 s).
func BenchmarkConfirmationForm(b *testing.B) {
	svc, _, m := bigMatter(b)
	m, err := svc.Store.GetMatter(context.Background(), m.ID)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := ccrcform.Render(io.Discard, svc.ConfirmationForm(m, casehold.Date{}, casehold.SignOff{}, false)); err != nil {
			b.Fatal(err)
		}
	}
}

func (c *countingStore) MattersFor(ctx context.Context, st casehold.MatterStatus, keys []string) ([]*casehold.Matter, error) {
	ms, err := c.Store.MattersFor(ctx, st, keys)
	c.mu.Lock()
	c.calls["MattersFor"]++
	c.calls["matters read"] += len(ms)
	c.mu.Unlock()
	return ms, err
}

// TestMyMattersReadsOnlyMine: listing the matters a member of staff may see reads theirs
// through the reader index, not every open matter.
func TestMyMattersReadsOnlyMine(t *testing.T) {
	store, err := boltstore.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	me := casehold.Actor{ID: "s-tm-mine", Roles: []casehold.Role{casehold.RoleTeamManager}}
	mine := 0
	for i := range 300 {
		m := &casehold.Matter{ID: fmt.Sprintf("m-%03d", i), Kind: casehold.KindCCRCS17, Reference: fmt.Sprintf("CCRC/%03d", i), Contact: "c",
			Status: casehold.MatterOpen, CreatedAt: now.Add(time.Duration(i) * time.Minute), Coordinator: "s-someone-else",
			People: []casehold.Person{{PID: "P1", Name: "Invented"}}}
		if i%100 == 7 {
			m.Work.Access = []casehold.AccessGrant{{PID: "P1", StaffID: me.ID, Team: "T", Role: "team manager", Name: "N", ApprovedBy: "H"}}
			mine++
		}
		if err := store.CreateMatter(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := store.ReplaceStaff(ctx, []casehold.StaffMember{{ID: me.ID, Name: "Invented Manager", Teams: []string{"T2"}}}); err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: store, calls: map[string]int{}}
	svc := app.New(&app.Deps{Store: cs, Staff: store, Clock: fixedClock{now}, IDs: app.RandomIDs{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	got, err := svc.ListMatters(ctx, me, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != mine {
		t.Errorf("listed %d matters, want my %d", len(got), mine)
	}
	if cs.calls["ListMatters"] != 0 || cs.calls["matters read"] != mine {
		t.Errorf("store calls = %v: want no pass over all matters and only my %d read", cs.calls, mine)
	}
}
