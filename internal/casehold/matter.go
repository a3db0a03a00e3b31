package casehold

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MatterKind names the kind of preservation demand. New kinds are added here.
type MatterKind string

const (
	// KindCCRCS17 is a Criminal Cases Review Commission direction under section 17.
	KindCCRCS17 MatterKind = "ccrc_s17"
	// KindSeriousCaseReview is a safeguarding board's serious case review.
	KindSeriousCaseReview MatterKind = "serious_case_review"
)

// MatterStatus is where a matter is in its life.
type MatterStatus string

const (
	MatterOpen MatterStatus = "open"
	// MatterReleasing: the release is recorded and under way (holds being lifted, notices
	// being sent). Only the release job moves a matter on from here, and it can be run again
	// until it finishes.
	MatterReleasing MatterStatus = "releasing"
	MatterReleased  MatterStatus = "released"
)

// CCRCConfirmationDays is the time the CCRC allows to confirm that material is secured.
const CCRCConfirmationDays = 28

// Person is an individual named in a matter. Name is personal data: it is stored and
// shown to authorised staff, and never logged, put in an error or an email subject.
type Person struct {
	PID  string `json:"pid"`
	Name string `json:"name"`
	// Withheld says the name was left out for this reader: the child is locked and the
	// lock does not let them in (see Withhold). Never stored.
	Withheld bool `json:"withheld,omitempty"`
}

// Matter is one demand to preserve material.
type Matter struct {
	ID          string     `json:"id"`
	Kind        MatterKind `json:"kind"`
	Reference   string     `json:"reference"` // the requester's reference, unique per kind
	Contact     string     `json:"contact"`   // the requester's contact (name or address)
	ReceivedOn  Date       `json:"received_on"`
	Deadline    Date       `json:"deadline"`
	Coordinator string     `json:"coordinator"` // staff id of the coordinating officer
	// CoordinatorEmail is where notices about the matter go.
	CoordinatorEmail string       `json:"coordinator_email,omitempty"`
	People           []Person     `json:"people"`
	Status           MatterStatus `json:"status"`
	CreatedAt        time.Time    `json:"created_at"`
	CreatedBy        string       `json:"created_by"`
	// ReleaseRequestedAt is when the release was recorded; ReleasedAt when it finished.
	ReleaseRequestedAt *time.Time `json:"release_requested_at,omitempty"`
	ReleasedAt         *time.Time `json:"released_at,omitempty"`
	ReleasedBy         string     `json:"released_by,omitempty"`
	// ReleaseNoticeSent is set once the mailer accepted the release notice, so a release
	// run again never sends it twice.
	ReleaseNoticeSent bool `json:"release_notice_sent,omitempty"`
	// ReleaseReason records why holds were lifted, e.g. "direction withdrawn".
	ReleaseReason string `json:"release_reason,omitempty"`
	// Work is what has been recorded while carrying out the matter.
	Work Work `json:"work"`
	// Version is the optimistic-concurrency counter kept by the Store.
	Version int64 `json:"version"`
}

// PIDs lists the matter's named and related people, named first.
func (m *Matter) PIDs() []string {
	out := make([]string, 0, len(m.People)+len(m.Work.Related))
	for _, p := range m.People {
		out = append(out, p.PID)
	}
	for _, r := range m.Work.Related {
		out = append(out, r.PID)
	}
	return out
}

// HasPerson reports whether pid is one of the matter's named or related people.
func (m *Matter) HasPerson(pid string) bool { return m.knownPID(pid) }

// NewMatterInput is what a coordinator supplies to open a matter: a CCRC direction, or a
// serious case review (which adds the fields marked SCR).
type NewMatterInput struct {
	Kind         MatterKind `json:"kind"`
	Reference    string     `json:"reference"`
	Contact      string     `json:"contact"`
	ContactEmail string     `json:"contact_email,omitempty"` // the requester's secure address
	ReceivedOn   string     `json:"received_on"`
	People       []Person   `json:"people"`

	SecureUpTo         string   `json:"secure_up_to,omitempty"`         // SCR
	SeniorManager      string   `json:"senior_manager,omitempty"`       // SCR: secures the originals
	SeniorManagerEmail string   `json:"senior_manager_email,omitempty"` // SCR
	CaseLineManagers   []string `json:"case_line_managers,omitempty"`   // SCR: who line-manages the case
	BoardManager       string   `json:"board_manager,omitempty"`        // SCR
	BoardManagerEmail  string   `json:"board_manager_email,omitempty"`  // SCR
	CaseLocked         bool     `json:"case_locked,omitempty"`          // SCR
}

// maxShortText bounds free-text fields that end up in keys and forms.
const maxShortText = 200

// MaxPeople bounds the individuals a matter names when it is opened: a direction or review
// concerns a family, not a register, and the matter record (with its per-person work) must
// stay well inside one DynamoDB item.
const MaxPeople = 100

