package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
)

// updateWork loads a matter, applies change and stores it with a conditional write. If
// another writer got there first, it reloads and applies change again, so concurrent edits
// of different parts of a matter both land and neither is lost.
func (s *Deps) updateWork(ctx context.Context, actor casehold.Actor, act casehold.Action, action, matterID, detail string,
	change func(m *casehold.Matter) error) (*casehold.Matter, error) {
	return s.updateMatter(ctx, actor, act, action, matterID, detail, false, change)
}

// updateMatter is updateWork that may also change a released matter (for what happens
// after a release: telling teams, returning paper files).
func (s *Deps) updateMatter(ctx context.Context, actor casehold.Actor, act casehold.Action, action, matterID, detail string,
	allowReleased bool, change func(m *casehold.Matter) error) (*casehold.Matter, error) {
	if err := casehold.Authorize(actor, act); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	for attempt := 0; ; attempt++ {
		m, err := s.Store.GetMatter(ctx, matterID)
		if err != nil {
			return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("%s: %w", action, err))
		}
		if m.Status != casehold.MatterOpen && !allowReleased {
			return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT, "matter is %s: it can no longer be changed", m.Status))
		}
		if _, err := s.allow(ctx, actor, act, m, nil); err != nil {
			return nil, s.refuse(ctx, actor, action, matterID, "", err)
		}
		if err := change(m); err != nil {
			return nil, s.refuse(ctx, actor, action, matterID, "", err)
		}
		err = s.Store.UpdateMatter(ctx, m)
		if casehold.ErrorCode(err) == casehold.ECONFLICT && attempt < 10 {
			continue
		}
		if err != nil {
			return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("%s: %w", action, err))
		}
		if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: matterID, Detail: detail}); err != nil {
			return nil, err
		}
		s.touchMatter(ctx, m)
		return s.shownTo(ctx, actor, m)
	}
}

func needPID(m *casehold.Matter, pid string) error {
	if !m.HasPerson(pid) {
		return casehold.Errorf(casehold.EINVALID, "pid is not one of the matter's people")
	}
	return nil
}

func needText(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return casehold.Errorf(casehold.EINVALID, "%s is required", field)
	}
	if len(v) > 500 || strings.ContainsAny(v, "\x00\r\n") {
		return casehold.Errorf(casehold.EINVALID, "%s must be one line of at most 500 characters", field)
	}
	return nil
}

func (s *Deps) notFuture(field string, d casehold.Date) error {
	if s.today().Before(d) {
		return casehold.Errorf(casehold.EINVALID, "%s must not be in the future", field)
	}
	return nil
}

func anAnswer(field string, a casehold.Answer) error {
	if a != casehold.Unanswered && a != casehold.Yes && a != casehold.No {
		return casehold.Errorf(casehold.EINVALID, "%s must be \"yes\", \"no\" or empty", field)
	}
	return nil
}

// SetContactEmail records the secure address the requester gave for replies and disclosures.
func (s *CaseWork) SetContactEmail(ctx context.Context, actor casehold.Actor, matterID, email string) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "matter.contact_email", matterID, "", func(m *casehold.Matter) error {
		if err := casehold.CheckEmail("contact_email", email); err != nil {
			return err
		}
		m.Work.ContactEmail = email
		return nil
	})
}

// PutRelated adds or updates a related person found during the search.
func (s *CaseWork) PutRelated(ctx context.Context, actor casehold.Actor, matterID string, r casehold.RelatedPerson) (*casehold.Matter, error) {
	r.Withheld = false // said of what is shown, never stored
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "matter.related", matterID, "pid="+r.PID, func(m *casehold.Matter) error {
		for _, p := range m.People {
			if p.PID == r.PID {
				return casehold.Errorf(casehold.ECONFLICT, "pid is already a named person of the matter")
			}
		}
		if err := casehold.ValidatePerson(r.Person); err != nil {
			return err
		}
		if !m.HasPerson(r.RelatedTo) {
			return casehold.Errorf(casehold.EINVALID, "related_to must be the pid of one of the matter's people")
		}
		if err := needText("relationship", r.Relationship); err != nil {
			return err
		}
		if err := anAnswer("ccrc_wants", r.CCRCWants); err != nil {
			return err
		}
		m.Work.Related = upsert(m.Work.Related, r, func(x casehold.RelatedPerson) bool { return x.PID == r.PID })
		return nil
	})
}

