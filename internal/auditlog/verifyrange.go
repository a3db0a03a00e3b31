package auditlog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/casehold"
)

// RangeReport is the result of checking part of the log: the events from From to To
// (positions), each against the newest signed checkpoint.
type RangeReport struct {
	Report
	From uint64 `json:"from"`
	To   uint64 `json:"to"` // the last position checked; 0 when none was
	// Next is where to continue; 0 when the check reached the newest checkpoint's end.
	Next uint64 `json:"next"`
}

// VerifyRange checks up to limit events from position from on, in a time bounded by
// limit rather than by the log's length, so a log of any size is checked in calls that
// each fit an API's time limit. The newest checkpoint must carry the log key's signature,
// be the one stored write-once in the evidence store, and provably extend the checkpoint
// before it; then every event in the range must be in it: its leaf is proved against the
// signed root from the stored tree (an inclusion proof, as an outsider would check it),
// so a changed event, a changed stored hash or a missing event is found and named. Taken
// together the calls from 1 to the end check every event against the signed root; the
// whole chain of older checkpoints is Verify's work. VerifyRange only reads.
func (l *Log) VerifyRange(ctx context.Context, from uint64, limit int) (*RangeReport, error) {
	if from < 1 {
		from = 1
	}
	if limit < 1 {
		return nil, casehold.Errorf(casehold.EINVALID, "limit must be at least 1")
	}
	rep := &RangeReport{From: from}
	tree, err := l.Store.AuditTree(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	rep.TreeSize = tree.Size
	cp, ok, err := l.newestCheckpoint(ctx, tree, &rep.Report)
	if err != nil {
		return nil, err
	}
	if !ok {
		return rep.finish(), nil
	}
	rep.CheckpointSize, rep.RootHash = cp.Size, cp.Root
	if from > cp.Size {
		return rep.finish(), nil
	}

	r := cachingReader(ctx, l.Store)
	expect := from
	end := min(cp.Size, from+uint64(limit)-1)
	check := func(e casehold.AuditEvent) {
		index := int64(e.Seq - 1)
		proof, err := tlog.ProveRecord(int64(cp.Size), index, r)
		if err == nil {
			err = tlog.CheckRecord(proof, int64(cp.Size), cp.Root, index, e.LeafHash())
		}
		if err == nil {
			return
		}
		stored, serr := r.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
		if serr == nil && stored[0] != e.LeafHash() {
			rep.add(Problem{Kind: ProblemAltered, Seq: e.Seq, Message: fmt.Sprintf("the event at seq %d was altered", e.Seq)})
			return
		}
		rep.add(Problem{Kind: ProblemRoot, Seq: e.Seq,
			Message: fmt.Sprintf("the stored tree does not lead from seq %d to the root signed in checkpoint %d", e.Seq, tree.Checkpoint.Number)})
	}
	for after := from - 1; expect <= end; {
		page, err := l.Store.ListAudit(ctx, after, min(1000, int(end-after)))
		if err != nil {
			return nil, fmt.Errorf("verify audit log: %w", err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.Seq > end {
				break
			}
			rep.Events++
			switch {
			case e.Seq > expect:
				for s := expect; s < e.Seq && s < expect+maxProblems; s++ {
					rep.add(Problem{Kind: ProblemRemoved, Seq: s, Message: fmt.Sprintf("the event at seq %d is missing", s)})
				}
			case e.Seq < expect:
				rep.add(Problem{Kind: ProblemReordered, Seq: e.Seq, Message: fmt.Sprintf("event seq %d appears after seq %d", e.Seq, expect-1)})
				continue
			}
			check(e)
			rep.To = e.Seq
			expect = e.Seq + 1
		}
		next := page[len(page)-1].Seq
		if next <= after {
			next = after + uint64(len(page)) // a tampered seq must not page backwards for ever
		}
		after = next
	}
	if expect <= end {
		rep.add(Problem{Kind: ProblemTruncated, Seq: expect,
			Message: fmt.Sprintf("the log ends at seq %d but checkpoint %d covers %d events", expect-1, tree.Checkpoint.Number, cp.Size)})
	}
	if end < cp.Size {
		rep.Next = end + 1
	}
	return rep.finish(), nil
}

func (r *RangeReport) finish() *RangeReport {
	r.OK = len(r.Problems) == 0
	if !r.OK {
		r.Problem = r.Problems[0].Message
	}
	return r
}

// newestCheckpoint opens the tree's newest checkpoint, checks it is the one kept in the
// evidence store and that it extends the one before it, and reports what is wrong.
func (l *Log) newestCheckpoint(ctx context.Context, tree casehold.AuditTree, rep *Report) (Parsed, bool, error) {
	n := tree.Checkpoint.Number
	rep.Checkpoints = n
	if n == 0 {
		if tree.Size > 0 {
			rep.add(Problem{Kind: ProblemCheckpoint, Message: "no checkpoint is published yet; try again in a minute"})
		}
		return Parsed{}, false, nil
	}
	stored, err := l.readCheckpoint(ctx, n)
	switch casehold.ErrorCode(err) {
	case "":
	case casehold.ENOTFOUND, casehold.EINVALID:
		rep.add(Problem{Kind: ProblemCheckpoint, Checkpoint: n, Message: fmt.Sprintf("checkpoint %d refused: %s", n, casehold.ErrorMessage(err))})
		return Parsed{}, false, nil
	default:
		return Parsed{}, false, fmt.Errorf("verify audit log: %w", err)
	}
	if stored.Text != tree.Checkpoint.Text {
		rep.add(Problem{Kind: ProblemCheckpoint, Checkpoint: n,
			Message: fmt.Sprintf("the state store's copy of checkpoint %d differs from the one kept write-once", n)})
	}
	cp, err := OpenCheckpoint([]byte(stored.Text), l.Keys.Verifier)
	if err != nil {
		rep.add(Problem{Kind: ProblemCheckpoint, Checkpoint: n, Message: fmt.Sprintf("checkpoint %d refused: %v", n, err)})
		return Parsed{}, false, nil
	}
	if n > 1 {
		prev, err := l.readCheckpoint(ctx, n-1)
		if err != nil {
			rep.add(Problem{Kind: ProblemCheckpoint, Checkpoint: n - 1, Message: fmt.Sprintf("checkpoint %d refused: %s", n-1, casehold.ErrorMessage(err))})
		} else if p, err := OpenCheckpoint([]byte(prev.Text), l.Keys.Verifier); err == nil {
			r := cachingReader(ctx, l.Store)
			proof, err := tlog.ProveTree(int64(cp.Size), int64(p.Size), r)
			if err == nil {
				err = tlog.CheckTree(proof, int64(cp.Size), cp.Root, int64(p.Size), p.Root)
			}
			if err != nil || p.Size > cp.Size {
				rep.add(Problem{Kind: ProblemConsistency, Checkpoint: n,
					Message: fmt.Sprintf("checkpoint %d does not provably extend checkpoint %d", n, n-1)})
			}
		}
	}
	return cp, true, nil
}

// cachingReader reads stored hashes and keeps them: proofs of neighbouring leaves share
// most of their path, so a range of a thousand leaves reads a few thousand hashes, not a
// thousand paths.
func cachingReader(ctx context.Context, s casehold.AuditStore) tlog.HashReader {
	cache := map[int64]tlog.Hash{}
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		var missing []int64
		for _, x := range indexes {
			if _, ok := cache[x]; !ok {
				missing = append(missing, x)
			}
		}
		if len(missing) > 0 {
			hs, err := s.ReadAuditHashes(ctx, missing)
			if err != nil {
				return nil, err
			}
			for i, x := range missing {
				cache[x] = hs[i]
			}
		}
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = cache[x]
		}
		return out, nil
	})
}
