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