// PutArea records a service area's lead officer and when they were notified.
func (s *CaseWork) PutArea(ctx context.Context, actor casehold.Actor, matterID string, a casehold.AreaLead) (*casehold.Matter, error) {
	var stored *casehold.Matter
	m, err := s.updateWork(ctx, actor, casehold.ActCreateMatter, "matter.area", matterID, "area="+string(a.Area), func(m *casehold.Matter) error {
		if !knownArea(a.Area) {
			return casehold.Errorf(casehold.EINVALID, "area must be one of social_care, education, legal, other")
		}
		if err := needText("lead_officer", a.LeadOfficer); err != nil {
			return err
		}
		if err := s.notFuture("notified_on", a.NotifiedOn); err != nil {
			return err
		}
		if a.LeadEmail != "" {
			if err := casehold.CheckEmail("lead_email", a.LeadEmail); err != nil {
				return err
			}
		}
		// Removing the address of an officer who was sent the notice would make the
		// confirmation stop waiting for them without their word.
		if old, ok := areaLead(m, string(a.Area)); ok && old.AwaitingAck() && a.LeadEmail == "" &&
			strings.EqualFold(strings.TrimSpace(old.LeadOfficer), strings.TrimSpace(a.LeadOfficer)) {
			return casehold.Errorf(casehold.ECONFLICT, "the lead officer for %s was sent the notice on %s and has not acknowledged it: record their acknowledgement, or name a different lead officer, rather than removing their email", a.Area, old.NoticeOn)
		}
		s.keepLeadState(m, &a)
		m.Work.Areas = upsert(m.Work.Areas, a, func(x casehold.AreaLead) bool { return x.Area == a.Area })
		stored = m
		return nil
	})
	if err == nil && stored != nil {
		s.sendLeadNotice(ctx, stored, a.Area) // leads.go
	}
	return m, err
}

// PutElectronic records how one person's electronic record was secured. Authorisation must
// come from a head of service or service manager, as the procedure requires.
func (s *CaseWork) PutElectronic(ctx context.Context, actor casehold.Actor, matterID string, e casehold.ElectronicRecord) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "record.electronic", matterID, "pid="+e.PID, func(m *casehold.Matter) error {
		if err := needPID(m, e.PID); err != nil {
			return err
		}
		if err := needText("system", e.System); err != nil {
			return err
		}
		if e.AuthorisedBy != "" && e.AuthorisedRole != casehold.RoleHeadOfService && e.AuthorisedRole != casehold.RoleServiceManager {
			return casehold.Errorf(casehold.EINVALID, "authorised_role must be head_of_service or service_manager")
		}
		if !e.SecuredOn.IsZero() && e.AuthorisedBy == "" {
			return casehold.Errorf(casehold.EINVALID, "secured_on needs authorised_by: record who authorised securing the record first")
		}
		for f, d := range map[string]casehold.Date{"authorised_on": e.AuthorisedOn, "secured_on": e.SecuredOn, "edt_told_on": e.EDTToldOn, "full_copy_on": e.FullCopyOn} {
			if err := s.notFuture(f, d); err != nil {
				return err
			}
		}
		if e.FullCopyDoc != "" {
			d, err := s.Store.GetDocument(ctx, e.FullCopyDoc)
			if err != nil || !d.HeldByMatter(m.ID) {
				return casehold.Errorf(casehold.EINVALID, "full_copy_document must be a document held by this matter")
			}
			// A copy filed for another person would leave this record's copy missing
			// while the form says it was taken.
			if !slices.Contains(d.PIDs, e.PID) {
				return casehold.Errorf(casehold.EINVALID, "full_copy_document is filed for another person: the full copy must concern this record's pid")
			}
		}
		m.Work.Electronic = upsert(m.Work.Electronic, e, func(x casehold.ElectronicRecord) bool { return x.PID == e.PID })
		return nil
	})
}

// RevokeInput names the grants to end: the member of staff's, for one child or (no pid) all.
type RevokeInput struct {
	StaffID string `json:"staff_id"`
	PID     string `json:"pid,omitempty"`
}

// RevokeAccess ends a member of staff's access grants on the matter. It takes effect at
// once: the policy reads the grants at every decision.
func (s *CaseWork) RevokeAccess(ctx context.Context, actor casehold.Actor, matterID string, in RevokeInput) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "record.access_revoked", matterID, "staff="+in.StaffID+" pid="+in.PID, func(m *casehold.Matter) error {
		if in.StaffID == "" {
			return casehold.Errorf(casehold.EINVALID, "staff_id is required")
		}
		kept := m.Work.Access[:0:0]
		for _, g := range m.Work.Access {
			if g.StaffID == in.StaffID && (in.PID == "" || g.PID == in.PID) {
				continue
			}
			kept = append(kept, g)
		}
		if len(kept) == len(m.Work.Access) {
			return casehold.Errorf(casehold.ENOTFOUND, "no such grant on this matter")
		}
		m.Work.Access = kept
		return nil
	})
}

