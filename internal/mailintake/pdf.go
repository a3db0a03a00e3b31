package mailintake

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"io"

	"github.com/casehold/casehold/internal/casehold"
)

// headLen is how many leading bytes are kept: the PDF header must be the very first thing,
// which is what scanners and exporters write; anything before it is treated as not a PDF.
const headLen = 5

// tailLen is how far before the end "%%EOF" may sit (trailing whitespace or padding).
const tailLen = 1024

// attReader reads one attachment's decoded bytes, hashing and checking them as they pass and
// enforcing MaxAttachmentBytes. In PDF mode it returns, instead of io.EOF, an error saying
// why the PDF is not acceptable, so that a consumer storing the stream keeps nothing.
type attReader struct {
	r     io.Reader // decoded body
	raw   *tap      // undecoded body, to tell a broken MIME structure from bad encoding
	src   *source
	index int
	max   int64

	pdf bool // PDF mode: set before the consumer reads

	n    int64
	h    hash.Hash
	pre  []byte // bytes read ahead to sniff the type, not yet handed out
	head []byte
	tail []byte
	enc  encryptScan

	end       error  // io.EOF, or why reading stopped; sticky
	ended     bool   // the decoded body was read to its end
	delivered bool   // the consumer was handed the final result
	problem   string // the attachment's problem, once known
	fatalErr  error  // a failure of the whole message, not of this attachment
}

func newAttReader(r io.Reader, raw *tap, src *source, index int, max int64) *attReader {
	return &attReader{
		r: r, raw: raw, src: src, index: index, max: max,
		h:    sha256.New(),
		head: make([]byte, 0, headLen),
		tail: make([]byte, 0, 2*tailLen),
	}
}

// sniffPDF reads the first bytes ahead and reports whether they are a PDF header.
func (a *attReader) sniffPDF() bool {
	buf := make([]byte, headLen)
	n, _ := io.ReadFull(readerFunc(a.next), buf)
	a.pre = buf[:n]
	return bytes.Equal(a.pre, []byte("%PDF-"))
}

func (a *attReader) Read(b []byte) (int, error) {
	if len(a.pre) > 0 {
		n := copy(b, a.pre)
		a.pre = a.pre[n:]
		if len(a.pre) == 0 && a.end != nil {
			return n, a.result()
		}
		return n, nil
	}
	if a.end != nil {
		return 0, a.result()
	}
	n, err := a.next(b)
	if err != nil {
		return n, a.result()
	}
	return n, nil
}

// result is what the consumer gets at the end: in PDF mode a clean end becomes an error if
// the bytes are not a whole, unencrypted PDF.
func (a *attReader) result() error {
	a.delivered = true
	if a.end == io.EOF && a.pdf {
		if p := a.pdfProblem(); p != "" {
			a.problem = p
			a.end = casehold.Errorf(casehold.EINVALID, "attachment %d: %s", a.index, p)
		}
	}
	return a.end
}

// next reads from the decoded body and accounts for what passes.
func (a *attReader) next(b []byte) (int, error) {
	if a.end != nil {
		return 0, a.end
	}
	n, err := a.r.Read(b)
	if n > 0 {
		if a.n+int64(n) > a.max {
			a.observe(b[:a.max-a.n]) // so Size says where it was cut off
			a.problem = ProblemTooLarge
			a.end = casehold.Errorf(casehold.ETOOLARGE, "attachment %d is larger than the limit of %d bytes", a.index, a.max)
			return 0, a.end
		}
		a.observe(b[:n])
	}
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF):
		a.ended = true
		a.end = io.EOF
		return n, io.EOF
	case a.src.err != nil:
		a.fatalErr = a.src.err
	case a.raw.err != nil:
		a.fatalErr = casehold.Errorf(casehold.EINVALID, "malformed MIME: attachment %d is not closed by its boundary", a.index)
	default:
		// The part is delimited properly but its base64 or quoted-printable is broken.
		a.problem = ProblemUndecodable
		a.end = casehold.Errorf(casehold.EINVALID, "attachment %d could not be decoded", a.index)
		return 0, a.end
	}
	a.end = a.fatalErr
	return 0, a.end
}

func (a *attReader) fatal() error { return a.fatalErr }

func (a *attReader) observe(b []byte) {
	a.n += int64(len(b))
	if a.h != nil {
		a.h.Write(b)
	}
	if room := headLen - len(a.head); room > 0 {
		a.head = append(a.head, b[:min(room, len(b))]...)
	}
	a.enc.scan(b)
	// Keep the last tailLen bytes without growing: compact when the buffer fills.
	if len(b) >= tailLen {
		a.tail = append(a.tail[:0], b[len(b)-tailLen:]...)
		return
	}
	if len(a.tail)+len(b) > cap(a.tail) {
		keep := tailLen - len(b)
		copy(a.tail, a.tail[len(a.tail)-keep:])
		a.tail = a.tail[:keep]
	}
	a.tail = append(a.tail, b...)
}

// pdfProblem says why the bytes read so far are not a whole, unencrypted PDF, or "".
func (a *attReader) pdfProblem() string {
	tail := a.tail
	if len(tail) > tailLen {
		tail = tail[len(tail)-tailLen:]
	}
	switch {
	case !bytes.Equal(a.head, []byte("%PDF-")):
		return ProblemNotPDF
	case !bytes.Contains(tail, []byte("%%EOF")):
		return ProblemTruncated
	case a.enc.atEOF():
		return ProblemEncrypted
	}
	return ""
}

// encryptScan looks for the name /Encrypt as a whole token anywhere in the file. The usual
// place for it is the trailer near the end, but a linearized file carries its full trailer
// at the start, an incremental update can add one in the middle, and a cross-reference
// stream's dictionary may sit before a long binary stream, so a streaming check cannot rely
// on a tail window. Only an encrypted file has this key in a dictionary; the name in an
// uncompressed page's text would be a rare false alarm, and one that fails safe (the raw
// message is kept either way).
type encryptScan struct {
	matched int // bytes of "/Encrypt" matched so far
	found   bool
}

var encryptName = []byte("/Encrypt")

func (s *encryptScan) scan(b []byte) {
	for i := 0; i < len(b) && !s.found; i++ {
		if s.matched == 0 {
			j := bytes.IndexByte(b[i:], '/')
			if j < 0 {
				return
			}
			i += j
		}
		c := b[i]
		switch {
		case s.matched == len(encryptName):
			// "/EncryptMetadata" and the like are other names; a delimiter ends this one.
			if isPDFDelimiter(c) {
				s.found = true
				return
			}
			s.matched = 0
			if c == '/' {
				s.matched = 1
			}
		case c == encryptName[s.matched]:
			s.matched++
		case c == '/':
			s.matched = 1
		default:
			s.matched = 0
		}
	}
}

// atEOF finishes the scan: a name at the very end of the data is also whole.
func (s *encryptScan) atEOF() bool { return s.found || s.matched == len(encryptName) }

func isPDFDelimiter(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ', '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }
