package casehold

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// ServiceArea is a part of the council that may hold records for a matter.
type ServiceArea string

const (
	AreaSocialCare ServiceArea = "social_care"
	AreaEducation  ServiceArea = "education"
	AreaLegal      ServiceArea = "legal"
	AreaOther      ServiceArea = "other"
)

// ServiceAreas lists every area in the order the CCRC form uses.
var ServiceAreas = []ServiceArea{AreaSocialCare, AreaEducation, AreaLegal, AreaOther}

// Answer is a yes/no that may not have been given yet.
type Answer string

const (
	Unanswered Answer = ""
	Yes        Answer = "yes"
	No         Answer = "no"
)

// RelatedPerson is someone found during the search (a family member, say) who is not
// named in the demand; the CCRC is asked whether it wants their records too.
type RelatedPerson struct {
	Person
	RelatedTo    string `json:"related_to"` // PID of a named person
	Relationship string `json:"relationship"`
	CCRCWants    Answer `json:"ccrc_wants"`
}

// AreaLead records the lead officer of a service area and when they were told.
type AreaLead struct {
	Area        ServiceArea `json:"area"`
	LeadOfficer string      `json:"lead_officer"`
	NotifiedOn  Date        `json:"notified_on"`
	// LeadEmail, when given, makes casehold send the lead officer the notice of the
	// direction and chase its acknowledgement (README "Reminders and notices").
	LeadEmail string `json:"lead_email,omitempty"`
	// NoticeOn is the day casehold queued the notice to LeadEmail; set by casehold, never
	// by the caller. The reminders count working days from it.
	NoticeOn Date `json:"notice_on"`
	// AcknowledgedOn and AcknowledgedBy (the staff id who recorded it) say the lead
	// officer acknowledged the notice; set only by the acknowledge route.
	AcknowledgedOn Date   `json:"acknowledged_on"`
	AcknowledgedBy string `json:"acknowledged_by,omitempty"`
}

// Acknowledgement states of an area's notice, as progress shows them.
const (
	AckAwaiting     = "awaiting acknowledgement"
	AckAcknowledged = "acknowledged"
)

// AwaitingAck reports whether casehold sent this area's lead officer a notice that is
// not yet acknowledged.
func (a AreaLead) AwaitingAck() bool {
	return a.LeadEmail != "" && !a.NoticeOn.IsZero() && a.AcknowledgedOn.IsZero()
}

// EmailTag is a short digest of LeadEmail for occasion keys, which reach logs and the
// audit trail where an address must not.
func (a AreaLead) EmailTag() string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(a.LeadEmail))))
	return hex.EncodeToString(sum[:6])
}

// ElectronicRecord is one person's record in a case system and how it was secured.
type ElectronicRecord struct {
	PID            string `json:"pid"`
	System         string `json:"system"` // e.g. "CCM"
	OpenCase       bool   `json:"open_case"`
	AuthorisedBy   string `json:"authorised_by"`
	AuthorisedRole Role   `json:"authorised_role"` // head_of_service or service_manager
	AuthorisedOn   Date   `json:"authorised_on"`
	SecuredOn      Date   `json:"secured_on"` // made confidential / view-only
	EDTToldOn      Date   `json:"edt_told_on"`
	FullCopyOn     Date   `json:"full_copy_on"`       // open cases: full copy taken and secured
	FullCopyDoc    string `json:"full_copy_document"` // the copy, as held evidence
}

// AccessGrant is one person allowed into a secured record.
type AccessGrant struct {
	PID string `json:"pid"`
	// StaffID names who the grant is for (the access policy checks it); a grant with no
	// StaffID covers every member of Team.
	StaffID    string `json:"staff_id,omitempty"`
	Team       string `json:"team"`
	Role       string `json:"role"`
	Name       string `json:"name"`
	ApprovedBy string `json:"approved_by"`
	GrantedOn  Date   `json:"granted_on"`
}

// PaperFile is one person's paper file and its journey to secure storage.
type PaperFile struct {
	PID                  string `json:"pid"`
	Exists               Answer `json:"exists"`
	Location             string `json:"location"` // "archive" or a team
	RetrievalRequestedOn Date   `json:"retrieval_requested_on"`
	RetrievedBy          string `json:"retrieved_by"`
	StoredOn             Date   `json:"stored_on"`
	StoredAt             string `json:"stored_at"` // legal services or an agreed alternative
	ReturnedOn           Date   `json:"returned_on"`
}

// AtLegalServices reports whether a storage place is legal services rather than an agreed
// alternative location. The procedure wants an alternative stated as such on the form, so
// anything but legal services itself counts as one.
func AtLegalServices(place string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(place), " ")) {
	case "legal services", "legal", "legal services strongroom":
		return true
	}
	return false
}

// Out reports whether the paper file is in secure storage and not yet handed back.
func (p PaperFile) Out() bool {
	return p.Exists == Yes && !p.StoredOn.IsZero() && p.ReturnedOn.IsZero()
}

// Receipt is one signed hand-over of paper (chain of custody). The procedure wants it clear
// which part of the authority the files came from and whom they go back to.
type Receipt struct {
	ID           string `json:"id"`
	PID          string `json:"pid,omitempty"`
	Giver        string `json:"giver"`
	GiverRole    string `json:"giver_role"`
	Receiver     string `json:"receiver"`
	ReceiverRole string `json:"receiver_role"`
	ReceivedFrom string `json:"received_from"` // the team, archive or store the files came from
	ReturnTo     string `json:"return_to"`     // whom they are to be returned to
	On           Date   `json:"on"`
	Items        string `json:"items"`
	Return       bool   `json:"return"`      // handing files back after release
	DocumentID   string `json:"document_id"` // the receipt as printed, as held evidence
	// SignedDocumentID is the scan of the paper receipt both people signed, held like any
	// evidence; empty until it is attached.
	SignedDocumentID string `json:"signed_document_id,omitempty"`
}

// EducationRecord is what the education lead found for one person.
type EducationRecord struct {
	PID                  string   `json:"pid"`
	Details              string   `json:"details"`
	Schools              []string `json:"schools"`
	CCRCWants            Answer   `json:"ccrc_wants"`
	RetrievalRequestedOn Date     `json:"retrieval_requested_on"`
	ReceivedOn           Date     `json:"received_on"`
	StoredOn             Date     `json:"stored_on"`
	StoredAt             string   `json:"stored_at"`
}

// Disclosure is one sending of documents to the requester.
type Disclosure struct {
	ID                string   `json:"id"`
	DocumentIDs       []string `json:"document_ids"`
	FileNames         []string `json:"file_names"`
	LegalReviewBy     string   `json:"legal_review_by"`
	LegalReviewOn     Date     `json:"legal_review_on"`
	ThirdPartyChecked bool     `json:"third_party_checked"`
	SentTo            string   `json:"sent_to"`
	SentOn            Date     `json:"sent_on"`
	SentBy            string   `json:"sent_by"`
	MessageID         string   `json:"message_id"`
	ReceiptOn         Date     `json:"receipt_confirmed_on"`
}

// Visit is a requester's visit to view files. Legal services check the files for
// third-party information first; the sign-off is theirs, recorded with who and when.
type Visit struct {
	ID             string `json:"id"`
	On             Date   `json:"on"`
	Room           string `json:"room"`
	OfficerPresent string `json:"officer_present"`
	NetworkAccess  bool   `json:"network_access"`
	LegalReviewed  bool   `json:"legal_reviewed"` // third-party information checked first
	LegalReviewBy  string `json:"legal_review_by,omitempty"`
	LegalReviewOn  Date   `json:"legal_review_on"`
	Viewed         string `json:"viewed"`
	Copies         string `json:"copies"`
}

// SignOff is who completed the CCRC form and which head of service or service manager
// approved it, recorded when it is returned.
type SignOff struct {
	OfficerID    string `json:"officer_id"`
	OfficerName  string `json:"officer_name"`
	OfficerEmail string `json:"officer_email"`
	OfficerPhone string `json:"officer_phone,omitempty"`
	ApprovedBy   string `json:"approved_by"`
	ApproverRole Role   `json:"approver_role"` // head_of_service or service_manager
	ApprovedOn   Date   `json:"approved_on"`
}

// Work is everything recorded while carrying out a matter. It lives with the matter, so
// one read gives the whole picture and one conditional write changes it.
type Work struct {
	ContactEmail string `json:"contact_email,omitempty"` // secure address the requester gave
	// LegalOfficers are the staff ids of the legal officers assigned to the matter: with the
	// coordinator, the only ones who may release it, confirm it or send outside.
	LegalOfficers []string           `json:"legal_officers,omitempty"`
	Related       []RelatedPerson    `json:"related,omitempty"`
	Areas         []AreaLead         `json:"areas,omitempty"`
	Electronic    []ElectronicRecord `json:"electronic,omitempty"`
	Access        []AccessGrant      `json:"access,omitempty"`
	Paper         []PaperFile        `json:"paper,omitempty"`
	Receipts      []Receipt          `json:"receipts,omitempty"`
	Education     []EducationRecord  `json:"education,omitempty"`
	Disclosures   []Disclosure       `json:"disclosures,omitempty"`
	Visits        []Visit            `json:"visits,omitempty"`
	// LegalStoredOn is derived from the paper and education records (LegalServicesStoredOn);
	// kept for matters stored before it was.
	LegalStoredOn Date `json:"legal_stored_on"`
	// LegalConfirmed is the date legal services confirmed the files they hold are secured,
	// recorded by a legal officer (LegalConfirmedBy).
	LegalConfirmed   Date   `json:"legal_confirmed_on"`
	LegalConfirmedBy string `json:"legal_confirmed_by,omitempty"`
	// Confirmation.
	SignOff         *SignOff `json:"sign_off,omitempty"`
	ConfirmedOn     Date     `json:"confirmed_on"`
	ConfirmationDoc string   `json:"confirmation_document,omitempty"`
	ConfirmationTo  string   `json:"confirmation_sent_to,omitempty"`
	LegalToldOn     Date     `json:"legal_told_on"`
	// Release.
	TeamsToldOn Date `json:"teams_told_on"`
	EDTToldOn   Date `json:"edt_told_on"`

	SCR *SCRWork `json:"scr,omitempty"`
}

// Validate checks a sign-off before the form is returned: the approver must be a head of
// service or service manager (the procedure's authority to secure), approving on a real
// date no later than today; the officer completing the form must be reachable.
func (s SignOff) Validate(today Date) error {
	if err := checkText("approved_by", s.ApprovedBy, true); err != nil {
		return err
	}
	if s.ApproverRole != RoleHeadOfService && s.ApproverRole != RoleServiceManager {
		return Errorf(EINVALID, "approver_role must be head_of_service or service_manager")
	}
	if s.ApprovedOn.IsZero() {
		return Errorf(EINVALID, "approved_on is required (the date the form was approved)")
	}
	if today.Before(s.ApprovedOn) {
		return Errorf(EINVALID, "approved_on must not be in the future")
	}
	if err := CheckSaneDate("approved_on", s.ApprovedOn); err != nil {
		return err
	}
	if err := checkText("officer_name", s.OfficerName, true); err != nil {
		return Errorf(EINVALID, "the officer completing the form has no name on record")
	}
	if err := CheckEmail("officer_email", s.OfficerEmail); err != nil {
		return Errorf(EINVALID, "the officer completing the form has no email address on record")
	}
	if err := checkText("officer_phone", s.OfficerPhone, false); err != nil {
		return err
	}
	return nil
}

// Subjects are the people whose records must be secured: the named people and the related
// people the CCRC said it wants.
func (m *Matter) Subjects() []Person {
	out := append([]Person(nil), m.People...)
	for _, r := range m.Work.Related {
		if r.CCRCWants == Yes {
			out = append(out, r.Person)
		}
	}
	return out
}

// PersonName finds the name for a PID among the named and related people.
func (m *Matter) PersonName(pid string) string {
	for _, p := range m.People {
		if p.PID == pid {
			return p.Name
		}
	}
	for _, r := range m.Work.Related {
		if r.PID == pid {
			return r.Name
		}
	}
	return ""
}

// Related returns the related person with pid, if pid is one (found in the search, not
// named in the demand).
func (m *Matter) Related(pid string) (RelatedPerson, bool) {
	for _, r := range m.Work.Related {
		if r.PID == pid {
			return r, true
		}
	}
	return RelatedPerson{}, false
}

// LegalServicesStoredOn is the date it was established which files legal services holds:
// the last date a paper or education file was stored there. Zero if none is.
func (w *Work) LegalServicesStoredOn() Date {
	var last Date
	for _, p := range w.Paper {
		if p.Exists == Yes && !p.StoredOn.IsZero() && AtLegalServices(p.StoredAt) && last.Before(p.StoredOn) {
			last = p.StoredOn
		}
	}
	for _, e := range w.Education {
		if !e.StoredOn.IsZero() && AtLegalServices(e.StoredAt) && last.Before(e.StoredOn) {
			last = e.StoredOn
		}
	}
	if last.IsZero() {
		return w.LegalStoredOn
	}
	return last
}

// knownPID reports whether pid is a named or related person of the matter.
func (m *Matter) knownPID(pid string) bool { return m.PersonName(pid) != "" }

// PersonProgress is what is secured and what is outstanding for one person.
type PersonProgress struct {
	PID         string   `json:"pid"`
	Secured     []string `json:"secured"`
	Outstanding []string `json:"outstanding"`
	Documents   int      `json:"documents"`
}

// AreaProgress is the state of one service area.
type AreaProgress struct {
	Area        ServiceArea `json:"area"`
	Involved    bool        `json:"involved"`
	Outstanding []string    `json:"outstanding"`
	// Acknowledgement is AckAwaiting or AckAcknowledged when casehold sent the lead
	// officer a notice; empty otherwise.
	Acknowledgement string `json:"acknowledgement,omitempty"`
}

// Progress is the matter at a glance.
type Progress struct {
	MatterID    string           `json:"matter_id"`
	Stage       string           `json:"stage"`
	DaysLeft    *int             `json:"days_left,omitempty"`
	Overdue     bool             `json:"overdue"`
	People      []PersonProgress `json:"people"`
	Areas       []AreaProgress   `json:"areas"`
	Outstanding []string         `json:"outstanding"` // everything still to do, matter-wide
	Complete    bool             `json:"complete"`    // ready to confirm
	Documents   int              `json:"documents"`
	HeldDocs    int              `json:"held_documents"`
}

// Stage names where a matter is.
func (m *Matter) Stage() string {
	switch {
	case m.Status == MatterReleased:
		return "released"
	case !m.Work.ConfirmedOn.IsZero():
		return "confirmed"
	default:
		return "securing"
	}
}

// CCRCProgress computes what is secured and outstanding from the recorded work and the
// matter's documents. It is a pure function of its inputs.
func CCRCProgress(m *Matter, docs []*Document, today Date) Progress {
	p := Progress{MatterID: m.ID, Stage: m.Stage(), People: []PersonProgress{}, Areas: []AreaProgress{}, Outstanding: []string{}}
	if m.Status == MatterOpen && m.Work.ConfirmedOn.IsZero() {
		n := today.DaysUntil(m.Deadline)
		p.DaysLeft, p.Overdue = &n, n < 0
	}
	perPID := p.countDocuments(docs)
	for _, r := range m.Work.Related {
		if r.CCRCWants == Unanswered && m.Status == MatterOpen {
			p.Outstanding = append(p.Outstanding, fmt.Sprintf("ask the CCRC whether it wants the records of related person %s", r.PID))
		}
	}
	for _, s := range m.Subjects() {
		pp := PersonProgress{PID: s.PID, Secured: []string{}, Outstanding: []string{}, Documents: perPID[s.PID]}
		e := findElectronic(m.Work.Electronic, s.PID)
		switch {
		case e == nil:
			pp.Outstanding = append(pp.Outstanding, "electronic record not yet recorded")
		default:
			if e.AuthorisedBy == "" {
				pp.Outstanding = append(pp.Outstanding, "authorisation to secure the electronic record not recorded")
			}
			if e.SecuredOn.IsZero() {
				pp.Outstanding = append(pp.Outstanding, "electronic record not yet secured")
			} else {
				pp.Secured = append(pp.Secured, "electronic record secured "+e.SecuredOn.String())
			}
			if e.EDTToldOn.IsZero() {
				pp.Outstanding = append(pp.Outstanding, "EDT not yet told the record is secured")
			}
			if e.OpenCase && (e.FullCopyOn.IsZero() || e.FullCopyDoc == "") {
				pp.Outstanding = append(pp.Outstanding, "open case: full copy not yet taken and secured")
			} else if e.OpenCase {
				pp.Secured = append(pp.Secured, "full copy secured "+e.FullCopyOn.String())
			}
		}
		pf := findPaper(m.Work.Paper, s.PID)
		if m.Status == MatterReleased {
			// After a release only the paper still to come back matters.
			pp.Secured, pp.Outstanding = []string{}, []string{}
			if pf != nil && pf.Out() {
				pp.Outstanding = append(pp.Outstanding, "paper file not yet returned (held at "+pf.StoredAt+" since "+pf.StoredOn.String()+")")
			} else if pf != nil && !pf.ReturnedOn.IsZero() {
				pp.Secured = append(pp.Secured, "paper file returned "+pf.ReturnedOn.String())
			}
			for _, o := range pp.Outstanding {
				p.Outstanding = append(p.Outstanding, s.PID+": "+o)
			}
			p.People = append(p.People, pp)
			continue
		}
		switch {
		case pf == nil || pf.Exists == Unanswered:
			pp.Outstanding = append(pp.Outstanding, "paper file search not yet recorded")
		case pf.Exists == Yes && pf.StoredOn.IsZero():
			pp.Outstanding = append(pp.Outstanding, "paper file not yet stored securely")
		case pf.Exists == Yes:
			pp.Secured = append(pp.Secured, "paper file stored securely "+pf.StoredOn.String())
		}
		for _, ed := range m.Work.Education {
			if ed.PID != s.PID {
				continue
			}
			switch {
			case ed.CCRCWants == Unanswered:
				pp.Outstanding = append(pp.Outstanding, "ask the CCRC whether it wants the education records")
			case ed.CCRCWants == Yes && ed.StoredOn.IsZero():
				pp.Outstanding = append(pp.Outstanding, "education records not yet stored securely")
			case ed.CCRCWants == Yes:
				pp.Secured = append(pp.Secured, "education records stored securely "+ed.StoredOn.String())
			}
		}
		for _, o := range pp.Outstanding {
			p.Outstanding = append(p.Outstanding, s.PID+": "+o)
		}
		p.People = append(p.People, pp)
	}
	if m.Status == MatterReleased {
		p.Complete = false
		return p
	}
	leads := map[ServiceArea]AreaLead{}
	for _, a := range m.Work.Areas {
		leads[a.Area] = a
	}
	for _, area := range ServiceAreas {
		ap := AreaProgress{Area: area, Outstanding: []string{}}
		if l, ok := leads[area]; ok {
			ap.Involved = true
			if l.LeadOfficer == "" {
				ap.Outstanding = append(ap.Outstanding, "no lead officer")
			}
			if l.NotifiedOn.IsZero() && l.NoticeOn.IsZero() {
				ap.Outstanding = append(ap.Outstanding, "lead officer not yet notified")
			}
			switch {
			case l.AwaitingAck():
				ap.Acknowledgement = AckAwaiting
				ap.Outstanding = append(ap.Outstanding, "lead officer has not yet acknowledged the notice")
			case l.LeadEmail != "" && !l.AcknowledgedOn.IsZero():
				ap.Acknowledgement = AckAcknowledged
			}
		}
		if area == AreaSocialCare && !ap.Involved {
			ap.Outstanding = append(ap.Outstanding, "social care lead officer not yet recorded")
		}
		for _, o := range ap.Outstanding {
			p.Outstanding = append(p.Outstanding, string(area)+": "+o)
		}
		p.Areas = append(p.Areas, ap)
	}
	// Files stored at legal services are secured once legal services say so: the form has
	// a line for that date, and it must not be returned blank.
	if !m.Work.LegalServicesStoredOn().IsZero() && m.Work.LegalConfirmed.IsZero() {
		p.Outstanding = append(p.Outstanding, string(AreaLegal)+": legal services have not yet confirmed the files they hold are secured")
	}
	p.Complete = len(p.Outstanding) == 0 && m.Status == MatterOpen
	return p
}

func findElectronic(es []ElectronicRecord, pid string) *ElectronicRecord {
	for i := range es {
		if es[i].PID == pid {
			return &es[i]
		}
	}
	return nil
}

func findPaper(ps []PaperFile, pid string) *PaperFile {
	for i := range ps {
		if ps[i].PID == pid {
			return &ps[i]
		}
	}
	return nil
}

// ReleaseWork is what a release asks of people, worked out from the records: the records
// to unlock in each case system, and the paper files still out that must come back.
type ReleaseWork struct {
	Unlock    []string // "CCM: P100234, P100235", one line per system, systems in order of first record
	PaperBack []string // "P100234: held at legal services since 2026-11-23 (from archive)"
}

// ReleaseWorkOf lists what a release of m leaves to do. It names systems, PIDs and places,
// never a person's name: it goes into notices.
func ReleaseWorkOf(m *Matter) ReleaseWork {
	var w ReleaseWork
	var systems []string
	pids := map[string][]string{}
	add := func(system, pid string) {
		if _, ok := pids[system]; !ok {
			systems = append(systems, system)
		}
		if !slices.Contains(pids[system], pid) {
			pids[system] = append(pids[system], pid)
		}
	}
	for _, e := range m.Work.Electronic {
		if !e.SecuredOn.IsZero() {
			add(e.System, e.PID)
		}
	}
	if m.Work.SCR != nil {
		for _, v := range m.Work.SCR.ViewOnly {
			add(v.System, v.PID)
		}
	}
	for _, sys := range systems {
		w.Unlock = append(w.Unlock, sys+": "+strings.Join(pids[sys], ", "))
	}
	for _, p := range m.Work.Paper {
		if p.Out() {
			w.PaperBack = append(w.PaperBack, fmt.Sprintf("%s: held at %s since %s (from %s)", p.PID, p.StoredAt, p.StoredOn, p.Location))
		}
	}
	return w
}

// Initials returns the initials of a name ("Jordan Lee Example" -> "JLE"), for file names
// when a disclosure covers several people.
func Initials(name string) string {
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		for _, r := range f {
			b.WriteString(strings.ToUpper(string(r)))
			break
		}
	}
	return b.String()
}

// countDocuments totals the documents and held documents, and returns the count per PID.
func (p *Progress) countDocuments(docs []*Document) map[string]int {
	perPID := map[string]int{}
	for _, d := range docs {
		p.Documents++
		if d.Held() {
			p.HeldDocs++
		}
		for _, pid := range d.PIDs {
			perPID[pid]++
		}
	}
	return perPID
}
