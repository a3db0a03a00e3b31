// Package workdays answers working-day questions for England and Wales: which days are
// bank holidays, the nth working day before or after a date, and a wall-clock time in
// Europe/London on a given day (so "08:00" stays 08:00 across the clock changes).
//
// The holiday rules come from github.com/rickar/cal/v2/gb (a maintained calendar library
// that follows the GOV.UK list, with the one-off holidays of 2020, 2022 and 2023). One
// one-off is missing from it and is added here: the Bank Holiday for the State Funeral of
// Queen Elizabeth II, Monday 19 September 2022 (source: https://www.gov.uk/bank-holidays,
// and the Royal Proclamation of 12 September 2022). Tests pin every holiday 2020-2030.
package workdays

import (
	"time"
	_ "time/tzdata" // Lambda images need not carry a zone database; London must not fail

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/gb"

	"github.com/casehold/casehold/internal/casehold"
)

// stateFuneral2022 is the one-off holiday rickar/cal/v2/gb lacks.
var stateFuneral2022 = &cal.Holiday{
	Name: "Bank Holiday for the State Funeral of Queen Elizabeth II", Type: cal.ObservanceBank,
	Month: time.September, Day: 19, Func: cal.CalcDayOfMonth, StartYear: 2022, EndYear: 2022,
}

// englandAndWales are the holidays of England and Wales: gb's list holds the national
// ones (Scotland's and Northern Ireland's are separate lists there).
var englandAndWales = append(append([]*cal.Holiday{}, gb.Holidays...), stateFuneral2022)

var (
	london   *time.Location
	calendar *cal.BusinessCalendar
)

func init() {
	var err error
	if london, err = time.LoadLocation("Europe/London"); err != nil {
		panic("workdays: Europe/London is missing from the embedded zone database: " + err.Error())
	}
	calendar = cal.NewBusinessCalendar()
	calendar.AddHoliday(englandAndWales...)
}

// London is Europe/London.
func London() *time.Location { return london }

// noon is the moment used to ask about a whole day: far from midnight, so no zone shift
// moves it to another date.
func noon(d casehold.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, london)
}

// IsBankHoliday reports whether d is a bank holiday in England and Wales (substitute days
// included: Christmas on a Saturday makes the Monday or Tuesday the holiday).
func IsBankHoliday(d casehold.Date) bool {
	_, observed, _ := calendar.IsHoliday(noon(d))
	return observed
}

// IsWorkingDay reports whether d is Monday to Friday and not a bank holiday.
func IsWorkingDay(d casehold.Date) bool {
	wd := noon(d).Weekday()
	return wd != time.Saturday && wd != time.Sunday && !IsBankHoliday(d)
}

// Add returns the nth working day after d (n > 0) or before it (n < 0), not counting d
// itself; n == 0 returns d.
func Add(d casehold.Date, n int) casehold.Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// OnOrAfter returns d if it is a working day, else the next one.
func OnOrAfter(d casehold.Date) casehold.Date {
	for !IsWorkingDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// OnOrBefore returns d if it is a working day, else the one before.
func OnOrBefore(d casehold.Date) casehold.Date {
	for !IsWorkingDay(d) {
		d = d.AddDays(-1)
	}
	return d
}

// At returns hour:minute local time in London on d, as an instant. On the day the clocks
// go forward, a time inside the skipped hour comes out an hour later, as Go normalises it.
func At(d casehold.Date, hour, minute int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, london)
}

// Today is the London calendar date at instant t.
func Today(t time.Time) casehold.Date { return casehold.DateOf(t.In(london)) }

// BankHolidays lists year's bank holidays in England and Wales, in date order.
func BankHolidays(year int) []casehold.Date {
	var out []casehold.Date
	for d := (casehold.Date{Year: year, Month: time.January, Day: 1}); d.Year == year; d = d.AddDays(1) {
		if IsBankHoliday(d) {
			out = append(out, d)
		}
	}
	return out
}
