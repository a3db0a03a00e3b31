package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/ccrcform"
)

// formDate is the style the council's forms and file names use.
func formDate(d casehold.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02.01.2006")
}

func yn(b bool) string {
	if b {
		return "y"
	}
	return "n"
}

// ConfirmationForm fills in the CCRC's form from what the matter records.
func (s *Service) ConfirmationForm(m *casehold.Matter, returnedOn casehold.Date) ccrcform.Form {
	w := m.Work
	f := ccrcform.Form{Council: s.Council, MatterID: m.ID, Reference: m.Reference, Contact: m.Contact,
		ReceivedOn: formDate(m.ReceivedOn), Deadline: formDate(m.Deadline), ReturnedOn: formDate(returnedOn),
		GeneratedAt: s.now().Format("02.01.2006 15:04 UTC"), LegalStoredOn: formDate(w.LegalStoredOn), LegalConfirmedOn: formDate(w.LegalConfirmed)}
	areaNames := map[casehold.ServiceArea]string{casehold.AreaSocialCare: "Social care", casehold.AreaEducation: "Education", casehold.AreaLegal: "Legal", casehold.AreaOther: "Other"}
	leads := map[casehold.ServiceArea]casehold.AreaLead{}
	for _, a := range w.Areas {
		leads[a.Area] = a
	}
	for _, area := range casehold.ServiceAreas {
		l, ok := leads[area]
		f.ServiceAreas = append(f.ServiceAreas, ccrcform.AreaRow{Area: areaNames[area], Involved: ok, LeadOfficer: l.LeadOfficer, NotifiedOn: formDate(l.NotifiedOn)})
	}
	var systems []string
	allElectronic := len(w.Electronic) > 0
	for _, e := range w.Electronic {
		f.Electronic = append(f.Electronic, ccrcform.ElectronicRow{PID: e.PID, FullName: m.PersonName(e.PID), SecuredOn: formDate(e.SecuredOn),
			EDTToldOn: formDate(e.EDTToldOn), OpenCase: yn(e.OpenCase), FullCopyOn: formDate(e.FullCopyOn)})
		systems = append(systems, e.System)
		allElectronic = allElectronic && !e.SecuredOn.IsZero()
	}
	for _, g := range w.Access {
		f.Access = append(f.Access, ccrcform.AccessRow{Team: g.Team, Role: g.Role, FullName: g.Name, ApprovedBy: g.ApprovedBy, PID: g.PID})
	}
	allPaper, paperAt := true, []string{}
	for _, p := range w.Paper {
		exists := "n"
		if p.Exists == casehold.Yes {
			exists = "y"
			allPaper = allPaper && !p.StoredOn.IsZero()
			if p.StoredAt != "" {
				paperAt = append(paperAt, p.StoredAt)
			}
		}
		f.Paper = append(f.Paper, ccrcform.PaperRow{PID: p.PID, FullName: m.PersonName(p.PID), Exists: exists, Location: p.Location,
			RetrievalRequestedOn: formDate(p.RetrievalRequestedOn), RetrievedBy: p.RetrievedBy, StoredOn: formDate(p.StoredOn)})
	}
	eduSecured := true
	for _, e := range w.Education {
		needs := map[casehold.Answer]string{casehold.Yes: "y", casehold.No: "n"}[e.CCRCWants]
		f.Education = append(f.Education, ccrcform.EducationRow{FullName: m.PersonName(e.PID), Details: e.Details, School: strings.Join(e.Schools, ", "),
			CCRCNeeds: needs, RetrievalRequestedOn: formDate(e.RetrievalRequestedOn), ReceivedOn: formDate(e.ReceivedOn), StoredOn: formDate(e.StoredOn)})
		eduSecured = eduSecured && (e.CCRCWants != casehold.Yes || !e.StoredOn.IsZero())
	}
	f.Checklist = []ccrcform.ChecklistRow{
		{Area: "Social care", ElectronicSecured: yn(allElectronic), System: strings.Join(uniq(systems), ", "), PaperSecured: yn(allPaper), PaperLocation: strings.Join(uniq(paperAt), ", ")},
		{Area: "Education", ElectronicSecured: "n", PaperSecured: yn(len(w.Education) > 0 && eduSecured)},
		{Area: "Legal services", ElectronicSecured: "n", PaperSecured: yn(!w.LegalConfirmed.IsZero())},
	}
	return f
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// PreviewConfirmationForm renders the form as it stands, without storing or sending it.
func (s *Service) PreviewConfirmationForm(ctx context.Context, actor casehold.Actor, matterID string) ([]byte, error) {
	if err := casehold.Authorize(actor, casehold.ActReadMatter); err != nil {
		return nil, s.refuse(ctx, actor, "confirmation.preview", matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, fmt.Errorf("preview form: %w", err)
	}
	if m.Kind != casehold.KindCCRCS17 {
		return nil, casehold.Errorf(casehold.EINVALID, "the confirmation form is for CCRC directions")
	}
	var buf bytes.Buffer
	if err := ccrcform.Render(&buf, s.ConfirmationForm(m, m.Work.ConfirmedOn)); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "confirmation.preview", MatterID: matterID}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Confirm completes a CCRC direction: only when nothing is outstanding, it renders the
// filled-in form, keeps it as held evidence on the matter, sends it to the CCRC's secure
// address, tells legal services, and records all of it.
func (s *Service) Confirm(ctx context.Context, actor casehold.Actor, matterID string) (*casehold.Matter, error) {
	const action = "matter.confirm"
	if err := casehold.Authorize(actor, casehold.ActReleaseMatter); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("confirm: %w", err))
	}
	if m.Kind != casehold.KindCCRCS17 {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.EINVALID, "only a CCRC direction is confirmed with the form"))
	}
	if !m.Work.ConfirmedOn.IsZero() {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT, "the matter was confirmed on %s", m.Work.ConfirmedOn))
	}
	docs, err := s.Store.ListMatterDocuments(ctx, matterID)
	if err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	p := casehold.CCRCProgress(m, docs, s.today())
	if !p.Complete {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT,
			"not everything is secured yet (%d outstanding): %s", len(p.Outstanding), strings.Join(p.Outstanding, "; ")))
	}
	if m.Work.ContactEmail == "" {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT, "the CCRC's secure email address is not recorded (contact_email)"))
	}
	var buf bytes.Buffer
	if err := ccrcform.Render(&buf, s.ConfirmationForm(m, s.today())); err != nil {
		return nil, fmt.Errorf("confirm: %w", err)
	}
	form := buf.Bytes()
	var pids []string
	for _, p := range m.Subjects() {
		pids = append(pids, p.PID)
	}
	doc, err := s.secure(ctx, actor, m, uploadMeta{pids: pids, docType: "Form", docDate: s.today(), filename: "CCRC confirmation " + formDate(s.today()) + ".pdf"},
		casehold.SourceExport, "d-"+s.IDs.New(), bytes.NewReader(form))
	if err != nil {
		return nil, fmt.Errorf("confirm: keep the form: %w", err)
	}
	msgID, err := s.Mail.Send(ctx, casehold.Message{From: s.MailFrom, To: []string{m.Work.ContactEmail}, Cc: nonEmpty(m.CoordinatorEmail),
		Subject:     "Confirmation of preserved materials: your reference " + m.Reference,
		Text:        fmt.Sprintf("The council confirms the materials covered by your direction (reference %s) are secured.\nThe completed form is attached.\n", m.Reference),
		Attachments: []casehold.Attachment{{Filename: casehold.DisclosureName("Form", s.today(), ""), ContentType: "application/pdf", Data: form}}})
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, doc.ID, fmt.Errorf("confirm: send the form: %w", err))
	}
	legalTold := casehold.Date{}
	if s.LegalEmail != "" {
		if _, err := s.Mail.Send(ctx, casehold.Message{From: s.MailFrom, To: []string{s.LegalEmail},
			Subject: "casehold: preservation matter " + m.ID + " confirmed to the CCRC",
			Text:    fmt.Sprintf("Matter %s was confirmed to the CCRC today. The form is kept as document %s.\n", m.ID, doc.ID)}); err != nil {
			s.Log.ErrorContext(ctx, "legal services not told of confirmation", "matter", m.ID, "err", err)
		} else {
			legalTold = s.today()
		}
	}
	return s.updateWork(ctx, actor, casehold.ActReleaseMatter, action, matterID, fmt.Sprintf("form=%s message=%s", doc.ID, msgID), func(m *casehold.Matter) error {
		m.Work.ConfirmedOn, m.Work.ConfirmationDoc, m.Work.ConfirmationTo, m.Work.LegalToldOn = s.today(), doc.ID, m.Work.ContactEmail, legalTold
		return nil
	})
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// ReceiptInput is one hand-over of paper files.
type ReceiptInput struct {
	PID        string        `json:"pid"`
	Giver      string        `json:"giver"`
	GiverEmail string        `json:"giver_email"`
	Receiver   string        `json:"receiver"`
	On         casehold.Date `json:"on"`
	Items      string        `json:"items"`
	Return     bool          `json:"return"`
}

