package boltstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Harness {
		s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"))
		return storetest.Harness{Store: s, SetNow: func(now func() time.Time) { s.Now = now }}
	})
}

func mustOpen(t testing.TB, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

var base = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func TestStore_Reopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	mustOK(t, err)
	mustOK(t, s.CreateMatter(ctx, storetest.NewMatter("m1", "REF-A", base)))
	mustOK(t, s.CreateDocument(ctx, storetest.NewDocument("d1", "m1", base)))
	e := casehold.AuditEvent{ID: "e1", Time: base, Actor: "staff", Action: "matter.create", Outcome: casehold.OutcomeOK}
	mustOK(t, s.RecordAudit(ctx, e))
	won, err := s.Claim(ctx, "k", time.Hour)
	mustOK(t, err)
	if !won {
		t.Fatal("first claim lost")
	}
	mustOK(t, s.CreateInbound(ctx, storetest.NewInbound("in1", casehold.InboundTriage, base)))
	mustOK(t, s.Close())

	s = mustOpen(t, path)
	if _, err := s.GetMatter(ctx, "m1"); err != nil {
		t.Errorf("matter lost on reopen: %v", err)
	}
	if ms, err := s.ListMatters(ctx, casehold.MatterOpen); err != nil || len(ms) != 1 {
		t.Errorf("status index after reopen: %d matters, %v", len(ms), err)
	}
	if docs, err := s.ListMatterDocuments(ctx, "m1"); err != nil || len(docs) != 1 {
		t.Errorf("filing after reopen: %d documents, %v", len(docs), err)
	}
	if got, err := s.GetAuditEvent(ctx, "e1"); err != nil || got.Actor != e.Actor {
		t.Errorf("audit event after reopen = %+v, %v", got, err)
	}
	if p, err := s.PendingAudit(ctx, 10); err != nil || len(p) != 1 {
		t.Errorf("pending audit after reopen = %d events, %v; want 1", len(p), err)
	}
	if ms, err := s.ListInbound(ctx, casehold.InboundTriage); err != nil || len(ms) != 1 {
		t.Errorf("inbound status index after reopen: %d messages, %v", len(ms), err)
	}
	if won, err := s.Claim(ctx, "k", time.Hour); err != nil || won {
		t.Errorf("claim after reopen = %v, %v; want false", won, err)
	}
}

func TestOpen_LockedBySecondOpener(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	mustOpen(t, path)
	start := time.Now()
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("second Open of a file in use succeeded")
	}
	if !strings.Contains(err.Error(), "locked by another process") {
		t.Errorf("error = %v, want it to say the file is locked", err)
	}
	if time.Since(start) > lockTimeout+5*time.Second {
		t.Errorf("second Open took %v", time.Since(start))
	}
}

func TestStore_ReturnsCopies(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"))
	mustOK(t, s.CreateMatter(ctx, storetest.NewMatter("m1", "REF-A", base)))
	mustOK(t, s.CreateDocument(ctx, storetest.NewDocument("d1", "m1", base)))

	m, err := s.GetMatter(ctx, "m1")
	mustOK(t, err)
	m.People[0].PID = "changed"
	d, err := s.AddHold(ctx, "d1", "m2")
	mustOK(t, err)
	d.HeldBy[0] = "changed"

	m, _ = s.GetMatter(ctx, "m1")
	d, _ = s.GetDocument(ctx, "d1")
	if m.People[0].PID != "P1001" || d.HeldBy[0] != "m1" {
		t.Errorf("changing a returned value changed the store: pid %s, held by %v", m.People[0].PID, d.HeldBy)
	}
}

func TestStore_UpdateKeepsKindAndReference(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"))
	mustOK(t, s.CreateMatter(ctx, storetest.NewMatter("m1", "REF-A", base)))
	m, _ := s.GetMatter(ctx, "m1")
	m.Reference = "REF-B"
	mustOK(t, s.UpdateMatter(ctx, m))
	got, _ := s.GetMatter(ctx, "m1")
	if got.Reference != "REF-A" {
		t.Errorf("Reference = %q after update, want REF-A", got.Reference)
	}
	// The reference stays taken, and the one the update tried to take stays free.
	if err := s.CreateMatter(ctx, storetest.NewMatter("m2", "REF-A", base)); casehold.ErrorCode(err) != casehold.ECONFLICT {
		t.Errorf("create with the kept reference: %v, want conflict", err)
	}
	mustOK(t, s.CreateMatter(ctx, storetest.NewMatter("m3", "REF-B", base)))
}

func TestStore_HoldVersions(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"))
	mustOK(t, s.CreateDocument(ctx, storetest.NewDocument("d1", "m1", base)))
	steps := []struct {
		name        string
		op          func() (*casehold.Document, error)
		wantVersion int64
	}{
		{"AddNew", func() (*casehold.Document, error) { return s.AddHold(ctx, "d1", "m2") }, 2},
		{"AddAgain", func() (*casehold.Document, error) { return s.AddHold(ctx, "d1", "m2") }, 2},
		{"Remove", func() (*casehold.Document, error) { return s.RemoveHold(ctx, "d1", "m1") }, 3},
		{"RemoveAbsent", func() (*casehold.Document, error) { return s.RemoveHold(ctx, "d1", "m1") }, 3},
	}
	for _, st := range steps {
		d, err := st.op()
		mustOK(t, err)
		if d.Version != st.wantVersion {
			t.Errorf("%s: Version = %d, want %d", st.name, d.Version, st.wantVersion)
		}
		stored, _ := s.GetDocument(ctx, "d1")
		if stored.Version != d.Version {
			t.Errorf("%s: returned version %d, stored %d", st.name, d.Version, stored.Version)
		}
	}
}
