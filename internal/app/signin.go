package app

import (
	"context"
	"fmt"
	"time"

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

// A web session's cookie is sealed and self-contained, so without a record here a copy
// of it would stay good after sign-out until it timed out. Signing out claims the
// session's id for as long as a session can live, and every page checks that claim.
func sessionEndedKey(id string) string { return "ui-session-ended#" + id }

// EndSession records that the web session id was signed out, for ttl (the longest a
// session lives), and audits the sign-out.
func (s *AuditTrail) EndSession(ctx context.Context, actor casehold.Actor, id string, ttl time.Duration) error {
	if id == "" {
		return casehold.Errorf(casehold.EINVALID, "end session: the session has no id")
	}
	if _, err := s.Store.Claim(ctx, sessionEndedKey(id), ttl); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "ui.sign_out"})
}

// SessionEnded reports whether the web session id was signed out. A copy of an ended
// session's cookie is refused and the attempt audited.
func (s *AuditTrail) SessionEnded(ctx context.Context, actor casehold.Actor, id string) (bool, error) {
	ended, err := s.Store.Claimed(ctx, sessionEndedKey(id))
	if err != nil {
		return false, fmt.Errorf("check session: %w", err)
	}
	if ended {
		// refuse audits (and logs a failure to audit); the caller answers as signed out.
		_ = s.refuse(ctx, actor, "ui.session", "", "", casehold.Errorf(casehold.EFORBIDDEN, "a signed-out session was used again"))
	}
	return ended, nil
}
