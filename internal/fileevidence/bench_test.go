package fileevidence

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/casehold/casehold/internal/benchdata"
)

// BenchmarkPut compares a Put with a plain copy of the same bytes to the same disk, fsync
// included in both, so the cost of hashing and publishing shows as the ratio of the two.
// Set CASEHOLD_BENCH_MB to change the object size (default 16).
func BenchmarkPut(b *testing.B) {
	mb := 16
	if v := os.Getenv("CASEHOLD_BENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("CASEHOLD_BENCH_MB=%q is not a positive number", v)
		}
		mb = n
	}
	data := make([]byte, mb<<20)
	rand.Read(data)
	root := b.TempDir()
	s, err := New(root)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	b.Run("fileevidence", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; b.Loop(); i++ {
			key := fmt.Sprintf("bench/%d", i)
			obj, err := s.Put(ctx, key, onlyReader{bytes.NewReader(data)}, false)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := s.Delete(ctx, key, obj.VersionID); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})

	b.Run("filecopy", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		path := filepath.Join(root, "tmp", "filecopy")
		for b.Loop() {
			if err := benchdata.PlainCopy(path, onlyReader{bytes.NewReader(data)}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := os.Remove(path); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}

// onlyReader hides bytes.Reader's WriteTo, so both sides read the way a network body is
// read, rather than one handing the whole slice to a single write.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }
