package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/whosaw"
)

// whoSawPage is how many events one index read returns.
const whoSawPage = 1000

// WhoSaw answers "who saw this child?" (or this document): every audited read and change
// that touched it, by whom, when, by which path, with the access basis and whether a lock
// decided it. It reads only the subject's events, through the audit log's index, and is
// itself audited. Events are listed once the sequencer has taken them in (within a minute).
func (s *AuditTrail) WhoSaw(ctx context.Context, actor casehold.Actor, f casehold.AuditFilter) (*whosaw.Report, error) {
	const action = "audit.who_saw"
	if err := casehold.Authorize(actor, casehold.ActReadAudit); err != nil {
		return nil, s.refuse(ctx, actor, action, "", f.DocumentID, err)
	}
	if f.MatterID != "" || f.Validate() != nil {
		return nil, s.refuse(ctx, actor, action, "", f.DocumentID, casehold.Errorf(casehold.EINVALID, "give exactly one of pid or document_id"))
	}
	rep := &whosaw.Report{Subject: "child", ID: f.PID, Generated: s.now(), Rows: []whosaw.Row{}}
	if f.DocumentID != "" {
		rep.Subject, rep.ID = "document", f.DocumentID
	}
	var after uint64
	for {
		page, err := s.Store.ListAuditBy(ctx, f, after, whoSawPage)
		if err != nil {
			return nil, fmt.Errorf("who saw: %w", err)
		}
		rep.EventsRead += len(page)
		for _, e := range page {
			rep.Rows = append(rep.Rows, rowOf(e))
			after = e.Seq
		}
		if len(page) < whoSawPage {
			break
		}
	}
	var pids []string
	if f.PID != "" {
		pids = []string{f.PID}
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, DocumentID: f.DocumentID, PIDs: pids,
		Detail: fmt.Sprintf("events=%d", len(rep.Rows))}); err != nil {
		return nil, err
	}
	return rep, nil
}

// paths names how an action reached the material.
var paths = map[string]string{
	"document.download": "API download", "document.download_link": "download link", "document.list": "API list",
	"document.read": "API record", "document.upload": "upload", "matter.read": "API record", "matter.progress": "API progress",
	"email.read": "email", "email.intake": "email", "email.assign": "email", "disclosure.send": "sent outside",
	"evidence.integrity": "integrity check", "evidence.verify": "integrity check", "audit.who_saw": "who-saw report",
}

var lockBases = map[string]bool{casehold.BasisLockOwner: true, casehold.BasisLockAllowed: true, casehold.BasisTemporary: true,
	casehold.BasisBreakGlass: true, casehold.BasisSupport: true, casehold.BasisEDT: true}

func rowOf(e casehold.AuditEvent) whosaw.Row {
	r := whosaw.Row{Seq: e.Seq, Time: e.Time, Actor: e.Actor, Action: e.Action, Outcome: string(e.Outcome),
		Matter: e.MatterID, Document: e.DocumentID, EventID: e.ID, Path: paths[e.Action], Access: "-", LockSeen: "-"}
	if r.Path == "" {
		r.Path, _, _ = strings.Cut(e.Action, ".")
	}
	for _, f := range strings.Fields(e.Detail) {
		if b, ok := strings.CutPrefix(f, "basis="); ok {
			r.Access = b
			r.LockSeen = "not locked"
			if lockBases[b] {
				r.LockSeen = "locked"
			}
		}
	}
	return r
}
