package boltstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// BenchmarkRecordAudit records events from 16 goroutines, as 16 concurrent requests do:
// the group commit shares one journal sync between them.
func BenchmarkRecordAudit(b *testing.B) {
	s := mustOpen(b, filepath.Join(b.TempDir(), "state.db"))
	var n atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := n.Add(1)
				if i > int64(b.N) {
					return
				}
				err := s.RecordAudit(context.Background(), casehold.AuditEvent{ID: fmt.Sprintf("e%d", i), Time: time.Now(),
					Actor: "s", Action: "document.list", MatterID: "m-abcdefgh", Outcome: casehold.OutcomeOK})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkWriteAuditLeaves integrates batches of 1,000 events into a log that holds
// 100,000 already, per event: with random event ids every leaf dirties its own page of
// the id index; with ids that begin with the time, a batch appends to a few pages.
func BenchmarkWriteAuditLeaves(b *testing.B) {
	for _, ids := range []struct {
		name string
		id   func(i int) string
	}{
		{"ids=random", func(int) string { return "ev-" + rand.Text()[:16] }},
		{"ids=time-ordered", func(i int) string { return fmt.Sprintf("ev-%010d%s", i, rand.Text()[:16]) }},
	} {
		b.Run(ids.name, func(b *testing.B) {
			s := mustOpen(b, filepath.Join(b.TempDir(), "state.db"))
			ctx := context.Background()
			seq := 0
			batch := func() []casehold.AuditEvent {
				events := make([]casehold.AuditEvent, 1000)
				for i := range events {
					seq++
					events[i] = casehold.AuditEvent{Seq: uint64(seq), ID: ids.id(seq), Time: time.Now(), Actor: "s-coord-01",
						Action: "document.list", MatterID: "m-abcdefghijklmnop", PIDs: []string{"P-0001"}, Outcome: casehold.OutcomeOK}
				}
				return events
			}
			for range 100 {
				if err := s.WriteAuditLeaves(ctx, batch()); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for done := 0; done < b.N; done += 1000 {
				b.StopTimer()
				events := batch()
				b.StartTimer()
				if err := s.WriteAuditLeaves(ctx, events); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
