package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
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

// personName is how a person appears on the form: a related person found in the search, who
// the CCRC did not name, is marked as such so the CCRC can tell the two apart.
func personName(m *casehold.Matter, pid string) string {
	if r, ok := m.Related(pid); ok {
		return fmt.Sprintf("%s\n(related person, not named by the CCRC: %s of %s)", r.Name, r.Relationship, r.RelatedTo)
	}
	return m.PersonName(pid)
}

// storedWhere states where a file is kept: legal services, or the agreed alternative
// location, said in so many words as the procedure asks.
func storedWhere(place string) string {
	switch {
	case strings.TrimSpace(place) == "":
		return ""
	case casehold.AtLegalServices(place):
		return "Legal services"
	default:
		return "Agreed alternative location: " + place
	}
}

var areaNames = map[casehold.ServiceArea]string{casehold.AreaSocialCare: "Social care", casehold.AreaEducation: "Education", casehold.AreaLegal: "Legal services", casehold.AreaOther: "Other"}

// ConfirmationForm fills in the CCRC's form from what the matter records. signOff is the
// officer completing it and the approval (only the officer is known for a preview); draft
// marks a preview on every page.
func (s *CaseWork) ConfirmationForm(m *casehold.Matter, returnedOn casehold.Date, signOff casehold.SignOff, draft bool) ccrcform.Form {
	w := m.Work
	f := ccrcform.Form{Draft: draft, Council: s.Council, MatterID: m.ID, Reference: m.Reference, Contact: m.Contact,
		ReceivedOn: formDate(m.ReceivedOn), Deadline: formDate(m.Deadline), ReturnedOn: formDate(returnedOn),
		GeneratedAt: s.now().Format("02.01.2006 15:04 UTC"), LegalStoredOn: formDate(w.LegalServicesStoredOn()), LegalConfirmedOn: formDate(w.LegalConfirmed),
		OfficerName: signOff.OfficerName, OfficerEmail: signOff.OfficerEmail, OfficerPhone: signOff.OfficerPhone,
		ApprovedBy: signOff.ApprovedBy, ApproverRole: roleName(signOff.ApproverRole), ApprovedOn: formDate(signOff.ApprovedOn)}
	leads := map[casehold.ServiceArea]casehold.AreaLead{}
	for _, a := range w.Areas {
		leads[a.Area] = a
	}
	for _, area := range casehold.ServiceAreas {
		l, ok := leads[area]
		// Legal services holding files is involvement, lead officer recorded or not: the
		// table must not say "No" above a checklist that lists files stored there.
		involved := ok || area == casehold.AreaLegal && !w.LegalServicesStoredOn().IsZero()
		notified := l.NotifiedOn
		if notified.IsZero() {
			notified = l.NoticeOn // casehold sent the notice itself
		}
		f.ServiceAreas = append(f.ServiceAreas, ccrcform.AreaRow{Area: areaNames[area], Involved: involved, LeadOfficer: l.LeadOfficer, NotifiedOn: formDate(notified)})
	}
	var systems []string
	allElectronic := len(w.Electronic) > 0
	for _, e := range w.Electronic {
		f.Electronic = append(f.Electronic, ccrcform.ElectronicRow{PID: e.PID, FullName: personName(m, e.PID), SecuredOn: formDate(e.SecuredOn),
			EDTToldOn: formDate(e.EDTToldOn), OpenCase: yn(e.OpenCase), FullCopyOn: formDate(e.FullCopyOn)})
		systems = append(systems, e.System)
		allElectronic = allElectronic && !e.SecuredOn.IsZero()
	}
	for _, g := range w.Access {
		f.Access = append(f.Access, ccrcform.AccessRow{Team: g.Team, Role: g.Role, FullName: g.Name, ApprovedBy: g.ApprovedBy, PID: g.PID})
	}
	// The checklist is worked out from the same rows page 1 prints, so the two cannot
	// disagree: a file printed as stored at legal services makes legal services' paper
	// secured, and an alternative location is named as one.
	var paperFound, paperStored int
	var paperAt, legalAt []string
	for _, p := range w.Paper {
		exists := map[casehold.Answer]string{casehold.Yes: "y", casehold.No: "n"}[p.Exists]
		if p.Exists == casehold.Yes {
			paperFound++
			if !p.StoredOn.IsZero() {
				paperStored++
				paperAt = append(paperAt, storedWhere(p.StoredAt))
				if casehold.AtLegalServices(p.StoredAt) {
					legalAt = append(legalAt, "Legal services")
				}
			}
		}
		f.Paper = append(f.Paper, ccrcform.PaperRow{PID: p.PID, FullName: personName(m, p.PID), Exists: exists, Location: p.Location,
			RetrievalRequestedOn: formDate(p.RetrievalRequestedOn), RetrievedBy: p.RetrievedBy, StoredOn: formDate(p.StoredOn), StoredAt: storedWhere(p.StoredAt)})
	}
	var eduWanted, eduStored int
	var eduAt []string
	for _, e := range w.Education {
		needs := map[casehold.Answer]string{casehold.Yes: "y", casehold.No: "n"}[e.CCRCWants]
		stored := formDate(e.StoredOn)
		if stored != "" && e.StoredAt != "" {
			stored += "\n" + storedWhere(e.StoredAt)
		}
		f.Education = append(f.Education, ccrcform.EducationRow{FullName: personName(m, e.PID), Details: e.Details, School: strings.Join(e.Schools, ", "),
			CCRCNeeds: needs, RetrievalRequestedOn: formDate(e.RetrievalRequestedOn), ReceivedOn: formDate(e.ReceivedOn), StoredOn: stored})
		if e.CCRCWants == casehold.Yes {
			eduWanted++
		}
		if !e.StoredOn.IsZero() {
			eduStored++
			eduAt = append(eduAt, storedWhere(e.StoredAt))
			if casehold.AtLegalServices(e.StoredAt) {
				legalAt = append(legalAt, "Legal services")
			}
		}
	}
	// A "y" needs something found and all of it secured; with nothing found the box is
	// left blank rather than claiming a file that does not exist was secured.
	secured := func(found, stored int) string {
		switch {
		case found == 0:
			return ""
		case stored >= found:
			return "y"
		default:
			return "n"
		}
	}
	electronic := ""
	if len(w.Electronic) > 0 {
		electronic = yn(allElectronic)
	}
	other := ""
	if l, ok := leads[casehold.AreaOther]; ok {
		other = "Lead officer: " + l.LeadOfficer
	}
	f.Checklist = []ccrcform.ChecklistRow{
		{Area: areaNames[casehold.AreaSocialCare], ElectronicSecured: electronic, System: strings.Join(uniq(systems), ", "), PaperSecured: secured(paperFound, paperStored), PaperLocation: strings.Join(uniq(paperAt), "; ")},
		{Area: areaNames[casehold.AreaEducation], PaperSecured: secured(eduWanted, min(eduStored, eduWanted)), PaperLocation: strings.Join(uniq(eduAt), "; ")},
		{Area: areaNames[casehold.AreaLegal], PaperSecured: secured(len(legalAt), len(legalAt)), PaperLocation: strings.Join(uniq(legalAt), "; ")},
		{Area: areaNames[casehold.AreaOther], PaperLocation: other},
	}
	return f
}

