package mailintake

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustRead returns a testdata file.
func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// fileSHA is the SHA-256 of a testdata file, or of its first n bytes when n > 0.
func fileSHA(t testing.TB, name string, n int) string {
	t.Helper()
	b := mustRead(t, name)
	if n > 0 {
		b = b[:n]
	}
	return sha(b)
}

// keeper is an onPDF that behaves like casehold.Evidence.Put: it reads the whole stream
// and keeps the bytes only if the stream ended cleanly.
type keeper struct {
	kept map[int][]byte
}

func newKeeper() *keeper { return &keeper{kept: map[int][]byte{}} }

func (k *keeper) onPDF(a *Attachment, body io.Reader) error {
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("store attachment: %w", err)
	}
	k.kept[a.Index] = b
	return nil
}

// makePDF returns a structurally valid one-page PDF whose content stream carries n bytes
// of pseudo-random (incompressible, base64-unfriendly) data, so large test PDFs are cheap
// to make and have a correct cross-reference table.
func makePDF(n int, seed uint64) []byte {
	data := make([]byte, n)
	x := seed | 1
	for i := range data {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		data[i] = byte(x)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", n, data),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// b64 wraps base64 at 76 columns with CRLF, as mail clients do.
func b64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var s strings.Builder
	s.Grow(len(enc) + len(enc)/76*2 + 2)
	for len(enc) > 76 {
		s.WriteString(enc[:76])
		s.WriteString("\r\n")
		enc = enc[76:]
	}
	s.WriteString(enc)
	s.WriteString("\r\n")
	return s.String()
}

const testHeader = "From: Quinn Query <quinn.query@example.org>\r\n" +
	"To: intake@council.example.org\r\n" +
	"Subject: generated\r\n" +
	"Date: Mon, 9 Mar 2026 09:09:09 +0000\r\n" +
	"Message-ID: <gen-0001@example.org>\r\n" +
	"MIME-Version: 1.0\r\n"

// pdfPart is a base64 PDF attachment part (header and body, no boundary line).
func pdfPart(name string, pdf []byte) string {
	return "Content-Type: application/pdf; name=\"" + name + "\"\r\n" +
		"Content-Disposition: attachment; filename=\"" + name + "\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64(pdf)
}

// multipart joins parts (each "headers\r\n\r\nbody") into a multipart/mixed entity.
func multipart(boundary string, parts ...string) string {
	var s strings.Builder
	s.WriteString("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
	for _, p := range parts {
		s.WriteString("--" + boundary + "\r\n" + p + "\r\n")
	}
	s.WriteString("--" + boundary + "--\r\n")
	return s.String()
}

// nested wraps inner in depth levels of multipart/mixed.
func nested(depth int, inner string) string {
	for i := depth; i > 0; i-- {
		inner = multipart(fmt.Sprintf("lvl%d", i), inner)
	}
	return inner
}
