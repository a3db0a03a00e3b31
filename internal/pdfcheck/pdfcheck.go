// Package pdfcheck is casehold's one PDF checker, used by every path a file comes in by
// (uploads, presigned uploads, email attachments). While the bytes stream past it checks
// that they are a whole, unencrypted PDF, so a truncated transfer, a file of another type or
// a file nobody can open later is refused before anything is kept, and it notes active
// content (JavaScript, launch actions) so the document can be flagged before an inspector
// opens it. It holds a few kilobytes, whatever the file size.
//
// The rules, the same for every path:
//   - the file starts with "%PDF-". The format lets the header float in the first 1024
//     bytes, but scanners and exporters write it first, and bytes in front of it are how
//     polyglot files hide another format; so anything before it means "not a PDF";
//   - "%%EOF" is in the last 1024 bytes (else the file was cut short);
//   - no /Encrypt name anywhere (an encrypted PDF cannot be read, hashed in any useful
//     sense, or disclosed);
//   - /JavaScript, /JS and /Launch are flagged, not refused: the file is evidence as
//     received, and the flag warns whoever opens it.
//
// The name scan sees the file's uncompressed structure only. A dictionary inside a
// compressed object stream, or a name written with #xx escapes, is not seen: a flag is a
// warning, and its absence is not proof the file is inert.
package pdfcheck

import (
	"bytes"
	"errors"
	"io"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/casehold/casehold/internal/casehold"
)

// Header is what a PDF starts with.
const Header = "%PDF-"

// tailLen is how far before the end "%%EOF" may sit (trailing whitespace or padding).
const tailLen = 1024

// Problems: why bytes are not an acceptable PDF. The strings are stable: email intake
// records them per attachment.
const (
	ProblemEmpty     = "empty file"
	ProblemNotPDF    = "not a PDF"
	ProblemTruncated = "truncated PDF"
	ProblemEncrypted = "encrypted PDF"
)

// Flags: active content found in an accepted PDF, recorded on its document.
const (
	FlagJavaScript = "javascript"
	FlagLaunch     = "launch_action"
)

// names are the PDF names the scanner looks for, and what each means.
var names = []struct {
	name []byte
	flag string // "" for /Encrypt, which is a problem, not a flag
}{
	{[]byte("/Encrypt"), ""},
	{[]byte("/JavaScript"), FlagJavaScript},
	{[]byte("/JS"), FlagJavaScript},
	{[]byte("/Launch"), FlagLaunch},
}

// Scanner watches bytes go past (it is an io.Writer) and says, at the end, whether they
// were an acceptable PDF and what active content they named.
type Scanner struct {
	n         int64
	head      []byte
	tail      []byte
	matching  []int // per entry of names: bytes matched so far
	found     []bool
	lastDelim bool
}

// NewScanner returns a scanner that has seen nothing.
func NewScanner() *Scanner {
	return &Scanner{head: make([]byte, 0, len(Header)), tail: make([]byte, 0, 2*tailLen),
		matching: make([]int, len(names)), found: make([]bool, len(names)), lastDelim: true}
}

// Write observes b. It never fails.
func (s *Scanner) Write(b []byte) (int, error) {
	s.n += int64(len(b))
	if room := len(Header) - len(s.head); room > 0 {
		s.head = append(s.head, b[:min(room, len(b))]...)
	}
	s.scan(b)
	// Keep the last tailLen bytes without growing: compact when the buffer fills.
	if len(b) >= tailLen {
		s.tail = append(s.tail[:0], b[len(b)-tailLen:]...)
		return len(b), nil
	}
	if len(s.tail)+len(b) > cap(s.tail) {
		keep := tailLen - len(b)
		copy(s.tail, s.tail[len(s.tail)-keep:])
		s.tail = s.tail[:keep]
	}
	s.tail = append(s.tail, b...)
	return len(b), nil
}

// Size is the number of bytes seen.
func (s *Scanner) Size() int64 { return s.n }

// HasHeader reports whether b (the first bytes of a file) starts as a PDF does.
func HasHeader(b []byte) bool { return bytes.HasPrefix(b, []byte(Header)) }

// scan matches the names as whole tokens: a name starts at "/" and ends at a delimiter,
// so "/JSON" or "/EncryptMetadata" are other names. Matches may span writes.
func (s *Scanner) scan(b []byte) {
	for len(b) > 0 {
		if !s.inName() {
			// Between names every byte but "/" leaves every matcher at rest: jump to the
			// next "/" (a PDF is mostly streams, and this keeps the check at memory speed).
			i := bytes.IndexByte(b, '/')
			if i < 0 {
				return
			}
			b = b[i:]
		}
		s.step(b[0])
		b = b[1:]
	}
}

// step advances every name's matcher by one byte.
func (s *Scanner) step(c byte) {
	for i, nm := range names {
		m := s.matching[i]
		switch {
		case m == len(nm.name):
			if isDelimiter(c) {
				s.found[i] = true
			}
			s.matching[i] = 0
			if c == '/' {
				s.matching[i] = 1
			}
		case c == nm.name[m]:
			s.matching[i] = m + 1
		case c == '/':
			s.matching[i] = 1
		default:
			s.matching[i] = 0
		}
	}
}

