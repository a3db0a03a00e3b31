package auditlog

import (
	"context"
	"fmt"

	"github.com/casehold/casehold/internal/casehold"
)

// migrateBatch makes the next events of the legacy hash chain the next leaves, in chain
// order, after checking each link: a broken chain is not laundered into a signed log. It
// reports done when no legacy event is left to migrate. The migration must come before
// any new event is integrated, which Sequence ensures by running it first; a tree that
// already holds other events is refused rather than reordered.
func (l *Log) migrateBatch(ctx context.Context, tree casehold.AuditTree) (int, bool, error) {
	legacy, err := l.Store.LegacyAudit(ctx, tree.Size, l.batchSize())
	if err != nil {
		return 0, false, fmt.Errorf("migrate audit chain: %w", err)
	}
	if len(legacy) == 0 {
		return 0, true, nil
	}
	prevHash := casehold.LegacyGenesisHash
	if tree.Size > 0 {
		prev, err := l.Store.LegacyAudit(ctx, tree.Size-1, 1)
		if err != nil {
			return 0, false, fmt.Errorf("migrate audit chain: %w", err)
		}
		leaf, err := l.Store.ListAudit(ctx, tree.Size-1, 1)
		if err != nil {
			return 0, false, fmt.Errorf("migrate audit chain: %w", err)
		}
		if len(prev) != 1 || len(leaf) != 1 || prev[0].ID != leaf[0].ID {
			return 0, false, fmt.Errorf("migrate audit chain: %w", casehold.Errorf(casehold.EINTERNAL,
				"the log already holds events that are not the chain's; migrate before the sequencer integrates new events"))
		}
		prevHash = prev[0].Hash
	}
	ids := make([]string, len(legacy))
	for i, e := range legacy {
		want := tree.Size + uint64(i) + 1
		switch {
		case e.Seq != want:
			return 0, false, fmt.Errorf("migrate audit chain: %w", casehold.Errorf(casehold.EINTERNAL, "legacy chain broken at seq %d: expected seq %d", e.Seq, want))
		case e.PrevHash != prevHash:
			return 0, false, fmt.Errorf("migrate audit chain: %w", casehold.Errorf(casehold.EINTERNAL, "legacy chain broken at seq %d: previous hash does not match", e.Seq))
		case e.LegacyHash() != e.Hash:
			return 0, false, fmt.Errorf("migrate audit chain: %w", casehold.Errorf(casehold.EINTERNAL, "legacy chain broken at seq %d: event was altered", e.Seq))
		}
		prevHash = e.Hash
		ev := e.AuditEvent
		ev.Seq = 0
		if err := l.Store.RecordAudit(ctx, ev); err != nil {
			return 0, false, fmt.Errorf("migrate audit chain: %w", err)
		}
		ids[i] = e.ID
	}
	if err := l.Store.BeginAuditBatch(ctx, l.Owner, tree.Size, ids); err != nil {
		return 0, false, fmt.Errorf("migrate audit chain: %w", err)
	}
	tree.Batch = ids
	n, err := l.finishBatch(ctx, tree)
	return n, false, err
}

// Migrate integrates the legacy chain (and anything pending after it) and publishes a
// checkpoint. Running it again changes nothing. It returns the leaves added.
func (l *Log) Migrate(ctx context.Context) (int, error) {
	n, err := l.Sequence(ctx)
	if err != nil {
		return n, err
	}
	_, err = l.Checkpoint(ctx)
	return n, err
}
