package mailintake

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/emersion/go-message"
)

// goMessageDecode is the reference: go-message's own base64 decoding.
func goMessageDecode(in []byte) ([]byte, error) {
	var h message.Header
	h.Set("Content-Transfer-Encoding", "base64")
	e, err := message.New(h, bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(e.Body)
}

func wrap(s string, width int, eol string) string {
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width] + eol)
		s = s[width:]
	}
	return b.String() + s + eol
}

func TestBase64Reader(t *testing.T) {
	data := bytes.Repeat([]byte("%PDF-1.7 binary \x00\xff\x10 bytes "), 20000)
	enc := base64.StdEncoding.EncodeToString(data)
	cases := []struct {
		name, in string
		ok       bool
	}{
		{"CRLFLines", wrap(enc, 76, "\r\n"), true},
		{"LFLines", wrap(enc, 76, "\n"), true},
		{"StraySpacesAndTabs", strings.ReplaceAll(wrap(enc, 64, "\r\n"), "A", "A \t"), true},
		{"OneLine", enc, true},
		{"Empty", "", true},
		{"TruncatedGroup", enc[:len(enc)-3], false},
		{"BadCharacter", enc[:100] + "*" + enc[101:], false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(c.in), iotest.OneByteReader(strings.NewReader(c.in))} {
				got, err := io.ReadAll(newBase64Reader(r))
				if (err == nil) != c.ok {
					t.Fatalf("err = %v, want ok=%v", err, c.ok)
				}
				if c.ok && c.name != "Empty" && !bytes.Equal(got, data) {
					t.Fatalf("decoded %d bytes that differ from the %d encoded", len(got), len(data))
				}
			}
		})
	}
}

// FuzzBase64Reader: on any input, the fast decoder agrees with go-message's decoder: the
// same bytes when both succeed, and failing when it fails.
func FuzzBase64Reader(f *testing.F) {
	f.Add([]byte("SGVsbG8g\r\nd29ybGQ=\r\n"))
	f.Add([]byte("SGVs bG8=\tAA"))
	f.Add([]byte("===="))
	f.Fuzz(func(t *testing.T, in []byte) {
		want, werr := goMessageDecode(in)
		got, gerr := io.ReadAll(newBase64Reader(bytes.NewReader(in)))
		if werr == nil && gerr == nil && !bytes.Equal(got, want) {
			t.Fatalf("decoded %q, go-message decoded %q", got, want)
		}
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("error %v, go-message's %v", gerr, werr)
		}
	})
}
