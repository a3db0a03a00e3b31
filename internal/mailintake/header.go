package mailintake

import (
	"mime"
	"net/mail"
	"path"
	"strconv"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/casehold/casehold/internal/pdfcheck"
)

// wordDecoder decodes RFC 2047 encoded words in any charset go-message knows.
var wordDecoder = mime.WordDecoder{CharsetReader: charset.Reader}

// decodeWords decodes encoded words, keeping the text as it is if they are malformed.
func decodeWords(s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	d, err := wordDecoder.DecodeHeader(s)
	if err != nil {
		return s
	}
	return d
}

// envelope reads the top-level header. What goes into the Envelope may be logged, shown
// and put in audit records, so a value is only kept once it is known to be one line of
// text; anything else is dropped or cleaned with a Problem saying which header it was.
func (p *parser) envelope(h textproto.Header) Envelope {
	mh := gomail.Header{Header: message.Header{Header: h}}
	var env Envelope

	from := p.addresses(h, "From")
	switch {
	case len(from) == 0:
		p.problemf("no usable From address")
	case len(from) > 1:
		p.problemf("From header has %d addresses; the first is used", len(from))
	}
	if len(from) > 0 {
		env.From = from[0]
	}
	if h.Has("Return-Path") {
		env.ReturnPath = "<>" // present: a null sender, or nothing usable
		if strings.TrimSpace(h.Get("Return-Path")) != "<>" {
			if rp := p.addresses(h, "Return-Path"); len(rp) > 0 {
				env.ReturnPath = rp[0]
			}
		}
	}
	env.To = p.addresses(h, "To")
	env.Cc = p.addresses(h, "Cc")

	if h.Get("Date") == "" {
		p.problemf("no Date header")
	} else if d, err := mail.ParseDate(h.Get("Date")); err != nil {
		p.problemf("Date header is not a valid date; ignored")
	} else {
		env.Date = d
	}

	if h.Get("Message-Id") != "" {
		id, err := mh.MessageID()
		if err != nil || !isPrintableToken(id) {
			p.problemf("Message-ID header is malformed; ignored")
		} else {
			env.MessageID = id
		}
	}

	subject, err := mh.Subject()
	if err != nil {
		p.problemf("Subject uses an unknown charset; kept undecoded")
	}
	subject, changed := cleanText(subject)
	if changed {
		p.problemf("Subject contains control characters; they were replaced with spaces")
	}
	env.Subject = subject
	return env
}

// addresses returns the addr-specs of every instance of the header key. A header value
// holding a control character (a bare CR is the usual injection attempt) is ignored whole;
// one that does not parse as a list is read address by address.
func (p *parser) addresses(h textproto.Header, key string) []string {
	var out []string
	for _, v := range h.Values(key) {
		if _, bad := cleanText(v); bad {
			p.problemf("%s header contains control characters; ignored", key)
			continue
		}
		list, err := gomail.ParseAddressList(v)
		if err != nil {
			p.problemf("%s header is not a valid address list; read address by address", key)
			list = nil
			for _, one := range strings.Split(v, ",") {
				if a, err := gomail.ParseAddress(one); err == nil {
					list = append(list, a)
				}
			}
		}
		for _, a := range list {
			// Display names are not kept: they may decode to anything and are not needed.
			if !isPrintableToken(a.Address) || !strings.Contains(a.Address, "@") {
				p.problemf("%s header has an unusable address; ignored", key)
				continue
			}
			out = append(out, a.Address)
		}
	}
	return out
}

// isPrintableToken reports whether s is non-empty printable ASCII without spaces and no
// longer than a header line may be.
func isPrintableToken(s string) bool {
	if s == "" || len(s) > 998 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// unsafeRune is pdfcheck's rule, the one for headers and file names alike.
func unsafeRune(r rune) bool { return pdfcheck.UnsafeRune(r) }

// cleanText makes s valid UTF-8 and replaces unsafe characters with spaces. changed is true
// if anything but a tab was replaced.
func cleanText(s string) (clean string, changed bool) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	clean = strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if unsafeRune(r) {
			changed = true
			return ' '
		}
		return r
	}, s)
	return clean, changed
}

// cleanFilename is the one file name cleaner (pdfcheck.CleanFilename), with
// attachment-N for a name that cleans to nothing.
func cleanFilename(name string, index int, isPDF bool) string {
	return pdfcheck.CleanFilename(name, "attachment-"+strconv.Itoa(index), isPDF)
}

// declaredPDF reports whether the sender labelled the attachment a PDF.
func declaredPDF(contentType, filename string) bool {
	return contentType == "application/pdf" || contentType == "application/x-pdf" ||
		strings.EqualFold(path.Ext(filename), ".pdf")
}
