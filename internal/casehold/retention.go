package casehold

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The retention schedule is data (retention_schedule.json), not code: IG can read it, a
// change to it is one reviewed diff, and every classification records the schedule
// version it was computed under. The periods follow the council's procedure; the titles
// are casehold's own words.

//go:embed retention_schedule.json
var scheduleJSON []byte

// Trigger is the event a retention period runs from.
type Trigger string

const (
	TriggerEighteenth      Trigger = "eighteenth_birthday" // the child's 18th birthday (needs date_of_birth)
	TriggerDeath           Trigger = "death"               // needs date_of_death
	TriggerClosure         Trigger = "closure"             // the case's closure (needs closure_date)
	TriggerCeasedFostering Trigger = "ceased_fostering"    // needs ceased_fostering_on
	TriggerNotification    Trigger = "notification"        // needs notified_on
	TriggerRecordDate      Trigger = "record_date"         // the document's own date: the schedule names no other start
	TriggerPermanent       Trigger = "permanent"           // kept for ever: never offered for disposal
)

// RetentionRule is one row of the schedule.
type RetentionRule struct {
	Category string  `json:"category"`
	Title    string  `json:"title"`
	Trigger  Trigger `json:"trigger"`
	Years    int     `json:"years,omitempty"`
	Note     string  `json:"note,omitempty"`
}

// Permanent reports whether records of the rule are kept for ever.
func (r RetentionRule) Permanent() bool { return r.Trigger == TriggerPermanent }

// RetentionSchedule is the whole schedule, versioned.
type RetentionSchedule struct {
	Version string          `json:"version"`
	Source  string          `json:"source"`
	Rules   []RetentionRule `json:"rules"`
}

var (
	scheduleOnce sync.Once
	schedule     *RetentionSchedule
	scheduleErr  error
)

// Schedule returns the retention schedule built into casehold. It panics if the embedded
// file is malformed: a build that cannot say how long records are kept must not run (and
// the tests load it).
func Schedule() *RetentionSchedule {
	scheduleOnce.Do(func() { schedule, scheduleErr = ParseSchedule(scheduleJSON) })
	if scheduleErr != nil {
		panic(scheduleErr)
	}
	return schedule
}

// ParseSchedule reads and checks a schedule: known triggers, a positive period for every
// rule that is not permanent, no category twice.
func ParseSchedule(b []byte) (*RetentionSchedule, error) {
	var s RetentionSchedule
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("retention schedule: %w", err)
	}
	if s.Version == "" || len(s.Rules) == 0 {
		return nil, fmt.Errorf("retention schedule: version and rules are required")
	}
	seen := map[string]bool{}
	for _, r := range s.Rules {
		switch {
		case r.Category == "" || seen[r.Category]:
			return nil, fmt.Errorf("retention schedule: category %q is empty or repeated", r.Category)
		case factFor(r.Trigger) == "" && r.Trigger != TriggerRecordDate && r.Trigger != TriggerPermanent:
			return nil, fmt.Errorf("retention schedule: %s: unknown trigger %q", r.Category, r.Trigger)
		case r.Permanent() != (r.Years == 0):
			return nil, fmt.Errorf("retention schedule: %s: a period in years, or permanent, not both", r.Category)
		}
		seen[r.Category] = true
	}
	return &s, nil
}

// Rule returns the rule of a category; EINVALID naming the categories if there is none.
func (s *RetentionSchedule) Rule(category string) (RetentionRule, error) {
	for _, r := range s.Rules {
		if r.Category == category {
			return r, nil
		}
	}
	names := make([]string, len(s.Rules))
	for i, r := range s.Rules {
		names[i] = r.Category
	}
	return RetentionRule{}, Errorf(EINVALID, "category must be one of: %s", strings.Join(names, ", "))
}

// RetentionFacts are the facts a trigger needs. They are personal data (a date of birth):
// stored with the document, shown to IG, never logged or audited.
type RetentionFacts struct {
	DateOfBirth       Date `json:"date_of_birth"`
	DateOfDeath       Date `json:"date_of_death"`
	ClosureDate       Date `json:"closure_date"`
	CeasedFosteringOn Date `json:"ceased_fostering_on"`
	NotifiedOn        Date `json:"notified_on"`
}

