package app

import (
	"context"
	"fmt"

	"github.com/casehold/casehold/internal/casehold"
)

// ListAudit returns audit events after a sequence number.
func (s *Service) ListAudit(ctx context.Context, actor casehold.Actor, after uint64, limit int) ([]casehold.AuditEvent, error) {
	if err := casehold.Authorize(actor, casehold.ActReadAudit); err != nil {
		return nil, s.refuse(ctx, actor, "audit.read", "", "", err)
	}
	events, err := s.Store.ListAudit(ctx, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	return events, nil
}

// AuditReport is the result of checking the whole chain.
type AuditReport struct {
	OK       bool   `json:"ok"`
	Events   uint64 `json:"events"`
	HeadHash string `json:"head_hash"`
	Problem  string `json:"problem,omitempty"`
}

// VerifyAudit walks the whole chain in pages and checks every link and hash, and that the
// stored head matches the last event.
func (s *Service) VerifyAudit(ctx context.Context, actor casehold.Actor) (*AuditReport, error) {
	if err := casehold.Authorize(actor, casehold.ActReadAudit); err != nil {
		return nil, s.refuse(ctx, actor, "audit.verify", "", "", err)
	}
	rep, err := s.verifyChain(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "audit.verify",
		Detail: fmt.Sprintf("ok=%v events=%d", rep.OK, rep.Events)}); err != nil {
		return nil, err
	}
	return rep, nil
}

func (s *Service) verifyChain(ctx context.Context) (*AuditReport, error) {
	stored, err := s.Store.AuditHead(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify audit: %w", err)
	}
	var head casehold.AuditHead
	for {
		page, err := s.Store.ListAudit(ctx, head.Seq, 500)
		if err != nil {
			return nil, fmt.Errorf("verify audit: %w", err)
		}
		if len(page) == 0 {
			break
		}
		next, err := casehold.VerifyChain(head, page)
		if err != nil {
			return &AuditReport{OK: false, Events: next.Seq, HeadHash: next.Hash, Problem: casehold.ErrorMessage(err)}, nil
		}
		head = next
		if head.Seq >= stored.Seq {
			break
		}
	}
	if head != stored {
		return &AuditReport{OK: false, Events: head.Seq, HeadHash: head.Hash,
			Problem: fmt.Sprintf("stored head (seq %d) does not match the last event (seq %d)", stored.Seq, head.Seq)}, nil
	}
	return &AuditReport{OK: true, Events: head.Seq, HeadHash: head.Hash}, nil
}
