// Package packtest alters evidence packs the way a tamperer would, for tests.
package packtest

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/evpack"
)

// Rewrite copies a pack, letting change alter any file's bytes (nil drops the file), and
// optionally recomputes manifest.sha256 so only the deeper checks can notice.
func Rewrite(t testing.TB, pack []byte, resum bool, change func(name string, data []byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := evpack.NewWriter(&buf, time.Now())
	var raw *zip.Writer
	if !resum {
		raw = zip.NewWriter(&buf)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if resum && f.Name == evpack.ManifestSHA256 {
			continue
		}
		data = change(f.Name, data)
		if data == nil {
			continue
		}
		if resum {
			if _, _, err := w.Add(f.Name, bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		fw, _ := raw.Create(f.Name)
		fw.Write(data)
	}
	if resum {
		if _, err := w.Close(); err != nil {
			t.Fatal(err)
		}
	} else {
		raw.Close()
	}
	return buf.Bytes()
}

// Lines splits a file into its lines, each keeping its newline.
func Lines(b []byte) [][]byte {
	return bytes.SplitAfter(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

// Unzip extracts a pack into a fresh folder (for `sha256sum -c`, as a recipient would).
func Unzip(t testing.TB, pack []byte) string {
	t.Helper()
	dir := t.TempDir()
	zr, err := zip.NewReader(bytes.NewReader(pack), int64(len(pack)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
