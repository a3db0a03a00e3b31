package benchdata

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/pdfcheck"
)

// TestPDFStream keeps the generator honest: exact size, a whole PDF whatever the read sizes.
func TestPDFStream(t *testing.T) {
	for _, size := range []int64{16, 1000, 64<<10 + 3, 3 << 20} {
		var got []byte
		r, buf := PDFStream(size), make([]byte, 7919)
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
		if int64(len(got)) != size || !strings.HasPrefix(string(got), PDFHead) || !strings.HasSuffix(string(got), PDFTail) {
			t.Errorf("size %d: got %d bytes, head %q, tail %q", size, len(got), got[:9], got[len(got)-7:])
		}
		if err := pdfcheck.Check(bytes.NewReader(got), 0); err != nil {
			t.Errorf("size %d: %v", size, err)
		}
	}
}
