// Package audittest is the contract every casehold.AuditStore adapter passes, run with
// the shared sequencer (internal/auditlog) on top: the embedded bbolt store in every `go
// test`, the DynamoDB store against DynamoDB Local in `make test`. Where DynamoDB is
// weaker (its pending index is eventually consistent) the suite waits for the promise
// the port makes and no more: a recorded event is integrated by some later sequencer run.
package audittest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/fileevidence"
)

// Harness is a fresh, empty store for one subtest.
type Harness struct {
	Store casehold.AuditStore
	// PutLegacy writes one event of the legacy hash chain as the old code stored it, for
	// the migration tests.
	PutLegacy func(e casehold.LegacyAuditEvent) error
}

// Run runs the whole contract. newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("Record", func(t *testing.T) { testRecord(t, newHarness) })
	t.Run("ListLimits", func(t *testing.T) { testListLimits(t, newHarness) })
	t.Run("ConcurrentRecordersIntegratedOnce", func(t *testing.T) { testConcurrent(t, newHarness) })
	t.Run("CrashAndResume", func(t *testing.T) { testCrash(t, newHarness) })
	t.Run("Lease", func(t *testing.T) { testLease(t, newHarness) })
	t.Run("AtomicBatch", func(t *testing.T) { testAtomicBatch(t, newHarness) })
	t.Run("ListBy", func(t *testing.T) { testListBy(t, newHarness) })
	t.Run("Proofs", func(t *testing.T) { testProofs(t, newHarness) })
	t.Run("Checkpoints", func(t *testing.T) { testCheckpoints(t, newHarness) })
	t.Run("Tamper", func(t *testing.T) { testTamper(t, newHarness) })
	t.Run("TamperedTree", func(t *testing.T) { testTamperedTree(t, newHarness) })
	t.Run("Migrate", func(t *testing.T) { testMigrate(t, newHarness) })
}

var base = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func ctx() context.Context { return context.Background() }

// Clock is a settable clock for lease expiry.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock on.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var (
	keysOnce sync.Once
	keys     auditlog.Keys
	other    auditlog.Keys
)

// Keys returns a log key and a different key with the same name, made once per test binary.
func Keys(t testing.TB) (auditlog.Keys, auditlog.Keys) {
	t.Helper()
	keysOnce.Do(func() {
		for _, k := range []*auditlog.Keys{&keys, &other} {
			skey, _, err := auditlog.GenerateKey("test.casehold/audit")
			if err != nil {
				panic(err)
			}
			if *k, err = auditlog.KeysFrom(skey, ""); err != nil {
				panic(err)
			}
		}
	})
	return keys, other
}

