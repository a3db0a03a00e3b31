// Package mailintake reads an inbound raw email (as an SES receipt rule writes it to S3),
// finds the PDFs in it and works out which matter it concerns. It does no I/O of its own:
// it reads the message from an io.Reader and hands each whole, unencrypted PDF to a
// callback as a stream.
//
// MIME parsing is done by github.com/emersion/go-message. It was chosen over
// github.com/jhillyerd/enmime because it streams: headers are parsed on their own and every
// part body is an io.Reader over the message, decoded as it is read, so a 30 MB message with
// ten PDFs goes through a few small buffers instead of being built in memory (enmime reads
// every part into a []byte). It is used by well-known mail servers and clients (maddy,
// aerc, go-imap), keeps RFC 2046 quirks in one place, and its charset package decodes the
// non-UTF-8 encoded words still common in UK council mail. Only its header and multipart
// readers are used: each entity is walked here so nesting depth and part count are bounded
// before anything is read.
package mailintake

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/pdfcheck"
)

// Limits bound what Parse will read. A zero field takes its default.
type Limits struct {
	MaxMessageBytes    int64 // the whole raw message; default 40 MB, the SES receipt maximum
	MaxDepth           int   // MIME nesting (multiparts and forwarded messages); default 10
	MaxParts           int   // entities of any kind, the message itself included; default 200
	MaxAttachmentBytes int64 // one decoded attachment; default MaxMessageBytes
	// SkipMessageHash leaves Result.SHA256 empty, for a caller that hashes the raw message
	// itself (the evidence store does as it keeps it).
	SkipMessageHash bool
	// SkipPDFHash leaves Attachment.SHA256 empty for PDFs handed to onPDF, for a caller
	// whose store hashes them as it keeps them.
	SkipPDFHash bool
}

// Defaults for Limits.
const (
	DefaultMaxMessageBytes = 40 << 20
	DefaultMaxDepth        = 10
	DefaultMaxParts        = 200
)

