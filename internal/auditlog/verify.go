package auditlog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/casehold"
)

// Problem kinds a verification names.
const (
	ProblemAltered     = "altered"     // an event's content differs from the leaf the tree holds
	ProblemRemoved     = "removed"     // a position in the log has no event
	ProblemReordered   = "reordered"   // an event stands at another position than the tree has it
	ProblemTruncated   = "truncated"   // the log is shorter than a checkpoint or the tree says
	ProblemCheckpoint  = "checkpoint"  // a checkpoint is unsigned, signed by another key, or missing
	ProblemRoot        = "root"        // the events do not hash to a signed root
	ProblemConsistency = "consistency" // a checkpoint does not extend the one before it
)

// Problem is one thing wrong with the log, named by position or checkpoint number.
type Problem struct {
	Kind       string `json:"kind"`
	Seq        uint64 `json:"seq,omitempty"`
	Checkpoint uint64 `json:"checkpoint,omitempty"`
	Message    string `json:"message"`
}

// Report is the result of checking the whole log.
type Report struct {
	OK             bool      `json:"ok"`
	Events         uint64    `json:"events"`    // events read from the log
	TreeSize       uint64    `json:"tree_size"` // leaves the sequencer says it integrated
	RootHash       tlog.Hash `json:"root_hash"` // recomputed from the events
	Checkpoints    uint64    `json:"checkpoints"`
	CheckpointSize uint64    `json:"checkpoint_size"` // events covered by the newest checkpoint
	Problem        string    `json:"problem,omitempty"`
	Problems       []Problem `json:"problems,omitempty"`
}

// maxProblems keeps a report of a badly damaged log readable.
const maxProblems = 100

func (r *Report) add(p Problem) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, p)
	}
}

// Verify checks the whole log: every event is recomputed into a Merkle tree, which must
// give the root of every signed checkpoint it covers; every checkpoint read from the
// evidence store must carry the log key's signature and extend the one before it; the log
// must be as long as the newest checkpoint. Damage is named: the position of an altered,
// removed or moved event, the number of a bad checkpoint. Verify only reads.
func (l *Log) Verify(ctx context.Context) (*Report, error) {
	rep := &Report{}
	tree, err := l.Store.AuditTree(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	rep.TreeSize = tree.Size

	cps, err := l.verifyCheckpoints(ctx, tree, rep)
	if err != nil {
		return nil, err
	}

	// Read every event in log order; index their leaf hashes by the position they claim.
	byPos := map[uint64]tlog.Hash{}
	var maxSeq uint64
	expect := uint64(1)
	for after := uint64(0); ; {
		page, err := l.Store.ListAudit(ctx, after, 1000)
		if err != nil {
			return nil, fmt.Errorf("verify audit log: %w", err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			rep.Events++
			switch {
			case e.Seq > expect:
				for s := expect; s < e.Seq && s < expect+maxProblems; s++ {
					rep.add(Problem{Kind: ProblemRemoved, Seq: s, Message: fmt.Sprintf("the event at seq %d is missing", s)})
				}
			case e.Seq < expect:
				rep.add(Problem{Kind: ProblemReordered, Seq: e.Seq, Message: fmt.Sprintf("event seq %d appears after seq %d", e.Seq, expect-1)})
			}
			if _, dup := byPos[e.Seq]; !dup {
				byPos[e.Seq] = e.LeafHash()
			}
			maxSeq = max(maxSeq, e.Seq)
			expect = max(expect, e.Seq+1)
		}
		// Page on by the last position read; a tampered seq must not send the reading
		// backwards for ever.
		next := page[len(page)-1].Seq
		if next <= after {
			next = after + uint64(len(page))
		}
		after = next
		if len(page) < 1000 {
			break
		}
	}
	// The contiguous prefix of positions the events fill.
	var have uint64
	for ; ; have++ {
		if _, ok := byPos[have+1]; !ok {
			break
		}
	}
	if have < tree.Size && maxSeq < tree.Size {
		rep.add(Problem{Kind: ProblemTruncated, Seq: maxSeq + 1,
			Message: fmt.Sprintf("the log ends at seq %d but the sequencer integrated %d events", maxSeq, tree.Size)})
	}

	// Name altered or moved events by comparing each leaf with the leaf hash the tree
	// stores at its position (level 0 of the stored hashes).
	if err := l.compareLeaves(ctx, byPos, min(maxSeq, tree.Size), rep); err != nil {
		return nil, err
	}

	// Recompute the tree from the events and check it against every signed root.
	mem := make([]tlog.Hash, 0, tlog.StoredHashCount(int64(have)))
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(mem)) {
				return nil, fmt.Errorf("hash %d not computed", x)
			}
			out[i] = mem[x]
		}
		return out, nil
	})
	for n := int64(0); n < int64(have); n++ {
		hs, err := tlog.StoredHashesForRecordHash(n, byPos[uint64(n)+1], r)
		if err != nil {
			return nil, fmt.Errorf("verify audit log: %w", err)
		}
		mem = append(mem, hs...)
	}
	if have > 0 {
		if rep.RootHash, err = tlog.TreeHash(int64(have), r); err != nil {
			return nil, fmt.Errorf("verify audit log: %w", err)
		}
	}
	if have >= tree.Size && tree.Size > 0 {
		if root, _ := tlog.TreeHash(int64(tree.Size), r); root != tree.Root {
			rep.add(Problem{Kind: ProblemRoot, Message: fmt.Sprintf("the first %d events do not hash to the root the sequencer recorded", tree.Size)})
		}
	}
	for _, c := range cps {
		if c.p.Size > have {
			rep.add(Problem{Kind: ProblemTruncated, Checkpoint: c.number, Seq: have + 1,
				Message: fmt.Sprintf("checkpoint %d covers %d events but the log has %d in order", c.number, c.p.Size, have)})
			continue
		}
		if c.p.Size == 0 {
			continue
		}
		if root, _ := tlog.TreeHash(int64(c.p.Size), r); root != c.p.Root {
			rep.add(Problem{Kind: ProblemRoot, Checkpoint: c.number,
				Message: fmt.Sprintf("the first %d events do not hash to the root signed in checkpoint %d", c.p.Size, c.number)})
		}
	}
	rep.OK = len(rep.Problems) == 0
	if !rep.OK {
		rep.Problem = rep.Problems[0].Message
	}
	return rep, nil
}

type numbered struct {
	number uint64
	p      Parsed
}

// verifyCheckpoints reads every checkpoint from the evidence store, checks each one's
// signature and that it extends the one before (consistency proof from the stored
// hashes), and returns the valid ones in order.
func (l *Log) verifyCheckpoints(ctx context.Context, tree casehold.AuditTree, rep *Report) ([]numbered, error) {
	var out []numbered
	var n uint64
	for n = 1; ; n++ {
		c, err := l.readCheckpoint(ctx, n)
		if casehold.ErrorCode(err) == casehold.ENOTFOUND {
			break
		}
		if casehold.ErrorCode(err) == casehold.EINVALID {
			rep.add(Problem{Kind: ProblemCheckpoint, Checkpoint: n, Message: fmt.Sprintf("checkpoint %d refused: %s", n, casehold.ErrorMessage(err))})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("verify audit log: %w", err)
		}
		p, _ := OpenCheckpoint([]byte(c.Text), l.Keys.Verifier)
		if len(out) > 0 {
			prev := out[len(out)-1]
			switch {
			case p.Size < prev.p.Size:
				rep.add(Problem{Kind: ProblemConsistency, Checkpoint: n, Message: fmt.Sprintf("checkpoint %d is smaller than checkpoint %d", n, prev.number)})
			case p.Size <= tree.Size:
				proof, err := tlog.ProveTree(int64(p.Size), int64(prev.p.Size), storeReader(ctx, l.Store))
				if err == nil {
					err = tlog.CheckTree(proof, int64(p.Size), p.Root, int64(prev.p.Size), prev.p.Root)
				}
				if err != nil {
					rep.add(Problem{Kind: ProblemConsistency, Checkpoint: n,
						Message: fmt.Sprintf("checkpoint %d does not provably extend checkpoint %d", n, prev.number)})
				}
			}
		}
		out = append(out, numbered{number: n, p: p})
	}
	rep.Checkpoints = n - 1
	if len(out) > 0 {
		rep.CheckpointSize = out[len(out)-1].p.Size
	}
	if tree.Checkpoint.Number > n-1 {
		rep.add(Problem{Kind: ProblemCheckpoint, Checkpoint: n,
			Message: fmt.Sprintf("checkpoint %d is recorded but missing from the evidence store", n)})
	}
	return out, nil
}

// compareLeaves checks each event's leaf hash against the stored leaf hash at its
// position, up to size, and names the mismatches: moved when the hash is stored at
// another position, altered otherwise.
func (l *Log) compareLeaves(ctx context.Context, byPos map[uint64]tlog.Hash, size uint64, rep *Report) error {
	stored := map[tlog.Hash]uint64{}
	var bad []uint64
	for from := uint64(1); from <= size; from += 1000 {
		to := min(from+999, size)
		var idx []int64
		var seqs []uint64
		for s := from; s <= to; s++ {
			idx = append(idx, tlog.StoredHashIndex(0, int64(s-1)))
			seqs = append(seqs, s)
		}
		hs, err := l.Store.ReadAuditHashes(ctx, idx)
		if casehold.ErrorCode(err) == casehold.ENOTFOUND {
			rep.add(Problem{Kind: ProblemRoot, Seq: from, Message: fmt.Sprintf("stored tree hashes from seq %d are missing", from)})
			return nil
		}
		if err != nil {
			return fmt.Errorf("verify audit log: %w", err)
		}
		for i, s := range seqs {
			stored[hs[i]] = s
			if h, ok := byPos[s]; ok && h != hs[i] {
				bad = append(bad, s)
			}
		}
	}
	for _, s := range bad {
		if other, ok := stored[byPos[s]]; ok {
			rep.add(Problem{Kind: ProblemReordered, Seq: s, Message: fmt.Sprintf("the event at seq %d belongs at seq %d", s, other)})
		} else {
			rep.add(Problem{Kind: ProblemAltered, Seq: s, Message: fmt.Sprintf("the event at seq %d was altered", s)})
		}
	}
	return nil
}
