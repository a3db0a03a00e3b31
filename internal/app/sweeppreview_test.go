package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
)

// TestSweepPreview: the UI's dry run is the sweep's own dry run for IG and coordinators,
// refused to other roles, audited either way, and it queues and sends nothing.
func TestSweepPreview(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z")
	m := f.ccrcMatter(t, "PREVIEW-1", "2026-11-02")
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		who  string
		want string // error code, "" for allowed
	}{{"s-coord-01", ""}, {"s-ig-01", ""}, {"s-tm-01", casehold.EFORBIDDEN}, {"s-cso-01", casehold.EFORBIDDEN}, {"s-legal-01", casehold.EFORBIDDEN}} {
		a, _ := auth.DemoByID(c.who)
		rep, err := f.svc.SweepPreview(ctx, a, at)
		if casehold.ErrorCode(err) != c.want && !(c.want == "" && err == nil) {
			t.Errorf("%s: %v, want %q", c.who, err, c.want)
			continue
		}
		if c.want != "" {
			continue
		}
		if !rep.DryRun || len(rep.Mail) != 1 || rep.Mail[0].Kind != reminders.CCRCEscalation || rep.Mail[0].Subject != m.ID {
			t.Errorf("%s: preview = %+v", c.who, rep.Mail)
		}
	}
	if len(f.sent()) != 0 {
		t.Errorf("the preview sent %d message(s)", len(f.sent()))
	}
	if err := f.svc.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	ig, _ := auth.DemoByID("s-ig-01")
	events, err := f.svc.ListAudit(ctx, ig, casehold.AuditFilter{}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range events {
		if e.Action == "reminders.preview" {
			got[e.Actor+" "+string(e.Outcome)]++
			if !strings.Contains(e.Detail, "messages=") && e.Outcome == casehold.OutcomeOK {
				t.Errorf("preview event detail %q", e.Detail)
			}
		}
	}
	if got["s-coord-01 "+string(casehold.OutcomeOK)] != 1 || got["s-tm-01 "+string(casehold.OutcomeRefused)] != 1 {
		t.Errorf("preview audit events: %v", got)
	}
}
