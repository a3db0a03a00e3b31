package casehold

import (
	"strings"
	"testing"
	"time"
)

func day(s string) Date {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return DateOf(t)
}

// TestScheduleRows: one case per row of the schedule, each with the facts its trigger
// needs and the disposal date the council's procedure gives. A row added to the schedule
// without a case here fails.
func TestScheduleRows(t *testing.T) {
	today := day("2026-12-01")
	record := day("2001-06-15")
	rows := []struct {
		category string
		facts    RetentionFacts
		starts   string
		want     string // "" for permanent
	}{
		{"looked_after_child", RetentionFacts{DateOfBirth: day("1999-03-04")}, "2017-03-04", "2092-03-04"},
		{"looked_after_child_died_under_18", RetentionFacts{DateOfBirth: day("2005-01-01"), DateOfDeath: day("2012-05-20")}, "2012-05-20", "2047-05-20"},
		{"privately_fostered_child", RetentionFacts{DateOfBirth: day("2008-02-29")}, "2026-03-01", "2101-03-01"},
		{"adoption", RetentionFacts{}, "2001-06-15", "2101-06-15"},
		{"adoption_enquiry", RetentionFacts{}, "2001-06-15", "2011-06-15"},
		{"adopted_child_died_under_18", RetentionFacts{DateOfDeath: day("2003-01-10")}, "2001-06-15", "2101-06-15"},
		{"adopted_child_died_over_18", RetentionFacts{DateOfBirth: day("1970-01-01"), DateOfDeath: day("2020-07-07")}, "2020-07-07", "2035-07-07"},
		{"adopters", RetentionFacts{ClosureDate: day("2010-09-30")}, "2010-09-30", "2035-09-30"},
		{"adopters_deceased_or_withdrawn", RetentionFacts{}, "2001-06-15", "2011-06-15"},
		{"foster_carers", RetentionFacts{CeasedFosteringOn: day("2015-04-01")}, "2015-04-01", "2050-04-01"},
		{"child_protection", RetentionFacts{ClosureDate: day("2014-11-11")}, "2014-11-11", "2049-11-11"},
		{"child_protection_unit", RetentionFacts{ClosureDate: day("2014-11-11")}, "2014-11-11", "2049-11-11"},
		{"other_social_care", RetentionFacts{ClosureDate: day("2012-01-31")}, "2012-01-31", "2022-01-31"},
		{"send", RetentionFacts{ClosureDate: day("2019-07-19")}, "2019-07-19", "2054-07-19"},
		{"adult_risk_to_children", RetentionFacts{}, "", ""},
		{"missing_person", RetentionFacts{NotifiedOn: day("2025-02-14")}, "2025-02-14", "2026-02-14"},
		{"financial", RetentionFacts{}, "2001-06-15", "2008-06-15"},
	}
	s := Schedule()
	if len(rows) != len(s.Rules) {
		t.Fatalf("%d test rows for %d schedule rows: add a case for each row", len(rows), len(s.Rules))
	}
	for i, row := range rows {
		t.Run(row.category, func(t *testing.T) {
			if s.Rules[i].Category != row.category {
				t.Fatalf("row %d of the schedule is %s", i, s.Rules[i].Category)
			}
			r, err := s.Classify(row.category, row.facts, record, today)
			if err != nil {
				t.Fatal(err)
			}
			if r.ScheduleVersion != s.Version || r.Category != row.category {
				t.Errorf("recorded %+v", r)
			}
			if row.want == "" {
				if !r.Permanent || !r.DisposeOn.IsZero() {
					t.Errorf("permanent row: %+v", r)
				}
				return
			}
			if r.Permanent || r.Starts.String() != row.starts || r.DisposeOn.String() != row.want {
				t.Errorf("starts %s dispose on %s, want %s and %s", r.Starts, r.DisposeOn, row.starts, row.want)
			}
		})
	}
}

func TestClassifyRefuses(t *testing.T) {
	today := day("2026-12-01")
	s := Schedule()
	for _, c := range []struct {
		name, category string
		facts          RetentionFacts
		record         Date
		says           string
	}{
		{"UnknownCategory", "shredding_pile", RetentionFacts{}, day("2001-01-01"), "category must be one of: looked_after_child"},
		{"MissingBirth", "looked_after_child", RetentionFacts{}, day("2001-01-01"), "date_of_birth is required"},
		{"MissingClosure", "child_protection", RetentionFacts{DateOfBirth: day("2001-01-01")}, day("2001-01-01"), "closure_date is required"},
		{"MissingDeath", "adopted_child_died_over_18", RetentionFacts{}, day("2001-01-01"), "date_of_death is required"},
		{"FutureClosure", "send", RetentionFacts{ClosureDate: day("2027-01-01")}, day("2001-01-01"), "closure_date must not be in the future"},
		{"FutureBirthEvenIfUnused", "financial", RetentionFacts{DateOfBirth: day("2030-01-01")}, day("2001-01-01"), "date_of_birth must not be in the future"},
		{"DeathBeforeBirth", "looked_after_child_died_under_18", RetentionFacts{DateOfBirth: day("2010-01-01"), DateOfDeath: day("2009-01-01")}, day("2001-01-01"), "before date_of_birth"},
		{"DiedUnder18ButAdult", "looked_after_child_died_under_18", RetentionFacts{DateOfBirth: day("1990-01-01"), DateOfDeath: day("2010-01-01")}, day("2001-01-01"), "before the 18th birthday"},
		{"DiedOver18ButChild", "adopted_child_died_over_18", RetentionFacts{DateOfBirth: day("2000-01-01"), DateOfDeath: day("2010-01-01")}, day("2001-01-01"), "18 or older"},
		{"NoRecordDate", "financial", RetentionFacts{}, Date{}, "has none"},
		{"AbsurdDate", "send", RetentionFacts{ClosureDate: Date{1066, time.October, 14}}, day("2001-01-01"), "between"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Classify(c.category, c.facts, c.record, today)
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.says) {
				t.Fatalf("Classify = %v, want EINVALID saying %q", err, c.says)
			}
		})
	}
}

func TestParseScheduleRefusesBadData(t *testing.T) {
	for name, js := range map[string]string{
		"NoVersion":        `{"rules":[{"category":"a","trigger":"closure","years":1}]}`,
		"UnknownTrigger":   `{"version":"x","rules":[{"category":"a","trigger":"moon","years":1}]}`,
		"NoYears":          `{"version":"x","rules":[{"category":"a","trigger":"closure"}]}`,
		"PermanentYears":   `{"version":"x","rules":[{"category":"a","trigger":"permanent","years":3}]}`,
		"RepeatedCategory": `{"version":"x","rules":[{"category":"a","trigger":"closure","years":1},{"category":"a","trigger":"death","years":2}]}`,
	} {
		if _, err := ParseSchedule([]byte(js)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
