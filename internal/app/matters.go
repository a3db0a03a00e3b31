package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
)

// CreateMatter opens a CCRC section 17 matter and computes its confirmation deadline.
func (s *Service) CreateMatter(ctx context.Context, actor casehold.Actor, in casehold.NewMatterInput) (*casehold.Matter, error) {
	const action = "matter.create"
	if err := casehold.Authorize(actor, casehold.ActCreateMatter); err != nil {
		return nil, s.refuse(ctx, actor, action, "", "", err)
	}
	received, err := in.Validate(s.today())
	if err != nil {
		return nil, s.refuse(ctx, actor, action, "", "", err)
	}
	kind := in.Kind
	if kind == "" {
		kind = casehold.KindCCRCS17
	}
	m := &casehold.Matter{
		ID:               "m-" + s.IDs.New(),
		Kind:             kind,
		Reference:        strings.TrimSpace(in.Reference),
		Contact:          strings.TrimSpace(in.Contact),
		ReceivedOn:       received,
		Coordinator:      actor.ID,
		CoordinatorEmail: actor.Email,
		People:           in.People,
		Status:           casehold.MatterOpen,
		CreatedAt:        s.now(),
		CreatedBy:        actor.ID,
		Work:             casehold.Work{ContactEmail: in.ContactEmail, SCR: in.SCRWork()},
	}
	if kind == casehold.KindCCRCS17 {
		m.Deadline = casehold.CCRCDeadline(received)
	}
	if err := s.Store.CreateMatter(ctx, m); err != nil {
		if casehold.ErrorCode(err) == casehold.ECONFLICT {
			err = casehold.Errorf(casehold.ECONFLICT, "a %s matter with this reference already exists", kind)
		}
		return nil, s.refuse(ctx, actor, action, "", "", fmt.Errorf("create matter: %w", err))
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: m.ID,
		Detail: fmt.Sprintf("people=%d deadline=%s", len(m.People), m.Deadline)}); err != nil {
		return nil, err
	}
	m.Version = 1
	return m, nil
}

// GetMatter returns a matter the actor may read; the read is audited, as secured records are.
func (s *Service) GetMatter(ctx context.Context, actor casehold.Actor, id string) (*casehold.Matter, error) {
	if err := casehold.Authorize(actor, casehold.ActReadMatter); err != nil {
		return nil, s.refuse(ctx, actor, "matter.read", id, "", err)
	}
	m, err := s.Store.GetMatter(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get matter: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "matter.read", MatterID: id}); err != nil {
		return nil, err
	}
	return m, nil
}

// ListMatters returns matters with the given status (open when empty).
func (s *Service) ListMatters(ctx context.Context, actor casehold.Actor, status casehold.MatterStatus) ([]*casehold.Matter, error) {
	if err := casehold.Authorize(actor, casehold.ActReadMatter); err != nil {
		return nil, s.refuse(ctx, actor, "matter.list", "", "", err)
	}
	if status == "" {
		status = casehold.MatterOpen
	}
	if status != casehold.MatterOpen && status != casehold.MatterReleased {
		return nil, casehold.Errorf(casehold.EINVALID, "status must be %q or %q", casehold.MatterOpen, casehold.MatterReleased)
	}
	ms, err := s.Store.ListMatters(ctx, status)
	if err != nil {
		return nil, fmt.Errorf("list matters: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "matter.list", Detail: fmt.Sprintf("status=%s count=%d", status, len(ms))}); err != nil {
		return nil, err
	}
	return ms, nil
}

// ReleaseInput says why a matter's holds are lifted.
type ReleaseInput struct {
	Reason      string        `json:"reason"`
	TeamsToldOn casehold.Date `json:"teams_told_on"` // when the teams concerned were told
}

// ReleaseResult reports what a release did.
type ReleaseResult struct {
	Matter       *casehold.Matter `json:"matter"`
	Released     []string         `json:"released"`      // documents whose legal hold was lifted
	StillHeld    []string         `json:"still_held"`    // documents another open matter still holds
	NotifiedEDT  bool             `json:"notified_edt"`  // whether EDT and the coordinator were told
	NoticeErrors int              `json:"notice_errors"` // notices that could not be sent (see audit)
}

// ReleaseMatter ends a matter (e.g. the direction was withdrawn) and lifts the legal hold on
// each of its documents that no other open matter holds.
func (s *Service) ReleaseMatter(ctx context.Context, actor casehold.Actor, id string, in ReleaseInput) (*ReleaseResult, error) {
	const action = "matter.release"
	if err := casehold.Authorize(actor, casehold.ActReleaseMatter); err != nil {
		return nil, s.refuse(ctx, actor, action, id, "", err)
	}
	if strings.TrimSpace(in.Reason) == "" {
		return nil, s.refuse(ctx, actor, action, id, "", casehold.Errorf(casehold.EINVALID, "reason is required (e.g. direction withdrawn)"))
	}
	if s.today().Before(in.TeamsToldOn) {
		return nil, s.refuse(ctx, actor, action, id, "", casehold.Errorf(casehold.EINVALID, "teams_told_on must not be in the future"))
	}
	if len(in.Reason) > 500 {
		return nil, s.refuse(ctx, actor, action, id, "", casehold.Errorf(casehold.EINVALID, "reason must be at most 500 characters"))
	}
	m, err := s.Store.GetMatter(ctx, id)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, id, "", fmt.Errorf("release matter: %w", err))
	}
	if m.Status != casehold.MatterOpen {
		return nil, s.refuse(ctx, actor, action, id, "", casehold.Errorf(casehold.ECONFLICT, "matter is already %s", m.Status))
	}
	if m.Kind == casehold.KindSeriousCaseReview && m.Work.SCR != nil {
		if b := casehold.SCRCloseBlockers(m.Work.SCR); len(b) > 0 {
			return nil, s.refuse(ctx, actor, action, id, "", casehold.Errorf(casehold.ECONFLICT, "the review cannot close yet: %s", strings.Join(b, "; ")))
		}
	}
	// Mark the matter released first: from then on no upload can add a hold for it, so the
	// document list read below is final.
	now := s.now()
	m.Status, m.ReleasedAt, m.ReleasedBy, m.ReleaseReason = casehold.MatterReleased, &now, actor.ID, strings.TrimSpace(in.Reason)
	m.Work.TeamsToldOn = in.TeamsToldOn
	if err := s.Store.UpdateMatter(ctx, m); err != nil {
		return nil, s.refuse(ctx, actor, action, id, "", fmt.Errorf("release matter: %w", err))
	}
	res := &ReleaseResult{Matter: m, Released: []string{}, StillHeld: []string{}}
	docs, err := s.Store.ListMatterDocuments(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("release matter: list documents: %w", err)
	}
	for _, d := range docs {
		lifted, err := s.releaseHold(ctx, actor, d.ID, id)
		if err != nil {
			return nil, fmt.Errorf("release matter: %w", err)
		}
		if lifted {
			res.Released = append(res.Released, d.ID)
		} else {
			res.StillHeld = append(res.StillHeld, d.ID)
		}
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: id,
		Detail: fmt.Sprintf("released=%d still_held=%d", len(res.Released), len(res.StillHeld))}); err != nil {
		return nil, err
	}
	res.NotifiedEDT, res.NoticeErrors = s.noticeRelease(ctx, actor, m, res)
	if res.NotifiedEDT {
		if m2, err := s.updateMatter(ctx, actor, casehold.ActReleaseMatter, "matter.release_told", id, "edt", true, func(m *casehold.Matter) error {
			m.Work.EDTToldOn = s.today()
			return nil
		}); err == nil {
			res.Matter = m2
		} else {
			s.Log.ErrorContext(ctx, "release notice sent but not recorded", "matter", id, "err", err)
		}
	}
	return res, nil
}

