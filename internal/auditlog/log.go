// Package auditlog turns recorded audit events into a transparency log: a sequencer
// integrates them, in batches, as leaves of a Merkle tree (golang.org/x/mod/sumdb/tlog),
// signs checkpoints of the tree (golang.org/x/mod/sumdb/note) and stores them write-once
// in the evidence store; anyone with the public key can then check that an event is in
// the log (inclusion proof) and that the log only grew (consistency proof).
//
// Recording an event (casehold.AuditStore.RecordAudit) is one idempotent write keyed by
// the event id and involves no sequencer: requests never wait on each other. One
// sequencer at a time works, by lease. Each batch is first written down (BeginAuditBatch:
// which event ids become which leaves), then its leaves and hashes are written, and only
// then is the tree's size moved on (CommitAuditBatch). Everything between begin and
// commit is a pure function of the batch, so a sequencer that stops half-way leaves a
// batch any later sequencer finishes by writing the same values again: no event is lost
// or integrated twice.
package auditlog

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/casehold"
)

// Defaults; see the fields of Log.
const (
	DefaultBatchSize       = 1000
	DefaultLeaseTTL        = 30 * time.Second
	DefaultCheckpointEvery = 30 * time.Second
	// maxBatchIDBytes keeps a batch's ids well inside one DynamoDB item (400 KB).
	maxBatchIDBytes = 200 << 10
)

// Log is the audit log's sequencer, publisher, prover and verifier.
type Log struct {
	Store    casehold.AuditStore
	Evidence casehold.Evidence
	Keys     Keys
	Clock    casehold.Clock
	Log      *slog.Logger
	// Owner names this sequencer in the lease; unique per process.
	Owner string
	// BatchSize bounds the events integrated per batch.
	BatchSize int
	// LeaseTTL is how long a sequencer that stopped answering keeps others out.
	LeaseTTL time.Duration
	// CheckpointEvery is the longest time between checkpoints while the tree grows.
	CheckpointEvery time.Duration

	wake     chan struct{}
	wakeOnce sync.Once
	leased   atomic.Bool // this Log has taken the lease at some time
}

func (l *Log) now() time.Time { return l.Clock.Now().UTC() }

func (l *Log) batchSize() int {
	if l.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return l.BatchSize
}

func (l *Log) leaseTTL() time.Duration {
	if l.LeaseTTL <= 0 {
		return DefaultLeaseTTL
	}
	return l.LeaseTTL
}

func (l *Log) checkpointEvery() time.Duration {
	if l.CheckpointEvery <= 0 {
		return DefaultCheckpointEvery
	}
	return l.CheckpointEvery
}

// Sequence takes the lease and integrates every pending event: first a batch another
// sequencer left half-done, then the legacy chain if it is not migrated yet, then batches
// of pending events until none is left. It returns how many leaves it added. ECONFLICT
// if another sequencer holds the lease.
func (l *Log) Sequence(ctx context.Context) (int, error) {
	total := 0
	migrated := false
	var leased time.Time
	for {
		// The lease is renewed well before it runs out rather than per batch (a write, and
		// in bbolt two syncs): every batch write checks the lease's owner, so a sequencer
		// whose lease was taken over still cannot write.
		if now := l.now(); leased.IsZero() || now.Sub(leased) > l.leaseTTL()/3 {
			if err := l.Store.AcquireAuditLease(ctx, l.Owner, now, l.leaseTTL()); err != nil {
				return total, fmt.Errorf("sequence audit log: %w", err)
			}
			leased = now
			l.leased.Store(true)
		}
		tree, err := l.Store.AuditTree(ctx)
		if err != nil {
			return total, fmt.Errorf("sequence audit log: %w", err)
		}
		if len(tree.Batch) > 0 {
			n, err := l.finishBatch(ctx, tree)
			total += n
			if err != nil {
				return total, err
			}
			continue
		}
		if !migrated {
			n, done, err := l.migrateBatch(ctx, tree)
			total += n
			if err != nil {
				return total, err
			}
			migrated = done
			continue
		}
		pending, err := l.Store.PendingAudit(ctx, l.batchSize())
		if err != nil {
			return total, fmt.Errorf("sequence audit log: %w", err)
		}
		if len(pending) == 0 {
			return total, nil
		}
		if ab, ok := l.Store.(casehold.AuditBatchIntegrator); ok {
			n, err := l.integrateAtomic(ctx, ab, tree.Size, pending)
			total += n
			if err != nil {
				return total, err
			}
			continue
		}
		ids, size := make([]string, 0, len(pending)), 0
		for _, e := range pending {
			if size += len(e.ID); size > maxBatchIDBytes {
				break
			}
			ids = append(ids, e.ID)
		}
		if err := l.Store.BeginAuditBatch(ctx, l.Owner, tree.Size, ids); err != nil {
			return total, fmt.Errorf("sequence audit log: %w", err)
		}
		tree.Batch = ids
		n, err := l.finishBatch(ctx, tree)
		total += n
		if err != nil {
			return total, err
		}
	}
}