// Validate checks the input and returns the parsed received date. Messages name the field,
// never its value, so no personal data leaks into an error.
func (in NewMatterInput) Validate(today Date) (Date, error) {
	if in.Kind == "" {
		in.Kind = KindCCRCS17
	}
	if in.Kind != KindCCRCS17 && in.Kind != KindSeriousCaseReview {
		return Date{}, Errorf(EINVALID, "kind must be %q or %q", KindCCRCS17, KindSeriousCaseReview)
	}
	if err := checkText("reference", in.Reference, true); err != nil {
		return Date{}, err
	}
	if err := checkText("contact", in.Contact, true); err != nil {
		return Date{}, err
	}
	if in.ContactEmail != "" {
		if err := CheckEmail("contact_email", in.ContactEmail); err != nil {
			return Date{}, err
		}
	}
	if strings.TrimSpace(in.ReceivedOn) == "" {
		return Date{}, Errorf(EINVALID, "received_on is required")
	}
	received, err := ParseDate("received_on", in.ReceivedOn)
	if err != nil {
		return Date{}, err
	}
	if today.Before(received) {
		return Date{}, Errorf(EINVALID, "received_on must not be in the future")
	}
	if received.Before(EarliestReceived) {
		return Date{}, Errorf(EINVALID, "received_on must be on or after %s", EarliestReceived)
	}
	if len(in.People) == 0 {
		return Date{}, Errorf(EINVALID, "people must name at least one individual")
	}
	if len(in.People) > MaxPeople {
		return Date{}, Errorf(EINVALID, "people names %d individuals; a matter names at most %d", len(in.People), MaxPeople)
	}
	seen := map[string]bool{}
	for i, p := range in.People {
		if err := checkPID(p.PID); err != nil {
			return Date{}, Errorf(EINVALID, "people[%d].pid: %s", i, ErrorMessage(err))
		}
		if seen[p.PID] {
			return Date{}, Errorf(EINVALID, "people[%d].pid is a duplicate", i)
		}
		seen[p.PID] = true
		if err := checkText("name", p.Name, true); err != nil {
			return Date{}, Errorf(EINVALID, "people[%d].%s", i, ErrorMessage(err))
		}
	}
	if in.Kind == KindSeriousCaseReview {
		if _, err := in.scrWork(); err != nil {
			return Date{}, err
		}
	}
	return received, nil
}

// SCRWork returns the review's own fields from a validated input (nil for other kinds).
func (in NewMatterInput) SCRWork() *SCRWork {
	if in.Kind != KindSeriousCaseReview {
		return nil
	}
	w, _ := in.scrWork()
	return w
}

// scrWork checks a review's intake; the senior manager securing the records must not
// line-manage the case.
func (in NewMatterInput) scrWork() (*SCRWork, error) {
	if strings.TrimSpace(in.SecureUpTo) == "" {
		return nil, Errorf(EINVALID, "secure_up_to is required (the date up to which records must be secured)")
	}
	upTo, err := ParseDate("secure_up_to", in.SecureUpTo)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, v string }{{"senior_manager", in.SeniorManager}, {"board_manager", in.BoardManager}} {
		if err := checkText(f.name, f.v, true); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct{ name, v string }{{"senior_manager_email", in.SeniorManagerEmail}, {"board_manager_email", in.BoardManagerEmail}} {
		if err := CheckEmail(f.name, f.v); err != nil {
			return nil, err
		}
	}
	for _, lm := range in.CaseLineManagers {
		if strings.EqualFold(strings.TrimSpace(lm), strings.TrimSpace(in.SeniorManager)) {
			return nil, Errorf(EINVALID, "senior_manager line-manages the case: a senior manager without line responsibility must secure the records")
		}
	}
	return &SCRWork{SecureUpTo: upTo, SeniorManager: strings.TrimSpace(in.SeniorManager), SeniorManagerEmail: in.SeniorManagerEmail,
		CaseLineManagers: in.CaseLineManagers, BoardManager: strings.TrimSpace(in.BoardManager), BoardManagerEmail: in.BoardManagerEmail,
		CaseLocked: in.CaseLocked}, nil
}

// CheckEmail accepts one plain address (no display name, no line breaks).
func CheckEmail(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return Errorf(EINVALID, "%s is required", field)
	}
	at := strings.LastIndex(s, "@")
	if len(s) > 254 || at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;\"") || !strings.Contains(s[at:], ".") {
		return Errorf(EINVALID, "%s must be an email address like name@example.org", field)
	}
	return nil
}

// CCRCDeadline is the date by which the CCRC must have confirmation that all is secured.
func CCRCDeadline(received Date) Date { return received.AddDays(CCRCConfirmationDays) }

// CheckPID refuses what cannot be one of the case system's person ids, naming the field
// (never the value), before a PID is looked up or recorded in an audit event's index.
func CheckPID(pid string) error {
	if err := checkPID(pid); err != nil {
		return Errorf(EINVALID, "pid %s", ErrorMessage(err))
	}
	return nil
}

// checkPID accepts the case system's person ids: 1 to 32 letters, digits or dashes.
func checkPID(pid string) error {
	if pid == "" {
		return Errorf(EINVALID, "is required")
	}
	if len(pid) > 32 {
		return Errorf(EINVALID, "must be at most 32 characters")
	}
	for _, r := range pid {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return Errorf(EINVALID, "must contain only letters, digits and dashes")
		}
	}
	return nil
}

func checkText(field, s string, required bool) error {
	if strings.TrimSpace(s) == "" {
		if required {
			return Errorf(EINVALID, "%s is required", field)
		}
		return nil
	}
	if len(s) > maxShortText {
		return Errorf(EINVALID, "%s must be at most %d characters", field, maxShortText)
	}
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s is not valid UTF-8 text", field)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return Errorf(EINVALID, "%s must not contain control characters", field)
		}
	}
	return nil
}