// NewLog builds a sequencer named owner on store with a fresh evidence folder.
func NewLog(t testing.TB, store casehold.AuditStore, ev casehold.Evidence, clock casehold.Clock, owner string) *auditlog.Log {
	t.Helper()
	k, _ := Keys(t)
	if ev == nil {
		var err error
		if ev, err = fileevidence.New(t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	if clock == nil {
		clock = &Clock{t: base}
	}
	return &auditlog.Log{Store: store, Evidence: ev, Keys: k, Clock: clock, Owner: owner,
		Log: nil, BatchSize: 7, LeaseTTL: 30 * time.Second}
}

// Event returns a valid event with id.
func Event(id string) casehold.AuditEvent {
	return casehold.AuditEvent{ID: id, Time: base, Actor: "staff-ig", Action: "document.read", Outcome: casehold.OutcomeOK}
}

func mustOK(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func mustCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := casehold.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func mustRecord(t testing.TB, s casehold.AuditStore, events ...casehold.AuditEvent) {
	t.Helper()
	for _, e := range events {
		mustOK(t, s.RecordAudit(ctx(), e))
	}
}

// mustIntegrate runs the sequencer until want leaves are in the tree. A store whose
// pending index lags (DynamoDB's GSI) may need more than one run; the port promises only
// that a later run finds the event. Bounded, so a lost event fails the test.
func mustIntegrate(t testing.TB, l *auditlog.Log, want uint64) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		_, err := l.Flush(ctx())
		mustOK(t, err)
		tree, err := l.Store.AuditTree(ctx())
		mustOK(t, err)
		if tree.Size == want {
			return
		}
		if tree.Size > want || attempt == 200 {
			t.Fatalf("tree has %d leaves, want %d", tree.Size, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mustList(t testing.TB, s casehold.AuditStore) []casehold.AuditEvent {
	t.Helper()
	all, err := s.ListAudit(ctx(), 0, 100000)
	mustOK(t, err)
	return all
}

func ids(es []casehold.AuditEvent) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func mustVerifyOK(t testing.TB, l *auditlog.Log) *auditlog.Report {
	t.Helper()
	rep, err := l.Verify(ctx())
	mustOK(t, err)
	if !rep.OK {
		t.Fatalf("verify: %+v", rep.Problems)
	}
	return rep
}

func testRecord(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("IdempotentByID", func(t *testing.T) {
		s := newHarness(t).Store
		first := Event("e1")
		again := first
		again.Detail = "a second delivery"
		mustRecord(t, s, first, again)
		got, err := s.GetAuditEvent(ctx(), "e1")
		mustOK(t, err)
		if got.Detail != "" || got.Seq != 0 {
			t.Errorf("stored %+v, want the first recording, not integrated", got)
		}
		l := NewLog(t, s, nil, nil, "seq-a")
		mustIntegrate(t, l, 1)
		mustRecord(t, s, again) // after integration too
		mustIntegrate(t, l, 1)
		if all := mustList(t, s); len(all) != 1 || all[0].Seq != 1 || all[0].Detail != "" {
			t.Errorf("log = %+v, want e1 once", all)
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		s := newHarness(t).Store
		e := Event("e1")
		e.MatterID, e.DocumentID, e.PIDs, e.Code, e.Detail = "m1", "d1", []string{"P1", "P2"}, "EFORBIDDEN", "n=1"
		e.Time = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
		mustRecord(t, s, e)
		got, err := s.GetAuditEvent(ctx(), "e1")
		mustOK(t, err)
		if !bytes.Equal(got.LeafData(), e.LeafData()) {
			t.Errorf("stored %s, want %s", got.LeafData(), e.LeafData())
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		s := newHarness(t).Store
		for _, mod := range []func(*casehold.AuditEvent){
			func(e *casehold.AuditEvent) { e.ID = "" },
			func(e *casehold.AuditEvent) { e.Time = time.Time{} },
			func(e *casehold.AuditEvent) { e.Seq = 3 },
		} {
			e := Event("bad")
			mod(&e)
			mustCode(t, s.RecordAudit(ctx(), e), casehold.EINVALID)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := newHarness(t).Store
		mustRecord(t, s, Event("e1"))
		_, err := s.GetAuditEvent(ctx(), "nope")
		mustCode(t, err, casehold.ENOTFOUND)
		_, err = s.GetAuditEvents(ctx(), []string{"e1", "nope"})
		mustCode(t, err, casehold.ENOTFOUND)
		_, err = s.ReadAuditHashes(ctx(), []int64{0})
		mustCode(t, err, casehold.ENOTFOUND)
	})
}

func testListLimits(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	mustRecord(t, s, Event("a"), Event("b"), Event("c"))
	mustIntegrate(t, NewLog(t, s, nil, nil, "seq-a"), 3)
	for _, c := range []struct {
		after uint64
		limit int
		want  int
	}{
		{0, 0, 0}, {0, -1, 0}, {0, 2, 2}, {1, 10, 2}, {3, 10, 0}, {^uint64(0), 10, 0},
	} {
		got, err := s.ListAudit(ctx(), c.after, c.limit)
		mustOK(t, err)
		if len(got) != c.want {
			t.Errorf("ListAudit(%d, %d) returned %d events, want %d", c.after, c.limit, len(got), c.want)
		}
	}
}

// testConcurrent records from many goroutines, each also re-recording ids another
// records, while a sequencer runs; every event must end up exactly once, in seq order.
func testConcurrent(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	const writers, each = 16, 20
	l := NewLog(t, s, nil, nil, "seq-a")
	l.BatchSize = 50
	stop := make(chan struct{})
	seqDone := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				seqDone <- nil
				return
			default:
			}
			if _, err := l.Sequence(ctx()); err != nil {
				seqDone <- err
				return
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				for _, id := range []string{fmt.Sprintf("w%02d-%03d", w, i), fmt.Sprintf("w%02d-%03d", (w+1)%writers, i)} {
					if err := s.RecordAudit(ctx(), Event(id)); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	mustOK(t, <-seqDone)
	close(errs)
	for err := range errs {
		t.Fatalf("record: %v", err)
	}
	mustIntegrate(t, l, writers*each)
	all := mustList(t, s)
	seen := map[string]bool{}
	for i, e := range all {
		if e.Seq != uint64(i)+1 {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		if seen[e.ID] {
			t.Fatalf("event %s integrated twice", e.ID)
		}
		seen[e.ID] = true
	}
	if len(seen) != writers*each {
		t.Fatalf("%d distinct events integrated, want %d", len(seen), writers*each)
	}
	if p, err := s.PendingAudit(ctx(), 10); err != nil || len(p) != 0 {
		t.Errorf("pending after integration: %d, %v", len(p), err)
	}
	mustVerifyOK(t, l)
}

// crashing fails the named step once, after calls successful calls of it, as a
// sequencer killed there would leave the store.
type crashing struct {
	casehold.AuditStore
	step  string
	after int
	calls int
}

var errCrash = fmt.Errorf("sequencer killed")

func (c *crashing) hit(step string) error {
	if step != c.step {
		return nil
	}
	c.calls++
	if c.calls == c.after+1 {
		return errCrash
	}
	return nil
}

func (c *crashing) WriteAuditHashes(ctx context.Context, start int64, hs []tlog.Hash) error {
	if err := c.hit("hashes"); err != nil {
		return err
	}
	return c.AuditStore.WriteAuditHashes(ctx, start, hs)
}

func (c *crashing) WriteAuditLeaves(ctx context.Context, es []casehold.AuditEvent) error {
	if c.step == "leaves-half" && c.calls == 0 && len(es) > 1 {
		c.calls++
		// Half the leaves land, then the process dies.
		if err := c.AuditStore.WriteAuditLeaves(ctx, es[:len(es)/2]); err != nil {
			return err
		}
		return errCrash
	}
	if err := c.hit("leaves"); err != nil {
		return err
	}
	return c.AuditStore.WriteAuditLeaves(ctx, es)
}

func (c *crashing) CommitAuditBatch(ctx context.Context, owner string, size, newSize uint64, root tlog.Hash) error {
	if err := c.hit("commit"); err != nil {
		return err
	}
	return c.AuditStore.CommitAuditBatch(ctx, owner, size, newSize, root)
}

func testCrash(t *testing.T, newHarness func(t *testing.T) Harness) {
	for _, c := range []struct {
		step  string
		after int
	}{
		{"hashes", 0}, {"hashes", 1}, {"leaves", 0}, {"leaves-half", 0}, {"leaves", 2}, {"commit", 0}, {"commit", 1},
	} {
		t.Run(fmt.Sprintf("%s-after-%d", c.step, c.after), func(t *testing.T) {
			s := newHarness(t).Store
			clock := &Clock{t: base}
			for i := range 20 {
				mustRecord(t, s, Event(fmt.Sprintf("e%02d", i)))
			}
			crashy := &crashing{AuditStore: s, step: c.step, after: c.after}
			a := NewLog(t, crashy, nil, clock, "seq-a")
			if _, err := a.Sequence(ctx()); err == nil {
				t.Fatal("the sequencer did not crash")
			}
			tree, err := s.AuditTree(ctx())
			mustOK(t, err)
			if len(tree.Batch) == 0 {
				t.Fatalf("no batch left in progress (tree %+v)", tree)
			}
			// Another sequencer waits out the dead one's lease, then finishes the batch.
			b := NewLog(t, s, a.Evidence, clock, "seq-b")
			_, err = b.Sequence(ctx())
			mustCode(t, err, casehold.ECONFLICT)
			clock.Add(31 * time.Second)
			mustIntegrate(t, b, 20)
			all := mustList(t, s)
			got := ids(all)
			slices.Sort(got)
			for i, id := range got {
				if want := fmt.Sprintf("e%02d", i); id != want {
					t.Fatalf("log holds %v, want e00..e19 once each", got)
				}
			}
			mustVerifyOK(t, b)
		})
	}
}

func testLease(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	clock := &Clock{t: base}
	mustOK(t, s.AcquireAuditLease(ctx(), "a", clock.Now(), 30*time.Second))
	mustOK(t, s.AcquireAuditLease(ctx(), "a", clock.Now().Add(time.Second), 30*time.Second)) // renew
	mustCode(t, s.AcquireAuditLease(ctx(), "b", clock.Now().Add(20*time.Second), 30*time.Second), casehold.ECONFLICT)
	mustCode(t, s.AcquireAuditLease(ctx(), "", clock.Now(), time.Second), casehold.EINVALID)
	// a renewed at +1s for 30s: free from +31s.
	mustOK(t, s.AcquireAuditLease(ctx(), "b", clock.Now().Add(31*time.Second), 30*time.Second))
	mustCode(t, s.BeginAuditBatch(ctx(), "a", 0, []string{"x"}), casehold.ECONFLICT)
	mustCode(t, s.BeginAuditBatch(ctx(), "b", 5, []string{"x"}), casehold.ECONFLICT)
	mustRecord(t, s, Event("x"))
	mustOK(t, s.BeginAuditBatch(ctx(), "b", 0, []string{"x"}))
	mustCode(t, s.BeginAuditBatch(ctx(), "b", 0, []string{"y"}), casehold.ECONFLICT) // one batch at a time
	mustCode(t, s.CommitAuditBatch(ctx(), "a", 0, 1, tlog.Hash{}), casehold.ECONFLICT)
	mustCode(t, s.CommitAuditBatch(ctx(), "b", 0, 2, tlog.Hash{}), casehold.ECONFLICT) // not the batch begun
	tree, err := s.AuditTree(ctx())
	mustOK(t, err)
	if tree.LeaseOwner != "b" || !slices.Equal(tree.Batch, []string{"x"}) || tree.Size != 0 {
		t.Errorf("tree = %+v", tree)
	}
	// A sequencer that lost its lease mid-batch cannot commit; the new owner finishes.
	b := NewLog(t, s, nil, clock, "b")
	clock.Add(31 * time.Second)
	mustIntegrate(t, b, 1)
	// Renewing for no time at all hands the lease back: another may take it at once
	// (a command that flushed the log, a server shutting down).
	mustCode(t, s.AcquireAuditLease(ctx(), "c", clock.Now(), 30*time.Second), casehold.ECONFLICT)
	mustOK(t, s.AcquireAuditLease(ctx(), "b", clock.Now(), 0))
	mustOK(t, s.AcquireAuditLease(ctx(), "c", clock.Now(), 30*time.Second))
}

// atomicCrash stands for a store that writes a batch atomically, in a process killed
// before the write (lost) or after it but before the sequencer heard (landed).
type atomicCrash struct {
	casehold.AuditStore
	ab     casehold.AuditBatchIntegrator
	landed bool
	done   bool
}

func (c *atomicCrash) IntegrateAuditBatch(ctx context.Context, owner string, size uint64, es []casehold.AuditEvent, start int64, hs []tlog.Hash, root tlog.Hash) error {
	if c.done {
		return c.ab.IntegrateAuditBatch(ctx, owner, size, es, start, hs, root)
	}
	c.done = true
	if c.landed {
		if err := c.ab.IntegrateAuditBatch(ctx, owner, size, es, start, hs, root); err != nil {
			return err
		}
	}
	return errCrash
}

// testAtomicBatch is the contract of casehold.AuditBatchIntegrator, for stores that
// offer it.
func testAtomicBatch(t *testing.T, newHarness func(t *testing.T) Harness) {
	if _, ok := newHarness(t).Store.(casehold.AuditBatchIntegrator); !ok {
		t.Skip("this store integrates batches by the begin/write/commit protocol only (tested above)")
	}
	t.Run("Refusals", func(t *testing.T) {
		s := newHarness(t).Store
		ab := s.(casehold.AuditBatchIntegrator)
		clock := &Clock{t: base}
		mustRecord(t, s, Event("x"), Event("y"))
		mustOK(t, s.AcquireAuditLease(ctx(), "a", clock.Now(), 30*time.Second))
		leaf := func(id string, seq uint64) casehold.AuditEvent {
			e, err := s.GetAuditEvent(ctx(), id)
			mustOK(t, err)
			e.Seq = seq
			return e
		}
		mustCode(t, ab.IntegrateAuditBatch(ctx(), "b", 0, []casehold.AuditEvent{leaf("x", 1)}, 0, nil, tlog.Hash{}), casehold.ECONFLICT) // not the lease holder
		mustCode(t, ab.IntegrateAuditBatch(ctx(), "a", 3, []casehold.AuditEvent{leaf("x", 4)}, 0, nil, tlog.Hash{}), casehold.ECONFLICT) // tree is not at 3
		mustCode(t, ab.IntegrateAuditBatch(ctx(), "a", 0, []casehold.AuditEvent{leaf("x", 2)}, 0, nil, tlog.Hash{}), casehold.EINVALID)  // leaf numbered wrong
		mustCode(t, ab.IntegrateAuditBatch(ctx(), "a", 0, nil, 0, nil, tlog.Hash{}), casehold.EINVALID)
		if tree, err := s.AuditTree(ctx()); err != nil || tree.Size != 0 || len(tree.Batch) != 0 {
			t.Fatalf("a refused batch changed the tree: %+v, %v", tree, err)
		}
		if got := mustList(t, s); len(got) != 0 {
			t.Fatalf("a refused batch wrote leaves: %v", ids(got))
		}
		// Integrated properly, then offered again: refused as leaves already, nothing doubled.
		l := NewLog(t, s, nil, clock, "a")
		mustIntegrate(t, l, 2)
		mustCode(t, ab.IntegrateAuditBatch(ctx(), "a", 2, []casehold.AuditEvent{leaf("x", 3)}, 0, nil, tlog.Hash{}), casehold.ECONFLICT)
		if got := ids(mustList(t, s)); !slices.Equal(got, []string{"x", "y"}) {
			t.Fatalf("log holds %v, want [x y]", got)
		}
		mustVerifyOK(t, l)
	})
	for _, landed := range []bool{false, true} {
		t.Run(fmt.Sprintf("KilledAroundTheWrite/landed=%v", landed), func(t *testing.T) {
			s := newHarness(t).Store
			clock := &Clock{t: base}
			for i := range 20 {
				mustRecord(t, s, Event(fmt.Sprintf("e%02d", i)))
			}
			crashy := &atomicCrash{AuditStore: s, ab: s.(casehold.AuditBatchIntegrator), landed: landed}
			a := NewLog(t, crashy, nil, clock, "seq-a")
			if _, err := a.Sequence(ctx()); err == nil {
				t.Fatal("the sequencer did not crash")
			}
			want := uint64(0)
			if landed {
				want = uint64(a.BatchSize) // the first batch
			}
			if tree, err := s.AuditTree(ctx()); err != nil || tree.Size != want || len(tree.Batch) != 0 {
				t.Fatalf("after the crash the tree is %+v (%v), want %d leaves and no batch", tree, err, want)
			}
			mustRecord(t, s, Event("e20"))
			b := NewLog(t, s, a.Evidence, clock, "seq-b")
			clock.Add(31 * time.Second)
			mustIntegrate(t, b, 21)
			got := ids(mustList(t, s))
			slices.Sort(got)
			for i, id := range got {
				if w := fmt.Sprintf("e%02d", i); id != w {
					t.Fatalf("log holds %v, want e00..e20 once each", got)
				}
			}
			mustVerifyOK(t, b)
		})
	}
}

func testListBy(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	mk := func(id, matter, doc string, pids ...string) casehold.AuditEvent {
		e := Event(id)
		e.MatterID, e.DocumentID, e.PIDs = matter, doc, pids
		return e
	}
	mustRecord(t, s,
		mk("e1", "m1", "", "P1"),
		mk("e2", "m1", "d1", "P1", "P2"),
		mk("e3", "m2", "d2", "P2"),
		mk("e4", "", "d1"),
		mk("e5", "m1", "", "P1", "P1"), // a person named twice is listed once
	)
	// Integrate in the order recorded, so seq order is e1..e5.
	l := NewLog(t, s, nil, nil, "seq-a")
	mustIntegrate(t, l, 5)
	bySeq := map[string]uint64{}
	for _, e := range mustList(t, s) {
		bySeq[e.ID] = e.Seq
	}
	for _, c := range []struct {
		name string
		f    casehold.AuditFilter
		want []string
	}{
		{"Matter", casehold.AuditFilter{MatterID: "m1"}, []string{"e1", "e2", "e5"}},
		{"Document", casehold.AuditFilter{DocumentID: "d1"}, []string{"e2", "e4"}},
		{"PID", casehold.AuditFilter{PID: "P1"}, []string{"e1", "e2", "e5"}},
		{"PID2", casehold.AuditFilter{PID: "P2"}, []string{"e2", "e3"}},
		{"None", casehold.AuditFilter{PID: "P9"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := s.ListAuditBy(ctx(), c.f, 0, 100)
			mustOK(t, err)
			want := slices.Clone(c.want)
			slices.SortFunc(want, func(a, b string) int { return int(bySeq[a]) - int(bySeq[b]) })
			if !slices.Equal(ids(got), want) {
				t.Errorf("ListAuditBy(%+v) = %v, want %v", c.f, ids(got), want)
			}
			if len(want) > 1 {
				page, err := s.ListAuditBy(ctx(), c.f, got[0].Seq, 1)
				mustOK(t, err)
				if len(page) != 1 || page[0].ID != want[1] {
					t.Errorf("second page = %v, want [%s]", ids(page), want[1])
				}
			}
		})
	}
	_, err := s.ListAuditBy(ctx(), casehold.AuditFilter{MatterID: "m1", PID: "P1"}, 0, 10)
	mustCode(t, err, casehold.EINVALID)
}

func testProofs(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	l := NewLog(t, s, nil, nil, "seq-a")
	for i := range 13 {
		mustRecord(t, s, Event(fmt.Sprintf("a%02d", i)))
	}
	mustIntegrate(t, l, 13)
	first, err := s.AuditTree(ctx())
	mustOK(t, err)
	for i := range 24 {
		mustRecord(t, s, Event(fmt.Sprintf("b%02d", i)))
	}
	mustIntegrate(t, l, 37)
	tree, err := s.AuditTree(ctx())
	mustOK(t, err)
	if tree.Checkpoint.Number != 2 || tree.Checkpoint.Size != 37 {
		t.Fatalf("checkpoint = %+v, want number 2 of size 37", tree.Checkpoint)
	}
	t.Run("Inclusion", func(t *testing.T) {
		k, _ := Keys(t)
		for _, e := range mustList(t, s) {
			p, err := l.Prove(ctx(), e.ID)
			mustOK(t, err)
			if err := tlog.CheckRecord(p.Proof, p.TreeSize, p.RootHash, p.Index, e.LeafHash()); err != nil {
				t.Fatalf("CheckRecord for %s: %v", e.ID, err)
			}
			if _, err := auditlog.CheckInclusion(p, k); err != nil {
				t.Fatalf("CheckInclusion for %s: %v", e.ID, err)
			}
			// A proof of one event does not prove another.
			other := Event("forged")
			if tlog.CheckRecord(p.Proof, p.TreeSize, p.RootHash, p.Index, other.LeafHash()) == nil {
				t.Fatalf("proof of %s also proves a forged event", e.ID)
			}
		}
	})
	t.Run("InclusionRefused", func(t *testing.T) {
		_, otherKey := Keys(t)
		p, err := l.Prove(ctx(), "a03")
		mustOK(t, err)
		if _, err := auditlog.CheckInclusion(p, otherKey); casehold.ErrorCode(err) != casehold.EINVALID {
			t.Errorf("checked with another key: %v, want EINVALID", err)
		}
		p.Event.Detail = "edited"
		k, _ := Keys(t)
		if _, err := auditlog.CheckInclusion(p, k); casehold.ErrorCode(err) != casehold.EINVALID {
			t.Errorf("edited event: %v, want EINVALID", err)
		}
		mustRecord(t, s, Event("late"))
		_, err = l.Prove(ctx(), "late")
		mustCode(t, err, casehold.ENOTFOUND) // not in a checkpoint yet
		_, err = l.Prove(ctx(), "nope")
		mustCode(t, err, casehold.ENOTFOUND)
	})
	t.Run("Consistency", func(t *testing.T) {
		p, err := l.Consistency(ctx(), int64(first.Size), 0)
		mustOK(t, err)
		if err := tlog.CheckTree(p.Proof, p.To, tree.Root, p.From, first.Root); err != nil {
			t.Fatalf("CheckTree: %v", err)
		}
		k, _ := Keys(t)
		if _, _, err := auditlog.CheckConsistency([]byte(first.Checkpoint.Text), []byte(p.Checkpoint), p.Proof, k); err != nil {
			t.Fatalf("CheckConsistency: %v", err)
		}
		bad := tree.Root
		bad[0] ^= 1
		if tlog.CheckTree(p.Proof, p.To, bad, p.From, first.Root) == nil {
			t.Fatal("consistency proof accepts another root")
		}
		for _, c := range [][2]int64{{0, 5}, {6, 5}, {1, 1000}} {
			_, err := l.Consistency(ctx(), c[0], c[1])
			mustCode(t, err, casehold.EINVALID)
		}
	})
}

func testCheckpoints(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	l := NewLog(t, s, nil, nil, "seq-a")
	t.Run("NoneWhenEmpty", func(t *testing.T) {
		cp, err := l.Checkpoint(ctx())
		mustOK(t, err)
		if cp.Number != 0 {
			t.Fatalf("checkpoint of an empty log: %+v", cp)
		}
	})
	mustRecord(t, s, Event("e1"), Event("e2"))
	mustIntegrate(t, l, 2)
	t.Run("WriteOnceUnderHold", func(t *testing.T) {
		tree, err := s.AuditTree(ctx())
		mustOK(t, err)
		cp := tree.Checkpoint
		if cp.Key != auditlog.CheckpointKey(1) {
			t.Fatalf("checkpoint key %q", cp.Key)
		}
		held, err := l.Evidence.LegalHold(ctx(), cp.Key, cp.VersionID)
		mustOK(t, err)
		if !held {
			t.Error("checkpoint is not under legal hold")
		}
		_, err = l.Evidence.Put(ctx(), cp.Key, bytes.NewReader([]byte("x")), false)
		mustCode(t, err, casehold.ECONFLICT)
		rc, err := l.Evidence.Open(ctx(), cp.Key, cp.VersionID)
		mustOK(t, err)
		b, _ := io.ReadAll(rc)
		rc.Close()
		k, _ := Keys(t)
		p, err := auditlog.OpenCheckpoint(b, k.Verifier)
		mustOK(t, err)
		if p.Size != 2 || p.Root != tree.Root || p.Origin != "test.casehold/audit" {
			t.Errorf("checkpoint says %+v, tree %+v", p, tree)
		}
	})
	t.Run("NothingNewNoCheckpoint", func(t *testing.T) {
		cp, err := l.Checkpoint(ctx())
		mustOK(t, err)
		if cp.Number != 1 {
			t.Errorf("checkpoint %d published for an unchanged tree", cp.Number)
		}
	})
	t.Run("OtherKeyRefused", func(t *testing.T) {
		_, otherKey := Keys(t)
		forger := NewLog(t, s, l.Evidence, nil, "seq-a")
		forger.Keys = otherKey
		mustRecord(t, s, Event("e3"))
		_, err := forger.Flush(ctx())
		mustOK(t, err)
		tree, err := s.AuditTree(ctx())
		mustOK(t, err)
		_, err = auditlog.OpenCheckpoint([]byte(tree.Checkpoint.Text), l.Keys.Verifier)
		mustCode(t, err, casehold.EINVALID)
		rep, err := l.Verify(ctx())
		mustOK(t, err)
		if rep.OK || !hasProblem(rep, auditlog.ProblemCheckpoint, 0, 2) {
			t.Errorf("verify with a forged checkpoint 2: %+v", rep.Problems)
		}
	})
}

func hasProblem(rep *auditlog.Report, kind string, seq, checkpoint uint64) bool {
	for _, p := range rep.Problems {
		if p.Kind == kind && (seq == 0 || p.Seq == seq) && (checkpoint == 0 || p.Checkpoint == checkpoint) {
			return true
		}
	}
	return false
}

// tampered shows the log through a change, as an intruder with write access to the
// state store would leave it; the evidence store's checkpoints are out of their reach.
type tampered struct {
	casehold.AuditStore
	change func([]casehold.AuditEvent) []casehold.AuditEvent
	// hashes, when set, changes the stored tree hashes read (index -> hash).
	hashes map[int64]tlog.Hash
}

func (s *tampered) ReadAuditHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	hs, err := s.AuditStore.ReadAuditHashes(ctx, indexes)
	if err != nil {
		return nil, err
	}
	for i, x := range indexes {
		if h, ok := s.hashes[x]; ok {
			hs[i] = h
		}
	}
	return hs, nil
}

func (s *tampered) ListAudit(ctx context.Context, after uint64, limit int) ([]casehold.AuditEvent, error) {
	all, err := s.AuditStore.ListAudit(ctx, 0, 1<<30)
	if err != nil {
		return nil, err
	}
	all = s.change(all)
	var out []casehold.AuditEvent
	for _, e := range all {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func testTamper(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	l := NewLog(t, s, nil, nil, "seq-a")
	for i := range 10 {
		mustRecord(t, s, Event(fmt.Sprintf("e%02d", i)))
	}
	mustIntegrate(t, l, 10)
	mustVerifyOK(t, l)
	if rep := verifyInRanges(t, l, 4); !rep.OK || rep.Events != 10 {
		t.Fatalf("range verify of an intact log: %+v", rep)
	}
	for _, c := range []struct {
		name      string
		change    func([]casehold.AuditEvent) []casehold.AuditEvent
		kind      string
		seq       uint64
		rangeKind string // what VerifyRange, which sees one window at a time, calls it
	}{
		{"Altered", func(es []casehold.AuditEvent) []casehold.AuditEvent {
			es[3].Outcome = casehold.OutcomeRefused
			return es
		}, auditlog.ProblemAltered, 4, auditlog.ProblemAltered},
		{"AlteredTime", func(es []casehold.AuditEvent) []casehold.AuditEvent {
			es[6].Time = es[6].Time.Add(time.Hour)
			return es
		}, auditlog.ProblemAltered, 7, auditlog.ProblemAltered},
		{"Removed", func(es []casehold.AuditEvent) []casehold.AuditEvent {
			return append(es[:4:4], es[5:]...)
		}, auditlog.ProblemRemoved, 5, auditlog.ProblemRemoved},
		{"ReorderedKeys", func(es []casehold.AuditEvent) []casehold.AuditEvent {
			es[2], es[3] = es[3], es[2]
			return es
		}, auditlog.ProblemReordered, 3, auditlog.ProblemReordered},
		{"ReorderedContent", func(es []casehold.AuditEvent) []casehold.AuditEvent {
			es[2], es[3] = es[3], es[2]
			es[2].Seq, es[3].Seq = 3, 4
			return es
		}, auditlog.ProblemReordered, 3, auditlog.ProblemAltered},
		{"Truncated", func(es []casehold.AuditEvent) []casehold.AuditEvent {
			return es[:8]
		}, auditlog.ProblemTruncated, 9, auditlog.ProblemTruncated},
		{"Inserted", func(es []casehold.AuditEvent) []casehold.AuditEvent {
			x := Event("inserted")
			x.Seq = 5
			out := append(slices.Clone(es[:4]), x)
			for _, e := range es[4:] {
				e.Seq++
				out = append(out, e)
			}
			return out
		}, auditlog.ProblemAltered, 5, auditlog.ProblemAltered},
	} {
		t.Run(c.name, func(t *testing.T) {
			view := NewLog(t, &tampered{AuditStore: s, change: c.change}, l.Evidence, nil, "seq-a")
			rep, err := view.Verify(ctx())
			mustOK(t, err)
			if rep.OK {
				t.Fatal("verify passed a tampered log")
			}
			if !hasProblem(rep, c.kind, c.seq, 0) {
				t.Errorf("problems %+v; want %s at seq %d", rep.Problems, c.kind, c.seq)
			}
			ranged := verifyInRanges(t, view, 4)
			if ranged.OK || !hasProblem(ranged, c.rangeKind, c.seq, 0) {
				t.Errorf("range verify: problems %+v; want %s at seq %d", ranged.Problems, c.rangeKind, c.seq)
			}
		})
	}
}

// testTamperedTree: an intruder who alters an event and the stored leaf hash beside it,
// so that the two agree, is still found: the stored tree no longer leads to the signed root.
func testTamperedTree(t *testing.T, newHarness func(t *testing.T) Harness) {
	s := newHarness(t).Store
	l := NewLog(t, s, nil, nil, "seq-a")
	for i := range 10 {
		mustRecord(t, s, Event(fmt.Sprintf("e%02d", i)))
	}
	mustIntegrate(t, l, 10)
	forged := Event("e03")
	forged.Seq, forged.Outcome = 4, casehold.OutcomeRefused
	view := NewLog(t, &tampered{AuditStore: s,
		change: func(es []casehold.AuditEvent) []casehold.AuditEvent { es[3] = forged; return es },
		hashes: map[int64]tlog.Hash{tlog.StoredHashIndex(0, 3): forged.LeafHash()}}, l.Evidence, nil, "seq-a")
	for name, rep := range map[string]*auditlog.Report{"whole": must(view.Verify(ctx())), "ranges": verifyInRanges(t, view, 4)} {
		if rep.OK || !slices.ContainsFunc(rep.Problems, func(p auditlog.Problem) bool { return p.Seq == 4 || p.Kind == auditlog.ProblemRoot }) {
			t.Errorf("%s verify of an event altered with its stored hash: %+v", name, rep.Problems)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// verifyInRanges checks the log window by window with VerifyRange, following Next, and
// returns all windows' findings as one report.
func verifyInRanges(t testing.TB, l *auditlog.Log, window int) *auditlog.Report {
	t.Helper()
	out := &auditlog.Report{OK: true}
	for from, calls := uint64(1), 0; ; calls++ {
		rep, err := l.VerifyRange(ctx(), from, window)
		mustOK(t, err)
		out.Events += rep.Events
		out.Problems = append(out.Problems, rep.Problems...)
		out.OK = out.OK && rep.OK
		if rep.Next == 0 {
			return out
		}
		if rep.Next <= from || calls > 100 {
			t.Fatalf("VerifyRange from %d says next %d", from, rep.Next)
		}
		from = rep.Next
	}
}

// LegacyChain builds n linked events of the legacy hash chain.
func LegacyChain(n int) []casehold.LegacyAuditEvent {
	var out []casehold.LegacyAuditEvent
	prev := casehold.LegacyGenesisHash
	for i := range n {
		e := casehold.LegacyAuditEvent{AuditEvent: Event(fmt.Sprintf("old%02d", i)), PrevHash: prev}
		e.Seq = uint64(i) + 1
		// Legacy times were not always in seq order; the order that counts is the chain's.
		e.Time = base.Add(time.Duration(n-i) * time.Second)
		e.MatterID = "m1"
		e.Hash = e.LegacyHash()
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func testMigrate(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("ChainBecomesFirstLeaves", func(t *testing.T) {
		h := newHarness(t)
		chain := LegacyChain(17)
		for _, e := range chain {
			mustOK(t, h.PutLegacy(e))
		}
		// An event recorded by the new code before the migration runs comes after.
		mustRecord(t, h.Store, Event("new1"))
		l := NewLog(t, h.Store, nil, nil, "seq-a")
		n, err := l.Migrate(ctx())
		mustOK(t, err)
		if n < 17 {
			t.Fatalf("migrated %d events, want 17", n)
		}
		mustIntegrate(t, l, 18)
		all := mustList(t, h.Store)
		for i, e := range chain {
			if all[i].ID != e.ID || all[i].Seq != e.Seq {
				t.Fatalf("leaf %d is %s (seq %d), want %s", i, all[i].ID, all[i].Seq, e.ID)
			}
		}
		if all[17].ID != "new1" {
			t.Errorf("leaf 17 is %s, want new1", all[17].ID)
		}
		// Again: nothing changes.
		n, err = l.Migrate(ctx())
		mustOK(t, err)
		if n != 0 || len(mustList(t, h.Store)) != 18 {
			t.Errorf("second migration added %d events", n)
		}
		mustVerifyOK(t, l)
		if got, _ := h.Store.ListAuditBy(ctx(), casehold.AuditFilter{MatterID: "m1"}, 0, 100); len(got) != 17 {
			t.Errorf("migrated events listed by matter: %d, want 17", len(got))
		}
	})
	t.Run("BrokenChainRefused", func(t *testing.T) {
		h := newHarness(t)
		chain := LegacyChain(4)
		chain[2].Detail = "edited after the fact"
		for _, e := range chain {
			mustOK(t, h.PutLegacy(e))
		}
		_, err := NewLog(t, h.Store, nil, nil, "seq-a").Migrate(ctx())
		mustCode(t, err, casehold.EINTERNAL)
		tree, err := h.Store.AuditTree(ctx())
		mustOK(t, err)
		if tree.Size != 0 {
			t.Errorf("a broken chain was migrated: %d leaves", tree.Size)
		}
	})
}