// finishBatch writes the leaves and hashes of the batch in progress and commits it. It
// reads everything it writes from the store, so running it twice writes the same values.
func (l *Log) finishBatch(ctx context.Context, tree casehold.AuditTree) (int, error) {
	events, err := l.Store.GetAuditEvents(ctx, tree.Batch)
	if err != nil {
		return 0, fmt.Errorf("integrate audit batch at %d: %w", tree.Size, err)
	}
	r, root, err := l.hashBatch(ctx, tree.Size, events)
	if err != nil {
		return 0, err
	}
	if err := l.Store.WriteAuditHashes(ctx, r.start, r.fresh); err != nil {
		return 0, fmt.Errorf("integrate audit batch at %d: %w", tree.Size, err)
	}
	if err := l.Store.WriteAuditLeaves(ctx, events); err != nil {
		return 0, fmt.Errorf("integrate audit batch at %d: %w", tree.Size, err)
	}
	if err := l.Store.CommitAuditBatch(ctx, l.Owner, tree.Size, tree.Size+uint64(len(events)), root); err != nil {
		return 0, fmt.Errorf("integrate audit batch at %d: %w", tree.Size, err)
	}
	return len(events), nil
}

// integrateAtomic integrates pending events as the next leaves in one write of a store
// that can write a batch atomically.
func (l *Log) integrateAtomic(ctx context.Context, ab casehold.AuditBatchIntegrator, size uint64, pending []casehold.AuditEvent) (int, error) {
	events := pending[:min(len(pending), l.batchSize())]
	r, root, err := l.hashBatch(ctx, size, events)
	if err != nil {
		return 0, err
	}
	if err := ab.IntegrateAuditBatch(ctx, l.Owner, size, events, r.start, r.fresh, root); err != nil {
		return 0, fmt.Errorf("sequence audit log: %w", err)
	}
	return len(events), nil
}

// hashBatch numbers events as the leaves after size and computes their stored hashes
// and the new tree's root.
func (l *Log) hashBatch(ctx context.Context, treeSize uint64, events []casehold.AuditEvent) (*overlay, tlog.Hash, error) {
	size := int64(treeSize)
	for i := range events {
		want := uint64(size) + uint64(i) + 1
		if events[i].Seq != 0 && events[i].Seq != want {
			return nil, tlog.Hash{}, fmt.Errorf("integrate audit batch at %d: %w", treeSize, casehold.Errorf(casehold.EINTERNAL,
				"event %s is leaf %d already, not %d", events[i].ID, events[i].Seq, want))
		}
		events[i].Seq = want
	}
	r := newOverlay(ctx, l.Store, tlog.StoredHashIndex(0, size))
	for i, e := range events {
		hs, err := tlog.StoredHashes(size+int64(i), e.LeafData(), r)
		if err != nil {
			return nil, tlog.Hash{}, fmt.Errorf("integrate audit batch at %d: hash leaf: %w", treeSize, err)
		}
		r.fresh = append(r.fresh, hs...)
	}
	root, err := tlog.TreeHash(size+int64(len(events)), r)
	if err != nil {
		return nil, tlog.Hash{}, fmt.Errorf("integrate audit batch at %d: tree hash: %w", treeSize, err)
	}
	return r, root, nil
}

// overlay reads stored hashes from the store below start and from the batch's fresh
// hashes above, caching store reads: a batch needs the same few older subtree roots for
// every leaf.
type overlay struct {
	ctx   context.Context
	store casehold.AuditStore
	start int64
	fresh []tlog.Hash
	cache map[int64]tlog.Hash
}

