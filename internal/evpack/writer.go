// Package evpack writes and checks evidence packs: one zip file that carries a matter's
// documents, a manifest anyone can check with `sha256sum -c`, the matter's audit events
// each with its inclusion proof, the signed checkpoint the proofs lead to and the log's
// public key. The pack is streamed: nothing in it is held in memory but the list of names
// and hashes, so a pack of any size is written in flat memory.
//
// The package knows the format only; what goes in (and who may ask) is decided in
// internal/app.
package evpack

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"
)

// The files of a pack. Documents are under DocumentsDir; everything else is at the top.
const (
	Format         = "casehold-evidence-pack/1"
	ManifestSHA256 = "manifest.sha256"
	ManifestJSON   = "manifest.json"
	AuditJSONL     = "audit.jsonl"
	CheckpointFile = "checkpoint.txt"
	KeyFile        = "log-key.txt"
	VerifyFile     = "VERIFY.txt"
	DocumentsDir   = "documents/"
)

// Sum is one line of manifest.sha256.
type Sum struct {
	Name   string
	SHA256 string
	Size   int64
}

// Writer writes a pack to an io.Writer, file by file. Every file but manifest.sha256 is
// hashed while it streams; Close writes manifest.sha256 listing them all, then the zip's
// directory.
type Writer struct {
	zw       *zip.Writer
	modified time.Time
	sums     []Sum
	names    map[string]bool
	open     *File
}

// NewWriter starts a pack on w; modified is the time stamped on every file.
func NewWriter(w io.Writer, modified time.Time) *Writer {
	return &Writer{zw: zip.NewWriter(w), modified: modified.UTC(), names: map[string]bool{}}
}

// File is one file being written: it hashes and counts what passes through.
type File struct {
	w    *Writer
	name string
	dst  io.Writer
	h    hash.Hash
	n    int64
}

// Write writes p into the pack and the file's hash.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.dst.Write(p)
	f.h.Write(p[:n])
	f.n += int64(n)
	return n, err
}

// Close ends the file and returns its SHA-256 (hex) and size, as manifest.sha256 lists them.
func (f *File) Close() (string, int64) {
	sum := hex.EncodeToString(f.h.Sum(nil))
	f.w.sums = append(f.w.sums, Sum{Name: f.name, SHA256: sum, Size: f.n})
	f.w.open = nil
	return sum, f.n
}

// Create starts the file name. Files are stored, not compressed: documents are scanned
// PDFs and messages that compress little, and storing keeps the pack as fast to write as
// a copy. Names are checked so that `sha256sum -c` reads manifest.sha256 as written.
func (w *Writer) Create(name string) (*File, error) {
	if w.open != nil {
		return nil, fmt.Errorf("evidence pack: %s is still open", w.open.name)
	}
	if err := checkName(name); err != nil {
		return nil, err
	}
	if w.names[name] || name == ManifestSHA256 {
		return nil, fmt.Errorf("evidence pack: %s is written twice", name)
	}
	w.names[name] = true
	dst, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: w.modified})
	if err != nil {
		return nil, fmt.Errorf("evidence pack: %s: %w", name, err)
	}
	w.open = &File{w: w, name: name, dst: dst, h: sha256.New()}
	return w.open, nil
}

// Add writes the whole of r as the file name.
func (w *Writer) Add(name string, r io.Reader) (string, int64, error) {
	f, err := w.Create(name)
	if err != nil {
		return "", 0, err
	}
	if _, err := io.Copy(f, r); err != nil {
		return "", 0, fmt.Errorf("evidence pack: %s: %w", name, err)
	}
	sum, n := f.Close()
	return sum, n, nil
}

// Sums returns the files written so far with their hashes, in order.
func (w *Writer) Sums() []Sum { return append([]Sum(nil), w.sums...) }

// ManifestText is manifest.sha256 for sums: the lines `sha256sum` prints ("<hex>  <name>").
func ManifestText(sums []Sum) string {
	var b strings.Builder
	for _, s := range sums {
		b.WriteString(s.SHA256 + "  " + s.Name + "\n")
	}
	return b.String()
}

// Close writes manifest.sha256 and the zip's directory, and returns the SHA-256 of
// manifest.sha256: the one hash that stands for the whole pack.
func (w *Writer) Close() (string, error) {
	if w.open != nil {
		return "", fmt.Errorf("evidence pack: %s is still open", w.open.name)
	}
	text := ManifestText(w.sums)
	dst, err := w.zw.CreateHeader(&zip.FileHeader{Name: ManifestSHA256, Method: zip.Store, Modified: w.modified})
	if err != nil {
		return "", fmt.Errorf("evidence pack: %w", err)
	}
	if _, err := io.WriteString(dst, text); err != nil {
		return "", fmt.Errorf("evidence pack: %w", err)
	}
	if err := w.zw.Close(); err != nil {
		return "", fmt.Errorf("evidence pack: %w", err)
	}
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:]), nil
}

// checkName accepts relative slash-separated names of printable characters with no "."
// or ".." part and no backslash, so the pack unpacks inside its folder on any system and
// sha256sum needs no escapes.
func checkName(name string) error {
	if name == "" || len(name) > 255 || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") {
		return fmt.Errorf("evidence pack: file name %q is not allowed", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == "" || part == "." || part == ".." {
			return fmt.Errorf("evidence pack: file name %q is not allowed", name)
		}
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return fmt.Errorf("evidence pack: file name %q is not allowed", name)
		}
	}
	return nil
}