// AddReceipt records a hand-over of paper files, renders the receipt, keeps it as evidence
// on the matter and sends a copy to the giver. Returns after a release are allowed.
func (s *Service) AddReceipt(ctx context.Context, actor casehold.Actor, matterID string, in ReceiptInput) (*casehold.Receipt, error) {
	const action = "record.receipt"
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("receipt: %w", err))
	}
	check := func() error {
		if m.Status != casehold.MatterOpen && !in.Return {
			return casehold.Errorf(casehold.ECONFLICT, "matter is %s: only receipts for files handed back can be added", m.Status)
		}
		if in.PID != "" {
			if err := needPID(m, in.PID); err != nil {
				return err
			}
		}
		for f, v := range map[string]string{"giver": in.Giver, "receiver": in.Receiver, "items": in.Items} {
			if err := needText(f, v); err != nil {
				return err
			}
		}
		if in.GiverEmail != "" {
			if err := casehold.CheckEmail("giver_email", in.GiverEmail); err != nil {
				return err
			}
		}
		if in.On.IsZero() {
			return casehold.Errorf(casehold.EINVALID, "on is required (the date of the hand-over)")
		}
		return s.notFuture("on", in.On)
	}
	if err := check(); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	rc := casehold.Receipt{ID: "r-" + s.IDs.New(), PID: in.PID, Giver: in.Giver, Receiver: in.Receiver, On: in.On, Items: in.Items, Return: in.Return}
	purpose := "Files handed over to be secured"
	if in.Return {
		purpose = "Files returned after the direction was withdrawn"
	}
	var buf bytes.Buffer
	if err := ccrcform.RenderReceipt(&buf, ccrcform.Receipt{Council: s.Council, MatterID: m.ID, ReceiptID: rc.ID, Reference: m.Reference,
		Purpose: purpose, PID: in.PID, Giver: in.Giver, Receiver: in.Receiver, On: formDate(in.On), Items: in.Items,
		GeneratedAt: s.now().Format("02.01.2006 15:04 UTC")}); err != nil {
		return nil, fmt.Errorf("receipt: %w", err)
	}
	pids := []string{in.PID}
	if in.PID == "" {
		pids = nil
	}
	doc, err := s.secure(ctx, actor, m, uploadMeta{pids: pids, docType: "Receipt", docDate: in.On, filename: "Receipt " + formDate(in.On) + ".pdf"},
		casehold.SourceExport, "d-"+s.IDs.New(), bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, fmt.Errorf("receipt: keep the receipt: %w", err)
	}
	rc.DocumentID = doc.ID
	if _, err := s.updateMatter(ctx, actor, casehold.ActUploadDocument, action, matterID, "receipt="+rc.ID+" document="+doc.ID, true, func(m *casehold.Matter) error {
		m.Work.Receipts = append(m.Work.Receipts, rc)
		return nil
	}); err != nil {
		return nil, err
	}
	if in.GiverEmail != "" {
		if _, err := s.Mail.Send(ctx, casehold.Message{From: s.MailFrom, To: []string{in.GiverEmail},
			Subject:     "casehold: receipt " + rc.ID + " for files handed over",
			Text:        "Your copy of the receipt for the files you handed over is attached.\n",
			Attachments: []casehold.Attachment{{Filename: "Receipt " + formDate(in.On) + ".pdf", ContentType: "application/pdf", Data: buf.Bytes()}}}); err != nil {
			s.Log.ErrorContext(ctx, "receipt copy not sent", "matter", matterID, "receipt", rc.ID, "err", err)
		}
	}
	return &rc, nil
}
