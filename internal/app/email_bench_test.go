package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/intake"
	"github.com/casehold/casehold/internal/mailmsg"
	"github.com/casehold/casehold/internal/memtest"
	"github.com/casehold/casehold/internal/wire"
)

func embedded(b testing.TB) *wire.App {
	b.Helper()
	cfg, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	cfg.DataDir = b.TempDir()
	cfg.IntakeRequireVerdicts = false // the local inbox: files a member of staff drops in
	a, err := wire.Build(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	return a
}

// BenchmarkEmailIntake: a 30 MB message with ten PDF attachments taken in and secured on the
// embedded default, against securing the same ten PDFs by direct upload (issue targets:
// throughput at least half of direct upload; peak heap under 2x the message size).
func BenchmarkEmailIntake(b *testing.B) {
	const pdfs, pdfSize = 10, 2 << 20 // base64 makes ten 2 MiB PDFs a ~28 MB message
	var atts []casehold.Attachment
	for i := range pdfs {
		body := "%PDF-1.7\n" + strings.Repeat(fmt.Sprintf("page %d ", i), pdfSize/7) + "\n%%EOF\n"
		atts = append(atts, casehold.Attachment{Filename: fmt.Sprintf("Scan %d.pdf", i), ContentType: "application/pdf", Data: []byte(body)})
	}
	total := int64(0)
	for _, a := range atts {
		total += int64(len(a.Data))
	}
	ctx := context.Background()
	coord := auth.DemoStaff[0]

	b.Run("email_intake", func(b *testing.B) {
		a := embedded(b)
		m, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "B-MAIL", Contact: "c",
			ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Bench Person"}}})
		if err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		var files []string
		var msgSize int64
		for i := range b.N {
			raw, err := mailmsg.Build(casehold.Message{From: "officer@review.example", To: []string{"intake@council.example"},
				Subject: "Records for " + m.ID, Text: "attached", Attachments: atts}, fmt.Sprintf("bench-%d@review.example", i), time.Now())
			if err != nil {
				b.Fatal(err)
			}
			p := filepath.Join(dir, fmt.Sprintf("%d.eml", i))
			if err := os.WriteFile(p, raw, 0o600); err != nil {
				b.Fatal(err)
			}
			files, msgSize = append(files, p), int64(len(raw))
		}
		runtime.GC()
		b.SetBytes(total)
		b.ResetTimer()
		peak := memtest.PeakHeap(func() {
			for _, p := range files {
				in, err := intake.IngestFile(ctx, a.Service, p)
				if err != nil || in.Status != casehold.InboundSecured {
					b.Fatalf("intake: %v %+v", err, in)
				}
			}
		})
		b.ReportMetric(float64(peak)/float64(msgSize), "peak-heap/msg")
		b.ReportMetric(float64(msgSize)/(1<<20), "msg-MB")
	})
	// As the ingest-email Lambda runs it: the message's identity comes from its S3 key and
	// version, so no content hash precedes the intake (the local file drop needs one).
	b.Run("email_lambda_path", func(b *testing.B) {
		a := embedded(b)
		m, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "B-MAIL-S3", Contact: "c",
			ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Bench Person"}}})
		if err != nil {
			b.Fatal(err)
		}
		raw, err := mailmsg.Build(casehold.Message{From: "officer@review.example", To: []string{"intake@council.example"},
			Subject: "Records for " + m.ID, Text: "attached", Attachments: atts}, "bench-s3@review.example", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		p := filepath.Join(b.TempDir(), "message.eml")
		if err := os.WriteFile(p, raw, 0o600); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(total)
		b.ResetTimer()
		for i := range b.N {
			source := fmt.Sprintf("s3://inbound-bucket/inbound/bench-%d#v1", i)
			in, err := a.Service.IngestEmail(ctx, source, func(context.Context) (io.ReadCloser, error) { return os.Open(p) }, nil)
			if err != nil || in.Status != casehold.InboundSecured {
				b.Fatalf("intake: %v %+v", err, in)
			}
		}
	})
	b.Run("direct_upload", func(b *testing.B) {
		a := embedded(b)
		m, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "B-UP", Contact: "c",
			ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Bench Person"}}})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(total)
		b.ResetTimer()
		for range b.N {
			for _, at := range atts {
				if _, err := a.Service.UploadDocument(ctx, coord, m.ID, app.UploadInput{PID: "P1", DocType: "Contact", DocDate: "2013-12-21"}, bytes.NewReader(at.Data)); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
