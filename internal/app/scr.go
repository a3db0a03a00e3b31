package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
)

func needSCR(m *casehold.Matter) (*casehold.SCRWork, error) {
	if m.Kind != casehold.KindSeriousCaseReview || m.Work.SCR == nil {
		return nil, casehold.Errorf(casehold.EINVALID, "matter is not a serious case review")
	}
	return m.Work.SCR, nil
}

// CopyInput asks for copies of secured records for a practitioner still working with the family.
type CopyInput struct {
	Practitioner string        `json:"practitioner"`
	DueOn        casehold.Date `json:"due_on"`
	DocumentIDs  []string      `json:"document_ids"`
}

// AddPractitionerCopy records a copy to be made by an agreed date. Court documents need
// the court's written permission first.
func (s *Reviews) AddPractitionerCopy(ctx context.Context, actor casehold.Actor, matterID string, in CopyInput) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "scr.copy", matterID, fmt.Sprintf("documents=%d", len(in.DocumentIDs)), func(m *casehold.Matter) error {
		w, err := needSCR(m)
		if err != nil {
			return err
		}
		if err := needText("practitioner", in.Practitioner); err != nil {
			return err
		}
		if in.DueOn.IsZero() {
			return casehold.Errorf(casehold.EINVALID, "due_on is required (the agreed date for the copy)")
		}
		if len(in.DocumentIDs) == 0 {
			return casehold.Errorf(casehold.EINVALID, "document_ids must name at least one document")
		}
		if err := s.usableDocuments(ctx, m, in.DocumentIDs); err != nil {
			return err
		}
		w.Copies = append(w.Copies, casehold.PractitionerCopy{Practitioner: in.Practitioner, DueOn: in.DueOn, DocumentIDs: in.DocumentIDs})
		return nil
	})
}

// usableDocuments checks each document is held by the matter and, in a review, that court
// documents have the court's permission.
func (s *Deps) usableDocuments(ctx context.Context, m *casehold.Matter, ids []string) error {
	for i, id := range ids {
		d, err := s.Store.GetDocument(ctx, id)
		if err != nil || !d.HeldByMatter(m.ID) {
			return casehold.Errorf(casehold.EINVALID, "document_ids[%d] is not a document held by this matter", i)
		}
		if d.DocType == "Court Document" && m.Work.SCR != nil {
			if _, ok := m.Work.SCR.CourtPermissionFor(id); !ok {
				return casehold.Errorf(casehold.EFORBIDDEN, "document_ids[%d] is a court document: record the court's written permission before using it", i)
			}
		}
	}
	return nil
}

// ProvideCopy records that the copy for a practitioner was provided.
func (s *Reviews) ProvideCopy(ctx context.Context, actor casehold.Actor, matterID string, index int, on casehold.Date) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "scr.copy_provided", matterID, fmt.Sprintf("copy=%d", index), func(m *casehold.Matter) error {
		w, err := needSCR(m)
		if err != nil {
			return err
		}
		if index < 0 || index >= len(w.Copies) {
			return casehold.Errorf(casehold.ENOTFOUND, "no copy %d on this review", index)
		}
		if on.IsZero() {
			return casehold.Errorf(casehold.EINVALID, "provided_on is required")
		}
		if err := s.notFuture("provided_on", on); err != nil {
			return err
		}
		w.Copies[index].ProvidedOn = on
		return nil
	})
}

// CourtPermissionInput records the court's written permission for one document.
type CourtPermissionInput struct {
	PermissionOn casehold.Date `json:"permission_on"`
	Reference    string        `json:"reference"`
}

// RecordCourtPermission unblocks a court document.
func (s *Reviews) RecordCourtPermission(ctx context.Context, actor casehold.Actor, matterID, docID string, in CourtPermissionInput) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "scr.court_permission", matterID, "document="+docID, func(m *casehold.Matter) error {
		w, err := needSCR(m)
		if err != nil {
			return err
		}
		d, err := s.Store.GetDocument(ctx, docID)
		if err != nil || !d.HeldByMatter(m.ID) || d.DocType != "Court Document" {
			return casehold.Errorf(casehold.EINVALID, "the document is not a court document held by this review")
		}
		if in.PermissionOn.IsZero() {
			return casehold.Errorf(casehold.EINVALID, "permission_on is required")
		}
		if err := needText("reference", in.Reference); err != nil {
			return err
		}
		if _, ok := w.CourtPermissionFor(docID); ok {
			return casehold.Errorf(casehold.ECONFLICT, "permission is already recorded for this document")
		}
		w.CourtPermissions = append(w.CourtPermissions, casehold.CourtPermission{DocumentID: docID, PermissionOn: in.PermissionOn, Reference: in.Reference})
		return nil
	})
}

