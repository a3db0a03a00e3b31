package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
)

// TestLeadOfficerNotice: naming a lead officer with an email queues one notice, however
// often the row is saved; the reminder to the officer and the escalations to the
// coordinator come when due and stop once the acknowledgement is recorded; progress shows
// the state; no message carries a child's name.
func TestLeadOfficerNotice(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z") // Monday
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	m := f.ccrcMatter(t, "CCRC-LEAD-1", "2026-11-02", casehold.Person{PID: "P-L1", Name: "Lark Invented"})
	row := casehold.AreaLead{Area: casehold.AreaEducation, LeadOfficer: "Robin Example", LeadEmail: "robin.lead@council.example",
		NoticeOn: casehold.Date{Year: 2020, Month: 1, Day: 1}, AcknowledgedOn: casehold.Date{Year: 2020, Month: 1, Day: 2}} // set by casehold only: ignored
	for range 2 {
		if _, err := f.svc.PutArea(ctx, coord, m.ID, row); err != nil {
			t.Fatal(err)
		}
	}
	f.sweep(t)
	notices := withSubject(f.sent(), "records preservation notice")
	if len(notices) != 1 || strings.Join(notices[0].To, ",") != "robin.lead@council.example" {
		t.Fatalf("notices after two saves and a sweep: %+v, want one to the lead officer", notices)
	}
	if n := notices[0]; !strings.Contains(n.Text, m.ID) || !strings.Contains(n.Text, "replying to the coordinating officer") ||
		strings.Contains(n.Text+n.Subject, "Lark") || strings.Contains(n.Text+n.Subject, "P-L1") {
		t.Errorf("notice does not say what to do, or names the child: %q %q", n.Subject, n.Text)
	}
	progress := func() casehold.AreaProgress {
		t.Helper()
		p, err := f.svc.Progress(ctx, coord, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range p.Areas {
			if a.Area == casehold.AreaEducation {
				return a
			}
		}
		t.Fatal("no education row in progress")
		return casehold.AreaProgress{}
	}
	if a := progress(); a.Acknowledgement != casehold.AckAwaiting {
		t.Fatalf("progress says %q, want %q", a.Acknowledgement, casehold.AckAwaiting)
	}
	// Reminder after 5 working days (Monday 9 November), escalation a week later, again weekly.
	for _, at := range []string{"2026-11-06T12:00:00Z", "2026-11-09T08:00:00Z", "2026-11-09T08:30:00Z", "2026-11-16T08:00:00Z", "2026-11-23T08:00:00Z"} {
		f.at(t, at)
		f.sweep(t)
		f.sweep(t) // the same event twice sends nothing more
	}
	var got []string
	for _, msg := range append(withSubject(f.sent(), "please acknowledge"), withSubject(f.sent(), "lead officer notice unacknowledged")...) {
		got = append(got, strings.Join(msg.To, ",")+" "+strings.TrimPrefix(msg.Subject, "casehold: "))
		if strings.Contains(msg.Subject, "Lark") || strings.Contains(msg.Subject, "P-L1") {
			t.Errorf("a child's name or PID in a subject: %q", msg.Subject)
		}
	}
	want := []string{
		"robin.lead@council.example reminder, please acknowledge the notice for matter " + m.ID,
		"dana.whitlock@council.example lead officer notice unacknowledged, matter " + m.ID,
		"dana.whitlock@council.example lead officer notice unacknowledged, matter " + m.ID,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("chasers:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Saving the row again (same address) keeps the notice day: nothing is resent.
	if _, err := f.svc.PutArea(ctx, coord, m.ID, row); err != nil {
		t.Fatal(err)
	}
	if n := len(withSubject(f.sent(), "records preservation notice")); n != 1 {
		t.Fatalf("%d notices after saving the row again, want 1", n)
	}
	got2, err := f.svc.AcknowledgeArea(ctx, coord, m.ID, casehold.AreaEducation, app.AckInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got2.Work.Areas {
		if a.Area == casehold.AreaEducation && (a.AcknowledgedOn.String() != "2026-11-23" || a.AcknowledgedBy != coord.ID || a.NoticeOn.String() != "2026-11-02") {
			t.Fatalf("row after acknowledgement: %+v", a)
		}
	}
	if a := progress(); a.Acknowledgement != casehold.AckAcknowledged {
		t.Fatalf("progress says %q, want %q", a.Acknowledgement, casehold.AckAcknowledged)
	}
	before := len(f.sent())
	for _, at := range []string{"2026-11-30T08:00:00Z", "2026-12-07T08:00:00Z"} {
		f.at(t, at)
		f.sweep(t)
	}
	if extra := append(withSubject(f.sent()[before:], "lead officer"), withSubject(f.sent()[before:], "acknowledge")...); len(extra) != 0 {
		t.Fatalf("chased after the acknowledgement: %v", extra[0].Subject)
	}
	// Naming another officer starts a new notice.
	row.LeadEmail = "sky.lead@council.example"
	if _, err := f.svc.PutArea(ctx, coord, m.ID, row); err != nil {
		t.Fatal(err)
	}
	if n := withSubject(f.sent(), "records preservation notice"); len(n) != 2 || n[1].To[0] != "sky.lead@council.example" {
		t.Fatalf("notices after naming another officer: %d", len(n))
	}
	if a := progress(); a.Acknowledgement != casehold.AckAwaiting {
		t.Fatalf("progress after a new officer says %q, want %q", a.Acknowledgement, casehold.AckAwaiting)
	}
}

// TestLeadOfficerBadInput: clear refusals, each audited.
func TestLeadOfficerBadInput(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z")
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	m := f.ccrcMatter(t, "CCRC-LEAD-2", "2026-11-02")
	if _, err := f.svc.PutArea(ctx, coord, m.ID, casehold.AreaLead{Area: casehold.AreaLegal, LeadOfficer: "No Email"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PutArea(ctx, coord, m.ID, casehold.AreaLead{Area: casehold.AreaOther, LeadOfficer: "Ash Example", LeadEmail: "ash.lead@council.example"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"bad email", func() error {
			_, err := f.svc.PutArea(ctx, coord, m.ID, casehold.AreaLead{Area: casehold.AreaEducation, LeadOfficer: "X", LeadEmail: "not-an-address"})
			return err
		}, casehold.EINVALID, "lead_email"},
		{"no lead officer recorded", func() error {
			_, err := f.svc.AcknowledgeArea(ctx, coord, m.ID, casehold.AreaEducation, app.AckInput{})
			return err
		}, casehold.ECONFLICT, "no lead officer recorded"},
		{"lead officer without an email", func() error {
			_, err := f.svc.AcknowledgeArea(ctx, coord, m.ID, casehold.AreaLegal, app.AckInput{})
			return err
		}, casehold.ECONFLICT, "no lead officer with an email"},
		{"unknown area", func() error {
			_, err := f.svc.AcknowledgeArea(ctx, coord, m.ID, "housing", app.AckInput{})
			return err
		}, casehold.EINVALID, "area must be one of"},
		{"in the future", func() error {
			_, err := f.svc.AcknowledgeArea(ctx, coord, m.ID, casehold.AreaOther, app.AckInput{AcknowledgedOn: casehold.Date{Year: 2026, Month: 11, Day: 3}})
			return err
		}, casehold.EINVALID, "acknowledged_on must not be in the future"},
		{"before the notice", func() error {
			_, err := f.svc.AcknowledgeArea(ctx, coord, m.ID, casehold.AreaOther, app.AckInput{AcknowledgedOn: casehold.Date{Year: 2026, Month: 10, Day: 30}})
			return err
		}, casehold.EINVALID, "before the notice"},
		{"the awaited officer's email removed", func() error {
			_, err := f.svc.PutArea(ctx, coord, m.ID, casehold.AreaLead{Area: casehold.AreaOther, LeadOfficer: " ash example "})
			return err
		}, casehold.ECONFLICT, "record their acknowledgement"},
		{"not a coordinator", func() error {
			_, err := f.svc.AcknowledgeArea(ctx, casehold.Actor{ID: "s-hd-9", Roles: []casehold.Role{casehold.RoleHelpdesk}}, m.ID, casehold.AreaOther, app.AckInput{})
			return err
		}, casehold.EFORBIDDEN, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if casehold.ErrorCode(err) != c.code || !strings.Contains(casehold.ErrorMessage(err), c.msg) {
				t.Fatalf("got %v (%s), want %s containing %q", err, casehold.ErrorCode(err), c.code, c.msg)
			}
		})
	}
	if _, err := f.svc.AcknowledgeArea(ctx, coord, m.ID, casehold.AreaOther, app.AckInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AcknowledgeArea(ctx, coord, m.ID, casehold.AreaOther, app.AckInput{}); casehold.ErrorCode(err) != casehold.ECONFLICT {
		t.Fatalf("second acknowledgement: %v, want ECONFLICT", err)
	}
	// Once acknowledged, or for another officer, the area may be re-saved without an email.
	if _, err := f.svc.PutArea(ctx, coord, m.ID, casehold.AreaLead{Area: casehold.AreaOther, LeadOfficer: "Ash Example"}); err != nil {
		t.Fatalf("re-saving an acknowledged area: %v", err)
	}
	if err := f.svc.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := f.svc.ListAudit(ctx, coord, casehold.AuditFilter{MatterID: m.ID}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range evs {
		counts[e.Action+" "+string(e.Outcome)+" "+e.Code]++
	}
	for k, want := range map[string]int{
		"matter.area refused " + casehold.EINVALID:                1,
		"matter.area_acknowledged refused " + casehold.ECONFLICT:  3,
		"matter.area_acknowledged refused " + casehold.EINVALID:   3,
		"matter.area_acknowledged refused " + casehold.EFORBIDDEN: 1,
		"matter.area_acknowledged ok ":                            1,
	} {
		if counts[k] != want {
			t.Errorf("audit %q: %d events, want %d (all: %v)", k, counts[k], want, counts)
		}
	}
}