func newOverlay(ctx context.Context, store casehold.AuditStore, start int64) *overlay {
	return &overlay{ctx: ctx, store: store, start: start, cache: map[int64]tlog.Hash{}}
}

func (o *overlay) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	for _, x := range indexes {
		if _, ok := o.cache[x]; x < o.start && !ok {
			missing = append(missing, x)
		}
	}
	if len(missing) > 0 {
		hs, err := o.store.ReadAuditHashes(o.ctx, missing)
		if err != nil {
			return nil, err
		}
		for i, x := range missing {
			o.cache[x] = hs[i]
		}
	}
	for i, x := range indexes {
		switch {
		case x < o.start:
			out[i] = o.cache[x]
		case x-o.start < int64(len(o.fresh)):
			out[i] = o.fresh[x-o.start]
		default:
			return nil, fmt.Errorf("audit hash %d is not computed yet", x)
		}
	}
	return out, nil
}

// storeReader reads stored hashes straight from the store, for proofs.
func storeReader(ctx context.Context, s casehold.AuditStore) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return s.ReadAuditHashes(ctx, indexes)
	})
}

// Checkpoint signs the tree as it is and stores the checkpoint write-once under legal
// hold, unless the newest checkpoint already covers the tree (or the tree is empty). A
// checkpoint stored by an earlier run that stopped before recording it is recorded now.
func (l *Log) Checkpoint(ctx context.Context) (casehold.Checkpoint, error) {
	tree, err := l.Store.AuditTree(ctx)
	if err != nil {
		return casehold.Checkpoint{}, fmt.Errorf("publish checkpoint: %w", err)
	}
	cp := tree.Checkpoint
	if tree.Size == 0 || tree.Size <= cp.Size {
		return cp, nil
	}
	msg, err := l.Keys.sign(CheckpointText(l.Keys.Verifier.Name(), tree.Size, tree.Root, l.now()))
	if err != nil {
		return casehold.Checkpoint{}, fmt.Errorf("publish checkpoint: %w", err)
	}
	for n := cp.Number + 1; ; n++ {
		key := CheckpointKey(n)
		obj, err := l.Evidence.Put(ctx, key, bytes.NewReader(msg), true)
		if casehold.ErrorCode(err) == casehold.ECONFLICT {
			// Stored before by a run that stopped before recording it: record it now.
			prev, err := l.readCheckpoint(ctx, n)
			if err != nil {
				return casehold.Checkpoint{}, fmt.Errorf("publish checkpoint %d: %w", n, err)
			}
			if err := l.Store.SetAuditCheckpoint(ctx, prev); err != nil {
				return casehold.Checkpoint{}, fmt.Errorf("publish checkpoint %d: %w", n, err)
			}
			if prev.Size >= tree.Size {
				return prev, nil
			}
			continue
		}
		if err != nil {
			return casehold.Checkpoint{}, fmt.Errorf("publish checkpoint %d: %w", n, err)
		}
		cp = casehold.Checkpoint{Number: n, Size: tree.Size, Key: key, VersionID: obj.VersionID, Text: string(msg)}
		if err := l.Store.SetAuditCheckpoint(ctx, cp); err != nil {
			return casehold.Checkpoint{}, fmt.Errorf("publish checkpoint %d: %w", n, err)
		}
		return cp, nil
	}
}

