package wire_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/wire"
)

type settableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *settableClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *settableClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// stopAt passes messages to the real mailer (SES on its emulator) and, at its nth send,
// stops the "process": it cancels the sweep's context and reports failure, as a Lambda cut
// off by its timeout would.
type stopAt struct {
	next   casehold.Mailer
	mu     sync.Mutex
	n      int
	calls  int
	cancel context.CancelFunc
}

func (s *stopAt) Send(ctx context.Context, msg casehold.Message) (string, error) {
	s.mu.Lock()
	s.calls++
	stop := s.calls == s.n
	s.mu.Unlock()
	if stop {
		s.cancel()
		return "", context.Canceled
	}
	return s.next.Send(ctx, msg)
}

// sesSubjects lists the subjects of the messages the SES emulator accepted from sender.
func sesSubjects(t *testing.T, endpoint, sender string) []string {
	t.Helper()
	resp, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatalf("read SES emulator store: %v", err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []struct {
			From    string `json:"from"`
			Subject string `json:"subject"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatalf("decode SES emulator store: %v", err)
	}
	var out []string
	for _, e := range store.Emails {
		if strings.Contains(e.From, sender) {
			out = append(out, e.Subject)
		}
	}
	return out
}

// TestAWSSweepKilledMidwayAndRerun: on DynamoDB Local and the SES emulator, the same
// Scheduler event delivered three times sends one email per occasion, and a sweep stopped
// part-way and run again sends every occasion exactly once.
func TestAWSSweepKilledMidwayAndRerun(t *testing.T) {
	cfg := awsConfig(t)
	ctx := context.Background()
	a, err := wire.Build(ctx, cfg, wire.Logger(cfg, io.Discard))
	if err != nil {
		t.Fatalf("build aws backend: %v", err)
	}
	svc := a.Service
	members, err := casehold.ParseStaffCSV(strings.NewReader(auth.DemoDirectory))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Staff.ReplaceStaff(ctx, members); err != nil {
		t.Fatal(err)
	}
	clock := &settableClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
	svc.Clock = clock
	var ids []string
	for i := range 3 {
		m, err := svc.CreateMatter(ctx, auth.DemoStaff[0], casehold.NewMatterInput{Reference: fmt.Sprintf("CCRC/SWEEP/%d/%s", i, cfg.Table),
			Contact: "Case Review Manager", ReceivedOn: "2026-11-02", People: []casehold.Person{{PID: "P91000" + fmt.Sprint(i), Name: "Sam Invented"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	ses := svc.Mail
	killCtx, cancel := context.WithCancel(ctx)
	svc.Mail = &stopAt{next: ses, n: 2, cancel: cancel}
	clock.set(time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC)) // 7 working days before 30 November
	if _, err := svc.Sweep(killCtx, time.Time{}, false); err == nil {
		t.Fatal("the stopped sweep reported success")
	}
	svc.Mail = ses
	// A new run, the same event twice more, and a run once the stopped send's lease is over.
	for _, at := range []time.Duration{0, 0, 0, app.MailLease + app.MailRetryBase} {
		clock.set(clock.Now().Add(at))
		if _, err := svc.Sweep(ctx, time.Time{}, false); err != nil {
			t.Fatalf("sweep: %v", err)
		}
	}
	subjects := sesSubjects(t, cfg.SESEndpoint, cfg.MailFrom)
	for _, id := range ids {
		n := 0
		for _, s := range subjects {
			if strings.Contains(s, id) && strings.Contains(s, "must be confirmed by 2026-11-30") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("matter %s: %d warnings in the SES emulator, want exactly 1 (all: %q)", id, n, subjects)
		}
	}
}
