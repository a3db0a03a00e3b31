package pdfcheck

import (
	"bytes"
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
		{"OKHeaderAfterJunk", append([]byte("junk\n"), pdf(10)...), 0, ""},
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

func FuzzCheck(f *testing.F) {
	f.Add(pdf(10), int64(0))
	f.Add([]byte("%PDF-"), int64(3))
	f.Add([]byte("%%EOF%PDF-"), int64(0))
	f.Fuzz(func(t *testing.T, data []byte, max int64) {
		err := Check(bytes.NewReader(data), max)
		code := casehold.ErrorCode(err)
		switch code {
		case "", casehold.EINVALID, casehold.ETOOLARGE:
		default:
			t.Fatalf("unexpected error %v", err)
		}
		// Whatever passes must really have a header and an end marker within the limit.
		if err == nil {
			if !bytes.Contains(data[:min(len(data), headLen)], []byte("%PDF-")) ||
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
