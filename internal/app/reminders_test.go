package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
	"github.com/casehold/casehold/internal/wire"
)

// remindFixture is an embedded service with a stepping clock and a recording mailer.
type remindFixture struct {
	a     *wire.App
	svc   *app.Service
	clock *stepClock
	mail  *failingMailer
}

func newRemindFixture(t *testing.T, start string) *remindFixture {
	t.Helper()
	a := embedded(t)
	at, err := time.Parse(time.RFC3339, start)
	if err != nil {
		t.Fatal(err)
	}
	f := &remindFixture{a: a, svc: a.Service, clock: &stepClock{now: at}, mail: &failingMailer{}}
	a.Service.Clock, a.Service.Mail = f.clock, f.mail
	return f
}

func (f *remindFixture) at(t *testing.T, s string) {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.mu.Lock()
	f.clock.now = at
	f.clock.mu.Unlock()
}

func (f *remindFixture) sweep(t *testing.T) *app.SweepReport {
	t.Helper()
	rep, err := f.svc.Sweep(context.Background(), time.Time{}, false)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	return rep
}

func (f *remindFixture) ccrcMatter(t *testing.T, ref, received string, people ...casehold.Person) *casehold.Matter {
	t.Helper()
	if len(people) == 0 {
		people = []casehold.Person{{PID: "P-R1", Name: "Remi Invented"}}
	}
	m, err := f.svc.CreateMatter(context.Background(), auth.DemoStaff[0], casehold.NewMatterInput{Reference: ref, Contact: "Case Review Manager",
		ReceivedOn: received, People: people})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// sentSummary lists "to|cc|subject" of the mail the mailer accepted.
func (f *remindFixture) sent() []casehold.Message {
	f.mail.mu.Lock()
	defer f.mail.mu.Unlock()
	return append([]casehold.Message(nil), f.mail.sent...)
}

func withSubject(ms []casehold.Message, part string) []casehold.Message {
	var out []casehold.Message
	for _, m := range ms {
		if strings.Contains(m.Subject, part) {
			out = append(out, m)
		}
	}
	return out
}

// TestSweepCCRCDeadline walks a matter from receipt past its deadline: two warnings and
// the on-the-day notice to the coordinator, then weekly escalations to the line manager
// (copied to the coordinator) until released. The same Scheduler event delivered three
// times sends one email per occasion.
func TestSweepCCRCDeadline(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z")
	m := f.ccrcMatter(t, "CCRC-REM-1", "2026-11-02") // deadline Monday 30 November 2026
	steps := []struct {
		at, subject, to, cc string
	}{
		{"2026-11-18T12:00:00Z", "", "", ""},
		{"2026-11-19T08:00:00Z", "must be confirmed by 2026-11-30", "dana.whitlock@council.example", ""},
		{"2026-11-26T08:05:00Z", "must be confirmed by 2026-11-30", "dana.whitlock@council.example", ""},
		{"2026-11-30T08:00:00Z", "confirmation due today", "dana.whitlock@council.example", ""},
		{"2026-12-01T08:00:00Z", "OVERDUE matter", "ruth.calloway@council.example", "dana.whitlock@council.example"},
		// Nothing recorded for 30 days (since 2 November, 09:00): flagged to the coordinator.
		{"2026-12-05T08:00:00Z", "has been idle", "dana.whitlock@council.example", ""},
		{"2026-12-06T08:00:00Z", "", "", ""},
		{"2026-12-08T08:00:00Z", "OVERDUE matter", "ruth.calloway@council.example", "dana.whitlock@council.example"},
	}
	total := 0
	for _, st := range steps {
		f.at(t, st.at)
		before := len(f.sent())
		for range 3 { // one Scheduler event, delivered three times
			f.sweep(t)
		}
		got := f.sent()[before:]
		if st.subject == "" {
			if len(got) != 0 {
				t.Fatalf("at %s: %d emails, want none", st.at, len(got))
			}
			continue
		}
		total++
		if len(got) != 1 {
			t.Fatalf("at %s: %d emails from three deliveries of the event, want 1", st.at, len(got))
		}
		msg := got[0]
		if !strings.Contains(msg.Subject, st.subject) || !strings.Contains(msg.Subject, m.ID) || strings.Join(msg.To, ",") != st.to || strings.Join(msg.Cc, ",") != st.cc {
			t.Errorf("at %s: to %v cc %v subject %q; want %s / %s / %q", st.at, msg.To, msg.Cc, msg.Subject, st.to, st.cc, st.subject)
		}
		if strings.Contains(msg.Subject, "P-R1") || strings.Contains(msg.Subject, "Remi") || strings.Contains(msg.Subject, "CCRC-REM-1") {
			t.Errorf("subject %q carries a PID, name or reference", msg.Subject)
		}
	}
	// Released: nothing more.
	if _, err := f.svc.ReleaseMatter(context.Background(), auth.DemoStaff[0], m.ID, app.ReleaseInput{Reason: "direction withdrawn"}); err != nil {
		t.Fatal(err)
	}
	before := len(f.sent())
	f.at(t, "2026-12-15T08:00:00Z")
	f.sweep(t)
	if got := f.sent()[before:]; len(got) != 0 {
		t.Errorf("after the release the sweep sent %d emails (first %q)", len(got), got[0].Subject)
	}
	if total != 6 {
		t.Errorf("%d reminder steps, want 6", total)
	}
	// A sweep reads only what is due: the matter's two entries and the two reports' at
	// most, nothing else.
	f.at(t, "2027-06-01T08:00:00Z")
	if rep := f.sweep(t); rep.DueRead > 4 {
		t.Errorf("a sweep read %d due entries, want at most the matter's two and the reports' two", rep.DueRead)
	}
}

// TestSweepOverdueAtCreation: a matter created 34 days past its deadline is escalated by
// the next sweep, not left silent, and the stale warnings are not sent.
func TestSweepOverdueAtCreation(t *testing.T) {
	f := newRemindFixture(t, "2027-01-04T10:00:00Z")
	f.ccrcMatter(t, "CCRC-LATE", "2026-12-03") // deadline 31 December 2026, 34 days before
	rep := f.sweep(t)
	got := f.sent()
	if len(got) != 1 || !strings.Contains(got[0].Subject, "OVERDUE") || len(rep.Mail) != 1 || rep.Mail[0].Kind != reminders.CCRCEscalation {
		t.Fatalf("sweep after a late creation: %+v, sent %d; want one escalation", rep.Mail, len(got))
	}
}

// killingMailer stops the "process" at its nth send: it cancels the sweep's context, as a
// Lambda timeout or a kill would, and reports the send as failed.
type killingMailer struct {
	mu     sync.Mutex
	killAt int
	cancel context.CancelFunc
	calls  int
	sent   []casehold.Message
}

func (k *killingMailer) Send(ctx context.Context, msg casehold.Message) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls++
	if k.calls == k.killAt {
		k.cancel()
		return "", context.Canceled
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	k.sent = append(k.sent, msg)
	return fmt.Sprintf("msg-%d", len(k.sent)), nil
}

// TestSweepKilledMidwayAndRerun: a sweep stopped in the middle and run again sends every
// occasion exactly once.
func TestSweepKilledMidwayAndRerun(t *testing.T) {
	for _, killAt := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("killed at send %d", killAt), func(t *testing.T) {
			f := newRemindFixture(t, "2026-11-02T09:00:00Z")
			var ids []string
			for i := range 3 {
				ids = append(ids, f.ccrcMatter(t, fmt.Sprintf("KILL-%d", i), "2026-11-02").ID)
			}
			ctx, cancel := context.WithCancel(context.Background())
			km := &killingMailer{killAt: killAt, cancel: cancel}
			f.svc.Mail = km
			f.at(t, "2026-11-19T08:00:00Z")
			if _, err := f.svc.Sweep(ctx, time.Time{}, false); err == nil {
				t.Fatal("the killed sweep reported success")
			}
			// Run again (a new process), and again once the lease of the message that was
			// being sent when it stopped has run out.
			for _, later := range []time.Duration{0, app.MailLease + app.MailRetryBase, time.Hour} {
				f.clock.add(later)
				f.sweep(t)
			}
			perMatter := map[string]int{}
			for _, m := range km.sent {
				for _, id := range ids {
					if strings.Contains(m.Subject, id) {
						perMatter[id]++
					}
				}
			}
			for _, id := range ids {
				if perMatter[id] != 1 {
					t.Errorf("matter %s: %d warnings delivered, want exactly 1 (all: %v)", id, perMatter[id], perMatter)
				}
			}
		})
	}
}

