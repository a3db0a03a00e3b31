package mailintake

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed fixtures: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(testHeader + nested(4, pdfPart("x.pdf", makePDF(10, 1)))))
	f.Add([]byte(""))

	f.Fuzz(func(t *testing.T, data []byte) {
		taken := map[int]bool{}
		onPDF := func(a *Attachment, body io.Reader) error {
			b, err := io.ReadAll(body)
			if err != nil {
				return err
			}
			// What the stream lets through without an error must be a whole PDF.
			if !bytes.HasPrefix(b, []byte("%PDF-")) {
				t.Fatalf("accepted attachment %d does not start with %%PDF-", a.Index)
			}
			if !bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF")) {
				t.Fatalf("accepted attachment %d has no %%%%EOF near its end", a.Index)
			}
			taken[a.Index] = true
			return nil
		}
		lim := Limits{MaxMessageBytes: 1 << 20, MaxAttachmentBytes: 64 << 10, MaxDepth: 6, MaxParts: 50}
		start := time.Now()
		res, err := Parse(bytes.NewReader(data), lim, onPDF)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("Parse took %v on %d bytes", d, len(data))
		}
		if res == nil {
			t.Fatal("nil Result")
		}
		switch code := casehold.ErrorCode(err); code {
		case "", casehold.EINVALID, casehold.ETOOLARGE:
		default:
			t.Fatalf("error with code %q: %v", code, err)
		}
		for _, a := range res.Attachments {
			if (a.Problem == "") != taken[a.Index] {
				t.Fatalf("attachment %d: problem %q but taken=%v", a.Index, a.Problem, taken[a.Index])
			}
			if a.Filename == "" || strings.ContainsAny(a.Filename, "/\\\r\n\x00") || a.Filename == ".." {
				t.Fatalf("attachment %d: unsafe file name %q", a.Index, a.Filename)
			}
		}
		env := res.Envelope
		for _, s := range append(append([]string{env.From, env.ReturnPath, env.Subject, env.MessageID}, env.To...), env.Cc...) {
			if strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("envelope value with a line break or NUL: %q", s)
			}
		}
		// The intake policy (internal/casehold) takes whatever the parser gives it.
		kind, value := casehold.RouteMail(casehold.MailAddressed{Subject: env.Subject, Recipients: append(env.To, env.Cc...)}, "intake")
		if (kind == "") != (value == "") {
			t.Fatalf("RouteMail = (%q, %q)", kind, value)
		}
		casehold.CheckSender(casehold.MailVerdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}, env.From, []string{"example.org"})
		casehold.CheckEnvelopeSender(env.From, env.ReturnPath)
	})
}
