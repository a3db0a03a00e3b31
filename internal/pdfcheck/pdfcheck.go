// Package pdfcheck checks, while the bytes stream past, that an upload looks like a whole
// PDF: it starts with a PDF header and ends with an end-of-file marker, so a truncated
// transfer or a file of another type is refused before anything is kept. It holds at most a
// few kilobytes, whatever the file size.
package pdfcheck

import (
	"bytes"
	"errors"
	"io"

	"github.com/casehold/casehold/internal/casehold"
)

// headLen is how far the header may sit from the start. The PDF spec lets it float in the
// first 1024 bytes; scanners put it first, so anything more is suspicious but allowed.
const headLen = 1024

// tailLen is how far before the end "%%EOF" may sit (trailing whitespace or padding).
const tailLen = 1024

// Reader passes bytes through and, at EOF, returns an EINVALID error instead of io.EOF if
// what passed is not a whole PDF, or an ETOOLARGE error as soon as more than max bytes pass.
type Reader struct {
	r     io.Reader
	max   int64
	n     int64
	head  []byte
	tail  []byte
	done  bool
	final error
}

// NewReader wraps r. max <= 0 means no limit.
func NewReader(r io.Reader, max int64) *Reader {
	return &Reader{r: r, max: max, head: make([]byte, 0, headLen), tail: make([]byte, 0, 2*tailLen)}
}

// Size is the number of bytes read so far.
func (p *Reader) Size() int64 { return p.n }

func (p *Reader) Read(b []byte) (int, error) {
	if p.done {
		return 0, p.final
	}
	n, err := p.r.Read(b)
	if n > 0 {
		p.observe(b[:n])
		if p.max > 0 && p.n > p.max {
			p.done = true
			p.final = casehold.Errorf(casehold.ETOOLARGE, "file is larger than the limit of %d bytes", p.max)
			return 0, p.final
		}
	}
	if errors.Is(err, io.EOF) {
		p.done = true
		p.final = io.EOF
		if verr := p.verdict(); verr != nil {
			p.final = verr
		}
		return n, p.final
	}
	return n, err
}

func (p *Reader) observe(b []byte) {
	p.n += int64(len(b))
	if room := headLen - len(p.head); room > 0 {
		p.head = append(p.head, b[:min(room, len(b))]...)
	}
	// Keep the last tailLen bytes without growing: compact when the buffer fills.
	if len(b) >= tailLen {
		p.tail = append(p.tail[:0], b[len(b)-tailLen:]...)
		return
	}
	if len(p.tail)+len(b) > cap(p.tail) {
		keep := tailLen - len(b)
		copy(p.tail, p.tail[len(p.tail)-keep:])
		p.tail = p.tail[:keep]
	}
	p.tail = append(p.tail, b...)
}

func (p *Reader) verdict() error {
	switch {
	case p.n == 0:
		return casehold.Errorf(casehold.EINVALID, "file is empty")
	case !bytes.Contains(p.head, []byte("%PDF-")):
		return casehold.Errorf(casehold.EINVALID, "file is not a PDF (no PDF header)")
	case !bytes.Contains(p.tailWindow(), []byte("%%EOF")):
		return casehold.Errorf(casehold.EINVALID, "PDF is truncated (no end-of-file marker)")
	}
	return nil
}

func (p *Reader) tailWindow() []byte {
	if len(p.tail) > tailLen {
		return p.tail[len(p.tail)-tailLen:]
	}
	return p.tail
}

// Check reads all of r and reports whether it is a whole PDF within max bytes.
func Check(r io.Reader, max int64) error {
	_, err := io.Copy(io.Discard, NewReader(r, max))
	return err
}
