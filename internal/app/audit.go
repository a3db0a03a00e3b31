package app

import (
	"context"
	"fmt"

	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/casehold"
)

// ListAudit returns integrated audit events after a position, optionally only those that
// touched one matter, document or person (an index query).
func (s *AuditTrail) ListAudit(ctx context.Context, actor casehold.Actor, f casehold.AuditFilter, after uint64, limit int) ([]casehold.AuditEvent, error) {
	if err := casehold.Authorize(actor, casehold.ActReadAudit); err != nil {
		return nil, s.refuse(ctx, actor, "audit.read", f.MatterID, f.DocumentID, err)
	}
	var (
		events []casehold.AuditEvent
		err    error
	)
	if f == (casehold.AuditFilter{}) {
		events, err = s.Store.ListAudit(ctx, after, limit)
	} else {
		events, err = s.Store.ListAuditBy(ctx, f, after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return events, nil
}

// AuditReport is the result of checking the log, or the part of it from From to To.
type AuditReport = auditlog.RangeReport

// VerifyWindow is the most events one check reads: a log up to this size is checked
// whole; a longer one window by window (VerifyAuditFrom, following Next), so every call
// fits an API's time limit (29 s behind API Gateway) and a Lambda's memory.
const VerifyWindow = 50_000

func (s *Deps) auditLog() (*auditlog.Log, error) {
	if s.AuditLog == nil {
		return nil, casehold.Errorf(casehold.EINTERNAL, "the audit log is not configured")
	}
	return s.AuditLog, nil
}

// VerifyAudit checks the log against its signed checkpoints: the whole of it, or its
// first VerifyWindow events when it is longer (then Next says where to go on). The check
// reads a log that its own audit event is not part of: the event is recorded after the
// answer is known.
func (s *AuditTrail) VerifyAudit(ctx context.Context, actor casehold.Actor) (*AuditReport, error) {
	return s.VerifyAuditFrom(ctx, actor, 0, 0)
}

// VerifyAuditFrom checks limit events (at most VerifyWindow) from position from against
// the newest signed checkpoint; from 0 means VerifyAudit's choice.
func (s *AuditTrail) VerifyAuditFrom(ctx context.Context, actor casehold.Actor, from uint64, limit int) (*AuditReport, error) {
	if err := casehold.Authorize(actor, casehold.ActReadAudit); err != nil {
		return nil, s.refuse(ctx, actor, "audit.verify", "", "", err)
	}
	if limit < 0 || limit > VerifyWindow {
		return nil, s.refuse(ctx, actor, "audit.verify", "", "", casehold.Errorf(casehold.EINVALID, "limit must be between 1 and %d", VerifyWindow))
	}
	rep, err := s.verifyAudit(ctx, from, limit)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "audit.verify",
		Detail: fmt.Sprintf("ok=%v events=%d problems=%d from=%d to=%d next=%d", rep.OK, rep.Events, len(rep.Problems), rep.From, rep.To, rep.Next)}); err != nil {
		return nil, err
	}
	return rep, nil
}

func (s *AuditTrail) verifyAudit(ctx context.Context, from uint64, limit int) (*AuditReport, error) {
	l, err := s.auditLog()
	if err != nil {
		return nil, err
	}
	if from == 0 && limit == 0 {
		tree, err := s.Store.AuditTree(ctx)
		if err != nil {
			return nil, fmt.Errorf("verify audit log: %w", err)
		}
		if tree.Size <= VerifyWindow {
			return s.VerifyAuditChain(ctx)
		}
	}
	if limit == 0 {
		limit = VerifyWindow
	}
	return l.VerifyRange(ctx, from, limit)
}

// ProveAuditEvent returns the inclusion proof of one event against the newest checkpoint.
func (s *AuditTrail) ProveAuditEvent(ctx context.Context, actor casehold.Actor, id string) (*auditlog.InclusionProof, error) {
	if err := casehold.Authorize(actor, casehold.ActReadAudit); err != nil {
		return nil, s.refuse(ctx, actor, "audit.prove", "", "", err)
	}
	l, err := s.auditLog()
	if err != nil {
		return nil, err
	}
	p, err := l.Prove(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "audit.prove",
		Detail: fmt.Sprintf("seq=%d tree_size=%d", p.Event.Seq, p.TreeSize)}); err != nil {
		return nil, err
	}
	return p, nil
}

// AuditConsistency proves that the log of size to extends the log of size from.
func (s *AuditTrail) AuditConsistency(ctx context.Context, actor casehold.Actor, from, to int64) (*auditlog.ConsistencyProof, error) {
	if err := casehold.Authorize(actor, casehold.ActReadAudit); err != nil {
		return nil, s.refuse(ctx, actor, "audit.consistency", "", "", err)
	}
	if from < 1 {
		return nil, casehold.Errorf(casehold.EINVALID, "from is required (a tree size from 1)")
	}
	l, err := s.auditLog()
	if err != nil {
		return nil, err
	}
	return l.Consistency(ctx, from, to)
}

// AuditPublicKey is the log's public verifier key: public, like the checkpoints it checks.
func (s *AuditTrail) AuditPublicKey() (string, error) {
	l, err := s.auditLog()
	if err != nil {
		return "", err
	}
	return l.Keys.VerifierKey, nil
}

// AuditCheckpoint returns the newest signed checkpoint's text. ENOTFOUND before the first.
func (s *AuditTrail) AuditCheckpoint(ctx context.Context) (string, error) {
	tree, err := s.Store.AuditTree(ctx)
	if err != nil {
		return "", fmt.Errorf("audit checkpoint: %w", err)
	}
	if tree.Checkpoint.Number == 0 {
		return "", casehold.Errorf(casehold.ENOTFOUND, "no checkpoint published yet")
	}
	return tree.Checkpoint.Text, nil
}

// FlushAudit integrates every pending event and publishes a checkpoint now, instead of
// within the minute: for tests and the admin CLI.
func (s *AuditTrail) FlushAudit(ctx context.Context) error {
	l, err := s.auditLog()
	if err != nil {
		return err
	}
	_, err = l.Flush(ctx)
	return err
}

// RecordSystemEvent audits an action of casehold itself (the admin CLI's checks).
func (s *AuditTrail) RecordSystemEvent(ctx context.Context, action, detail string) error {
	return s.audit(ctx, casehold.AuditEvent{Actor: SystemActor.ID, Action: action, Detail: detail})
}
