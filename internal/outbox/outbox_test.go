package outbox

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/mailtest"
)

func TestContract(t *testing.T) {
	mailtest.Run(t, func(t *testing.T) mailtest.Harness {
		dir := t.TempDir()
		o, err := New(dir)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		return mailtest.Harness{Mailer: o, Sent: func(t *testing.T) []mailtest.Sent { return sent(t, dir) }}
	})
}

// sent reads back the outbox with the standard library alone, as a mail client would.
func sent(t *testing.T, dir string) []mailtest.Sent {
	t.Helper()
	paths, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []mailtest.Sent
	for _, p := range paths {
		out = append(out, parse(t, p))
	}
	return out
}

func parse(t *testing.T, path string) mailtest.Sent {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("%s is not a mail message: %v", path, err)
	}
	var s mailtest.Sent
	s.From = msg.Header.Get("From")
	to, err := msg.Header.AddressList("To")
	if err != nil {
		t.Fatalf("To: %v", err)
	}
	for _, a := range to {
		s.To = append(s.To, a.Address)
	}
	if msg.Header.Get("Cc") != "" {
		cc, err := msg.Header.AddressList("Cc")
		if err != nil {
			t.Fatalf("Cc: %v", err)
		}
		for _, a := range cc {
			s.Cc = append(s.Cc, a.Address)
		}
	}
	if s.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", mediaType, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("MIME part: %v", err)
		}
		if name := part.FileName(); name != "" {
			s.Attachments = append(s.Attachments, name)
			continue
		}
		// multipart.Reader undoes quoted-printable itself, as a mail client would.
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatalf("text part: %v", err)
		}
		s.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
	}
	return s
}

func TestSend_FileNameAndID(t *testing.T) {
	dir := t.TempDir()
	o, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	o.Now = func() time.Time { return time.Date(2026, 3, 2, 9, 30, 0, 5, time.FixedZone("X", 3600)) }
	msg := casehold.Message{From: "a@council.example", To: []string{"b@review.example"}, Subject: "s", Text: "t"}
	id, err := o.Send(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := List(dir)
	if len(paths) != 1 {
		t.Fatalf("outbox holds %v", paths)
	}
	if want := "20260302T083000.000000005Z-" + id + ".eml"; filepath.Base(paths[0]) != want {
		t.Errorf("file name %s, want %s", filepath.Base(paths[0]), want)
	}
	b, _ := os.ReadFile(paths[0])
	m, err := mail.ReadMessage(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("Message-Id"); !strings.Contains(got, "<"+id+"@") {
		t.Errorf("Message-ID %q does not carry the returned id %s", got, id)
	}
	if d, err := m.Header.Date(); err != nil || !d.Equal(o.Now().Truncate(time.Second)) {
		t.Errorf("Date = %v, %v", d, err)
	}
}

func TestSend_OnlyWholeFiles(t *testing.T) {
	dir := t.TempDir()
	o, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	msg := casehold.Message{From: "a@council.example", To: []string{"b@review.example"}, Subject: "s"}
	for range 3 {
		if _, err := o.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("outbox holds %d entries, want 3 (no temp files left)", len(entries))
	}
	if paths, _ := List(dir); len(paths) != 3 {
		t.Errorf("List = %v", paths)
	}
}

// TestReadableWithCat checks a message in the outbox can be read as it lies on disk: the
// text part is quoted-printable, so its words are there in the raw file, not base64.
func TestReadableWithCat(t *testing.T) {
	dir := t.TempDir()
	o, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	text := "Matter m-abc was released.\nPlease unlock these records in CCM: P100234, P100235.\n"
	if _, err := o.Send(context.Background(), casehold.Message{From: "casehold@council.example", To: []string{"edt@council.example"},
		Subject: "casehold: matter released", Text: text}); err != nil {
		t.Fatal(err)
	}
	paths, err := List(dir)
	if err != nil || len(paths) != 1 {
		t.Fatalf("outbox holds %v (%v), want one message", paths, err)
	}
	raw, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.Contains(string(raw), line) {
			t.Errorf("raw message lacks %q:\n%s", line, raw)
		}
	}
	if !strings.Contains(string(raw), "Content-Transfer-Encoding: quoted-printable") {
		t.Errorf("text part is not quoted-printable:\n%s", raw)
	}
}