// inName reports whether a name may be under way: some matcher has started.
func (s *Scanner) inName() bool {
	for _, m := range s.matching {
		if m > 0 {
			return true
		}
	}
	return false
}

// seen reports whether names[i] was found, a name at the very end included.
func (s *Scanner) seen(i int) bool { return s.found[i] || s.matching[i] == len(names[i].name) }

// Problem says why what was seen is not an acceptable PDF, or "" if it is.
func (s *Scanner) Problem() string {
	tail := s.tail
	if len(tail) > tailLen {
		tail = tail[len(tail)-tailLen:]
	}
	switch {
	case s.n == 0:
		return ProblemEmpty
	case !HasHeader(s.head):
		return ProblemNotPDF
	case !bytes.Contains(tail, []byte("%%EOF")):
		return ProblemTruncated
	case s.seen(0):
		return ProblemEncrypted
	}
	return ""
}

// Err is Problem as an EINVALID error saying what was wrong, or nil.
func (s *Scanner) Err() error {
	switch s.Problem() {
	case "":
		return nil
	case ProblemEmpty:
		return casehold.Errorf(casehold.EINVALID, "file is empty")
	case ProblemNotPDF:
		return casehold.Errorf(casehold.EINVALID, "file is not a PDF (it does not start with a PDF header)")
	case ProblemTruncated:
		return casehold.Errorf(casehold.EINVALID, "PDF is truncated (no end-of-file marker)")
	default:
		return casehold.Errorf(casehold.EINVALID, "PDF is encrypted: send it without a password")
	}
}

// Flags lists the active content seen, sorted, without repeats; nil if none.
func (s *Scanner) Flags() []string {
	var out []string
	for i, nm := range names {
		if nm.flag != "" && s.seen(i) && !slices.Contains(out, nm.flag) {
			out = append(out, nm.flag)
		}
	}
	slices.Sort(out)
	return out
}

func isDelimiter(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ', '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// Reader passes bytes through and, at EOF, returns an EINVALID error instead of io.EOF if
// what passed is not an acceptable PDF, or an ETOOLARGE error as soon as more than max
// bytes pass.
type Reader struct {
	r     io.Reader
	max   int64
	sc    *Scanner
	done  bool
	final error
}

// NewReader wraps r. max <= 0 means no limit.
func NewReader(r io.Reader, max int64) *Reader {
	return &Reader{r: r, max: max, sc: NewScanner()}
}

// Size is the number of bytes read so far.
func (p *Reader) Size() int64 { return p.sc.Size() }

// Flags is the active content seen so far (all of it, once Read has returned io.EOF).
func (p *Reader) Flags() []string { return p.sc.Flags() }

func (p *Reader) Read(b []byte) (int, error) {
	if p.done {
		return 0, p.final
	}
	n, err := p.r.Read(b)
	if n > 0 {
		p.sc.Write(b[:n])
		if p.max > 0 && p.sc.Size() > p.max {
			p.done = true
			p.final = casehold.Errorf(casehold.ETOOLARGE, "file is larger than the limit of %d bytes", p.max)
			return 0, p.final
		}
	}
	if errors.Is(err, io.EOF) {
		p.done = true
		p.final = io.EOF
		if verr := p.sc.Err(); verr != nil {
			p.final = verr
		}
		return n, p.final
	}
	return n, err
}

// Check reads all of r and reports whether it is an acceptable PDF within max bytes.
func Check(r io.Reader, max int64) error {
	_, err := io.Copy(io.Discard, NewReader(r, max))
	return err
}

// MaxFilenameBytes keeps names well inside file system and header limits.
const MaxFilenameBytes = 200

// CleanFilename is the one cleaner for the name a file was given by whoever sent it (an
// uploader's filename, an email attachment's): a safe base name for display and download,
// never a storage key. No directories, no unsafe characters (UnsafeRune), no leading or
// trailing dots or spaces, at most MaxFilenameBytes. An empty result becomes fallback. A
// PDF's name always ends in ".pdf", so it opens as one and never as whatever "scan.exe"
// would.
func CleanFilename(name, fallback string, isPDF bool) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = strings.Map(func(r rune) rune {
		if UnsafeRune(r) {
			return -1
		}
		return r
	}, name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Trim(name, ". ")
	if name == "" {
		name = fallback
	}
	if isPDF && !strings.EqualFold(path.Ext(name), ".pdf") {
		name += ".pdf"
	}
	if len(name) > MaxFilenameBytes {
		ext := path.Ext(name)
		if len(ext) > 16 {
			ext = ""
		}
		base := name[:MaxFilenameBytes-len(ext)]
		for !utf8.ValidString(base) {
			base = base[:len(base)-1]
		}
		name = base + ext
	}
	return name
}

// UnsafeRune reports characters that must not reach a log line, a header or a file name:
// C0 and C1 controls (CR and LF among them), DEL, Unicode line and paragraph separators,
// and the bidirectional overrides that can make "gpj.exe" look like "exe.jpg".
func UnsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
