package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/benchdata"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/wire"
)

// BenchmarkSecure measures the whole upload use case on the embedded backend (authorise,
// check the PDF, hash, write once under legal hold with fsync, record, audit) against a
// plain copy of the same bytes to a file on the same disk, fsync included. The ratio of the
// two is what securing costs. Size in MB from CASEHOLD_BENCH_MB (default 16); infra/bench.sh
// runs it at 100 MB and compares the two with benchstat.
//
// The PDF is generated while it is read, never held whole, so a memory profile shows what
// the path itself keeps.
func BenchmarkSecure(b *testing.B) {
	size := benchBytes(b)
	ctx := context.Background()

	// Each run gets a fresh folder (b.TempDir, under the same temp folder for both, so on
	// the same disk), removed when the run ends. Both sides keep every file they write until
	// then: held evidence cannot be deleted, so a baseline that rewrote one file in place
	// would reuse the same, still cached, disk blocks and flatter itself.
	b.Run("upload_path", func(b *testing.B) {
		svc, matterID := embeddedService(b, b.TempDir(), size)
		actor := auth.DemoStaff[0]
		in := app.UploadInput{PID: "P-0001", DocType: "Case Note", DocDate: "2024-03-01", Filename: "scan.pdf"}
		b.SetBytes(size)
		b.ReportAllocs()
		for b.Loop() {
			// UploadDocument names each document afresh, so every iteration is a new write.
			d, err := svc.UploadDocument(ctx, actor, matterID, in, benchdata.PDFStream(size))
			if err != nil {
				b.Fatal(err)
			}
			if d.Size != size {
				b.Fatalf("stored %d bytes, want %d", d.Size, size)
			}
		}
	})

	b.Run("filecopy", func(b *testing.B) {
		dir := b.TempDir()
		b.SetBytes(size)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			path := filepath.Join(dir, "copy-"+strconv.Itoa(i)+".pdf")
			if err := benchdata.PlainCopy(path, benchdata.PDFStream(size)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchBytes(b *testing.B) int64 {
	mb := 16
	if v := os.Getenv("CASEHOLD_BENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("CASEHOLD_BENCH_MB=%q is not a positive number", v)
		}
		mb = n
	}
	return int64(mb) << 20
}

// embeddedService builds casehold the way the local server does (config from the
// environment's names, wire.Build) with its data in dir, and opens one matter to upload to.
func embeddedService(b *testing.B, dir string, size int64) (*app.Service, string) {
	b.Helper()
	env := map[string]string{
		"CASEHOLD_DATA_DIR":         dir,
		"CASEHOLD_MAX_UPLOAD_BYTES": strconv.FormatInt(size+1<<20, 10),
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	a, err := wire.Build(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	m, err := a.Service.CreateMatter(context.Background(), auth.DemoStaff[0], casehold.NewMatterInput{
		Reference: "BENCH-" + strconv.Itoa(int(size>>20)), Contact: "Case Review Manager", ReceivedOn: "2024-03-04",
		People: []casehold.Person{{PID: "P-0001", Name: "Test Person"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	return a.Service, m.ID
}
