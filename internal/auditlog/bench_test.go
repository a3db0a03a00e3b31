package auditlog_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/audittest"
	"github.com/casehold/casehold/internal/boltstore"
	"github.com/casehold/casehold/internal/casehold"
)

func openBolt(b *testing.B) *boltstore.Store {
	b.Helper()
	s, err := boltstore.Open(filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkSequence measures integrating recorded events on the embedded store, per event.
func BenchmarkSequence(b *testing.B) {
	s := openBolt(b)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < b.N; i += 16 {
				e := casehold.AuditEvent{ID: fmt.Sprintf("ev-%016d", i), Time: time.Now(), Actor: "s-coord-01",
					Action: "document.list", MatterID: "m-abcdefghijklmnop", Outcome: casehold.OutcomeOK}
				if err := s.RecordAudit(ctx, e); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	l := audittest.NewLog(b, s, nil, nil, "bench")
	l.BatchSize = 1000
	b.ResetTimer()
	n, err := l.Sequence(ctx)
	if err != nil || n != b.N {
		b.Fatalf("integrated %d of %d: %v", n, b.N, err)
	}
}
