// Package mailtest is the contract every casehold.Mailer adapter passes: the .eml outbox in
// every `go test`, SES against the local SES emulator in `make test`.
package mailtest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/casehold"
)

// Sent is what a harness can observe of a delivered message.
type Sent struct {
	From        string
	To          []string
	Cc          []string // addresses only
	Subject     string
	Text        string   // the plain-text body, decoded, line ends as "\n"
	Attachments []string // file names
}

// Harness is a fresh mailer for one subtest and a way to see what it delivered.
type Harness struct {
	Mailer casehold.Mailer
	Sent   func(t *testing.T) []Sent
}

// Run runs the whole contract. newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	ctx := context.Background()
	valid := func() casehold.Message {
		return casehold.Message{
			From:    "casehold@council.example",
			To:      []string{"secure-inbox@review.example"},
			Cc:      []string{"coordinator@council.example", "legal@council.example"},
			Subject: "Preservation matter M-0001: documents",
			// Non-ASCII, a line longer than 76 characters and several lines: the body must
			// arrive as written whatever transfer encoding the adapter chose.
			Text: "Two documents are attached for Zoë Brontë's file.\n" + strings.Repeat("A long line that goes on. ", 8) + "\nEnd.\n",
			Attachments: []casehold.Attachment{
				{Filename: "Contact 21.12.2013.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n%%EOF\n")},
				{Filename: "Assessment 11.04.2011.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\n%%EOF\n")},
			},
		}
	}

	t.Run("SendWithAttachments", func(t *testing.T) {
		h := newHarness(t)
		id, err := h.Mailer.Send(ctx, valid())
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if id == "" {
			t.Error("Send returned an empty message id")
		}
		sent := h.Sent(t)
		if len(sent) != 1 {
			t.Fatalf("harness saw %d messages, want 1", len(sent))
		}
		got := sent[0]
		if !strings.Contains(got.From, "casehold@council.example") {
			t.Errorf("From = %q", got.From)
		}
		if fmt.Sprint(got.To) != "[secure-inbox@review.example]" {
			t.Errorf("To = %v", got.To)
		}
		if got.Subject != "Preservation matter M-0001: documents" {
			t.Errorf("Subject = %q", got.Subject)
		}
		cc := append([]string(nil), got.Cc...)
		sort.Strings(cc)
		if fmt.Sprint(cc) != "[coordinator@council.example legal@council.example]" {
			t.Errorf("Cc = %v", got.Cc)
		}
		if want := valid().Text; strings.TrimRight(got.Text, "\n") != strings.TrimRight(want, "\n") {
			t.Errorf("Text = %q, want %q", got.Text, want)
		}
		names := append([]string(nil), got.Attachments...)
		sort.Strings(names)
		if fmt.Sprint(names) != "[Assessment 11.04.2011.pdf Contact 21.12.2013.pdf]" {
			t.Errorf("Attachments = %v", got.Attachments)
		}
	})
	t.Run("NonASCIISubject", func(t *testing.T) {
		h := newHarness(t)
		msg := valid()
		msg.Subject = "Réponse reçue – M-0002"
		msg.Attachments = nil
		if _, err := h.Mailer.Send(ctx, msg); err != nil {
			t.Fatalf("Send: %v", err)
		}
		sent := h.Sent(t)
		if len(sent) != 1 || sent[0].Subject != msg.Subject {
			t.Fatalf("sent = %+v, want subject %q", sent, msg.Subject)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		cases := []struct {
			name   string
			modify func(m *casehold.Message)
		}{
			{"NoRecipient", func(m *casehold.Message) { m.To = nil }},
			{"NoSender", func(m *casehold.Message) { m.From = "" }},
			{"SubjectInjection", func(m *casehold.Message) { m.Subject = "hello\r\nBcc: leak@elsewhere.example" }},
			{"RecipientInjection", func(m *casehold.Message) { m.To = []string{"a@b.example\r\nBcc: leak@elsewhere.example"} }},
			{"BadAddress", func(m *casehold.Message) { m.To = []string{"not an address"} }},
			{"AttachmentPathSeparator", func(m *casehold.Message) { m.Attachments[0].Filename = "../../etc/passwd" }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				h := newHarness(t)
				msg := valid()
				c.modify(&msg)
				_, err := h.Mailer.Send(ctx, msg)
				if got := casehold.ErrorCode(err); got != casehold.EINVALID {
					t.Fatalf("error code = %q (%v), want %q", got, err, casehold.EINVALID)
				}
				if sent := h.Sent(t); len(sent) != 0 {
					t.Errorf("an invalid message was delivered: %+v", sent)
				}
			})
		}
	})
}
