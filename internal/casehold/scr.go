package casehold

// PractitionerCopy is a copy of secured records made for a practitioner still working
// with the family, by an agreed date.
type PractitionerCopy struct {
	Practitioner string   `json:"practitioner"`
	DueOn        Date     `json:"due_on"`
	ProvidedOn   Date     `json:"provided_on"`
	DocumentIDs  []string `json:"document_ids"`
}

// CourtPermission records the court's written permission to use a court document.
type CourtPermission struct {
	DocumentID   string `json:"document_id"`
	PermissionOn Date   `json:"permission_on"`
	Reference    string `json:"reference"`
}

// ViewOnly records that a case system's records were set to view-only.
type ViewOnly struct {
	System string `json:"system"`
	PID    string `json:"pid"`
	SetOn  Date   `json:"set_on"`
}

// SCRWork is what a serious case review records beyond a matter's common fields.
type SCRWork struct {
	SecureUpTo         Date               `json:"secure_up_to"`
	SeniorManager      string             `json:"senior_manager"`
	SeniorManagerEmail string             `json:"senior_manager_email"`
	CaseLineManagers   []string           `json:"case_line_managers"` // staff who line-manage the case
	BoardManager       string             `json:"board_manager"`
	BoardManagerEmail  string             `json:"board_manager_email"`
	Copies             []PractitionerCopy `json:"copies,omitempty"`
	CourtPermissions   []CourtPermission  `json:"court_permissions,omitempty"`
	ViewOnly           []ViewOnly         `json:"view_only,omitempty"`
	ConfirmationSentOn Date               `json:"confirmation_sent_on"`
	CompletedOn        Date               `json:"completed_on"`
	RatifiedOn         Date               `json:"ratified_on"`
	CaseLocked         bool               `json:"case_locked"`
	ProceedingsEndedOn Date               `json:"criminal_proceedings_ended_on"`
}

// SCRCloseBlockers lists what must be recorded before a review can be closed and its
// holds released. Empty means it may close.
func SCRCloseBlockers(w *SCRWork) []string {
	var out []string
	if w.CompletedOn.IsZero() {
		out = append(out, "the review's completion is not recorded")
	}
	if w.RatifiedOn.IsZero() {
		out = append(out, "the review's ratification is not recorded")
	}
	if w.CaseLocked && w.ProceedingsEndedOn.IsZero() {
		out = append(out, "the case is locked and the end of criminal proceedings is not recorded")
	}
	return out
}

// CourtPermissionFor returns the permission recorded for a court document, if any.
func (w *SCRWork) CourtPermissionFor(docID string) (CourtPermission, bool) {
	for _, p := range w.CourtPermissions {
		if p.DocumentID == docID {
			return p, true
		}
	}
	return CourtPermission{}, false
}

// SCRProgress is a review's at-a-glance state: originals secured, electronic records made
// view-only, copies for practitioners, court permissions and the confirmation.
func SCRProgress(m *Matter, docs []*Document, today Date) Progress {
	w := m.Work.SCR
	p := Progress{MatterID: m.ID, Stage: m.Stage(), People: []PersonProgress{}, Areas: []AreaProgress{}, Outstanding: []string{}}
	perPID := p.countDocuments(docs)
	for _, d := range docs {
		if d.DocType == "Court Document" {
			if _, ok := w.CourtPermissionFor(d.ID); !ok {
				p.Outstanding = append(p.Outstanding, "court document "+d.ID+": the court's written permission is not recorded (it cannot be used)")
			}
		}
	}
	for _, s := range m.Subjects() {
		pp := PersonProgress{PID: s.PID, Secured: []string{}, Outstanding: []string{}, Documents: perPID[s.PID]}
		if perPID[s.PID] == 0 {
			pp.Outstanding = append(pp.Outstanding, "no original records secured yet")
		}
		viewOnly := false
		for _, v := range w.ViewOnly {
			if v.PID == s.PID {
				viewOnly = true
				pp.Secured = append(pp.Secured, "electronic record view-only in "+v.System+" since "+v.SetOn.String())
			}
		}
		if !viewOnly {
			pp.Outstanding = append(pp.Outstanding, "electronic record not yet set to view-only")
		}
		for _, o := range pp.Outstanding {
			p.Outstanding = append(p.Outstanding, s.PID+": "+o)
		}
		p.People = append(p.People, pp)
	}
	for _, c := range w.Copies {
		if c.ProvidedOn.IsZero() {
			msg := "copy for " + c.Practitioner + " due " + c.DueOn.String() + " not yet provided"
			if !c.DueOn.IsZero() && c.DueOn.Before(today) {
				p.Overdue = true
				msg += " (overdue)"
			}
			p.Outstanding = append(p.Outstanding, msg)
		}
	}
	if w.ConfirmationSentOn.IsZero() {
		p.Outstanding = append(p.Outstanding, "confirmation to the senior manager and the board manager not yet sent")
	}
	p.Complete = len(p.Outstanding) == 0 && m.Status == MatterOpen
	return p
}

// ValidatePerson checks one person's pid and name.
func ValidatePerson(p Person) error {
	if err := checkPID(p.PID); err != nil {
		return Errorf(EINVALID, "pid: %s", ErrorMessage(err))
	}
	return checkText("name", p.Name, true)
}