// factFor names the fact a trigger needs ("" for none).
func factFor(t Trigger) string {
	switch t {
	case TriggerEighteenth:
		return "date_of_birth"
	case TriggerDeath:
		return "date_of_death"
	case TriggerClosure:
		return "closure_date"
	case TriggerCeasedFostering:
		return "ceased_fostering_on"
	case TriggerNotification:
		return "notified_on"
	}
	return ""
}

func (f RetentionFacts) get(name string) Date {
	switch name {
	case "date_of_birth":
		return f.DateOfBirth
	case "date_of_death":
		return f.DateOfDeath
	case "closure_date":
		return f.ClosureDate
	case "ceased_fostering_on":
		return f.CeasedFosteringOn
	case "notified_on":
		return f.NotifiedOn
	}
	return Date{}
}

var factNames = []string{"date_of_birth", "date_of_death", "closure_date", "ceased_fostering_on", "notified_on"}

// Retention is a document's classification and the disposal date computed from it.
type Retention struct {
	Category        string         `json:"category"`
	Facts           RetentionFacts `json:"facts"`
	ScheduleVersion string         `json:"schedule_version"`
	// Starts is the day the period runs from; DisposeOn the first day the document may
	// be offered for disposal. Both zero when the rule is permanent.
	Starts    Date `json:"starts"`
	DisposeOn Date `json:"dispose_on"`
	Permanent bool `json:"permanent"`
	// DeferredTo is set when IG defers a due disposal: the document is offered again
	// from that day.
	DeferredTo   Date      `json:"deferred_to"`
	DeferReason  string    `json:"defer_reason,omitempty"`
	ClassifiedBy string    `json:"classified_by"`
	ClassifiedAt time.Time `json:"classified_at"`
}

// Classify computes a document's retention under the schedule: the rule of the category,
// the fact its trigger needs (recordDate for a period from the record's own date), every
// fact given checked (a real date, none in the future, a death not before a birth, and a
// death before or after the 18th birthday as the category says). Nothing is stored here.
func (s *RetentionSchedule) Classify(category string, f RetentionFacts, recordDate, today Date) (Retention, error) {
	rule, err := s.Rule(category)
	if err != nil {
		return Retention{}, err
	}
	for _, name := range factNames {
		d := f.get(name)
		if d.IsZero() {
			continue
		}
		if err := CheckSaneDate(name, d); err != nil {
			return Retention{}, err
		}
		if today.Before(d) {
			return Retention{}, Errorf(EINVALID, "%s must not be in the future", name)
		}
	}
	if !f.DateOfBirth.IsZero() && !f.DateOfDeath.IsZero() {
		adult := !f.DateOfDeath.Before(f.DateOfBirth.AddYears(18))
		switch {
		case f.DateOfDeath.Before(f.DateOfBirth):
			return Retention{}, Errorf(EINVALID, "date_of_death is before date_of_birth")
		case strings.HasSuffix(category, "_died_under_18") && adult:
			return Retention{}, Errorf(EINVALID, "category %s is for a death before the 18th birthday, and the dates say otherwise", category)
		case strings.HasSuffix(category, "_died_over_18") && !adult:
			return Retention{}, Errorf(EINVALID, "category %s is for a death at 18 or older, and the dates say otherwise", category)
		}
	}
	r := Retention{Category: category, Facts: f, ScheduleVersion: s.Version}
	switch rule.Trigger {
	case TriggerPermanent:
		r.Permanent = true
		return r, nil
	case TriggerRecordDate:
		if recordDate.IsZero() {
			return Retention{}, Errorf(EINVALID, "category %s runs from the record's date, and the document has none", category)
		}
		r.Starts = recordDate
	case TriggerEighteenth:
		if f.DateOfBirth.IsZero() {
			return Retention{}, Errorf(EINVALID, "date_of_birth is required for category %s (kept %d years after the 18th birthday)", category, rule.Years)
		}
		r.Starts = f.DateOfBirth.AddYears(18)
	default:
		name := factFor(rule.Trigger)
		r.Starts = f.get(name)
		if r.Starts.IsZero() {
			return Retention{}, Errorf(EINVALID, "%s is required for category %s (kept %d years from it)", name, category, rule.Years)
		}
	}
	r.DisposeOn = r.Starts.AddYears(rule.Years)
	return r, nil
}
