package workdays

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

func date(s string) casehold.Date {
	d, err := casehold.ParseDate("d", s)
	if err != nil {
		panic(err)
	}
	return d
}

// Every England and Wales bank holiday 2020-2030: 2020-2026 as published on
// https://www.gov.uk/bank-holidays; 2027-2030 from the standing rules (Easter by the
// Gregorian computus; substitute days when Christmas, Boxing Day or New Year fall at a
// weekend), as GOV.UK has not yet published them.
var want = map[int]string{
	2020: "2020-01-01 2020-04-10 2020-04-13 2020-05-08 2020-05-25 2020-08-31 2020-12-25 2020-12-28",
	2021: "2021-01-01 2021-04-02 2021-04-05 2021-05-03 2021-05-31 2021-08-30 2021-12-27 2021-12-28",
	2022: "2022-01-03 2022-04-15 2022-04-18 2022-05-02 2022-06-02 2022-06-03 2022-08-29 2022-09-19 2022-12-26 2022-12-27",
	2023: "2023-01-02 2023-04-07 2023-04-10 2023-05-01 2023-05-08 2023-05-29 2023-08-28 2023-12-25 2023-12-26",
	2024: "2024-01-01 2024-03-29 2024-04-01 2024-05-06 2024-05-27 2024-08-26 2024-12-25 2024-12-26",
	2025: "2025-01-01 2025-04-18 2025-04-21 2025-05-05 2025-05-26 2025-08-25 2025-12-25 2025-12-26",
	2026: "2026-01-01 2026-04-03 2026-04-06 2026-05-04 2026-05-25 2026-08-31 2026-12-25 2026-12-28",
	2027: "2027-01-01 2027-03-26 2027-03-29 2027-05-03 2027-05-31 2027-08-30 2027-12-27 2027-12-28",
	2028: "2028-01-03 2028-04-14 2028-04-17 2028-05-01 2028-05-29 2028-08-28 2028-12-25 2028-12-26",
	2029: "2029-01-01 2029-03-30 2029-04-02 2029-05-07 2029-05-28 2029-08-27 2029-12-25 2029-12-26",
	2030: "2030-01-01 2030-04-19 2030-04-22 2030-05-06 2030-05-27 2030-08-26 2030-12-25 2030-12-26",
}

func TestBankHolidaysEveryYear(t *testing.T) {
	for year := 2020; year <= 2030; year++ {
		t.Run(fmt.Sprint(year), func(t *testing.T) {
			var got []string
			for _, d := range BankHolidays(year) {
				got = append(got, d.String())
			}
			if g := strings.Join(got, " "); g != want[year] {
				t.Fatalf("bank holidays %d:\n got  %s\n want %s", year, g, want[year])
			}
			for _, s := range strings.Fields(want[year]) {
				if IsWorkingDay(date(s)) {
					t.Errorf("%s is a working day, want a bank holiday", s)
				}
			}
		})
	}
}

func TestAdd(t *testing.T) {
	for _, c := range []struct {
		name, from string
		n          int
		want       string
	}{
		{"plain week", "2026-11-30", 3, "2026-12-03"},
		{"over a weekend", "2026-11-27", 1, "2026-11-30"},
		{"over Christmas 2026 (Boxing Day substitute Monday 28th)", "2026-12-24", 1, "2026-12-29"},
		{"back over Easter 2027", "2027-03-30", -1, "2027-03-25"},
		{"back 7 from a Saturday deadline", "2026-06-13", -7, "2026-06-04"},
		{"over the 2022 state funeral", "2022-09-16", 1, "2022-09-20"},
		{"over the coronation 2023", "2023-05-05", 1, "2023-05-09"},
		{"over the jubilee 2022", "2022-06-01", 1, "2022-06-06"},
		{"leap day 2028 counts", "2028-02-28", 1, "2028-02-29"},
		{"month end", "2027-01-29", 1, "2027-02-01"},
		{"year end", "2027-12-24", 1, "2027-12-29"},
		{"zero", "2026-12-05", 0, "2026-12-05"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Add(date(c.from), c.n).String(); got != c.want {
				t.Fatalf("Add(%s, %d) = %s, want %s", c.from, c.n, got, c.want)
			}
		})
	}
	if got := OnOrAfter(date("2026-12-25")).String(); got != "2026-12-29" {
		t.Errorf("OnOrAfter(Christmas 2026) = %s", got)
	}
	if got := OnOrBefore(date("2026-06-14")).String(); got != "2026-06-12" {
		t.Errorf("OnOrBefore(a Sunday) = %s", got)
	}
}

func TestAtAcrossClockChanges(t *testing.T) {
	for _, c := range []struct{ day, wantUTC string }{
		{"2027-03-27", "2027-03-27T08:00:00Z"}, // Saturday before the clocks go forward: GMT
		{"2027-03-28", "2027-03-28T07:00:00Z"}, // the day they go forward: BST
		{"2027-10-30", "2027-10-30T07:00:00Z"}, // BST
		{"2027-10-31", "2027-10-31T08:00:00Z"}, // the day they go back: GMT
		{"2027-01-04", "2027-01-04T08:00:00Z"},
		{"2027-07-01", "2027-07-01T07:00:00Z"},
	} {
		got := At(date(c.day), 8, 0).UTC().Format(time.RFC3339)
		if got != c.wantUTC {
			t.Errorf("08:00 London on %s = %s, want %s", c.day, got, c.wantUTC)
		}
	}
	// 00:30 UTC on 1 July is 01:30 in London, still 1 July; 23:30 UTC on 30 June is 00:30 on 1 July.
	if got := Today(time.Date(2027, 6, 30, 23, 30, 0, 0, time.UTC)).String(); got != "2027-07-01" {
		t.Errorf("Today at 23:30 UTC in summer = %s, want 2027-07-01", got)
	}
}
