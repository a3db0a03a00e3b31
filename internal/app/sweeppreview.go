package app

import (
	"context"
	"fmt"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// SweepPreview is the dry run of the next reminder sweep for a member of staff (the web
// UI's "what the next sweep would send"): the same plan as `casehold remind --dry-run`,
// which sends and changes nothing. The sweep itself runs as the service and names no
// actor, so the preview has its own action: IG and the coordinating officers, who own the
// deadlines the reminders chase. The report carries staff ids and case ids, never names.
// Audited, refusals too.
func (s *Reminders) SweepPreview(ctx context.Context, actor casehold.Actor, at time.Time) (*SweepReport, error) {
	const action = "reminders.preview"
	if err := casehold.Authorize(actor, casehold.ActRemindersPreview); err != nil {
		return nil, s.refuse(ctx, actor, action, "", "", err)
	}
	rep, err := s.Sweep(ctx, at, true)
	if err != nil {
		return nil, fmt.Errorf("reminder preview: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action,
		Detail: fmt.Sprintf("due_read=%d messages=%d", rep.DueRead, len(rep.Mail))}); err != nil {
		return nil, err
	}
	return rep, nil
}