// roleName prints an approver's role as the procedure names it.
func roleName(r casehold.Role) string {
	switch r {
	case casehold.RoleHeadOfService:
		return "Head of service"
	case casehold.RoleServiceManager:
		return "Service manager"
	}
	return string(r)
}

// officer is the sign-off of the member of staff completing the form.
func officer(actor casehold.Actor) casehold.SignOff {
	return casehold.SignOff{OfficerID: actor.ID, OfficerName: actor.Name, OfficerEmail: actor.Email}
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
func (s *CaseWork) PreviewConfirmationForm(ctx context.Context, actor casehold.Actor, matterID string) ([]byte, error) {
	if err := casehold.Authorize(actor, casehold.ActReadMatter); err != nil {
		return nil, s.refuse(ctx, actor, "confirmation.preview", matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, fmt.Errorf("preview form: %w", err)
	}
	if _, err := s.allow(ctx, actor, casehold.ActReadMatter, m, nil); err != nil {
		return nil, s.refuse(ctx, actor, "confirmation.preview", matterID, "", err)
	}
	if m.Kind != casehold.KindCCRCS17 {
		return nil, casehold.Errorf(casehold.EINVALID, "the confirmation form is for CCRC directions")
	}
	// A preview is always a draft: the form returned is the one kept when confirming.
	signOff := officer(actor)
	if m.Work.SignOff != nil {
		signOff = *m.Work.SignOff
	}
	var buf bytes.Buffer
	if err := ccrcform.Render(&buf, s.ConfirmationForm(m, m.Work.ConfirmedOn, signOff, true)); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "confirmation.preview", MatterID: matterID}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// releaseNoticeDetail is the part of a release notice that says what to do: the records to
// unlock, per case system, and the paper files to bring back. PIDs and places only, in the
// body: a subject never carries them.
func releaseNoticeDetail(m *casehold.Matter) string {
	w := casehold.ReleaseWorkOf(m)
	var b strings.Builder
	if len(w.Unlock) > 0 {
		b.WriteString("\nRecords to unlock (make them no longer confidential or view-only):\n")
		for _, l := range w.Unlock {
			b.WriteString("  " + l + "\n")
		}
	}
	if len(w.PaperBack) > 0 {
		b.WriteString("\nPaper files to return to the teams or archive, each with a signed receipt:\n")
		for _, l := range w.PaperBack {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// ConfirmInput is the approval the form carries: the head of service or service manager
// who approved it and when, and a telephone number for the officer completing it (their
// name and email come from their sign-in).
type ConfirmInput struct {
	ApprovedBy   string        `json:"approved_by"`
	ApproverRole casehold.Role `json:"approver_role"`
	ApprovedOn   casehold.Date `json:"approved_on"`
	OfficerPhone string        `json:"officer_phone"`
}

// Confirm completes a CCRC direction: only when nothing is outstanding and a head of
// service or service manager has approved it, it renders the filled-in form, keeps it as
// held evidence on the matter, sends it to the CCRC's secure address, tells legal services,
// and records all of it, the sign-off included.
func (s *CaseWork) Confirm(ctx context.Context, actor casehold.Actor, matterID string, in ConfirmInput) (*casehold.Matter, error) {
	const action = "matter.confirm"
	if err := casehold.Authorize(actor, casehold.ActReleaseMatter); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	signOff := officer(actor)
	signOff.OfficerPhone, signOff.ApprovedBy, signOff.ApproverRole, signOff.ApprovedOn = in.OfficerPhone, in.ApprovedBy, in.ApproverRole, in.ApprovedOn
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
	if err := signOff.Validate(s.today()); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	var buf bytes.Buffer
	if err := ccrcform.Render(&buf, s.ConfirmationForm(m, s.today(), signOff, false)); err != nil {
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
	// The form goes as the secured document itself, read and hash-checked when sent.
	sent, err := s.queueMail(ctx, occasionKey("ccrc.confirmation", m.ID), m.ID, casehold.Message{From: s.MailFrom, To: []string{m.Work.ContactEmail}, Cc: nonEmpty(m.CoordinatorEmail),
		Subject: "Confirmation of preserved materials: your reference " + m.Reference,
		Text:    fmt.Sprintf("The council confirms the materials covered by your direction (reference %s) are secured.\nThe completed form is attached.\n", m.Reference)},
		[]casehold.EvidenceAttachment{{Filename: casehold.DisclosureName("Form", s.today(), ""), ContentType: "application/pdf", DocumentID: doc.ID}})
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, doc.ID, fmt.Errorf("confirm: send the form: %w", err))
	}
	msgID := sent.Mail.TransportID
	if msgID == "" {
		msgID = "queued:" + sent.Mail.Key
	}
	legalTold := casehold.Date{}
	if s.LegalEmail != "" {
		if _, err := s.queueMail(ctx, occasionKey("ccrc.confirmed.legal", m.ID), m.ID, casehold.Message{From: s.MailFrom, To: []string{s.LegalEmail},
			Subject: "casehold: preservation matter " + m.ID + " confirmed to the CCRC",
			Text:    fmt.Sprintf("Matter %s was confirmed to the CCRC today. The form is kept as document %s.\n", m.ID, doc.ID)}, nil); err != nil {
			s.Log.ErrorContext(ctx, "legal services not told of confirmation", "matter", m.ID, "err", err)
		} else {
			legalTold = s.today()
		}
	}
	return s.updateWork(ctx, actor, casehold.ActReleaseMatter, action, matterID, fmt.Sprintf("form=%s message=%s", doc.ID, msgID), func(m *casehold.Matter) error {
		m.Work.ConfirmedOn, m.Work.ConfirmationDoc, m.Work.ConfirmationTo, m.Work.LegalToldOn = s.today(), doc.ID, m.Work.ContactEmail, legalTold
		m.Work.SignOff = &signOff
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
	PID          string        `json:"pid"`
	Giver        string        `json:"giver"`
	GiverRole    string        `json:"giver_role"`
	GiverEmail   string        `json:"giver_email"`
	Receiver     string        `json:"receiver"`
	ReceiverRole string        `json:"receiver_role"`
	ReceivedFrom string        `json:"received_from"`
	ReturnTo     string        `json:"return_to"`
	On           casehold.Date `json:"on"`
	Items        string        `json:"items"`
	Return       bool          `json:"return"`
}

// checkReceipt decides whether a hand-over can be recorded on m. A hand-over to be secured
// needs an open matter; a return needs a released one (a receipt must never state a return
// that could not have happened) and a paper file that is still out, which it then records
// as returned.
func (s *Deps) checkReceipt(m *casehold.Matter, in ReceiptInput) error {
	switch {
	case m.Status != casehold.MatterOpen && !in.Return:
		return casehold.Errorf(casehold.ECONFLICT, "matter is %s: only receipts for files handed back can be added", m.Status)
	case m.Status == casehold.MatterOpen && in.Return:
		return casehold.Errorf(casehold.ECONFLICT, "the matter is still open: files are returned only after the direction is withdrawn and the matter released")
	}
	if in.PID != "" {
		if err := needPID(m, in.PID); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{{"giver", in.Giver}, {"giver_role", in.GiverRole}, {"receiver", in.Receiver},
		{"receiver_role", in.ReceiverRole}, {"received_from", in.ReceivedFrom}, {"return_to", in.ReturnTo}, {"items", in.Items}} {
		if err := needText(f.name, f.v); err != nil {
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
	if err := s.notFuture("on", in.On); err != nil {
		return err
	}
	if in.Return {
		if in.PID == "" {
			return casehold.Errorf(casehold.EINVALID, "pid is required for a return: it says whose paper file came back")
		}
		if pf := findPaper(m, in.PID); pf == nil || !pf.Out() {
			return casehold.Errorf(casehold.ECONFLICT, "no paper file for this pid is recorded as stored and not yet returned")
		}
		if m.ReleasedAt != nil && in.On.Before(casehold.DateOf(*m.ReleasedAt)) {
			return casehold.Errorf(casehold.EINVALID, "on must not be before the matter was released")
		}
	}
	return nil
}

func findPaper(m *casehold.Matter, pid string) *casehold.PaperFile {
	for i := range m.Work.Paper {
		if m.Work.Paper[i].PID == pid {
			return &m.Work.Paper[i]
		}
	}
	return nil
}

// AddReceipt records a hand-over of paper files, renders the receipt, keeps it as evidence
// on the matter and sends a copy to the giver. A return (after the release) also records
// the paper file as returned.
func (s *CaseWork) AddReceipt(ctx context.Context, actor casehold.Actor, matterID string, in ReceiptInput) (*casehold.Receipt, error) {
	const action = "record.receipt"
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("receipt: %w", err))
	}
	if err := s.checkReceipt(m, in); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	rc := casehold.Receipt{ID: "r-" + s.IDs.New(), PID: in.PID, Giver: in.Giver, GiverRole: in.GiverRole, Receiver: in.Receiver, ReceiverRole: in.ReceiverRole,
		ReceivedFrom: in.ReceivedFrom, ReturnTo: in.ReturnTo, On: in.On, Items: in.Items, Return: in.Return}
	purpose := "Files handed over to be secured"
	if in.Return {
		purpose = "Files returned after the direction was withdrawn"
	}
	person := ""
	if in.PID != "" {
		person = strings.ReplaceAll(personName(m, in.PID), "\n", " ")
	}
	var buf bytes.Buffer
	if err := ccrcform.RenderReceipt(&buf, ccrcform.Receipt{Council: s.Council, MatterID: m.ID, ReceiptID: rc.ID, Reference: m.Reference,
		Return: in.Return, Purpose: purpose, PID: in.PID, Person: person, Giver: in.Giver, GiverRole: in.GiverRole,
		Receiver: in.Receiver, ReceiverRole: in.ReceiverRole, ReceivedFrom: in.ReceivedFrom, ReturnTo: in.ReturnTo,
		On: formDate(in.On), Items: in.Items, GeneratedAt: s.now().Format("02.01.2006 15:04 UTC")}); err != nil {
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
		// Checked again on the fresh copy: a concurrent return of the same file must not
		// record it twice.
		if err := s.checkReceipt(m, in); err != nil {
			return err
		}
		if in.Return {
			findPaper(m, in.PID).ReturnedOn = in.On
		}
		m.Work.Receipts = append(m.Work.Receipts, rc)
		return nil
	}); err != nil {
		return nil, err
	}
	if in.GiverEmail != "" {
		if _, err := s.queueMail(ctx, occasionKey("receipt.copy", rc.ID), matterID, casehold.Message{From: s.MailFrom, To: []string{in.GiverEmail},
			Subject: "casehold: receipt " + rc.ID + " for files handed over",
			Text:    "Your copy of the receipt for the files you handed over is attached.\n"},
			[]casehold.EvidenceAttachment{{Filename: "Receipt " + formDate(in.On) + ".pdf", ContentType: "application/pdf", DocumentID: doc.ID}}); err != nil {
			s.Log.ErrorContext(ctx, "receipt copy not queued", "matter", matterID, "receipt", rc.ID, "err", err)
		}
	}
	return &rc, nil
}

// AttachSignedReceipt keeps the scan of a paper receipt both people signed and links it to
// its receipt record. The scan goes through the same path as any upload (checked, hashed,
// stored write-once, held while the matter is open), filed as a Receipt for the receipt's
// person.
func (s *CaseWork) AttachSignedReceipt(ctx context.Context, actor casehold.Actor, matterID, receiptID string, body io.Reader) (*casehold.Receipt, error) {
	const action = "record.receipt_signed"
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("signed receipt: %w", err))
	}
	rc, err := findReceipt(m, receiptID)
	if err == nil && rc.SignedDocumentID != "" {
		err = casehold.Errorf(casehold.ECONFLICT, "a signed copy is already attached to this receipt")
	}
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	var pids []string
	if rc.PID != "" {
		pids = []string{rc.PID}
	}
	doc, err := s.secure(ctx, actor, m, uploadMeta{pids: pids, docType: "Receipt", docDate: rc.On, filename: "Receipt " + formDate(rc.On) + " signed.pdf"},
		casehold.SourceUpload, "d-"+s.IDs.New(), body)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	var out casehold.Receipt
	if _, err := s.updateMatter(ctx, actor, casehold.ActUploadDocument, action, matterID, "receipt="+receiptID+" document="+doc.ID, true, func(m *casehold.Matter) error {
		r, err := findReceipt(m, receiptID)
		if err != nil {
			return err
		}
		if r.SignedDocumentID != "" {
			return casehold.Errorf(casehold.ECONFLICT, "a signed copy is already attached to this receipt")
		}
		r.SignedDocumentID = doc.ID
		out = *r
		return nil
	}); err != nil {
		return nil, err
	}
	return &out, nil
}

func findReceipt(m *casehold.Matter, id string) (*casehold.Receipt, error) {
	for i := range m.Work.Receipts {
		if m.Work.Receipts[i].ID == id {
			return &m.Work.Receipts[i], nil
		}
	}
	return nil, casehold.Errorf(casehold.ENOTFOUND, "no such receipt on this matter")
}