// readCheckpoint reads and verifies checkpoint n from the evidence store.
func (l *Log) readCheckpoint(ctx context.Context, n uint64) (casehold.Checkpoint, error) {
	key := CheckpointKey(n)
	// The first version at the key is the one the sequencer wrote (write-once); any later
	// one was put there by someone else, and the signature check below would refuse it.
	vs, err := l.Evidence.Versions(ctx, key)
	if err != nil {
		return casehold.Checkpoint{}, err
	}
	if len(vs) == 0 {
		return casehold.Checkpoint{}, casehold.Errorf(casehold.ENOTFOUND, "checkpoint %d is not in the evidence store", n)
	}
	obj := vs[0]
	rc, err := l.Evidence.Open(ctx, key, obj.VersionID)
	if err != nil {
		return casehold.Checkpoint{}, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil {
		return casehold.Checkpoint{}, fmt.Errorf("read checkpoint %d: %w", n, err)
	}
	p, err := OpenCheckpoint(buf.Bytes(), l.Keys.Verifier)
	if err != nil {
		return casehold.Checkpoint{}, fmt.Errorf("checkpoint %d: %w", n, err)
	}
	return casehold.Checkpoint{Number: n, Size: p.Size, Key: key, VersionID: obj.VersionID, Text: buf.String()}, nil
}

// Flush integrates everything pending and publishes a checkpoint of the result: for
// tests, the CLI, and the end of a sequencer run.
func (l *Log) Flush(ctx context.Context) (casehold.Checkpoint, error) {
	if _, err := l.Sequence(ctx); err != nil {
		return casehold.Checkpoint{}, err
	}
	return l.Checkpoint(ctx)
}

// Notify tells a running Run that events were recorded. It never blocks.
func (l *Log) Notify() {
	select {
	case l.wakeChan() <- struct{}{}:
	default:
	}
}

func (l *Log) wakeChan() chan struct{} {
	l.wakeOnce.Do(func() { l.wake = make(chan struct{}, 1) })
	return l.wake
}

// Run is the local, in-process sequencer: woken by Notify, it integrates what is pending
// (at most every minGap, so a busy server integrates in batches rather than per event)
// and publishes a checkpoint at most every CheckpointEvery while the tree grows. It
// returns when ctx ends, after a last Flush.
func (l *Log) Run(ctx context.Context, minGap time.Duration) {
	tick := time.NewTicker(l.checkpointEvery())
	defer tick.Stop()
	lastCheckpoint := l.now()
	othersLease := false
	for {
		select {
		case <-ctx.Done():
			// The context is over; a fresh one lets the last batch and checkpoint finish.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if _, err := l.Flush(fctx); err != nil {
				l.Log.Error("audit sequencer: final flush failed", "err", err)
			}
			cancel()
			return
		case <-l.wakeChan():
		case <-tick.C:
		}
		_, err := l.Sequence(ctx)
		if casehold.ErrorCode(err) == casehold.ECONFLICT {
			// Another process is integrating (a command run against the same data, a
			// second server): it does the work, and this one tries again on the next
			// event. Said once, not on every try.
			if !othersLease {
				l.Log.Info("audit sequencer: another process holds the audit lease; trying again on each event until it is free")
			}
			othersLease = true
		} else {
			othersLease = false
		}
		if err != nil && casehold.ErrorCode(err) != casehold.ECONFLICT && ctx.Err() == nil {
			l.Log.Error("audit sequencer failed; retrying on the next event", "err", err)
		}
		if l.now().Sub(lastCheckpoint) >= l.checkpointEvery() {
			if _, err := l.Checkpoint(ctx); err != nil && ctx.Err() == nil {
				l.Log.Error("audit checkpoint failed; retrying", "err", err)
			} else {
				lastCheckpoint = l.now()
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(minGap):
		}
	}
}

// ReleaseLease hands the lease back when this process is done with the log (a command
// that flushed it, a server shutting down), so the next sequencer starts at once rather
// than when the lease runs out. Nothing is written if this Log never held the lease, and
// a lease another sequencer has taken since is left alone.
func (l *Log) ReleaseLease(ctx context.Context) error {
	if !l.leased.Load() {
		return nil
	}
	err := l.Store.AcquireAuditLease(ctx, l.Owner, l.now(), 0)
	if err != nil && casehold.ErrorCode(err) != casehold.ECONFLICT {
		return fmt.Errorf("release audit lease: %w", err)
	}
	return nil
}

// RunFor is the scheduled sequencer (AWS Lambda): it integrates and checkpoints every
// poll until d has passed, then flushes. A run that finds the lease taken ends at once:
// another run is working.
func (l *Log) RunFor(ctx context.Context, d, poll time.Duration) error {
	deadline := l.now().Add(d)
	lastCheckpoint := time.Time{}
	for {
		n, err := l.Sequence(ctx)
		if casehold.ErrorCode(err) == casehold.ECONFLICT {
			l.Log.Info("audit sequencer: another run holds the lease")
			return nil
		}
		if err != nil {
			return err
		}
		if l.now().Sub(lastCheckpoint) >= l.checkpointEvery() || l.now().Add(poll).After(deadline) {
			cp, err := l.Checkpoint(ctx)
			if err != nil {
				return err
			}
			lastCheckpoint = l.now()
			l.Log.Info("audit sequencer", "integrated", n, "checkpoint", cp.Number, "size", cp.Size)
		}
		if !l.now().Add(poll).Before(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}
