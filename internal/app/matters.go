package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
)

// CreateMatter opens a CCRC section 17 matter and computes its confirmation deadline.
func (s *Matters) CreateMatter(ctx context.Context, actor casehold.Actor, in casehold.NewMatterInput) (*casehold.Matter, error) {
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
		People:           storedPeople(in.People),
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
	if err := s.lockForReview(ctx, actor, m); err != nil {
		return nil, err
	}
	m.Version = 1
	s.touchMatter(ctx, m)
	return m, nil
}

// GetMatter returns a matter the actor may read; the read is audited, as secured records are.
func (s *Matters) GetMatter(ctx context.Context, actor casehold.Actor, id string) (*casehold.Matter, error) {
	if err := casehold.AuthorizeRole(actor, casehold.ActReadMatter); err != nil {
		return nil, s.refuse(ctx, actor, "matter.read", id, "", err)
	}
	m, err := s.Store.GetMatter(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get matter: %w", err)
	}
	r, err := s.reader(ctx, actor)
	if err != nil {
		return nil, fmt.Errorf("get matter: %w", err)
	}
	basis, err := s.allowReader(ctx, r, casehold.ActReadMatter, m, nil)
	if err != nil {
		return nil, s.refuse(ctx, actor, "matter.read", id, "", err)
	}
	ms, err := s.shown(ctx, r, m)
	if err != nil {
		return nil, fmt.Errorf("get matter: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "matter.read", MatterID: id, PIDs: m.PIDs(), Detail: "basis=" + basis}); err != nil {
		return nil, err
	}
	return ms[0], nil
}

// ListMatters returns matters with the given status (open when empty).
func (s *Matters) ListMatters(ctx context.Context, actor casehold.Actor, status casehold.MatterStatus) ([]*casehold.Matter, error) {
	if err := casehold.AuthorizeRole(actor, casehold.ActReadMatter); err != nil {
		return nil, s.refuse(ctx, actor, "matter.list", "", "", err)
	}
	if status == "" {
		status = casehold.MatterOpen
	}
	if status != casehold.MatterOpen && status != casehold.MatterReleased {
		return nil, casehold.Errorf(casehold.EINVALID, "status must be %q or %q", casehold.MatterOpen, casehold.MatterReleased)
	}
	r, err := s.reader(ctx, actor)
	if err != nil {
		return nil, err
	}
	// The matters indexed under the reader's own keys (their id, their teams), not every
	// matter; then the policy, once per matter, without locks (a matter's record is the
	// matter's; its children's material is checked when read, and their names withheld).
	all, err := s.Store.MattersFor(ctx, status, r.Keys())
	if err != nil {
		return nil, fmt.Errorf("list matters: %w", err)
	}
	ms := []*casehold.Matter{}
	now := s.now()
	for _, m := range all {
		if casehold.Decide(r, casehold.ActReadMatter, casehold.Scope{Matter: m}, now).Allow {
			ms = append(ms, m)
		}
	}
	if ms, err = s.shown(ctx, r, ms...); err != nil {
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
	Matter *casehold.Matter `json:"matter"`
	// Pending is true when the release is recorded but this process may not lift holds
	// (the API in AWS): the release function finishes it within minutes.
	Pending      bool     `json:"pending"`
	Released     []string `json:"released"`      // documents whose legal hold was lifted
	StillHeld    []string `json:"still_held"`    // documents another open matter still holds
	Incidents    []string `json:"incidents"`     // documents whose held version is missing or altered (audited)
	NotifiedEDT  bool     `json:"notified_edt"`  // whether EDT and the coordinator were told
	NoticeErrors int      `json:"notice_errors"` // notices that could not be sent yet (retried)
}

// ReleaseMatter ends a matter (e.g. the direction was withdrawn). The release is recorded
// first (status releasing), then finished by finishRelease: here when this process may lift
// holds, else by the release function. Asking again while it is releasing resumes it.
func (s *Matters) ReleaseMatter(ctx context.Context, actor casehold.Actor, id string, in ReleaseInput) (*ReleaseResult, error) {
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
	if _, err := s.allow(ctx, actor, casehold.ActReleaseMatter, m, nil); err != nil {
		return nil, s.refuse(ctx, actor, action, id, "", err)
	}
	switch m.Status {
	case casehold.MatterReleasing:
		// Recorded already (a retried request, or a run that stopped part-way): carry on.
	case casehold.MatterOpen:
		if m.Kind == casehold.KindSeriousCaseReview && m.Work.SCR != nil {
			if b := casehold.SCRCloseBlockers(m.Work.SCR); len(b) > 0 {
				return nil, s.refuse(ctx, actor, action, id, "", casehold.Errorf(casehold.ECONFLICT, "the review cannot close yet: %s", strings.Join(b, "; ")))
			}
		}
		// Recorded before any hold is touched: from here no upload can add a hold for the
		// matter, and a crash leaves a release that the release job finishes.
		now := s.now()
		m.Status, m.ReleaseRequestedAt, m.ReleasedBy, m.ReleaseReason = casehold.MatterReleasing, &now, actor.ID, strings.TrimSpace(in.Reason)
		m.Work.TeamsToldOn = in.TeamsToldOn
		if err := s.Store.UpdateMatter(ctx, m); err != nil {
			return nil, s.refuse(ctx, actor, action, id, "", fmt.Errorf("release matter: %w", err))
		}
		if err := s.audit(ctx, casehold.AuditEvent{ID: "ev-release-requested-" + id, Actor: actor.ID, Action: "matter.release_requested", MatterID: id}); err != nil {
			return nil, err
		}
	default:
		return nil, s.refuse(ctx, actor, action, id, "", casehold.Errorf(casehold.ECONFLICT, "matter is already %s", m.Status))
	}
	res := &ReleaseResult{Matter: m, Pending: true, Released: []string{}, StillHeld: []string{}, Incidents: []string{}}
	if s.LiftsHolds {
		if res, err = s.finishRelease(ctx, m); err != nil {
			return nil, err
		}
	}
	if res.Matter, err = s.shownTo(ctx, actor, res.Matter); err != nil {
		return nil, fmt.Errorf("release matter: %w", err)
	}
	return res, nil
}

// RunReleases finishes every release that is recorded but not finished (the release
// function's schedule, and the local server's ticker). One failing matter does not stop
// the others; its error is returned with theirs and it is tried again on the next run.
func (s *Matters) RunReleases(ctx context.Context) (int, error) {
	ms, err := s.Store.ListMatters(ctx, casehold.MatterReleasing)
	if err != nil {
		return 0, fmt.Errorf("run releases: %w", err)
	}
	var errs []error
	done := 0
	for _, m := range ms {
		res, err := s.finishRelease(ctx, m)
		if err != nil {
			errs = append(errs, fmt.Errorf("release %s: %w", m.ID, err))
			continue
		}
		if res.Matter.Status == casehold.MatterReleased {
			done++
		}
	}
	return done, errors.Join(errs...)
}

// finishRelease lifts every hold the matter has, sends the notices and marks the matter
// released. Each step is idempotent, so it can be run again after a crash or a failed send
// and ends in the same state with one set of notices: a missing or altered version is
// recorded as an incident and does not stop the rest; an unsent notice leaves the matter
// releasing, to be tried again.
func (s *Deps) finishRelease(ctx context.Context, m *casehold.Matter) (*ReleaseResult, error) {
	actor := casehold.Actor{ID: m.ReleasedBy}
	res := &ReleaseResult{Matter: m, Released: []string{}, StillHeld: []string{}, Incidents: []string{}}
	if err := s.liftMatterHolds(ctx, actor, m.ID, res); err != nil {
		return nil, err
	}
	if !m.ReleaseNoticeSent {
		if err := s.noticeRelease(ctx, actor, m, res); err != nil {
			res.NoticeErrors = 1
			return res, nil // the matter stays releasing; the next run sends it
		}
		m2, err := s.setMatter(ctx, m.ID, func(m *casehold.Matter) {
			m.ReleaseNoticeSent = true
			if len(s.releaseRecipients(m)) > 0 && m.Work.EDTToldOn.IsZero() {
				m.Work.EDTToldOn = s.today()
			}
		})
		if err != nil {
			s.Log.ErrorContext(ctx, "release notice sent but not recorded", "matter", m.ID, "err", err)
			return nil, err
		}
		m = m2
	}
	res.NotifiedEDT = m.ReleaseNoticeSent && len(s.releaseRecipients(m)) > 0
	now := s.now()
	m, err := s.setMatter(ctx, m.ID, func(m *casehold.Matter) {
		if m.Status == casehold.MatterReleasing {
			m.Status, m.ReleasedAt = casehold.MatterReleased, &now
		}
	})
	if err != nil {
		return nil, err
	}
	res.Matter = m
	// An upload that passed its checks while the matter was open may have filed a document
	// after the list above was read; it saw "releasing" and left the hold for this run.
	if err := s.liftMatterHolds(ctx, actor, m.ID, res); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, casehold.AuditEvent{ID: "ev-release-" + m.ID, Actor: actor.ID, Action: "matter.release", MatterID: m.ID,
		Detail: fmt.Sprintf("released=%d still_held=%d incidents=%d", len(res.Released), len(res.StillHeld), len(res.Incidents))}); err != nil {
		return nil, err
	}
	return res, nil
}

// liftMatterHolds removes the matter's hold from each of its documents and lifts the
// object's legal hold where no other matter holds it. Documents already dealt with by an
// earlier run are skipped; a missing or altered version is an incident, not a stop.
func (s *Deps) liftMatterHolds(ctx context.Context, actor casehold.Actor, matterID string, res *ReleaseResult) error {
	docs, err := s.Store.ListMatterDocuments(ctx, matterID)
	if err != nil {
		return fmt.Errorf("release matter: list documents: %w", err)
	}
	seen := map[string]bool{}
	for _, id := range append(append(append([]string{}, res.Released...), res.StillHeld...), res.Incidents...) {
		seen[id] = true
	}
	for _, d := range docs {
		if seen[d.ID] {
			continue
		}
		outcome, err := s.releaseHold(ctx, actor, d.ID, matterID)
		switch {
		case err != nil && (casehold.ErrorCode(err) == casehold.ENOTFOUND || casehold.ErrorCode(err) == casehold.EINTEGRITY):
			s.incident(ctx, matterID, d.ID, "reason=held_version_missing during=release")
			res.Incidents = append(res.Incidents, d.ID)
		case err != nil:
			return fmt.Errorf("release matter: %w", err)
		case outcome == holdLifted:
			res.Released = append(res.Released, d.ID)
		case outcome == holdKept:
			res.StillHeld = append(res.StillHeld, d.ID)
		}
	}
	return nil
}

// setMatter applies change to the stored matter, re-reading on a lost race.
func (s *Deps) setMatter(ctx context.Context, id string, change func(m *casehold.Matter)) (*casehold.Matter, error) {
	for attempt := 0; ; attempt++ {
		m, err := s.Store.GetMatter(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("update matter %s: %w", id, err)
		}
		change(m)
		err = s.Store.UpdateMatter(ctx, m)
		if casehold.ErrorCode(err) == casehold.ECONFLICT && attempt < 10 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("update matter %s: %w", id, err)
		}
		return m, nil
	}
}

