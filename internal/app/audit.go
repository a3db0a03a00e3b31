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

// AuditReport is the result of checking the whole log.
type AuditReport = auditlog.Report

func (s *Deps) auditLog() (*auditlog.Log, error) {
	if s.AuditLog == nil {
		return nil, casehold.Errorf(casehold.EINTERNAL, "the audit log is not configured")
	}
	return s.AuditLog, nil
}

// VerifyAudit checks the whole log against its signed checkpoints. The check reads a
// log that its own audit event is not part of: the event is recorded after the answer
// is known.
func (s *AuditTrail) VerifyAudit(ctx context.Context, actor casehold.Actor) (*AuditReport, error) {
	if err := casehold.Authorize(actor, casehold.ActReadAudit); err != nil {
		return nil, s.refuse(ctx, actor, "audit.verify", "", "", err)
	}
	rep, err := s.VerifyAuditChain(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "audit.verify",
		Detail: fmt.Sprintf("ok=%v events=%d problems=%d", rep.OK, rep.Events, len(rep.Problems))}); err != nil {
		return nil, err
	}
	return rep, nil
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
