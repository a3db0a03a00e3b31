package auditlog

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/casehold"
)

// InclusionProof shows that one event is a leaf of the log a signed checkpoint describes.
// An outsider checks it offline: the checkpoint's signature with the public key, then
// tlog.CheckRecord(Proof, TreeSize, root of the checkpoint, Index, RecordHash(Leaf)).
type InclusionProof struct {
	Event      casehold.AuditEvent `json:"event"`
	Index      int64               `json:"index"`     // leaf index, Event.Seq-1
	Leaf       []byte              `json:"leaf"`      // the leaf's bytes (base64 in JSON): Event.LeafData()
	LeafHash   tlog.Hash           `json:"leaf_hash"` // tlog.RecordHash(Leaf)
	TreeSize   int64               `json:"tree_size"`
	RootHash   tlog.Hash           `json:"root_hash"`
	Proof      []tlog.Hash         `json:"proof"`
	Checkpoint string              `json:"checkpoint"` // the signed checkpoint of TreeSize and RootHash
}

// ConsistencyProof shows that the log of size To extends the log of size From.
type ConsistencyProof struct {
	From       int64       `json:"from"`
	To         int64       `json:"to"`
	FromRoot   tlog.Hash   `json:"from_root"`
	ToRoot     tlog.Hash   `json:"to_root"`
	Proof      []tlog.Hash `json:"proof"`
	Checkpoint string      `json:"checkpoint,omitempty"` // the signed checkpoint of To, when To is the newest
}

// Prove returns the inclusion proof of event id against the newest checkpoint.
// ENOTFOUND if the event is absent or not in a signed checkpoint yet (within a minute of
// being recorded it will be).
func (l *Log) Prove(ctx context.Context, id string) (*InclusionProof, error) {
	tree, err := l.Store.AuditTree(ctx)
	if err != nil {
		return nil, fmt.Errorf("prove audit event: %w", err)
	}
	cp := tree.Checkpoint
	e, err := l.Store.GetAuditEvent(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("prove audit event: %w", err)
	}
	if e.Seq == 0 || cp.Number == 0 || e.Seq > cp.Size {
		return nil, casehold.Errorf(casehold.ENOTFOUND, "audit event %s is not in a signed checkpoint yet; try again in a minute", id)
	}
	p, err := OpenCheckpoint([]byte(cp.Text), l.Keys.Verifier)
	if err != nil {
		return nil, fmt.Errorf("prove audit event: newest checkpoint: %w", err)
	}
	index := int64(e.Seq - 1)
	proof, err := tlog.ProveRecord(int64(p.Size), index, storeReader(ctx, l.Store))
	if err != nil {
		return nil, fmt.Errorf("prove audit event %s: %w", id, err)
	}
	leaf := e.LeafData()
	return &InclusionProof{Event: e, Index: index, Leaf: leaf, LeafHash: tlog.RecordHash(leaf),
		TreeSize: int64(p.Size), RootHash: p.Root, Proof: proof, Checkpoint: cp.Text}, nil
}

// Consistency proves that the log of size to extends the log of size from; to 0 means
// the newest checkpoint's size. EINVALID unless 1 <= from <= to <= integrated size.
func (l *Log) Consistency(ctx context.Context, from, to int64) (*ConsistencyProof, error) {
	tree, err := l.Store.AuditTree(ctx)
	if err != nil {
		return nil, fmt.Errorf("prove consistency: %w", err)
	}
	if to == 0 {
		to = int64(tree.Checkpoint.Size)
	}
	if from < 1 || from > to || to > int64(tree.Size) {
		return nil, casehold.Errorf(casehold.EINVALID, "need 1 <= from <= to <= %d (the log's size)", tree.Size)
	}
	r := storeReader(ctx, l.Store)
	proof, err := tlog.ProveTree(to, from, r)
	if err != nil {
		return nil, fmt.Errorf("prove consistency %d..%d: %w", from, to, err)
	}
	fromRoot, err := tlog.TreeHash(from, r)
	if err != nil {
		return nil, fmt.Errorf("prove consistency %d..%d: %w", from, to, err)
	}
	toRoot, err := tlog.TreeHash(to, r)
	if err != nil {
		return nil, fmt.Errorf("prove consistency %d..%d: %w", from, to, err)
	}
	out := &ConsistencyProof{From: from, To: to, FromRoot: fromRoot, ToRoot: toRoot, Proof: proof}
	if uint64(to) == tree.Checkpoint.Size {
		out.Checkpoint = tree.Checkpoint.Text
	}
	return out, nil
}

// CheckInclusion checks an inclusion proof offline with the log's public key: the
// checkpoint is signed by the key, names the proof's size and root, the leaf is the
// event, and the proof leads from the leaf to the root. What an outsider runs.
func CheckInclusion(p *InclusionProof, v Keys) (Parsed, error) {
	cp, err := OpenCheckpoint([]byte(p.Checkpoint), v.Verifier)
	if err != nil {
		return Parsed{}, err
	}
	if int64(cp.Size) != p.TreeSize || cp.Root != p.RootHash {
		return cp, casehold.Errorf(casehold.EINVALID, "the proof's tree is not the signed checkpoint's")
	}
	ev, err := casehold.EventFromLeaf(p.Leaf)
	if err != nil {
		return cp, err
	}
	ev.Seq = p.Event.Seq
	if string(ev.LeafData()) != string(p.Event.LeafData()) || p.Index != int64(p.Event.Seq)-1 {
		return cp, casehold.Errorf(casehold.EINVALID, "the leaf is not the event shown")
	}
	if err := tlog.CheckRecord(p.Proof, p.TreeSize, p.RootHash, p.Index, tlog.RecordHash(p.Leaf)); err != nil {
		return cp, casehold.Errorf(casehold.EINVALID, "inclusion proof does not verify: %v", err)
	}
	return cp, nil
}

// CheckConsistency checks offline that the signed checkpoint newer extends the signed
// checkpoint older, using proof (from the consistency route).
func CheckConsistency(older, newer []byte, proof []tlog.Hash, v Keys) (Parsed, Parsed, error) {
	a, err := OpenCheckpoint(older, v.Verifier)
	if err != nil {
		return a, Parsed{}, fmt.Errorf("older checkpoint: %w", err)
	}
	b, err := OpenCheckpoint(newer, v.Verifier)
	if err != nil {
		return a, b, fmt.Errorf("newer checkpoint: %w", err)
	}
	if a.Size > b.Size {
		return a, b, casehold.Errorf(casehold.EINVALID, "the older checkpoint is the larger")
	}
	if err := tlog.CheckTree(proof, int64(b.Size), b.Root, int64(a.Size), a.Root); err != nil {
		return a, b, casehold.Errorf(casehold.EINVALID, "consistency proof does not verify: %v", err)
	}
	return a, b, nil
}