// TestMailerFailsTwiceThenAccepts: the queued message is retried with backoff and
// delivered exactly once.
func TestMailerFailsTwiceThenAccepts(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z")
	m := f.ccrcMatter(t, "FLAKY-1", "2026-11-02")
	f.mail.fails = 2
	f.at(t, "2026-11-19T08:00:00Z")
	rep := f.sweep(t) // first attempt (inline) fails
	if len(rep.Mail) != 1 || !rep.Mail[0].Queued || len(f.sent()) != 0 {
		t.Fatalf("first sweep: %+v, %d sent", rep.Mail, len(f.sent()))
	}
	ctx := context.Background()
	steps := []struct {
		after time.Duration
		sent  int
	}{{30 * time.Second, 0}, {app.MailRetryBase, 0}, {app.MailRetryBase, 0}, {app.MailRetryBase, 1}, {time.Hour, 1}, {24 * time.Hour, 1}}
	for i, st := range steps {
		f.clock.add(st.after)
		if _, err := f.svc.DeliverMail(ctx); err != nil {
			t.Fatal(err)
		}
		f.sweep(t)
		if got := len(f.sent()); got != st.sent {
			t.Fatalf("step %d: %d delivered, want %d", i, got, st.sent)
		}
	}
	q, err := f.svc.Store.(casehold.MailQueue).GetMail(ctx, "ccrc.warning/"+m.ID+"/2026-11-30/7wd")
	if err != nil {
		t.Fatal(err)
	}
	if q.Status != casehold.MailSent || q.Attempts != 3 || q.TransportID == "" {
		t.Errorf("queued message = status %s, %d attempts, id %q; want sent after 3", q.Status, q.Attempts, q.TransportID)
	}
	log := auditOf(t, f.a)
	if countPrefix(log, "mail.sent:ok") != 1 || countPrefix(log, "mail.send:failed") != 2 {
		t.Errorf("audit: %d sent, %d failed; want 1 and 2", countPrefix(log, "mail.sent:ok"), countPrefix(log, "mail.send:failed"))
	}
}

