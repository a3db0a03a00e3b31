package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/casehold/casehold/internal/casehold"
)

// EvidenceReport is the result of re-reading every document.
type EvidenceReport struct {
	Documents  int      `json:"documents"`
	OK         int      `json:"ok"`
	Mismatched []string `json:"mismatched"` // stored bytes differ from the recorded SHA-256
	Missing    []string `json:"missing"`    // no stored version
	HoldWrong  []string `json:"hold_wrong"` // legal hold differs from the record; repaired when repair is set
}

// VerifyEvidence re-hashes every document filed under any matter and checks that its legal
// hold matches the record. With repair, a missing hold is put back on (never taken off:
// lifting a hold is only ever done by a release). progress, if set, is called per document.
func (s *Service) VerifyEvidence(ctx context.Context, repair bool, progress func(done, total int)) (*EvidenceReport, error) {
	seen := map[string]bool{}
	var docs []*casehold.Document
	for _, st := range []casehold.MatterStatus{casehold.MatterOpen, casehold.MatterReleased} {
		ms, err := s.Store.ListMatters(ctx, st)
		if err != nil {
			return nil, fmt.Errorf("verify evidence: %w", err)
		}
		for _, m := range ms {
			ds, err := s.Store.ListMatterDocuments(ctx, m.ID)
			if err != nil {
				return nil, fmt.Errorf("verify evidence: %w", err)
			}
			for _, d := range ds {
				if !seen[d.ID] {
					seen[d.ID] = true
					docs = append(docs, d)
				}
			}
		}
	}
	rep := &EvidenceReport{Documents: len(docs), Mismatched: []string{}, Missing: []string{}, HoldWrong: []string{}}
	for i, d := range docs {
		if progress != nil {
			progress(i+1, len(docs))
		}
		rc, err := s.Evidence.Open(ctx, d.Key, d.VersionID)
		if casehold.ErrorCode(err) == casehold.ENOTFOUND {
			rep.Missing = append(rep.Missing, d.ID)
			continue
		} else if err != nil {
			return nil, fmt.Errorf("verify %s: %w", d.ID, err)
		}
		h := sha256.New()
		_, err = io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", d.ID, err)
		}
		if hex.EncodeToString(h.Sum(nil)) != d.SHA256 {
			rep.Mismatched = append(rep.Mismatched, d.ID)
			continue
		}
		held, err := s.Evidence.LegalHold(ctx, d.Key, d.VersionID)
		if err != nil {
			return nil, fmt.Errorf("verify %s: %w", d.ID, err)
		}
		if held != d.Held() {
			rep.HoldWrong = append(rep.HoldWrong, d.ID)
			if repair && d.Held() {
				if err := s.Evidence.SetLegalHold(ctx, d.Key, d.VersionID, true); err != nil {
					return nil, fmt.Errorf("repair hold on %s: %w", d.ID, err)
				}
			}
			continue
		}
		rep.OK++
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: SystemActor.ID, Action: "evidence.verify",
		Detail: fmt.Sprintf("documents=%d ok=%d mismatched=%d missing=%d hold_wrong=%d", rep.Documents, rep.OK,
			len(rep.Mismatched), len(rep.Missing), len(rep.HoldWrong))}); err != nil {
		return nil, err
	}
	return rep, nil
}

// VerifyAuditChain checks the audit log without an actor (the admin CLI). It records
// nothing.
func (s *Service) VerifyAuditChain(ctx context.Context) (*AuditReport, error) {
	l, err := s.auditLog()
	if err != nil {
		return nil, err
	}
	return l.Verify(ctx)
}