func (l Limits) withDefaults() Limits {
	if l.MaxMessageBytes <= 0 {
		l.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxAttachmentBytes <= 0 {
		l.MaxAttachmentBytes = l.MaxMessageBytes
	}
	return l
}

// Envelope is what the top-level header says about the message. Addresses are bare
// addr-specs (no display names). Values that could not be parsed, or that held control
// characters where they can only be an injection attempt, are left empty or cleaned, and
// Result.Problems says so.
type Envelope struct {
	From string
	// ReturnPath is the envelope sender the delivering server recorded: "" if the message
	// has no Return-Path, "<>" if it has one with no usable address (a null sender).
	ReturnPath string
	To, Cc     []string
	Date       time.Time // zero if absent or unparseable
	MessageID  string    // without angle brackets
	Subject    string    // decoded; control characters replaced with spaces
}

// Attachment is one non-body part of the message.
type Attachment struct {
	Index       int    // 1-based position among the message's attachments; name it in logs, not Filename
	Filename    string // decoded, base name only, no control characters or path separators; never empty
	ContentType string // the declared media type, lower case
	Size        int64  // decoded bytes; MaxAttachmentBytes when it was too large
	SHA256      string // lower-case hex of the decoded bytes; empty if they could not all be read
	IsPDF       bool   // the decoded bytes start with a PDF header
	Problem     string // why it was not accepted (one of the Problem constants); "" if onPDF took it
	// Flags is the active content the PDF checker saw (pdfcheck.FlagJavaScript,
	// pdfcheck.FlagLaunch), for the kept document to carry; set once the attachment is read.
	Flags []string
}

// Attachment problems. An attachment has Problem "" exactly when it was a whole,
// unencrypted PDF and onPDF accepted it.
const (
	ProblemNotPDF       = pdfcheck.ProblemNotPDF
	ProblemNoHeader     = "labelled a PDF but has no %PDF- header"
	ProblemEncrypted    = pdfcheck.ProblemEncrypted
	ProblemTruncated    = pdfcheck.ProblemTruncated
	ProblemTooLarge     = "too large"
	ProblemUndecodable  = "could not be decoded"
	ProblemUnknownCTE   = "unknown transfer encoding"
	ProblemNotProcessed = "not processed" // no onPDF was given
)

// Result is what Parse found.
type Result struct {
	Envelope    Envelope
	Attachments []Attachment
	// Problems lists, in order, everything odd that did not stop the parse: header values
	// that were dropped or cleaned, and each attachment's problem as "attachment N: ...".
	// Entries never hold personal data.
	Problems []string
	Size     int64  // raw message bytes read
	SHA256   string // lower-case hex of the raw message; set only when Parse returns no error
}

// Parse reads a raw RFC 5322 message from r and calls onPDF for each attachment that is a
// whole, unencrypted PDF, at any depth: nested multiparts and forwarded message/rfc822
// parts included. Other attachments are listed in the Result with a Problem and onPDF is
// not called for them. Text and HTML bodies are skipped. It is Read followed by Walk; use
// those to look at the Envelope (Route, CheckVerdicts) before deciding what onPDF does.
//
// onPDF gets the attachment's decoded bytes as a stream and must read it to the end (io.EOF)
// before returning nil. Whether the PDF is whole and unencrypted is only known at the end,
// so the stream returns a *casehold.Error (EINVALID, or ETOOLARGE past MaxAttachmentBytes)
// instead of io.EOF when it is not; onPDF must then keep nothing and return an error, as
// casehold.Evidence.Put does. Parse records that as the attachment's Problem and goes on
// with the next part. Any other error from onPDF stops the parse and is returned wrapped.
// a's Size, SHA256 and Problem are filled in after onPDF returns. onPDF may be nil, to only
// list and check what is there (PDFs then get ProblemNotProcessed).
//
// Errors, each with a *casehold.Error in the chain: EINVALID for a message whose MIME
// structure is broken (a malformed header, a multipart without a boundary or whose parts are
// not closed by it); ETOOLARGE for a message over MaxMessageBytes, nested deeper than
// MaxDepth or with more than MaxParts entities. A failure to read r is returned wrapped.
// With an error, the Result is still returned and lists what was found before it; PDFs in it
// with no Problem were accepted by onPDF.
func Parse(r io.Reader, lim Limits, onPDF func(a *Attachment, body io.Reader) error) (*Result, error) {
	m, err := Read(r, lim)
	if err != nil {
		return m.res(), err
	}
	return m.Walk(onPDF)
}

// Message is an inbound message whose top-level header has been read and whose body has
// not: the caller can check the sender and route the message before anything is stored.
type Message struct {
	Envelope Envelope
	p        *parser
	h        textproto.Header
	br       *bufio.Reader
	walked   bool
}

// Read reads the top-level header of the raw message in r. Errors are as for Parse; with
// an error the Message is still returned, and Walk returns the same error.
func Read(r io.Reader, lim Limits) (*Message, error) {
	p := &parser{lim: lim.withDefaults(), res: &Result{}}
	p.src = &source{r: r, max: p.lim.MaxMessageBytes}
	if !lim.SkipMessageHash {
		p.src.h = sha256.New()
	}
	m := &Message{p: p, br: bufio.NewReader(p.src)}
	h, err := textproto.ReadHeader(m.br)
	if err != nil {
		p.err = p.structural(err, "the message header is malformed")
		return m, p.err
	}
	m.h = h
	p.res.Envelope = p.envelope(h)
	m.Envelope = p.res.Envelope
	return m, nil
}

// Walk reads the rest of the message, calling onPDF as Parse describes. It may be called
// once.
func (m *Message) Walk(onPDF func(a *Attachment, body io.Reader) error) (*Result, error) {
	p := m.p
	if m.walked && p.err == nil {
		p.err = errors.New("mailintake: Walk called twice")
	}
	m.walked = true
	if p.err != nil {
		return m.res(), p.err
	}
	p.onPDF = onPDF
	p.err = p.entity(m.h, m.br, 0)
	if p.err == nil {
		// Read to the end so the size limit covers the epilogue and the hash covers it all.
		if _, err := io.Copy(io.Discard, m.br); err != nil {
			p.err = p.structural(err, "the message could not be read to its end")
		}
	}
	res := m.res()
	if p.err == nil && p.src.h != nil {
		res.SHA256 = hex.EncodeToString(p.src.h.Sum(nil))
	}
	return res, p.err
}

func (m *Message) res() *Result {
	m.p.res.Size = m.p.src.n
	return m.p.res
}

type parser struct {
	lim   Limits
	onPDF func(*Attachment, io.Reader) error
	src   *source
	res   *Result
	parts int
	err   error // sticky: the error that stopped the parse
}

// entity handles one MIME entity whose header has been read and whose body is body.
func (p *parser) entity(h textproto.Header, body io.Reader, depth int) error {
	p.parts++
	if p.parts > p.lim.MaxParts {
		return casehold.Errorf(casehold.ETOOLARGE, "message has more than %d MIME parts", p.lim.MaxParts)
	}
	if depth > p.lim.MaxDepth {
		return casehold.Errorf(casehold.ETOOLARGE, "message is nested more than %d levels deep", p.lim.MaxDepth)
	}
	mediaType, params := contentType(h)
	switch {
	case strings.HasPrefix(mediaType, "multipart/"):
		return p.multipart(body, params["boundary"], depth)
	case mediaType == "message/rfc822" || mediaType == "message/global":
		// A forwarded message: its own header, then its body, possibly multipart.
		decoded, err := decodeTransfer(h, body)
		if err != nil {
			return casehold.Errorf(casehold.EINVALID, "a forwarded message has an unknown transfer encoding")
		}
		br := bufio.NewReader(decoded)
		inner, err := textproto.ReadHeader(br)
		if err != nil {
			return p.structural(err, "a forwarded message has a malformed header")
		}
		return p.entity(inner, br, depth+1)
	default:
		return p.leaf(h, body, mediaType, params)
	}
}

func (p *parser) multipart(body io.Reader, boundary string, depth int) error {
	if boundary == "" {
		return casehold.Errorf(casehold.EINVALID, "a multipart part has no boundary")
	}
	mr := textproto.NewMultipartReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return p.structural(err, "a multipart part is not delimited by its boundary")
		}
		if err := p.entity(part.Header, part, depth+1); err != nil {
			return err
		}
	}
}

