package boltstore

import (
	"context"
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