// releaseHold removes one matter's hold from a document and lifts the object's legal hold
// if no matter holds it any more. If a hold was added by another matter while we lifted,
// the re-read puts the legal hold back: every interleaving ends held when HeldBy is not empty.
func (s *Service) releaseHold(ctx context.Context, actor casehold.Actor, docID, matterID string) (bool, error) {
	d, err := s.Store.RemoveHold(ctx, docID, matterID)
	if err != nil {
		return false, fmt.Errorf("remove hold on %s: %w", docID, err)
	}
	if d.Held() {
		return false, nil
	}
	if err := s.Evidence.SetLegalHold(ctx, d.Key, d.VersionID, false); err != nil {
		return false, fmt.Errorf("lift legal hold on %s: %w", docID, err)
	}
	again, err := s.Store.GetDocument(ctx, docID)
	if err != nil {
		return false, fmt.Errorf("re-read %s: %w", docID, err)
	}
	if again.Held() {
		if err := s.Evidence.SetLegalHold(ctx, d.Key, d.VersionID, true); err != nil {
			return false, fmt.Errorf("restore legal hold on %s: %w", docID, err)
		}
		return false, nil
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "document.hold_lifted",
		MatterID: matterID, DocumentID: docID}); err != nil {
		return false, err
	}
	return true, nil
}

// noticeRelease tells EDT and the coordinator that secured records are released, so teams
// can be told. The subject carries the matter id only; the body has counts, never names.
func (s *Service) noticeRelease(ctx context.Context, actor casehold.Actor, m *casehold.Matter, res *ReleaseResult) (bool, int) {
	var to []string
	for _, a := range []string{s.EDTEmail, m.CoordinatorEmail} {
		if a != "" {
			to = append(to, a)
		}
	}
	if len(to) == 0 {
		return false, 0
	}
	msg := casehold.Message{
		From:    s.MailFrom,
		To:      to,
		Subject: "casehold: preservation matter " + m.ID + " released",
		Text: fmt.Sprintf("Preservation matter %s (%s) was released on %s.\n"+
			"Legal hold lifted on %d document(s); %d remain held by other open matters.\n"+
			"Please unlock the related records in the case system and tell the teams concerned.\n",
			m.ID, m.Kind, m.ReleasedAt.Format("2 January 2006"), len(res.Released), len(res.StillHeld)),
	}
	if _, err := s.Mail.Send(ctx, msg); err != nil {
		s.Log.ErrorContext(ctx, "release notice not sent", "matter", m.ID, "err", err)
		_ = s.refuse(ctx, actor, "notice.release", m.ID, "", err)
		return false, 1
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "notice.release", MatterID: m.ID,
		Detail: fmt.Sprintf("recipients=%d", len(to))}); err != nil {
		s.Log.ErrorContext(ctx, "audit of release notice failed", "matter", m.ID, "err", err)
	}
	return true, 0
}