// structural turns an error met while walking the MIME structure into the one to return:
// the source's own failure (size limit, read error) if there was one, else EINVALID with
// msg. The library's error text is dropped because it may quote header values.
func (p *parser) structural(err error, msg string) error {
	if p.src.err != nil {
		return p.src.err
	}
	var ce *casehold.Error
	if errors.As(err, &ce) {
		return err
	}
	return casehold.Errorf(casehold.EINVALID, "malformed MIME: %s", msg)
}

// leaf handles a part that is neither multipart nor a forwarded message.
func (p *parser) leaf(h textproto.Header, body io.Reader, mediaType string, params map[string]string) error {
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = decodeWords(name)
	if (mediaType == "text/plain" || mediaType == "text/html") && name == "" && disp != "attachment" {
		return nil // a body; the multipart reader skips what is left of it
	}

	a := Attachment{Index: len(p.res.Attachments) + 1, ContentType: mediaType}
	raw := &tap{r: body}
	decoded, err := decodeTransfer(h, raw)
	var ar *attReader
	if err != nil {
		ar = newAttReader(raw, raw, p.src, a.Index, p.lim.MaxAttachmentBytes)
		a.Problem = ProblemUnknownCTE
	} else {
		ar = newAttReader(decoded, raw, p.src, a.Index, p.lim.MaxAttachmentBytes)
		a.IsPDF = ar.sniffPDF()
	}
	a.Filename = cleanFilename(name, a.Index, a.IsPDF)

	if err := p.consume(&a, ar); err != nil {
		return err // not listed: it was neither accepted nor fully read
	}
	p.add(a)
	return nil
}

