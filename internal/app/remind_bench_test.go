package app_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/boltstore"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
)

type discardMailer struct{ n atomic.Int64 }

func (d *discardMailer) Send(context.Context, casehold.Message) (string, error) {
	return "m-" + strconv.FormatInt(d.n.Add(1), 10), nil
}

// remindBenchOpen is the number of open matters in the sweep benchmark (default 100,000;
// CASEHOLD_BENCH_OPEN changes it).
func remindBenchOpen(b *testing.B) int {
	if v := os.Getenv("CASEHOLD_BENCH_OPEN"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 100000
}

// loadMatters stores n open CCRC matters received on received (store writes only, no
// audit: this is the fixture, not the path measured) and puts each in the due-date index
// as the API would.
func loadMatters(b *testing.B, svc *app.Service, prefix string, n int, received casehold.Date, now time.Time) []string {
	b.Helper()
	ctx := context.Background()
	idx := svc.Store.(casehold.DueIndex)
	ids := make([]string, n)
	err := svc.Store.(*boltstore.Store).WithoutSync(func() error {
		for i := range n {
			m := &casehold.Matter{ID: fmt.Sprintf("%s-%06d", prefix, i), Kind: casehold.KindCCRCS17, Reference: fmt.Sprintf("%s/%06d", prefix, i),
				Contact: "Case Review Manager", ReceivedOn: received, Deadline: casehold.CCRCDeadline(received), Coordinator: "s-coord-01",
				CoordinatorEmail: "dana.whitlock@council.example", People: []casehold.Person{{PID: fmt.Sprintf("P%07d", i), Name: "Bench Person"}},
				Status: casehold.MatterOpen, CreatedAt: now, CreatedBy: "s-coord-01"}
			if err := svc.Store.CreateMatter(ctx, m); err != nil {
				return err
			}
			_, next := reminders.Due(reminders.Matter(m, reminders.Settings{}, now), now)
			if err := idx.SetDue(ctx, reminders.MatterPrefix+m.ID, next); err != nil {
				return err
			}
			ids[i] = m.ID
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

// BenchmarkSweep: 100,000 open matters, of which 1,000 have a reminder due. The indexed
// sweep (what runs) reads the due-date index and loads only the 1,000; the baseline
// (scan_all) is what a sweep without the index would have to do: list every open matter and
// plan each. Both queue and deliver nothing in the baseline's case (a dry plan); the indexed
// one queues and delivers 1,000 messages (to an in-memory mailer). Reported per sweep:
// due-read (index entries read), subjects (matters loaded), mail (messages queued).
func BenchmarkSweep(b *testing.B) {
	open := remindBenchOpen(b)
	const due = 1000
	// The sweep happens at 08:00 on Thursday 19 November 2026: matters received on
	// 2 November have their 7-working-day warning due; those received later do not.
	sweepAt := time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC)
	setup := func(b *testing.B) *app.Service {
		a := embedded(b)
		svc := a.Service
		svc.Mail = &discardMailer{}
		svc.Clock = fixedClock{sweepAt}
		loadMatters(b, svc, "m-later", open-due, casehold.Date{Year: 2026, Month: 11, Day: 16}, sweepAt)
		return svc
	}
	b.Run("indexed", func(b *testing.B) {
		svc := setup(b)
		ctx := context.Background()
		var read, subjects, mail int
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			// A fresh cohort of 1,000 due matters each iteration (the previous one was swept
			// and moved on), so every sweep has exactly 1,000 due among >= 100,000 open.
			loadMatters(b, svc, fmt.Sprintf("m-due%03d", i), due, casehold.Date{Year: 2026, Month: 11, Day: 2}, sweepAt.Add(-24*time.Hour))
			b.StartTimer()
			before := svc.Mail.(*discardMailer).n.Load()
			rep, err := svc.Sweep(ctx, sweepAt, false)
			if err != nil {
				b.Fatal(err)
			}
			read, subjects, mail = read+rep.DueRead, subjects+rep.Subjects, mail+len(rep.Mail)
			if sent := svc.Mail.(*discardMailer).n.Load() - before; len(rep.Mail) != due || sent != due {
				b.Fatalf("sweep queued %d and sent %d, want %d", len(rep.Mail), sent, due)
			}
		}
		b.ReportMetric(float64(read)/float64(b.N), "due-read/op")
		b.ReportMetric(float64(subjects)/float64(b.N), "subjects/op")
		b.ReportMetric(float64(mail)/float64(b.N), "mail/op")
	})
	// The same read and plan without the writes, for a like-for-like ratio with scan_all.
	b.Run("indexed_dry", func(b *testing.B) {
		svc := setup(b)
		loadMatters(b, svc, "m-due", due, casehold.Date{Year: 2026, Month: 11, Day: 2}, sweepAt.Add(-24*time.Hour))
		ctx := context.Background()
		var read, subjects int
		for b.Loop() {
			rep, err := svc.Sweep(ctx, sweepAt, true)
			if err != nil {
				b.Fatal(err)
			}
			read, subjects = read+rep.DueRead, subjects+rep.Subjects
			if len(rep.Mail) != due {
				b.Fatalf("dry sweep planned %d, want %d", len(rep.Mail), due)
			}
		}
		b.ReportMetric(float64(read)/float64(b.N), "due-read/op")
		b.ReportMetric(float64(subjects)/float64(b.N), "subjects/op")
	})
	b.Run("scan_all", func(b *testing.B) {
		svc := setup(b)
		loadMatters(b, svc, "m-due", due, casehold.Date{Year: 2026, Month: 11, Day: 2}, sweepAt.Add(-24*time.Hour))
		ctx := context.Background()
		var read, live int
		for b.Loop() {
			ms, err := svc.Store.ListMatters(ctx, casehold.MatterOpen)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, m := range ms {
				l, _ := reminders.Due(reminders.Matter(m, reminders.Settings{}, sweepAt), sweepAt)
				n += len(l)
			}
			read, live = read+len(ms), live+n
			if n != due {
				b.Fatalf("the scan found %d due, want %d", n, due)
			}
		}
		b.ReportMetric(float64(read)/float64(b.N), "subjects/op")
		b.ReportMetric(float64(live)/float64(b.N), "due/op")
	})
}

// BenchmarkLockedReport: one manager's bi-monthly report over 500 locked cases (PDF and
// CSV, every row through the access policy), built by a dry sweep on the report's day.
func BenchmarkLockedReport(b *testing.B) {
	a := embedded(b)
	svc := a.Service
	ctx := context.Background()
	at := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	svc.Clock = fixedClock{at}
	err := svc.Store.(*boltstore.Store).WithoutSync(func() error {
		for i := range 500 {
			l := &casehold.Lock{ID: fmt.Sprintf("lk-%04d", i), PID: fmt.Sprintf("P%07d", i), Owner: "s-tm-01", Reason: casehold.LockHighProfile,
				Status: casehold.LockActive, AllowStaff: []string{"s-sw-01"}, AllowTeams: []string{"Assessment East"}, DenyTeams: []string{"Helpdesk"},
				OwnerConfirmed: true, RequestedBy: "s-tm-01", RequestedAt: at.Add(-24 * time.Hour), ReviewDue: casehold.Date{Year: 2027, Month: 1, Day: 20}}
			if err := svc.Locks.CreateLock(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var pdfBytes int
	for b.Loop() {
		rep, err := svc.Sweep(ctx, at, true)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Mail) != 2 { // the report and the summary
			b.Fatalf("dry run planned %d messages, want 2", len(rep.Mail))
		}
	}
	msgs, err := svc.Deps.ReportMessagesForBench(ctx, at)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range msgs {
		for _, att := range m.Attachments {
			if att.ContentType == "application/pdf" {
				pdfBytes = len(att.Data)
			}
		}
	}
	b.ReportMetric(500, "locks")
	b.ReportMetric(float64(pdfBytes)/1024, "pdf-KB")
}
