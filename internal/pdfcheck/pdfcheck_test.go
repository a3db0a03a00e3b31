package pdfcheck

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/casehold/casehold/internal/casehold"
)

func pdf(body int) []byte {
	return []byte("%PDF-1.7\n" + strings.Repeat("x", body) + "\ntrailer\n%%EOF\n")
}

func TestReader(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		max  int64
		code string
	}{
		{"OK", pdf(100), 0, ""},
		{"OKLarge", pdf(5 << 20), 0, ""},
		{"OKExactlyAtLimit", pdf(10), int64(len(pdf(10))), ""},
		// Bytes before the header are how polyglot files hide another format: refused on
		// every path alike.
		{"HeaderAfterJunk", append([]byte("junk\n"), pdf(10)...), 0, casehold.EINVALID},
		{"Encrypted", []byte("%PDF-1.7\n1 0 obj\n<</Filter/Standard>>\ntrailer\n<</Root 2 0 R/Encrypt 1 0 R>>\n%%EOF\n"), 0, casehold.EINVALID},
		{"EncryptAtEnd", []byte("%PDF-1.7\n%%EOF\n/Encrypt"), 0, casehold.EINVALID},
		{"EncryptMetadataIsAnotherName", []byte("%PDF-1.7\n<</EncryptMetadata false>>\n%%EOF\n"), 0, ""},
		{"Empty", nil, 0, casehold.EINVALID},
		{"NotPDF", []byte("PK\x03\x04 a zip file %%EOF"), 0, casehold.EINVALID},
		{"Truncated", pdf(5000)[:4000], 0, casehold.EINVALID},
		{"EOFMarkerTooEarly", append(pdf(10), bytes.Repeat([]byte{' '}, 2000)...), 0, casehold.EINVALID},
		{"OverLimit", pdf(100), 50, casehold.ETOOLARGE},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// OneByteReader exercises the rolling tail window across tiny reads.
			for _, r := range []io.Reader{bytes.NewReader(c.data), iotest.OneByteReader(bytes.NewReader(c.data))} {
				err := Check(r, c.max)
				if got := casehold.ErrorCode(err); got != c.code {
					t.Fatalf("Check = %v (code %q), want code %q", err, got, c.code)
				}
			}
		})
	}
}

func TestReaderPassesBytesThrough(t *testing.T) {
	data := pdf(70000)
	r := NewReader(bytes.NewReader(data), 0)
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if !bytes.Equal(got, data) || r.Size() != int64(len(data)) {
		t.Fatalf("read %d bytes (size %d), want the %d given", len(got), r.Size(), len(data))
	}
}

// TestFlags checks active content is flagged, not refused, as whole names only, wherever it
// sits and however the bytes arrive.
func TestFlags(t *testing.T) {
	doc := func(body string) []byte { return []byte("%PDF-1.7\n" + body + "\ntrailer\n%%EOF\n") }
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"None", pdf(100), "[]"},
		{"OpenActionJavaScript", doc("<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"), "[javascript]"},
		{"JSKeyOnly", doc("<< /JS 12 0 R >>"), "[javascript]"},
		{"Launch", doc("<</A<</S /Launch /F (cmd.exe)>>>>"), "[launch_action]"},
		{"Both", doc("<</S/Launch>> <</S/JavaScript>>"), "[javascript launch_action]"},
		{"LongerNamesAreOthers", doc("<</JSON 1 /Launcher 2 /JavaScripts 3>>"), "[]"},
		{"InText", doc("(/JS)"), "[javascript]"}, // a false alarm that fails safe
		{"AtVeryEnd", []byte("%PDF-1.7\n%%EOF\n/JS"), "[javascript]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, src := range []io.Reader{bytes.NewReader(c.data), iotest.OneByteReader(bytes.NewReader(c.data))} {
				r := NewReader(src, 0)
				if _, err := io.Copy(io.Discard, r); err != nil {
					t.Fatalf("a PDF with active content was refused: %v", err)
				}
				if got := fmt.Sprint(r.Flags()); got != c.want && !(c.want == "[]" && r.Flags() == nil) {
					t.Errorf("Flags = %v, want %s", r.Flags(), c.want)
				}
			}
		})
	}
}

func TestCleanFilename(t *testing.T) {
	cases := []struct {
		in, want string
		isPDF    bool
	}{
		{"scan.pdf", "scan.pdf", true},
		{"../../etc/passwd", "passwd.pdf", true},
		{`C:\Users\x\Contact 21.12.2013.PDF`, "Contact 21.12.2013.PDF", true},
		{"scan.exe", "scan.exe.pdf", true},
		{"Word.docx", "Word.docx", false},
		{"bad\r\nname\x00.pdf", "badname.pdf", true},
		{"gpj\u202e.exe", "gpj.exe.pdf", true},
		{" .. ", "fallback.pdf", true},
		{"", "fallback.pdf", true},
		{strings.Repeat("é", 150) + ".pdf", strings.Repeat("é", 98) + ".pdf", true},
	}
	for _, c := range cases {
		if got := CleanFilename(c.in, "fallback", c.isPDF); got != c.want {
			t.Errorf("CleanFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add(pdf(10), int64(0))
	f.Add([]byte("%PDF-"), int64(3))
	f.Add([]byte("%%EOF%PDF-"), int64(0))
	f.Add([]byte("%PDF-1.7\n/Encrypt /JS /Launch\n%%EOF"), int64(0))
	f.Fuzz(func(t *testing.T, data []byte, max int64) {
		err := Check(bytes.NewReader(data), max)
		code := casehold.ErrorCode(err)
		switch code {
		case "", casehold.EINVALID, casehold.ETOOLARGE:
		default:
			t.Fatalf("unexpected error %v", err)
		}
		// Whatever passes must really have a header and an end marker within the limit, and
		// no /Encrypt name.
		if err == nil && bytes.Contains(data, []byte("/Encrypt ")) {
			t.Fatalf("accepted an encrypted file %q", data)
		}
		if err == nil {
			if !bytes.HasPrefix(data, []byte("%PDF-")) ||
				!bytes.Contains(data[max0(len(data)-tailLen):], []byte("%%EOF")) ||
				(max > 0 && int64(len(data)) > max) {
				t.Fatalf("accepted %q", data)
			}
		}
	})
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// referenceScan steps the matcher over every byte, skipping nothing: the fast scan must
// find exactly what it finds, however the bytes are split into writes.
func referenceScan(data []byte) []bool {
	s := NewScanner()
	for _, c := range data {
		s.step(c)
	}
	out := make([]bool, len(names))
	for i := range names {
		out[i] = s.seen(i)
	}
	return out
}

func FuzzScanMatchesReference(f *testing.F) {
	f.Add([]byte("%PDF-1.7\n<< /JS (x) /Launch /Encrypt >>\n%%EOF\n"), uint8(3))
	f.Add([]byte("//JavaScript/JSON /Encrypt/EncryptMetadata /J /JS"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		size := int(chunk%17) + 1
		s := NewScanner()
		for start := 0; start < len(data); start += size {
			s.Write(data[start:min(start+size, len(data))])
		}
		want := referenceScan(data)
		for i := range names {
			if s.seen(i) != want[i] {
				t.Fatalf("name %s: fast scan %v, byte by byte %v, for %q in writes of %d", names[i].name, s.seen(i), want[i], data, size)
			}
		}
	})
}