type holdOutcome int

const (
	holdNone   holdOutcome = iota // the object was not held: nothing to lift
	holdLifted                    // the object's legal hold was lifted
	holdKept                      // another open matter still holds the document
)

// releaseHold removes one matter's hold from a document and lifts the object's legal hold
// if no matter holds it any more. If a hold was added by another matter while we lifted,
// the re-read puts the legal hold back: every interleaving ends held when HeldBy is not
// empty. The version's presence is checked first, so a vanished version is reported
// (ENOTFOUND) rather than taken for lifted.
func (s *Deps) releaseHold(ctx context.Context, actor casehold.Actor, docID, matterID string) (holdOutcome, error) {
	d, err := s.Store.RemoveHold(ctx, docID, matterID)
	if err != nil {
		return holdNone, fmt.Errorf("remove hold on %s: %w", docID, err)
	}
	if d.Held() {
		return holdKept, nil
	}
	on, err := s.Evidence.LegalHold(ctx, d.Key, d.VersionID)
	if err != nil {
		return holdNone, fmt.Errorf("read legal hold on %s: %w", docID, err)
	}
	if !on {
		return holdNone, nil
	}
	if err := s.Evidence.SetLegalHold(ctx, d.Key, d.VersionID, false); err != nil {
		return holdNone, fmt.Errorf("lift legal hold on %s: %w", docID, err)
	}
	again, err := s.Store.GetDocument(ctx, docID)
	if err != nil {
		return holdNone, fmt.Errorf("re-read %s: %w", docID, err)
	}
	if again.Held() {
		if err := s.Evidence.SetLegalHold(ctx, d.Key, d.VersionID, true); err != nil {
			return holdNone, fmt.Errorf("restore legal hold on %s: %w", docID, err)
		}
		return holdKept, nil
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "document.hold_lifted",
		MatterID: matterID, DocumentID: docID}); err != nil {
		return holdNone, err
	}
	return holdLifted, nil
}