// AddAccess records one grant of access to a secured record.
func (s *CaseWork) AddAccess(ctx context.Context, actor casehold.Actor, matterID string, g casehold.AccessGrant) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "record.access_grant", matterID, "pid="+g.PID, func(m *casehold.Matter) error {
		if err := needPID(m, g.PID); err != nil {
			return err
		}
		for f, v := range map[string]string{"team": g.Team, "role": g.Role, "name": g.Name, "approved_by": g.ApprovedBy} {
			if err := needText(f, v); err != nil {
				return err
			}
		}
		if g.StaffID != "" {
			if err := s.knownStaff(ctx, "staff_id", g.StaffID); err != nil {
				return err
			}
		}
		if g.GrantedOn.IsZero() {
			g.GrantedOn = s.today()
		}
		m.Work.Access = append(m.Work.Access, g)
		return nil
	})
}

// PutPaper records the search for, retrieval and secure storage of a paper file.
func (s *CaseWork) PutPaper(ctx context.Context, actor casehold.Actor, matterID string, p casehold.PaperFile) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "record.paper", matterID, "pid="+p.PID, func(m *casehold.Matter) error {
		if err := needPID(m, p.PID); err != nil {
			return err
		}
		if err := anAnswer("exists", p.Exists); err != nil {
			return err
		}
		if p.Exists == casehold.Yes {
			if err := needText("location", p.Location); err != nil {
				return err
			}
		}
		if !p.StoredOn.IsZero() {
			if p.Exists != casehold.Yes {
				return casehold.Errorf(casehold.EINVALID, "stored_on needs exists=yes")
			}
			if err := needText("stored_at", p.StoredAt); err != nil {
				return err
			}
			if err := needText("retrieved_by", p.RetrievedBy); err != nil {
				return err
			}
		}
		for f, d := range map[string]casehold.Date{"retrieval_requested_on": p.RetrievalRequestedOn, "stored_on": p.StoredOn, "returned_on": p.ReturnedOn} {
			if err := s.notFuture(f, d); err != nil {
				return err
			}
		}
		m.Work.Paper = upsert(m.Work.Paper, p, func(x casehold.PaperFile) bool { return x.PID == p.PID })
		return nil
	})
}

// PutEducation records what the education lead found for one person.
func (s *CaseWork) PutEducation(ctx context.Context, actor casehold.Actor, matterID string, e casehold.EducationRecord) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "record.education", matterID, "pid="+e.PID, func(m *casehold.Matter) error {
		if err := needPID(m, e.PID); err != nil {
			return err
		}
		if err := needText("details", e.Details); err != nil {
			return err
		}
		if err := anAnswer("ccrc_wants", e.CCRCWants); err != nil {
			return err
		}
		for f, d := range map[string]casehold.Date{"retrieval_requested_on": e.RetrievalRequestedOn, "received_on": e.ReceivedOn, "stored_on": e.StoredOn} {
			if err := s.notFuture(f, d); err != nil {
				return err
			}
		}
		if !e.StoredOn.IsZero() {
			if err := needText("stored_at", e.StoredAt); err != nil {
				return err
			}
		}
		m.Work.Education = upsert(m.Work.Education, e, func(x casehold.EducationRecord) bool { return x.PID == e.PID })
		return nil
	})
}

// AddVisit records a requester's visit to view files. The legal review of third-party
// information is legal services' to sign off: a legal officer recording the visit may sign
// it off at once (legal_reviewed true); anyone else records the visit and a legal officer
// signs it off with ReviewVisit. Nobody else can mark it reviewed.
func (s *CaseWork) AddVisit(ctx context.Context, actor casehold.Actor, matterID string, v casehold.Visit) (*casehold.Matter, error) {
	if v.LegalReviewed && !actor.Has(casehold.RoleLegal) {
		return nil, s.refuse(ctx, actor, "disclosure.visit", matterID, "", casehold.Errorf(casehold.EFORBIDDEN,
			"only legal services sign off the legal review of a visit: record the visit without legal_reviewed and ask legal services to review it"))
	}
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "disclosure.visit", matterID, "", func(m *casehold.Matter) error {
		for f, val := range map[string]string{"room": v.Room, "officer_present": v.OfficerPresent} {
			if err := needText(f, val); err != nil {
				return err
			}
		}
		if v.On.IsZero() {
			return casehold.Errorf(casehold.EINVALID, "on is required (the date of the visit)")
		}
		v.ID, v.LegalReviewBy, v.LegalReviewOn = "v-"+s.IDs.New(), "", casehold.Date{}
		if v.LegalReviewed {
			v.LegalReviewBy, v.LegalReviewOn = actor.ID, s.today()
		}
		m.Work.Visits = append(m.Work.Visits, v)
		return nil
	})
}