// SetViewOnly records that a person's electronic record was set to view-only in a system.
func (s *Reviews) SetViewOnly(ctx context.Context, actor casehold.Actor, matterID string, v casehold.ViewOnly) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "scr.view_only", matterID, "pid="+v.PID, func(m *casehold.Matter) error {
		w, err := needSCR(m)
		if err != nil {
			return err
		}
		if err := needPID(m, v.PID); err != nil {
			return err
		}
		if err := needText("system", v.System); err != nil {
			return err
		}
		if v.SetOn.IsZero() {
			v.SetOn = s.today()
		}
		w.ViewOnly = append(w.ViewOnly, v)
		return nil
	})
}

// SendSCRConfirmation tells the senior manager that the originals are secured and the
// electronic records view-only, with a copy to the board manager for the review file.
func (s *Reviews) SendSCRConfirmation(ctx context.Context, actor casehold.Actor, matterID string) (*casehold.Matter, error) {
	var msg casehold.Message
	m, err := s.updateWork(ctx, actor, casehold.ActCreateMatter, "scr.confirmation", matterID, "", func(m *casehold.Matter) error {
		w, err := needSCR(m)
		if err != nil {
			return err
		}
		if !w.ConfirmationSentOn.IsZero() {
			return casehold.Errorf(casehold.ECONFLICT, "the confirmation was already sent on %s", w.ConfirmationSentOn)
		}
		docs, err := s.Store.ListMatterDocuments(ctx, m.ID)
		if err != nil {
			return fmt.Errorf("confirmation: %w", err)
		}
		var missing []string
		for _, o := range casehold.SCRProgress(m, docs, s.today()).Outstanding {
			if strings.Contains(o, "no original records") || strings.Contains(o, "view-only") {
				missing = append(missing, o)
			}
		}
		if len(missing) > 0 {
			return casehold.Errorf(casehold.ECONFLICT, "not everything is secured yet: %s", strings.Join(missing, "; "))
		}
		var systems []string
		for _, v := range w.ViewOnly {
			systems = append(systems, v.System+" ("+v.PID+") on "+v.SetOn.String())
		}
		msg = casehold.Message{From: s.MailFrom, To: []string{w.SeniorManagerEmail}, Cc: []string{w.BoardManagerEmail},
			Subject: "casehold: serious case review " + m.ID + " records secured",
			Text: fmt.Sprintf("Serious case review %s (board reference %s).\n\nOriginal records are secured in casehold (%d document(s)), held until the review is completed and ratified.\nElectronic records set to view-only:\n  %s\n\nThis copy is for the board's review file.\n",
				m.ID, m.Reference, len(docs), strings.Join(systems, "\n  "))}
		w.ConfirmationSentOn = s.today()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.queueMail(ctx, occasionKey("scr.confirmation", matterID), matterID, msg, nil); err != nil {
		// The record says sent; say loudly that it was not queued, so someone sends it by hand.
		s.Log.ErrorContext(ctx, "review confirmation recorded but not queued", "matter", matterID, "err", err)
		return nil, s.refuse(ctx, actor, "scr.confirmation_mail", matterID, "", fmt.Errorf("send confirmation: %w", err))
	}
	return m, nil
}

// OutcomeInput records the review's completion and ratification, and the end of any
// criminal proceedings.
type OutcomeInput struct {
	CompletedOn        casehold.Date `json:"completed_on"`
	RatifiedOn         casehold.Date `json:"ratified_on"`
	ProceedingsEndedOn casehold.Date `json:"criminal_proceedings_ended_on"`
}

// RecordReviewOutcome records what closing a review needs.
func (s *Reviews) RecordReviewOutcome(ctx context.Context, actor casehold.Actor, matterID string, in OutcomeInput) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActReleaseMatter, "scr.outcome", matterID, "", func(m *casehold.Matter) error {
		w, err := needSCR(m)
		if err != nil {
			return err
		}
		for f, d := range map[string]casehold.Date{"completed_on": in.CompletedOn, "ratified_on": in.RatifiedOn, "criminal_proceedings_ended_on": in.ProceedingsEndedOn} {
			if err := s.notFuture(f, d); err != nil {
				return err
			}
		}
		if !in.RatifiedOn.IsZero() && in.CompletedOn.IsZero() && w.CompletedOn.IsZero() {
			return casehold.Errorf(casehold.EINVALID, "ratified_on needs completed_on: a review is ratified after it is completed")
		}
		if !in.CompletedOn.IsZero() {
			w.CompletedOn = in.CompletedOn
		}
		if !in.RatifiedOn.IsZero() {
			w.RatifiedOn = in.RatifiedOn
		}
		if !in.ProceedingsEndedOn.IsZero() {
			w.ProceedingsEndedOn = in.ProceedingsEndedOn
		}
		return nil
	})
}
