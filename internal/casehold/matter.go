package casehold

import (
	"strings"
	"time"
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
	MatterOpen     MatterStatus = "open"
	MatterReleased MatterStatus = "released"
)

// CCRCConfirmationDays is the time the CCRC allows to confirm that material is secured.
const CCRCConfirmationDays = 28

// Person is an individual named in a matter. Name is personal data: it is stored and
// shown to authorised staff, and never logged, put in an error or an email subject.
type Person struct {
	PID  string `json:"pid"`
	Name string `json:"name"`
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
	ReleasedAt       *time.Time   `json:"released_at,omitempty"`
	ReleasedBy       string       `json:"released_by,omitempty"`
	// ReleaseReason records why holds were lifted, e.g. "direction withdrawn".
	ReleaseReason string `json:"release_reason,omitempty"`
	// Version is the optimistic-concurrency counter kept by the Store.
	Version int64 `json:"version"`
}

// HasPerson reports whether pid is one of the matter's people.
func (m *Matter) HasPerson(pid string) bool {
	for _, p := range m.People {
		if p.PID == pid {
			return true
		}
	}
	return false
}

// NewMatterInput is what a coordinator supplies to open a matter.
type NewMatterInput struct {
	Kind       MatterKind `json:"kind"`
	Reference  string     `json:"reference"`
	Contact    string     `json:"contact"`
	ReceivedOn string     `json:"received_on"`
	People     []Person   `json:"people"`
}

// maxShortText bounds free-text fields that end up in keys and forms.
const maxShortText = 200

// Validate checks the input and returns the parsed received date. Messages name the field,
// never its value, so no personal data leaks into an error.
func (in NewMatterInput) Validate(today Date) (Date, error) {
	if in.Kind == "" {
		in.Kind = KindCCRCS17
	}
	if in.Kind != KindCCRCS17 {
		return Date{}, Errorf(EINVALID, "kind must be %q", KindCCRCS17)
	}
	if err := checkText("reference", in.Reference, true); err != nil {
		return Date{}, err
	}
	if err := checkText("contact", in.Contact, true); err != nil {
		return Date{}, err
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
	if len(in.People) == 0 {
		return Date{}, Errorf(EINVALID, "people must name at least one individual")
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
	return received, nil
}

// CCRCDeadline is the date by which the CCRC must have confirmation that all is secured.
func CCRCDeadline(received Date) Date { return received.AddDays(CCRCConfirmationDays) }

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
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return Errorf(EINVALID, "%s must not contain control characters", field)
		}
	}
	return nil
}
