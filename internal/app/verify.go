package app

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
)

// What verify can find wrong with a document's stored evidence.
const (
	FindMissing       = "missing"          // the recorded version is not in the store
	FindMismatch      = "mismatch"         // its bytes do not hash to the recorded SHA-256
	FindUnreadable    = "unreadable"       // it could not be read whole (cut stream, the store's checksum)
	FindHoldOff       = "hold_off"         // an open matter holds it but the store's legal hold is off
	FindHoldUnclaimed = "hold_unclaimed"   // the store's legal hold is on but no open matter holds it
	FindForeign       = "foreign_versions" // other versions were written at its key by someone else
)

// Finding is one problem with one document.
type Finding struct {
	Document string `json:"document"`
	Kind     string `json:"kind"`
	Detail   string `json:"detail,omitempty"` // ids and counts only
	Repaired bool   `json:"repaired,omitempty"`
}

// VerifyOptions bound one run. With Limit, documents are checked in id order after After,
// and the report's Next is where the following run starts (empty when the end was reached).
type VerifyOptions struct {
	Repair   bool // put back a legal hold missing from a held document (never take one off)
	After    string
	Limit    int
	Progress func(done, total int)
}

// EvidenceReport is the result of re-reading documents.
type EvidenceReport struct {
	Documents int            `json:"documents"` // checked in this run
	OK        int            `json:"ok"`
	Counts    map[string]int `json:"counts"` // findings by kind
	Findings  []Finding      `json:"findings"`
	Next      string         `json:"next,omitempty"`
}

// Clean reports whether nothing was found (or all that was found was repaired).
func (r *EvidenceReport) Clean() bool {
	for _, f := range r.Findings {
		if !f.Repaired {
			return false
		}
	}
	return true
}

// VerifyEvidence re-reads documents filed under any matter: every version at each key, the
// recorded version's bytes against its SHA-256, and its legal hold against the record. It
// never stops at a problem: each is a finding, audited as an integrity incident, and the
// run ends with one evidence.verify event carrying the counts.
func (s *Documents) VerifyEvidence(ctx context.Context, opts VerifyOptions) (*EvidenceReport, error) {
	docs, next, err := s.documentsToVerify(ctx, opts.After, opts.Limit)
	if err != nil {
		return nil, err
	}
	rep := &EvidenceReport{Documents: len(docs), Counts: map[string]int{}, Findings: []Finding{}, Next: next}
	for i, d := range docs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		found, err := s.verifyDocument(ctx, d, opts.Repair)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			rep.OK++
		}
		for _, f := range found {
			rep.Counts[f.Kind]++
			rep.Findings = append(rep.Findings, f)
			if !f.Repaired {
				s.incident(ctx, "", f.Document, "reason="+f.Kind+" during=verify "+f.Detail)
			}
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(docs))
		}
	}
	kinds := make([]string, 0, len(rep.Counts))
	for k, n := range rep.Counts {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	// The check itself succeeded; each finding was recorded above as an incident.
	if err := s.audit(ctx, casehold.AuditEvent{Actor: SystemActor.ID, Action: "evidence.verify",
		Detail: strings.TrimSpace(fmt.Sprintf("documents=%d ok=%d %s", rep.Documents, rep.OK, strings.Join(kinds, " ")))}); err != nil {
		return nil, err
	}
	return rep, nil
}

// documentsToVerify lists documents filed under any matter, by id, after `after`, at most
// limit of them (0: all), and the cursor for the next run.
func (s *Deps) documentsToVerify(ctx context.Context, after string, limit int) ([]*casehold.Document, string, error) {
	seen := map[string]*casehold.Document{}
	for _, st := range []casehold.MatterStatus{casehold.MatterOpen, casehold.MatterReleasing, casehold.MatterReleased} {
		ms, err := s.Store.ListMatters(ctx, st)
		if err != nil {
			return nil, "", fmt.Errorf("verify evidence: %w", err)
		}
		for _, m := range ms {
			ds, err := s.Store.ListMatterDocuments(ctx, m.ID)
			if err != nil {
				return nil, "", fmt.Errorf("verify evidence: %w", err)
			}
			for _, d := range ds {
				if d.ID > after {
					seen[d.ID] = d
				}
			}
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	next := ""
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
		next = ids[len(ids)-1]
	}
	docs := make([]*casehold.Document, len(ids))
	for i, id := range ids {
		docs[i] = seen[id]
	}
	return docs, next, nil
}

// verifyDocument checks one document and returns what is wrong with it.
func (s *Deps) verifyDocument(ctx context.Context, d *casehold.Document, repair bool) ([]Finding, error) {
	var out []Finding
	add := func(kind, detail string) { out = append(out, Finding{Document: d.ID, Kind: kind, Detail: detail}) }

	vs, err := s.Evidence.Versions(ctx, d.Key)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", d.ID, err)
	}
	if n := countOthers(vs, d.VersionID); n > 0 {
		add(FindForeign, fmt.Sprintf("count=%d", n))
	}
	sum, size, err := s.hashVersion(ctx, d.Key, d.VersionID)
	switch casehold.ErrorCode(err) {
	case "":
		if sum != d.SHA256 || size != d.Size {
			add(FindMismatch, fmt.Sprintf("size=%d recorded_size=%d", size, d.Size))
		}
	case casehold.ENOTFOUND:
		add(FindMissing, "")
		return out, nil // no version: no hold to compare
	case casehold.EINTEGRITY:
		add(FindUnreadable, "")
	default:
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		add(FindUnreadable, "code="+casehold.ErrorCode(err))
	}
	held, err := s.Evidence.LegalHold(ctx, d.Key, d.VersionID)
	if err != nil {
		if casehold.ErrorCode(err) == casehold.ENOTFOUND {
			add(FindMissing, "during=hold_check")
			return out, nil
		}
		return nil, fmt.Errorf("verify %s: %w", d.ID, err)
	}
	switch {
	case d.Held() && !held:
		f := Finding{Document: d.ID, Kind: FindHoldOff, Detail: fmt.Sprintf("held_by=%d", len(d.HeldBy))}
		if repair {
			if err := s.Evidence.SetLegalHold(ctx, d.Key, d.VersionID, true); err != nil {
				return nil, fmt.Errorf("repair hold on %s: %w", d.ID, err)
			}
			f.Repaired = true
		}
		out = append(out, f)
	case !d.Held() && held:
		// Lifting is the release function's alone; verify only reports it.
		add(FindHoldUnclaimed, "")
	}
	return out, nil
}

func countOthers(vs []casehold.StoredObject, versionID string) int {
	n := 0
	for _, v := range vs {
		if v.VersionID != versionID {
			n++
		}
	}
	return n
}

// VerifyAuditChain checks the audit log without an actor (the admin CLI). It records
// nothing.
func (s *AuditTrail) VerifyAuditChain(ctx context.Context) (*AuditReport, error) {
	l, err := s.auditLog()
	if err != nil {
		return nil, err
	}
	rep, err := l.Verify(ctx)
	if err != nil {
		return nil, err
	}
	out := &AuditReport{Report: *rep, From: 1, To: rep.Events}
	if rep.Events == 0 {
		out.From = 0
	}
	return out, nil
}
