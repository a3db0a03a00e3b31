package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/ccrcform"
)

// TestConfirmationFormAgrees fills in the form from recorded work and checks that the
// checklist says what the tables above it say.
func TestConfirmationFormAgrees(t *testing.T) {
	day := casehold.Date{Year: 2026, Month: 11, Day: 20}
	base := func() *casehold.Matter {
		m := &casehold.Matter{ID: "m-form", Kind: casehold.KindCCRCS17, Reference: "CCRC/01234/2026", Status: casehold.MatterOpen,
			People: []casehold.Person{{PID: "P1", Name: "Alex Invented"}}}
		m.Work.Related = []casehold.RelatedPerson{{Person: casehold.Person{PID: "P2", Name: "Sam Invented"}, RelatedTo: "P1", Relationship: "sibling", CCRCWants: casehold.Yes}}
		m.Work.Electronic = []casehold.ElectronicRecord{{PID: "P1", System: "CCM", SecuredOn: day}, {PID: "P2", System: "CCM", SecuredOn: day}}
		m.Work.Paper = []casehold.PaperFile{{PID: "P1", Exists: casehold.Yes, Location: "archive", StoredOn: day, StoredAt: "legal services"},
			{PID: "P2", Exists: casehold.No}}
		return m
	}
	row := func(f ccrcform.Form, area string) ccrcform.ChecklistRow {
		for _, r := range f.Checklist {
			if r.Area == area {
				return r
			}
		}
		t.Fatalf("checklist has no %q row: %+v", area, f.Checklist)
		return ccrcform.ChecklistRow{}
	}
	svc := app.New(&app.Deps{Clock: fixedClock{time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}})
	cases := []struct {
		name  string
		mod   func(m *casehold.Matter)
		check func(t *testing.T, f ccrcform.Form)
	}{
		{"StoredAtLegal", func(*casehold.Matter) {}, func(t *testing.T, f ccrcform.Form) {
			if r := row(f, "Legal services"); r.PaperSecured != "y" || r.PaperLocation != "Legal services" {
				t.Errorf("legal row = %+v, but page 1 shows a file stored there", r)
			}
			if r := row(f, "Social care"); r.PaperSecured != "y" || r.ElectronicSecured != "y" || r.System != "CCM" {
				t.Errorf("social care row = %+v", r)
			}
			if f.LegalStoredOn != "20.11.2026" {
				t.Errorf("legal stored on = %q, want the date the file was stored there", f.LegalStoredOn)
			}
			if !f.ServiceAreas[2].Involved {
				t.Error("legal services holds a file but is shown as not involved")
			}
		}},
		{"AlternativeLocation", func(m *casehold.Matter) { m.Work.Paper[0].StoredAt = "Records store, Unit 4" }, func(t *testing.T, f ccrcform.Form) {
			if got := f.Paper[0].StoredAt; got != "Agreed alternative location: Records store, Unit 4" {
				t.Errorf("paper row stored at %q, want the alternative stated as such", got)
			}
			if r := row(f, "Legal services"); r.PaperSecured != "" || r.PaperLocation != "" {
				t.Errorf("legal row = %+v, but nothing is stored there", r)
			}
			if r := row(f, "Social care"); !strings.HasPrefix(r.PaperLocation, "Agreed alternative location") {
				t.Errorf("social care row = %+v", r)
			}
		}},
		{"PaperNotYetStored", func(m *casehold.Matter) { m.Work.Paper[0].StoredOn = casehold.Date{} }, func(t *testing.T, f ccrcform.Form) {
			if r := row(f, "Social care"); r.PaperSecured != "n" {
				t.Errorf("social care row = %+v, want paper not secured", r)
			}
		}},
		{"NoPaperFound", func(m *casehold.Matter) { m.Work.Paper = m.Work.Paper[1:] }, func(t *testing.T, f ccrcform.Form) {
			if r := row(f, "Social care"); r.PaperSecured != "" {
				t.Errorf("social care row = %+v, want blank: nothing was found to secure", r)
			}
		}},
		{"OtherDirectorate", func(m *casehold.Matter) {
			m.Work.Areas = []casehold.AreaLead{{Area: casehold.AreaOther, LeadOfficer: "Housing lead", NotifiedOn: day}}
		}, func(t *testing.T, f ccrcform.Form) {
			if r := row(f, "Other"); !strings.Contains(r.PaperLocation, "Housing lead") {
				t.Errorf("other row = %+v", r)
			}
		}},
		{"RelatedPersonMarked", func(*casehold.Matter) {}, func(t *testing.T, f ccrcform.Form) {
			if n := f.Electronic[1].FullName; !strings.Contains(n, "Sam Invented") || !strings.Contains(n, "not named by the CCRC") {
				t.Errorf("related person shown as %q", n)
			}
			if n := f.Electronic[0].FullName; n != "Alex Invented" {
				t.Errorf("named person shown as %q", n)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := base()
			c.mod(m)
			f := svc.ConfirmationForm(m, casehold.Date{}, casehold.SignOff{}, true)
			if !f.Draft || f.Reference != "CCRC/01234/2026" {
				t.Errorf("draft=%v reference=%q", f.Draft, f.Reference)
			}
			c.check(t, f)
		})
	}
}