// consume reads the attachment through onPDF or to nothing, and sets its outcome.
func (p *parser) consume(a *Attachment, ar *attReader) error {
	if !a.IsPDF || p.onPDF == nil {
		_, err := io.Copy(io.Discard, ar)
		if fatal := ar.fatal(); fatal != nil {
			return fatal
		}
		if err != nil {
			a.Problem = ar.problem
		}
		switch {
		case a.Problem != "":
		case !a.IsPDF && declaredPDF(a.ContentType, a.Filename):
			a.Problem = ProblemNoHeader
		case !a.IsPDF:
			a.Problem = ProblemNotPDF
		case ar.pdfProblem() != "":
			a.Problem = ar.pdfProblem()
		default:
			a.Problem = ProblemNotProcessed
		}
		p.finish(a, ar)
		return nil
	}

	ar.pdf = true
	if p.lim.SkipPDFHash {
		ar.h = nil
	}
	err := p.onPDF(a, ar)
	if fatal := ar.fatal(); fatal != nil {
		return fatal
	}
	switch {
	case ar.problem != "":
		// The stream refused the bytes; whatever onPDF returned, it was told so.
		a.Problem = ar.problem
		if err == nil {
			return fmt.Errorf("attachment %d: onPDF kept a stream that ended in an error", a.Index)
		}
	case err != nil:
		return fmt.Errorf("attachment %d: %w", a.Index, err)
	case !ar.delivered:
		return fmt.Errorf("attachment %d: onPDF returned before reading the whole attachment", a.Index)
	}
	p.finish(a, ar)
	return nil
}

func (p *parser) finish(a *Attachment, ar *attReader) {
	a.Size = ar.n
	if a.IsPDF {
		a.Flags = ar.flags()
	}
	if ar.ended && ar.h != nil && ar.problem != ProblemUndecodable && ar.problem != ProblemTooLarge {
		a.SHA256 = hex.EncodeToString(ar.h.Sum(nil))
	}
}

func (p *parser) add(a Attachment) {
	p.res.Attachments = append(p.res.Attachments, a)
	if a.Problem != "" {
		p.problemf("attachment %d: %s", a.Index, a.Problem)
	}
}

func (p *parser) problemf(format string, args ...any) {
	p.res.Problems = append(p.res.Problems, fmt.Sprintf(format, args...))
}

// contentType parses Content-Type leniently: a bad parameter keeps the media type, and an
// unparseable or absent value means text/plain (RFC 2045 section 5.2).
func contentType(h textproto.Header) (string, map[string]string) {
	v := h.Get("Content-Type")
	if v == "" {
		return "text/plain", nil
	}
	t, params, err := mime.ParseMediaType(v)
	if err != nil && !errors.Is(err, mime.ErrInvalidMediaParameter) {
		return "text/plain", nil
	}
	return t, params
}

// decodeTransfer undoes the Content-Transfer-Encoding. message.New also converts text/*
// charsets to UTF-8, which would change an attachment's bytes (and its hash), so it is
// given the header without Content-Type.
func decodeTransfer(h textproto.Header, body io.Reader) (io.Reader, error) {
	if strings.EqualFold(strings.TrimSpace(h.Get("Content-Transfer-Encoding")), "base64") {
		return newBase64Reader(body), nil
	}
	hh := h.Copy()
	hh.Del("Content-Type")
	e, err := message.New(message.Header{Header: hh}, body)
	if err != nil {
		return nil, err
	}
	return e.Body, nil
}

// source is the raw message: it enforces MaxMessageBytes, hashes what passes and remembers
// the first failure so that errors surfacing through the MIME readers can be told apart from
// a broken message.
type source struct {
	r   io.Reader
	n   int64
	max int64
	h   hash.Hash
	err error
}

func (s *source) Read(b []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(b)
	if s.n+int64(n) > s.max {
		s.n = s.max + 1
		s.err = casehold.Errorf(casehold.ETOOLARGE, "message is larger than the limit of %d bytes", s.max)
		return 0, s.err
	}
	s.n += int64(n)
	if s.h != nil {
		s.h.Write(b[:n])
	}
	if err != nil && !errors.Is(err, io.EOF) {
		s.err = fmt.Errorf("read message: %w", err)
		return n, s.err
	}
	return n, err
}

// tap remembers an error from a part's raw body (as opposed to one from decoding it).
type tap struct {
	r   io.Reader
	err error
}

func (t *tap) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if err != nil && !errors.Is(err, io.EOF) && t.err == nil {
		t.err = err
	}
	return n, err
}
