// Package mailmsg renders a casehold.Message as an RFC 5322 message with MIME parts,
// the one format both mail adapters send (the outbox writes it to a file, SES sends it raw).
package mailmsg

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// Validate checks that msg can be sent safely: a sender, at least one recipient, parseable
// addresses, and no CR or LF in any header value (header injection).
func Validate(msg casehold.Message) error {
	if msg.From == "" {
		return casehold.Errorf(casehold.EINVALID, "message has no sender")
	}
	if len(msg.To) == 0 {
		return casehold.Errorf(casehold.EINVALID, "message has no recipient")
	}
	if strings.ContainsAny(msg.Subject, "\r\n") {
		return casehold.Errorf(casehold.EINVALID, "subject must not contain line breaks")
	}
	addrs := append(append([]string{msg.From}, msg.To...), msg.Cc...)
	for _, a := range addrs {
		if strings.ContainsAny(a, "\r\n") {
			return casehold.Errorf(casehold.EINVALID, "address must not contain line breaks")
		}
		if _, err := mail.ParseAddress(a); err != nil {
			return casehold.Errorf(casehold.EINVALID, "an address is not a valid email address")
		}
	}
	for _, at := range msg.Attachments {
		if at.Filename == "" || strings.ContainsAny(at.Filename, "\r\n/\\") {
			return casehold.Errorf(casehold.EINVALID, "attachment file name is empty or contains a line break or path separator")
		}
	}
	return nil
}

// Build renders msg with the given Message-ID and date. It validates first.
func Build(msg casehold.Message, messageID string, date time.Time) ([]byte, error) {
	if err := Validate(msg); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	h("From", msg.From)
	h("To", strings.Join(msg.To, ", "))
	if len(msg.Cc) > 0 {
		h("Cc", strings.Join(msg.Cc, ", "))
	}
	h("Subject", mime.QEncoding.Encode("utf-8", msg.Subject))
	h("Date", date.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+messageID+">")
	h("MIME-Version", "1.0")

	mw := multipart.NewWriter(&buf)
	h("Content-Type", `multipart/mixed; boundary="`+mw.Boundary()+`"`)
	buf.WriteString("\r\n")

	// Quoted-printable, not base64: the text stays readable in the raw message, so an
	// outbox .eml can be read with cat and a sent message checked by eye, while lines stay
	// short and 8-bit characters (names as written) survive any relay.
	text, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return nil, fmt.Errorf("text part: %w", err)
	}
	qp := quotedprintable.NewWriter(text)
	if _, err := qp.Write([]byte(msg.Text)); err != nil {
		return nil, fmt.Errorf("write text part: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("write text part: %w", err)
	}
	for _, at := range msg.Attachments {
		ct := at.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		part, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(ct, map[string]string{"name": at.Filename})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": at.Filename})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, fmt.Errorf("attachment part: %w", err)
		}
		if err := writeBase64(part, at.Data); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("close message: %w", err)
	}
	return buf.Bytes(), nil
}

// writeBase64 writes data base64-encoded in 76-character lines, as RFC 2045 asks.
func writeBase64(w interface{ Write([]byte) (int, error) }, data []byte) error {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		if _, err := fmt.Fprintf(w, "%s\r\n", enc[:76]); err != nil {
			return fmt.Errorf("write part: %w", err)
		}
		enc = enc[76:]
	}
	if _, err := fmt.Fprintf(w, "%s\r\n", enc); err != nil {
		return fmt.Errorf("write part: %w", err)
	}
	return nil
}
