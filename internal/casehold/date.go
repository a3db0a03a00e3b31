package casehold

import (
	"encoding/json"
	"fmt"
	"time"
)

// DateLayout is the one wire format for calendar dates (ISO 8601, no time).
const DateLayout = "2006-01-02"

// Date is a calendar date with no time of day or zone: the day a letter arrived,
// a deadline, the date a scanned record was made.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Earliest and latest dates casehold accepts anywhere. A record of a looked-after child may
// date from the 1940s; a year like 0001 or 20266 is a typing slip that would otherwise
// become a deadline or a form date.
var (
	EarliestDate = Date{1900, time.January, 1}
	LatestDate   = Date{2999, time.December, 31}
)

// EarliestReceived is the earliest date a preservation demand can have arrived: the
// procedures (and the CCRC, set up in 1997) are all later, so an earlier received_on is a
// mistake that would make the matter overdue from the start.
var EarliestReceived = Date{1990, time.January, 1}

// ParseDate parses YYYY-MM-DD. field names the input in the error.
func ParseDate(field, s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, Errorf(EINVALID, "%s must be a date in the form YYYY-MM-DD", field)
	}
	d := DateOf(t)
	if err := CheckSaneDate(field, d); err != nil {
		return Date{}, err
	}
	return d, nil
}

// CheckSaneDate refuses a date outside EarliestDate..LatestDate.
func CheckSaneDate(field string, d Date) error {
	if d.Before(EarliestDate) || LatestDate.Before(d) {
		return Errorf(EINVALID, "%s must be between %s and %s", field, EarliestDate, LatestDate)
	}
	return nil
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns d moved n calendar days.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// DaysUntil returns the number of calendar days from d to e (negative if e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.Time().Sub(d.Time()).Hours() / 24) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalJSON writes "YYYY-MM-DD", or null when unset.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "YYYY-MM-DD" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EINVALID, "date must be a string in the form YYYY-MM-DD")
	}
	p, err := ParseDate("date", s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// AddYears adds n calendar years. A 29 February with no 29 February n years on becomes
// 1 March (as time.AddDate normalises, and as an 18th birthday is reckoned in England).
func (d Date) AddYears(n int) Date { return DateOf(d.Time().AddDate(n, 0, 0)) }