// TestReminderPassesThePolicy: where a child of the matter is locked and the recipients are
// outside the lock, the reminders carry ids and dates only: no reference, PID or name.
// Without the lock the coordinator's reminder carries the reference.
func TestReminderPassesThePolicy(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z")
	support := auth.DemoStaff[7]
	open := f.ccrcMatter(t, "OPEN-REF-77", "2026-11-02", casehold.Person{PID: "P-OPEN", Name: "Ola Invented"})
	locked := f.ccrcMatter(t, "LOCKED-REF-88", "2026-11-02", casehold.Person{PID: "P-LOCKD", Name: "Lux Invented"})
	if _, err := f.svc.RequestLock(context.Background(), support, app.LockInput{PID: "P-LOCKD", Owner: "s-tm-01", Reason: casehold.LockUnexplainedDeath}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{"2026-11-19T08:00:00Z", "2026-12-01T08:00:00Z"} {
		f.at(t, at)
		f.sweep(t)
	}
	var lockedMail, openMail []casehold.Message
	for _, m := range f.sent() {
		switch {
		case strings.Contains(m.Subject, locked.ID):
			lockedMail = append(lockedMail, m)
		case strings.Contains(m.Subject, open.ID):
			openMail = append(openMail, m)
		}
	}
	if len(lockedMail) != 2 || len(openMail) != 2 {
		t.Fatalf("%d reminders for the locked matter, %d for the open one; want 2 each", len(lockedMail), len(openMail))
	}
	for _, m := range lockedMail {
		for _, secret := range []string{"LOCKED-REF-88", "P-LOCKD", "Lux", "unexplained"} {
			if strings.Contains(m.Subject+m.Text, secret) {
				t.Errorf("a reminder to someone outside the lock carries %q: %q", secret, m.Text)
			}
		}
	}
	if !strings.Contains(openMail[0].Text, "OPEN-REF-77") {
		t.Errorf("the coordinator's reminder of an unlocked matter lacks its reference: %q", openMail[0].Text)
	}
	if strings.Contains(openMail[0].Subject, "OPEN-REF-77") || strings.Contains(openMail[0].Subject, "P-OPEN") {
		t.Errorf("subject %q carries the reference or PID", openMail[0].Subject)
	}
}

// TestLockReminders: the owner hears of the monthly review before it is due and of each
// break-glass access the next working day; the review overdue goes to the owner's manager.
func TestLockReminders(t *testing.T) {
	f := newRemindFixture(t, "2027-01-15T10:00:00Z") // a Friday
	ctx := context.Background()
	support, edt := auth.DemoStaff[7], auth.DemoStaff[8]
	l, err := f.svc.RequestLock(ctx, support, app.LockInput{PID: "P-LK1", Owner: "s-tm-01", Reason: casehold.LockUnexplainedDeath})
	if err != nil {
		t.Fatal(err)
	}
	f.at(t, "2027-01-15T23:00:00Z")
	if _, err := f.svc.BreakGlass(ctx, edt, l.ID, app.TemporaryInput{Reason: "out of hours emergency"}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{"2027-01-16T09:00:00Z", "2027-01-18T08:00:00Z", "2027-02-10T08:00:00Z", "2027-02-12T08:00:00Z", "2027-02-15T08:00:00Z", "2027-02-16T08:00:00Z"} {
		f.at(t, at)
		f.sweep(t)
	}
	var subjects []string
	for _, m := range f.sent() {
		if strings.Contains(m.Subject, l.ID) {
			subjects = append(subjects, strings.Join(m.To, ",")+" "+m.Subject)
		}
	}
	want := []string{
		"owen.farrier@council.example casehold: break-glass access to review (lock " + l.ID + ")",
		"owen.farrier@council.example casehold: locked case review due (lock " + l.ID + ")",
		"owen.farrier@council.example casehold: locked case review due (lock " + l.ID + ")",
		"ruth.calloway@council.example casehold: OVERDUE locked case review (lock " + l.ID + ")",
	}
	if strings.Join(subjects, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lock mail:\n%s\nwant\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
}

// TestDryRunChangesNothing: a dry run lists what would be sent, to staff ids, and queues
// nothing; the real sweep then sends exactly that.
func TestDryRunChangesNothing(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z")
	m := f.ccrcMatter(t, "DRY-1", "2026-11-02")
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	dry, err := f.svc.Sweep(ctx, at, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Mail) != 1 || dry.Mail[0].Kind != reminders.CCRCEscalation || strings.Join(dry.Mail[0].To, ",") != "s-sm-01" || strings.Join(dry.Mail[0].Cc, ",") != "s-coord-01" {
		t.Fatalf("dry run = %+v", dry.Mail)
	}
	if _, err := f.svc.Store.(casehold.MailQueue).GetMail(ctx, dry.Mail[0].Key); casehold.ErrorCode(err) != casehold.ENOTFOUND || len(f.sent()) != 0 {
		t.Fatalf("the dry run queued or sent mail (%v, %d sent)", err, len(f.sent()))
	}
	f.at(t, "2026-12-01T08:00:00Z")
	real := f.sweep(t)
	if len(real.Mail) != 1 || real.Mail[0].Key != dry.Mail[0].Key || len(f.sent()) != 1 || !strings.Contains(f.sent()[0].Subject, m.ID) {
		t.Fatalf("the sweep after the dry run = %+v, %d sent", real.Mail, len(f.sent()))
	}
}

// TestIntakeAckRetriedNotLost: an intake acknowledgement whose first send fails is retried
// by the sender, never marked sent unsent (it was claim-then-send before).
func TestIntakeAckRetriedNotLost(t *testing.T) {
	f := newRemindFixture(t, time.Now().UTC().Format(time.RFC3339))
	m := f.ccrcMatter(t, "ACK-1", time.Now().UTC().Format("2006-01-02"))
	f.mail.fails = 10
	ctx := context.Background()
	raw := message(t, m.ID, scanPDF("ack"))
	rec, err := f.svc.IngestEmail(ctx, "local:ack-1", func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != casehold.InboundSecured || len(f.sent()) != 0 {
		t.Fatalf("intake = %s, %d sent", rec.Status, len(f.sent()))
	}
	f.mail.mu.Lock()
	f.mail.fails = 0
	f.mail.mu.Unlock()
	f.clock.add(time.Hour)
	if _, err := f.svc.DeliverMail(ctx); err != nil {
		t.Fatal(err)
	}
	// The same delivery of the message again: nothing more.
	if _, err := f.svc.IngestEmail(ctx, "local:ack-1", func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }, nil); err != nil {
		t.Fatal(err)
	}
	f.clock.add(time.Hour)
	if _, err := f.svc.DeliverMail(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(withSubject(f.sent(), "Received: casehold reference")); n != 1 {
		t.Errorf("%d acknowledgements delivered, want 1", n)
	}
	if n := len(withSubject(f.sent(), "email filed under matter")); n != 1 {
		t.Errorf("%d coordinator notices delivered, want 1", n)
	}
}

// TestDryRunReadsEveryDueEntry: a dry run moves nothing, so it must not stop at the first
// batch of due entries.
func TestDryRunReadsEveryDueEntry(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z")
	ctx := context.Background()
	idx := f.svc.Store.(casehold.DueIndex)
	for i := range 700 {
		if err := idx.SetDue(ctx, fmt.Sprintf("matter:m-absent-%03d", i), f.clock.Now().Add(-time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := f.svc.Sweep(ctx, time.Time{}, true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.DueRead != 700 {
		t.Errorf("dry run read %d due entries, want 700", rep.DueRead)
	}
	// A real sweep drops entries whose subject is gone, batch after batch.
	if rep, err = f.svc.Sweep(ctx, time.Time{}, false); err != nil || rep.DueRead < 700 {
		t.Fatalf("sweep read %d, %v", rep.DueRead, err)
	}
	if left, _ := idx.DueBy(ctx, f.clock.Now(), 10); len(left) != 0 {
		t.Errorf("%d entries of missing subjects left due", len(left))
	}
}

// TestLockedCasesReports: every two months each manager's locked cases go, as PDF and CSV,
// to their service manager (the manager copied), written as the policy lets the service
// manager read them; twice a year the numbers go to the senior leadership address. Each
// once per period, however many sweeps run.
func TestLockedCasesReports(t *testing.T) {
	f := newRemindFixture(t, "2026-12-20T10:00:00Z")
	ctx := context.Background()
	support := auth.DemoStaff[7]
	for _, pid := range []string{"P-REP1", "P-REP2"} {
		if _, err := f.svc.RequestLock(ctx, support, app.LockInput{PID: pid, Owner: "s-tm-01", Reason: casehold.LockUnexplainedDeath}); err != nil {
			t.Fatal(err)
		}
	}
	// The first sweep puts the reports in the index and sends those of the periods in
	// force (none was sent in them yet).
	f.sweep(t)
	if r, s := withSubject(f.sent(), "locked cases report for s-tm-01"), withSubject(f.sent(), "locked cases summary"); len(r) != 1 || len(s) != 1 ||
		!strings.Contains(r[0].Subject, "November and December 2026") || !strings.Contains(s[0].Subject, "July to December 2026") {
		t.Fatalf("first sweep: %d reports, %d summaries", len(r), len(s))
	}
	f.at(t, "2027-01-04T08:00:00Z") // 1 January is a holiday, 2 and 3 a weekend
	for range 3 {
		f.sweep(t)
	}
	reports := withSubject(f.sent(), "locked cases report for s-tm-01")
	summaries := withSubject(f.sent(), "locked cases summary")
	if len(reports) != 2 || len(summaries) != 2 {
		t.Fatalf("%d reports and %d summaries after three sweeps in the new period, want two each", len(reports), len(summaries))
	}
	r := reports[1]
	if !strings.Contains(r.Subject, "January and February 2027") {
		t.Errorf("report subject %q", r.Subject)
	}
	if strings.Join(r.To, ",") != "ruth.calloway@council.example" || strings.Join(r.Cc, ",") != "owen.farrier@council.example" {
		t.Errorf("report to %v cc %v", r.To, r.Cc)
	}
	if len(r.Attachments) != 2 || !bytes.HasPrefix(r.Attachments[0].Data, []byte("%PDF-")) || r.Attachments[1].ContentType != "text/csv" {
		t.Fatalf("attachments = %d", len(r.Attachments))
	}
	csvText := string(r.Attachments[1].Data)
	if strings.Count(csvText, "\n") != 3 || !strings.HasPrefix(csvText, "lock_id,pid,") {
		t.Errorf("csv = %q", csvText)
	}
	// The service manager is outside both locks: ids and dates, no PID or reason.
	if strings.Contains(csvText+r.Text+r.Subject, "P-REP") || strings.Contains(csvText, "unexplained") {
		t.Errorf("the report to someone outside the locks carries their content: %q", csvText)
	}
	s := summaries[1]
	if strings.Join(s.To, ",") != "slt@council.example" || !strings.Contains(s.Text, "Cases locked: 2") || strings.Contains(s.Text, "P-REP") {
		t.Errorf("summary to %v: %q", s.To, s.Text)
	}
	// The next period: a new report, no new summary.
	f.at(t, "2027-03-01T08:00:00Z")
	f.sweep(t)
	if n := len(withSubject(f.sent(), "locked cases report for s-tm-01")); n != 3 {
		t.Errorf("%d reports after the March sweep, want 3", n)
	}
	if n := len(withSubject(f.sent(), "locked cases summary")); n != 2 {
		t.Errorf("%d summaries after the March sweep, want 2", n)
	}
}

// TestSCRPractitionerCopies: a copy not provided is due to the coordinator before and on
// the day, then overdue to the review's senior manager (an address, not a member of the
// directory: ids and dates only, no practitioner or board reference).
func TestSCRPractitionerCopies(t *testing.T) {
	f := newRemindFixture(t, "2026-11-02T09:00:00Z")
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	m, err := f.svc.CreateMatter(ctx, coord, casehold.NewMatterInput{Kind: casehold.KindSeriousCaseReview, Reference: "SCB-COPY-9",
		Contact: "Example Board", ReceivedOn: "2026-11-02", SecureUpTo: "2026-11-02", SeniorManager: "Sam Senior", SeniorManagerEmail: "sam.senior@council.example",
		BoardManager: "Blake Invented", BoardManagerEmail: "blake@board.example", People: []casehold.Person{{PID: "P1", Name: "Copy Child"}}})
	if err != nil {
		t.Fatal(err)
	}
	d := upload(t, f.a, m.ID, "copy")
	if _, err := f.svc.AddPractitionerCopy(ctx, coord, m.ID, app.CopyInput{Practitioner: "Pat Practitioner", DueOn: casehold.Date{Year: 2026, Month: 11, Day: 20},
		DocumentIDs: []string{d.ID}}); err != nil {
		t.Fatal(err)
	}
	for _, at := range []string{"2026-11-17T08:00:00Z", "2026-11-18T08:00:00Z", "2026-11-20T08:00:00Z", "2026-11-23T08:00:00Z", "2026-11-23T09:00:00Z"} {
		f.at(t, at)
		f.sweep(t)
	}
	var got []string
	for _, msg := range withSubject(f.sent(), "practitioner copy") {
		got = append(got, strings.Join(msg.To, ",")+" "+strings.TrimPrefix(msg.Subject, "casehold: "))
		if strings.Contains(msg.Subject, "OVERDUE") && (strings.Contains(msg.Text, "Pat") || strings.Contains(msg.Text, "SCB-COPY-9")) {
			t.Errorf("the senior manager's notice names the practitioner or the reference: %q", msg.Text)
		}
	}
	want := []string{
		"dana.whitlock@council.example practitioner copy due (serious case review " + m.ID + ")",
		"dana.whitlock@council.example practitioner copy due (serious case review " + m.ID + ")",
		"sam.senior@council.example OVERDUE practitioner copy (serious case review " + m.ID + ")",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("copy notices:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSCRLateRecord: a record secured under a review after its confirmation was sent tells
// the senior manager, once.
func TestSCRLateRecord(t *testing.T) {
	f := newRemindFixture(t, time.Now().UTC().Format(time.RFC3339))
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	today := time.Now().UTC().Format("2006-01-02")
	m, err := f.svc.CreateMatter(ctx, coord, casehold.NewMatterInput{Kind: casehold.KindSeriousCaseReview, Reference: "SCB-LATE-1",
		Contact: "Example Board", ReceivedOn: today, SecureUpTo: today, SeniorManager: "Sam Senior", SeniorManagerEmail: "sam.senior@council.example",
		BoardManager: "Blake Invented", BoardManagerEmail: "blake@board.example", People: []casehold.Person{{PID: "P1", Name: "Late Child"}}})
	if err != nil {
		t.Fatal(err)
	}
	upload(t, f.a, m.ID, "original")
	if _, err := f.svc.SetViewOnly(ctx, coord, m.ID, casehold.ViewOnly{System: "CCM", PID: "P1", SetOn: casehold.DateOf(time.Now().UTC())}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendSCRConfirmation(ctx, coord, m.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(withSubject(f.sent(), "after its confirmation")); n != 0 {
		t.Fatalf("%d late-record notices before any late record", n)
	}
	late := upload(t, f.a, m.ID, "found later")
	msgs := withSubject(f.sent(), "after its confirmation")
	if len(msgs) != 1 || strings.Join(msgs[0].To, ",") != "sam.senior@council.example" || !strings.Contains(msgs[0].Text, late.ID) || strings.Contains(msgs[0].Text, "Late Child") {
		t.Fatalf("late-record notices = %+v", msgs)
	}
}
