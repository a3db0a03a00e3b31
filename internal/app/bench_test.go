package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/pdfcheck"
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
			d, err := svc.UploadDocument(ctx, actor, matterID, in, newPDFStream(size))
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
			if err := plainCopy(path, newPDFStream(size)); err != nil {
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

// plainCopy is the baseline: what any program does to save a stream to disk durably.
func plainCopy(path string, r io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

const (
	pdfHead = "%PDF-1.7\n"
	pdfTail = "\n%%EOF\n"
)

// fillerBlock is repeated to make the body of a generated PDF. Varied bytes rather than
// zeros, so nothing on the way (a filesystem, a transport) can shortcut them.
var fillerBlock = func() []byte {
	b := make([]byte, 64<<10)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}()

// pdfStream yields a PDF of exactly size bytes: header, filler, end-of-file marker. It has
// only Read (no WriteTo), so both sides of the benchmark read it as they would a request body.
type pdfStream struct {
	size, off int64
}

func newPDFStream(size int64) *pdfStream { return &pdfStream{size: size} }

func (s *pdfStream) Read(p []byte) (int, error) {
	if s.off >= s.size {
		return 0, io.EOF
	}
	if rest := s.size - s.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	tailAt := s.size - int64(len(pdfTail))
	n := 0
	for n < len(p) {
		off := s.off + int64(n)
		var m int
		switch {
		case off < int64(len(pdfHead)):
			m = copy(p[n:], pdfHead[off:])
		case off >= tailAt:
			m = copy(p[n:], pdfTail[off-tailAt:])
		default:
			end := min(int64(len(p)-n), tailAt-off)
			m = copy(p[n:int64(n)+end], fillerBlock[off%int64(len(fillerBlock)):])
		}
		n += m
	}
	s.off += int64(n)
	return n, nil
}

// TestPDFStream keeps the generator honest: exact size, a whole PDF whatever the read sizes.
func TestPDFStream(t *testing.T) {
	for _, size := range []int64{16, 1000, 64<<10 + 3, 3 << 20} {
		var got []byte
		r, buf := newPDFStream(size), make([]byte, 7919)
		for {
			n, err := r.Read(buf[:1+len(got)%len(buf)])
			got = append(got, buf[:n]...)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if int64(len(got)) != size || !strings.HasPrefix(string(got), pdfHead) || !strings.HasSuffix(string(got), pdfTail) {
			t.Errorf("size %d: got %d bytes, head %q, tail %q", size, len(got), got[:9], got[len(got)-7:])
		}
		if err := pdfcheck.Check(bytes.NewReader(got), 0); err != nil {
			t.Errorf("size %d: %v", size, err)
		}
	}
}
