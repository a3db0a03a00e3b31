// Package benchdata holds what the benchmarks share: a generated PDF stream of any size
// that holds 64 KiB of memory, and the plain durable file copy every figure is compared to.
package benchdata

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// PlainCopy is the baseline: what any program does to save a stream to disk durably.
func PlainCopy(path string, r io.Reader) error {
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
	PDFHead = "%PDF-1.7\n"
	PDFTail = "\n%%EOF\n"
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

// PDFStream returns a reader of a whole PDF of exactly size bytes.
func PDFStream(size int64) io.Reader { return &pdfStream{size: size} }

func (s *pdfStream) Read(p []byte) (int, error) {
	if s.off >= s.size {
		return 0, io.EOF
	}
	if rest := s.size - s.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	tailAt := s.size - int64(len(PDFTail))
	n := 0
	for n < len(p) {
		off := s.off + int64(n)
		var m int
		switch {
		case off < int64(len(PDFHead)):
			m = copy(p[n:], PDFHead[off:])
		case off >= tailAt:
			m = copy(p[n:], PDFTail[off-tailAt:])
		default:
			end := min(int64(len(p)-n), tailAt-off)
			m = copy(p[n:int64(n)+end], fillerBlock[off%int64(len(fillerBlock)):])
		}
		n += m
	}
	s.off += int64(n)
	return n, nil
}

// StaffCSV is an invented staff directory export of n people, each managed by the person
// whose number is a tenth of theirs, in 40 teams.
func StaffCSV(n int) string {
	var sb strings.Builder
	sb.WriteString("staff_id,name,email,teams,manager_id\n")
	for i := range n {
		mgr := ""
		if i > 0 {
			mgr = fmt.Sprintf("s%d", i/10)
		}
		fmt.Fprintf(&sb, "s%d,Person %d,p%d@council.example,Team %d;Duty,%s\n", i, i, i, i%40, mgr)
	}
	return sb.String()
}

// StatusKiB reads a "Name: N kB" line of /proc/self/status (VmHWM: the peak resident set);
// 0 if it cannot.
func StatusKiB(name string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, name+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
