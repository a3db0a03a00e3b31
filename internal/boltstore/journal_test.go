package boltstore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/casehold/casehold/internal/audittest"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/storetest"
)

func TestJournal(t *testing.T) {
	ctx := context.Background()
	t.Run("ReopenKeepsPending", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		s := mustOpen(t, path)
		mustOK(t, s.RecordAudit(ctx, audittest.Event("e1")))
		mustOK(t, s.RecordAudit(ctx, audittest.Event("e2")))
		mustOK(t, s.Close())
		s = mustOpen(t, path)
		if p, err := s.PendingAudit(ctx, 10); err != nil || len(p) != 2 || p[0].ID != "e1" {
			t.Fatalf("pending after reopen = %+v, %v", p, err)
		}
	})
	t.Run("StatsCountGroupCommits", func(t *testing.T) {
		s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"))
		defer s.Close()
		const writers, each = 8, 25
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					e := audittest.Event(fmt.Sprintf("w%d-%d", w, i))
					mustOK(t, s.RecordAudit(ctx, e))
					mustOK(t, s.RecordAudit(ctx, e)) // the same event again adds nothing
				}
			}()
		}
		wg.Wait()
		st := s.JournalStats()
		if st.Events != writers*each || st.Syncs < 1 || st.Syncs > st.Events || st.Syncing <= 0 {
			t.Fatalf("stats = %+v, want %d events in 1..%[2]d syncs taking some time", st, writers*each)
		}
	})
	t.Run("TornTailCutOff", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		s := mustOpen(t, path)
		mustOK(t, s.RecordAudit(ctx, audittest.Event("e1")))
		mustOK(t, s.Close())
		seg := segmentPath(path+".audit", 1)
		b, err := os.ReadFile(seg)
		mustOK(t, err)
		f, err := os.OpenFile(seg, os.O_WRONLY, 0)
		mustOK(t, err)
		// A crash mid-write, never acknowledged: half a line where the next batch goes.
		_, err = f.WriteAt([]byte(`0badc0de {"id":"half`), int64(bytes.IndexByte(b, 0)))
		mustOK(t, err)
		mustOK(t, f.Close())
		s = mustOpen(t, path)
		if p, _ := s.PendingAudit(ctx, 10); len(p) != 1 {
			t.Fatalf("pending = %+v, want e1 alone", p)
		}
		mustOK(t, s.RecordAudit(ctx, audittest.Event("e2")))
		mustOK(t, s.Close())
		s = mustOpen(t, path) // the append after the cut reads back whole
		if p, _ := s.PendingAudit(ctx, 10); len(p) != 2 {
			t.Fatalf("pending = %+v, want e1 and e2", p)
		}
	})
	t.Run("DamageBeforeTheEndIsAnError", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		s := mustOpen(t, path)
		mustOK(t, s.RecordAudit(ctx, audittest.Event("e1")))
		mustOK(t, s.Close())
		dir := path + ".audit"
		b, err := os.ReadFile(segmentPath(dir, 1))
		mustOK(t, err)
		b[12] ^= 1
		mustOK(t, os.WriteFile(segmentPath(dir, 1), b, 0o600))
		mustOK(t, os.WriteFile(segmentPath(dir, 2), nil, 0o600)) // a later segment makes 1 not the last
		if _, err := Open(path); err == nil {
			t.Fatal("opened a journal damaged before its end")
		}
	})
	t.Run("IntegratedSegmentsDeleted", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		s := mustOpen(t, path)
		mustOK(t, s.RecordAudit(ctx, audittest.Event("e1")))
		s.journal.mu.Lock()
		s.journal.size = maxSegmentBytes + 1 // the next append starts segment 2
		s.journal.mu.Unlock()
		mustOK(t, s.RecordAudit(ctx, audittest.Event("e2")))
		l := audittest.NewLog(t, s, nil, nil, "seq")
		if _, err := l.Sequence(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(segmentPath(path+".audit", 1)); !os.IsNotExist(err) {
			t.Errorf("segment 1 still there after all its events were integrated: %v", err)
		}
		mustOK(t, s.Close())
		s = mustOpen(t, path)
		if p, _ := s.PendingAudit(ctx, 10); len(p) != 0 {
			t.Errorf("integrated events pending again after reopen: %+v", p)
		}
		// Recording an integrated id again changes nothing.
		mustOK(t, s.RecordAudit(ctx, audittest.Event("e1")))
		if p, _ := s.PendingAudit(ctx, 10); len(p) != 0 {
			t.Errorf("an integrated event was recorded again: %+v", p)
		}
		if e, err := s.GetAuditEvent(ctx, "e2"); err != nil || e.Seq != 2 {
			t.Errorf("e2 = %+v, %v", e, err)
		}
		_, err := s.GetAuditEvent(ctx, "nope")
		if casehold.ErrorCode(err) != casehold.ENOTFOUND {
			t.Errorf("missing event: %v", err)
		}
	})
	t.Run("GrowsPastItsZeroFill", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "state.db")
		s := mustOpen(t, path)
		want := 0
		for s.journal.alloc <= allocChunk { // past the first zero-filled chunk
			e := audittest.Event(fmt.Sprintf("e%04d", want))
			e.Detail = strings.Repeat("x", 8000)
			mustOK(t, s.RecordAudit(ctx, e))
			want++
		}
		mustOK(t, s.Close())
		s = mustOpen(t, path)
		p, err := s.PendingAudit(ctx, want+10)
		mustOK(t, err)
		if len(p) != want || p[want-1].ID != fmt.Sprintf("e%04d", want-1) {
			t.Fatalf("read back %d events, want %d", len(p), want)
		}
		mustOK(t, s.RecordAudit(ctx, audittest.Event("after")))
		if s.journal.size > s.journal.alloc {
			t.Fatalf("data ends at %d, past the zero fill at %d", s.journal.size, s.journal.alloc)
		}
	})
}

// TestReaderIndexFilledOnUpgrade: a state file made before the reader index had one opens
// with every matter indexed, so nobody's "my matters" comes up empty after an upgrade.
func TestReaderIndexFilledOnUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s := mustOpen(t, path)
	m := storetest.NewMatter("m-old", "OLD-1", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	mustOK(t, s.CreateMatter(ctx, m))
	mustOK(t, s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketReaders) }))
	mustOK(t, s.Close())
	s = mustOpen(t, path)
	got, err := s.MattersFor(ctx, casehold.MatterOpen, []string{"staff:" + m.Coordinator})
	mustOK(t, err)
	if len(got) != 1 || got[0].ID != "m-old" {
		t.Fatalf("after the upgrade the coordinator finds %d matters, want m-old", len(got))
	}
}