// ReviewVisit records legal services' check of third-party information before a visit.
// Only a legal officer may.
func (s *CaseWork) ReviewVisit(ctx context.Context, actor casehold.Actor, matterID, visitID string, in LegalReviewInput) (*casehold.Matter, error) {
	const action = "disclosure.visit_legal_review"
	if !actor.Has(casehold.RoleLegal) {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.EFORBIDDEN, "only legal services sign off the legal review of a visit"))
	}
	return s.updateWork(ctx, actor, casehold.ActReadDocument, action, matterID, "visit="+visitID, func(m *casehold.Matter) error {
		if !in.ThirdPartyChecked {
			return casehold.Errorf(casehold.EINVALID, "third_party_checked must be true to sign off the review")
		}
		for i := range m.Work.Visits {
			v := &m.Work.Visits[i]
			if v.ID != visitID || v.ID == "" {
				continue
			}
			if v.LegalReviewed {
				return casehold.Errorf(casehold.ECONFLICT, "the visit's legal review was signed off on %s", v.LegalReviewOn)
			}
			v.LegalReviewed, v.LegalReviewBy, v.LegalReviewOn = true, actor.ID, s.today()
			return nil
		}
		return casehold.Errorf(casehold.ENOTFOUND, "no such visit on this matter")
	})
}

// LegalConfirmationInput is legal services' confirmation that the files they hold are secured.
type LegalConfirmationInput struct {
	On casehold.Date `json:"on"`
}

// ConfirmLegalStorage records the date legal services confirmed the files they hold are
// secured: the form's "date legal services confirmed secured". Only a legal officer may, and
// only once a file is recorded as stored at legal services.
func (s *CaseWork) ConfirmLegalStorage(ctx context.Context, actor casehold.Actor, matterID string, in LegalConfirmationInput) (*casehold.Matter, error) {
	const action = "record.legal_confirmation"
	if !actor.Has(casehold.RoleLegal) {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.EFORBIDDEN, "only legal services confirm the files they hold are secured"))
	}
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, action, matterID, "", func(m *casehold.Matter) error {
		stored := m.Work.LegalServicesStoredOn()
		if stored.IsZero() {
			return casehold.Errorf(casehold.ECONFLICT, "no paper or education file is recorded as stored at legal services")
		}
		if in.On.IsZero() {
			return casehold.Errorf(casehold.EINVALID, "on is required (the date legal services confirmed the files are secured)")
		}
		if err := s.notFuture("on", in.On); err != nil {
			return err
		}
		if in.On.Before(stored) {
			return casehold.Errorf(casehold.EINVALID, "on must not be before the files were stored at legal services (%s)", stored)
		}
		m.Work.LegalConfirmed, m.Work.LegalConfirmedBy = in.On, actor.ID
		return nil
	})
}

// Progress returns what is secured and outstanding. It reads the matter and its documents:
// one query per access pattern, however many people and documents.
func (s *CaseWork) Progress(ctx context.Context, actor casehold.Actor, matterID string) (*casehold.Progress, error) {
	if err := casehold.AuthorizeRole(actor, casehold.ActReadMatter); err != nil {
		return nil, s.refuse(ctx, actor, "matter.progress", matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	if _, err := s.allow(ctx, actor, casehold.ActReadMatter, m, nil); err != nil {
		return nil, s.refuse(ctx, actor, "matter.progress", matterID, "", err)
	}
	docs, err := s.Store.ListMatterDocuments(ctx, matterID)
	if err != nil {
		return nil, fmt.Errorf("progress: %w", err)
	}
	var p casehold.Progress
	if m.Kind == casehold.KindSeriousCaseReview && m.Work.SCR != nil {
		p = casehold.SCRProgress(m, docs, s.today())
	} else {
		p = casehold.CCRCProgress(m, docs, s.today())
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "matter.progress", MatterID: matterID}); err != nil {
		return nil, err
	}
	return &p, nil
}

// upsert replaces the element same picks out, or appends x if there is none.
func upsert[T any](xs []T, x T, same func(T) bool) []T {
	for i := range xs {
		if same(xs[i]) {
			xs[i] = x
			return xs
		}
	}
	return append(xs, x)
}