// noticeRelease tells EDT and the coordinator that secured records are released, so teams
// can be told. The subject carries the matter id only; the body has counts, the systems and
// PIDs to unlock and the paper files to bring back, never names.
// It is queued (the mail queue delivers and retries it); an error means it could not be
// queued, and the release stays open to queue it again.
func (s *Deps) noticeRelease(ctx context.Context, actor casehold.Actor, m *casehold.Matter, res *ReleaseResult) error {
	to := s.releaseRecipients(m)
	if len(to) == 0 {
		return nil
	}
	msg := casehold.Message{
		From:    s.MailFrom,
		To:      to,
		Subject: "casehold: preservation matter " + m.ID + " released",
		Text: fmt.Sprintf("Preservation matter %s (%s) was released on %s.\n"+
			"Legal hold lifted on %d document(s); %d remain held by other open matters.\n"+
			"Please unlock the related records in the case system and tell the teams concerned.\n",
			m.ID, m.Kind, s.now().Format("2 January 2006"), len(res.Released), len(res.StillHeld)) + releaseNoticeDetail(m),
	}
	if _, err := s.queueMail(ctx, occasionKey("release", m.ID), m.ID, msg, nil); err != nil {
		s.Log.ErrorContext(ctx, "release notice not queued; will be retried", "matter", m.ID, "err", err)
		_ = s.refuse(ctx, actor, "notice.release", m.ID, "", err)
		return err
	}
	if err := s.audit(ctx, casehold.AuditEvent{ID: "ev-notice-release-" + m.ID, Actor: actor.ID, Action: "notice.release", MatterID: m.ID,
		Detail: fmt.Sprintf("recipients=%d", len(to))}); err != nil {
		s.Log.ErrorContext(ctx, "audit of release notice failed", "matter", m.ID, "err", err)
	}
	return nil
}

// releaseRecipients are EDT and the matter's coordinator, where known.
func (s *Deps) releaseRecipients(m *casehold.Matter) []string {
	var to []string
	for _, a := range []string{s.EDTEmail, m.CoordinatorEmail} {
		if a != "" {
			to = append(to, a)
		}
	}
	return to
}

// storedPeople drops what only describes a view (Withheld) from people as given.
func storedPeople(ps []casehold.Person) []casehold.Person {
	out := make([]casehold.Person, len(ps))
	for i, p := range ps {
		out[i] = casehold.Person{PID: p.PID, Name: p.Name}
	}
	return out
}
