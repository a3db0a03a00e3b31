package app

import (
	"context"

	"github.com/casehold/casehold/internal/casehold"
)

// RecordSignIn audits a member of staff signing in to or out of the web UI (action
// "ui.sign_in" or "ui.sign_out").
func (s *AuditTrail) RecordSignIn(ctx context.Context, actor casehold.Actor, action string) error {
	return s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action})
}

// RecordSignInRefused audits a sign-in the web UI refused (a forged, expired or
// mismatched identity token). The reason names the check, never the token's contents.
func (s *AuditTrail) RecordSignInRefused(ctx context.Context, reason string) error {
	return s.audit(ctx, casehold.AuditEvent{Actor: "-", Action: "ui.sign_in", Outcome: casehold.OutcomeRefused, Detail: reason})
}

// Authorize is the role check of an action, for a host that must answer before it can
// read the input (a web form): a refusal is audited like a use case's.
func (s *AuditTrail) Authorize(ctx context.Context, actor casehold.Actor, act casehold.Action) error {
	if err := casehold.Authorize(actor, act); err != nil {
		return s.refuse(ctx, actor, string(act), "", "", err)
	}
	return nil
}
