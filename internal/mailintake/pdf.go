package mailintake

import (
	"crypto/sha256"
	"errors"
	"hash"
	"io"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/pdfcheck"
)

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

	n   int64
	h   hash.Hash
	pre []byte            // bytes read ahead to sniff the type, not yet handed out
	sc  *pdfcheck.Scanner // the one PDF checker, the same rules as uploads

	end       error  // io.EOF, or why reading stopped; sticky
	ended     bool   // the decoded body was read to its end
	delivered bool   // the consumer was handed the final result
	problem   string // the attachment's problem, once known
	fatalErr  error  // a failure of the whole message, not of this attachment
}

func newAttReader(r io.Reader, raw *tap, src *source, index int, max int64) *attReader {
	return &attReader{
		r: r, raw: raw, src: src, index: index, max: max,
		h:  sha256.New(),
		sc: pdfcheck.NewScanner(),
	}
}

// sniffPDF reads the first bytes ahead and reports whether they are a PDF header.
func (a *attReader) sniffPDF() bool {
	buf := make([]byte, len(pdfcheck.Header))
	n, _ := io.ReadFull(readerFunc(a.next), buf)
	a.pre = buf[:n]
	return pdfcheck.HasHeader(a.pre)
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
	a.sc.Write(b)
}

// pdfProblem says why the bytes read so far are not a whole, unencrypted PDF, or "". An
// empty file is "not a PDF" here, as an attachment with no header at all is.
func (a *attReader) pdfProblem() string {
	switch p := a.sc.Problem(); p {
	case pdfcheck.ProblemEmpty:
		return ProblemNotPDF
	default:
		return p
	}
}

// flags is the active content the checker saw in the attachment.
func (a *attReader) flags() []string { return a.sc.Flags() }

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }
