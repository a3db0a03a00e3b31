package auditlog_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/auditlog"

	"github.com/casehold/casehold/internal/audittest"
	"github.com/casehold/casehold/internal/boltstore"
	"github.com/casehold/casehold/internal/casehold"
)

func openBolt(b testing.TB) *boltstore.Store {
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

// proveLog is a log of proveEvents events on the embedded store, built once per test
// binary (a million leaves take a while) and removed by TestMain.
var (
	proveOnce sync.Once
	proveDir  string
	proveLog  *auditlog.Log
	proveErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if proveDir != "" {
		os.RemoveAll(proveDir)
	}
	os.Exit(code)
}

func proveEvents() int {
	if n, err := strconv.Atoi(os.Getenv("CASEHOLD_BENCH_PROVE_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// buildLog writes n leaves straight through the sequencer's steps (lease, begin, hashes,
// leaves, commit) in batches of 10,000, without recording them one by one first: the
// benchmark is about proving, and recording a million events would take minutes.
func buildLog(tb testing.TB, n int) (*auditlog.Log, error) {
	dir, err := os.MkdirTemp("", "casehold-prove-")
	if err != nil {
		return nil, err
	}
	proveDir = dir
	s, err := boltstore.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	l := audittest.NewLog(tb, s, nil, nil, "bench")
	if err := s.AcquireAuditLease(ctx, "bench", time.Now(), time.Hour); err != nil {
		return nil, err
	}
	var hashes []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 10_000 {
		end := min(n, start+10_000)
		events := make([]casehold.AuditEvent, 0, end-start)
		ids := make([]string, 0, end-start)
		from := int64(len(hashes))
		for i := start; i < end; i++ {
			e := casehold.AuditEvent{Seq: uint64(i) + 1, ID: fmt.Sprintf("ev-%016d", i), Time: at.Add(time.Duration(i) * time.Second),
				Actor: "s-coord-01", Action: "document.read", MatterID: fmt.Sprintf("m-%06d", i%5000), Outcome: casehold.OutcomeOK,
				PIDs: []string{fmt.Sprintf("P%06d", i%benchChildren)}}
			hs, err := tlog.StoredHashes(int64(i), e.LeafData(), r)
			if err != nil {
				return nil, err
			}
			hashes = append(hashes, hs...)
			events = append(events, e)
			ids = append(ids, e.ID)
		}
		if err := s.BeginAuditBatch(ctx, "bench", uint64(start), ids); err != nil {
			return nil, err
		}
		if err := s.WriteAuditHashes(ctx, from, hashes[from:]); err != nil {
			return nil, err
		}
		if err := s.WriteAuditLeaves(ctx, events); err != nil {
			return nil, err
		}
		root, err := tlog.TreeHash(int64(end), r)
		if err != nil {
			return nil, err
		}
		if err := s.CommitAuditBatch(ctx, "bench", uint64(start), uint64(end), root); err != nil {
			return nil, err
		}
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// BenchmarkProve times an inclusion proof of one event (read the event by id, read the
// proof's hashes, open the signed checkpoint) in a log of a million events, embedded.
func BenchmarkProve(b *testing.B) {
	n := proveEvents()
	proveOnce.Do(func() { proveLog, proveErr = buildLog(b, n) })
	if proveErr != nil {
		b.Fatal(proveErr)
	}
	ctx := context.Background()
	k, _ := audittest.Keys(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := fmt.Sprintf("ev-%016d", (i*7919)%n)
		p, err := proveLog.Prove(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			b.StopTimer()
			if _, err := auditlog.CheckInclusion(p, k); err != nil {
				b.Fatalf("the proof does not check: %v", err)
			}
			b.StartTimer()
		}
	}
}

// benchChildren is how many children the built log's events are spread over: a million
// events give each child a thousand.
const benchChildren = 1000

// BenchmarkWhoSaw reads every event of one child from the log of a million events through
// the PID index, as the "who saw this child" report does (issue target: < 200 ms), and
// reports how many events it read: only that child's.
func BenchmarkWhoSaw(b *testing.B) {
	n := proveEvents()
	proveOnce.Do(func() { proveLog, proveErr = buildLog(b, n) })
	if proveErr != nil {
		b.Fatal(proveErr)
	}
	ctx := context.Background()
	store := proveLog.Store
	read := 0
	for i := 0; b.Loop(); i++ {
		f := casehold.AuditFilter{PID: fmt.Sprintf("P%06d", (i*37)%benchChildren)}
		read = 0
		var after uint64
		for {
			page, err := store.ListAuditBy(ctx, f, after, 1000)
			if err != nil {
				b.Fatal(err)
			}
			read += len(page)
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].Seq
		}
	}
	b.ReportMetric(float64(read), "events-read")
	b.ReportMetric(float64(n), "log-events")
}

// BenchmarkVerifyWindow checks one window of 10,000 events of the built log against its
// newest checkpoint, as one call of GET /audit/verify?from=…&limit=… does.
func BenchmarkVerifyWindow(b *testing.B) {
	n := proveEvents()
	proveOnce.Do(func() { proveLog, proveErr = buildLog(b, n) })
	if proveErr != nil {
		b.Fatal(proveErr)
	}
	ctx := context.Background()
	const window = 10_000
	for i := 0; b.Loop(); i++ {
		from := uint64((i*window)%max(1, n-window)) + 1
		rep, err := proveLog.VerifyRange(ctx, from, window)
		if err != nil || !rep.OK || rep.Events != window {
			b.Fatalf("verify window from %d: %+v, %v", from, rep, err)
		}
	}
	b.ReportMetric(window, "events/op")
}
