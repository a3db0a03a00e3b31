package auditlog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/casehold"
)

// Prover proves many events against one signed checkpoint (an evidence pack's), reading
// each stored hash once: the proofs of neighbouring leaves share most of their hashes.
type Prover struct {
	cp    casehold.Checkpoint
	p     Parsed
	r     tlog.HashReader
	cache map[int64]tlog.Hash
}

// maxProverCache bounds the cache; past it the cache starts again (proofs of events far
// apart share little).
const maxProverCache = 1 << 16

// ProverAt returns a prover against cp, whose signature it checks first.
func (l *Log) ProverAt(ctx context.Context, cp casehold.Checkpoint) (*Prover, error) {
	p, err := OpenCheckpoint([]byte(cp.Text), l.Keys.Verifier)
	if err != nil {
		return nil, fmt.Errorf("prove against checkpoint %d: %w", cp.Number, err)
	}
	pr := &Prover{cp: cp, p: p, cache: map[int64]tlog.Hash{}}
	store := storeReader(ctx, l.Store)
	pr.r = tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		var missing []int64
		for _, x := range indexes {
			if _, ok := pr.cache[x]; !ok {
				missing = append(missing, x)
			}
		}
		if len(missing) > 0 {
			if len(pr.cache)+len(missing) > maxProverCache {
				clear(pr.cache)
			}
			hs, err := store.ReadHashes(missing)
			if err != nil {
				return nil, err
			}
			for i, x := range missing {
				pr.cache[x] = hs[i]
			}
		}
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			out[i] = pr.cache[x]
		}
		return out, nil
	})
	return pr, nil
}

// Size is the checkpoint's tree size: only events with Seq <= Size can be proved.
func (pr *Prover) Size() uint64 { return pr.p.Size }

// Prove returns e's inclusion proof against the checkpoint. EINVALID if e is not within it.
func (pr *Prover) Prove(e casehold.AuditEvent) (*InclusionProof, error) {
	if e.Seq == 0 || e.Seq > pr.p.Size {
		return nil, casehold.Errorf(casehold.EINVALID, "audit event %s is not within checkpoint %d", e.ID, pr.cp.Number)
	}
	index := int64(e.Seq - 1)
	proof, err := tlog.ProveRecord(int64(pr.p.Size), index, pr.r)
	if err != nil {
		return nil, fmt.Errorf("prove audit event %s: %w", e.ID, err)
	}
	leaf := e.LeafData()
	return &InclusionProof{Event: e, Index: index, Leaf: leaf, LeafHash: tlog.RecordHash(leaf),
		TreeSize: int64(pr.p.Size), RootHash: pr.p.Root, Proof: proof, Checkpoint: pr.cp.Text}, nil
}
