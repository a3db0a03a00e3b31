package mailintake

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// The fixtures' PDFs, pinned so an edit to testdata cannot slip by.
const (
	recordSHA = "30e7944bbc7a3cc420ece3b981d5d431b03e96291b043d0aaac2fac372f40856"
	letterSHA = "7d0c19120506cd80118dda9064cea844a7d38895484912a011548e8a29daaf36"
)

func TestFixturePDFs(t *testing.T) {
	if got := fileSHA(t, "record.pdf", 0); got != recordSHA {
		t.Errorf("record.pdf SHA-256 = %s, want %s", got, recordSHA)
	}
	if got := fileSHA(t, "letter.pdf", 0); got != letterSHA {
		t.Errorf("letter.pdf SHA-256 = %s, want %s", got, letterSHA)
	}
}

func record(i int, name string) Attachment {
	return Attachment{Index: i, Filename: name, ContentType: "application/pdf", Size: 605, SHA256: recordSHA, IsPDF: true}
}

func letter(i int, name string) Attachment {
	return Attachment{Index: i, Filename: name, ContentType: "application/pdf", Size: 601, SHA256: letterSHA, IsPDF: true}
}

func with(a Attachment, f func(*Attachment)) Attachment {
	f(&a)
	return a
}

func date(s string) time.Time {
	d, err := time.Parse(time.RFC1123Z, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestParse_Fixtures(t *testing.T) {
	cases := []struct {
		file     string
		env      *Envelope // nil: not checked
		atts     []Attachment
		problems []string
		code     string
	}{{
		file: "outlook.eml",
		env: &Envelope{
			From: "alex.example@ccrc.example.org", To: []string{"intake@council.example.org"},
			Cc: []string{"records@council.example.org"}, Date: date("Mon, 02 Mar 2026 09:13:58 +0000"),
			MessageID: "AM7PR01MB1234ABCD5678EF@AM7PR01MB1234.eurprd01.prod.outlook.example",
			Subject:   "RE: [CCRC/00412/2026] Request for records",
		},
		atts: []Attachment{
			{Index: 1, Filename: "image001.png", ContentType: "image/png", Size: 68,
				SHA256: "43739c566e26fd7cb88f69d3864ea34740372f5ee99acac169e090beffbce5c6", Problem: ProblemNotPDF},
			letter(2, "CCRC letter 00412.pdf"),
		},
		problems: []string{"attachment 1: not a PDF"},
	}, {
		file: "gmail.eml",
		env: &Envelope{
			From: "sam.sample.test@gmail.example", To: []string{"intake+m-zkgg43p2rfmg7mhd@council.example.org"},
			Date:      date("Tue, 03 Mar 2026 14:02:11 +0000"),
			MessageID: "CAF1x2y3Z4aBcDeFgH5iJkLmNoPqRsTuVwXyZ0123456789@mail.gmail.example",
			Subject:   "Scanned file for the review",
		},
		atts: []Attachment{
			record(1, "record.pdf"),
			{Index: 2, Filename: "notes.docx", Size: 34, Problem: ProblemNotPDF,
				ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
				SHA256:      "ce1f9ff4c9051099d1c5e42959f21cbc7fbbf150a4ab0b0113437bf542dd9255"},
		},
		problems: []string{"attachment 2: not a PDF"},
	}, {
		file: "apple.eml", // LF line endings, inline PDF
		env: &Envelope{
			From: "jo.tester@icloud.example", To: []string{"intake@council.example.org"},
			Date:      date("Wed, 04 Mar 2026 18:40:03 +0000"),
			MessageID: "9F1E2D3C-4B5A-6978-8A9B-0C1D2E3F4A5B@icloud.example",
			Subject:   "Ref: CCRC/00412/2026 consent form",
		},
		atts: []Attachment{record(1, "Consent form.pdf")},
	}, {
		file: "forwarded.eml", // a PDF in a forwarded message, and one in a message forwarded inside that
		atts: []Attachment{letter(1, "letter.pdf"), record(2, "record.pdf")},
	}, {
		file: "qp.eml", // quoted-printable body and a quoted-printable PDF
		env: &Envelope{
			From: "robin.rehearsal@example.org", To: []string{"intake@council.example.org"},
			Date:      date("Fri, 06 Mar 2026 11:11:11 +0100"),
			MessageID: "qp-0001@example.org", Subject: "Records – m-zkgg43p2rfmg7mhd",
		},
		atts: []Attachment{record(1, "record-qp.pdf")},
	}, {
		file: "nonascii.eml", // RFC 2231 (plain and continued) and RFC 2047 (UTF-8, ISO-8859-1) names
		env: &Envelope{
			From: "renee.beispiel@example.org", To: []string{"intake@council.example.org"},
			Date:      date("Sat, 07 Mar 2026 07:07:07 +0000"),
			MessageID: "nonascii-0001@example.org", Subject: "Référence [CCRC/00412/2026]",
		},
		atts: []Attachment{
			record(1, "Bericht Höhe Straße.pdf"),
			letter(2, "Évaluation décembre.pdf"),
			record(3, "été résumé.pdf"),
			letter(4, "café récit.pdf"),
		},
	}, {
		file: "filenames.eml",
		atts: []Attachment{
			record(1, "scan.pdf"),         // ..\..\windows\system32\scan.pdf
			record(2, "passwd.pdf"),       // ../../etc/passwd.pdf
			record(3, "attachment-3.pdf"), // ".."
			with(record(4, "invoicefdp.exe.pdf"), func(a *Attachment) { a.ContentType = "application/octet-stream" }), // RLO trick
			record(5, "ab.pdf"),           // encoded word decoding to CR LF
			letter(6, "attachment-6.pdf"), // no name at all
		},
	}, {
		file: "encrypted.eml", // AES-256; the second is linearized, its /Encrypt near the start
		atts: []Attachment{
			{Index: 1, Filename: "locked.pdf", ContentType: "application/pdf", Size: 1378, IsPDF: true,
				SHA256: fileSHA(t, "encrypted.pdf", 0), Problem: ProblemEncrypted},
			{Index: 2, Filename: "locked-web.pdf", ContentType: "application/pdf", Size: 2190, IsPDF: true,
				SHA256: fileSHA(t, "encrypted-linearized.pdf", 0), Problem: ProblemEncrypted},
			letter(3, "open.pdf"),
		},
		problems: []string{"attachment 1: encrypted PDF", "attachment 2: encrypted PDF"},
	}, {
		file: "truncated.eml",
		atts: []Attachment{
			{Index: 1, Filename: "cut.pdf", ContentType: "application/pdf", Size: 400, IsPDF: true,
				SHA256: fileSHA(t, "record.pdf", 400), Problem: ProblemTruncated},
			{Index: 2, Filename: "error-page.pdf", ContentType: "application/pdf", Size: 42,
				SHA256: sha([]byte("<html><body>Session expired</body></html>\n")), Problem: ProblemNoHeader},
			record(3, "fine.pdf"),
		},
		problems: []string{"attachment 1: truncated PDF", "attachment 2: labelled a PDF but has no %PDF- header"},
	}, {
		file: "badencoding.eml", // broken base64, then an unknown transfer encoding, then a good PDF
		atts: []Attachment{
			{Index: 1, Filename: "broken.pdf", ContentType: "application/pdf", Size: 171, IsPDF: true, Problem: ProblemUndecodable},
			{Index: 2, Filename: "uu.pdf", ContentType: "application/pdf", Size: 21,
				SHA256: sha([]byte("begin 644 uu.pdf\r\nend")), Problem: ProblemUnknownCTE},
			letter(3, "good.pdf"),
		},
		problems: []string{"attachment 1: could not be decoded", "attachment 2: unknown transfer encoding"},
	}, {
		file: "injection.eml", // bare CR in To and Message-ID, Subject encoded word decoding to CR LF
		env: &Envelope{
			From: "pat.probe@example.org", Cc: []string{"records@council.example.org"},
			Date:    date("Mon, 09 Mar 2026 09:09:09 +0000"),
			Subject: "Records  Bcc: someone@example.net [CCRC/00412/2026]",
		},
		atts: []Attachment{letter(1, "only.pdf")},
		problems: []string{
			"To header contains control characters; ignored",
			"Message-ID header is malformed; ignored",
			"Subject contains control characters; they were replaced with spaces",
		},
	}, {
		file: "garbage.eml",
		code: casehold.EINVALID,
	}, {
		file: "noboundary.eml",
		code: casehold.EINVALID,
	}, {
		file: "unclosed.eml", // the first PDF was taken before the message turned out broken
		atts: []Attachment{letter(1, "first.pdf")},
		code: casehold.EINVALID,
	}}
	for _, c := range cases {
		t.Run(strings.TrimSuffix(c.file, ".eml"), func(t *testing.T) {
			raw := mustRead(t, c.file)
			readers := map[string]io.Reader{
				"Whole":   bytes.NewReader(raw),
				"OneByte": iotest.OneByteReader(bytes.NewReader(raw)),
			}
			for rname, r := range readers {
				k := newKeeper()
				res, err := Parse(r, Limits{}, k.onPDF)
				if got := casehold.ErrorCode(err); got != c.code {
					t.Fatalf("%s: Parse error = %v (code %q), want code %q", rname, err, got, c.code)
				}
				if res == nil {
					t.Fatalf("%s: nil Result", rname)
				}
				if c.env != nil && !reflect.DeepEqual(res.Envelope, *c.env) {
					t.Errorf("%s: Envelope =\n%#v\nwant\n%#v", rname, res.Envelope, *c.env)
				}
				if !reflect.DeepEqual(res.Attachments, c.atts) {
					t.Errorf("%s: Attachments =\n%+v\nwant\n%+v", rname, res.Attachments, c.atts)
				}
				if !reflect.DeepEqual(res.Problems, c.problems) {
					t.Errorf("%s: Problems = %q, want %q", rname, res.Problems, c.problems)
				}
				checkKept(t, res, k)
				if c.code == "" && (res.Size != int64(len(raw)) || res.SHA256 != sha(raw)) {
					t.Errorf("%s: raw Size %d SHA256 %s, want %d %s", rname, res.Size, res.SHA256, len(raw), sha(raw))
				}
			}
		})
	}
}

// checkKept asserts that onPDF kept exactly the attachments with no Problem, with their bytes.
func checkKept(t *testing.T, res *Result, k *keeper) {
	t.Helper()
	accepted := 0
	for _, a := range res.Attachments {
		b, ok := k.kept[a.Index]
		if a.Problem != "" {
			if ok {
				t.Errorf("attachment %d has problem %q but onPDF kept it", a.Index, a.Problem)
			}
			continue
		}
		accepted++
		if !ok || sha(b) != a.SHA256 || int64(len(b)) != a.Size {
			t.Errorf("attachment %d accepted but onPDF kept %d bytes (sha %s)", a.Index, len(b), sha(b))
		}
	}
	if accepted != len(k.kept) {
		t.Errorf("onPDF kept %d attachments, %d accepted", len(k.kept), accepted)
	}
}

func TestParse_Limits(t *testing.T) {
	big := makePDF(5000, 1)
	small := mustRead(t, "letter.pdf")
	pdfAt := func(depth int) string { return testHeader + nested(depth, pdfPart("deep.pdf", small)) }
	manyParts := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "Content-Type: text/plain\r\n\r\nhello"
		}
		return testHeader + multipart("many", parts...)
	}
	cases := []struct {
		name     string
		msg      string
		lim      Limits
		code     string
		atts     []Attachment
		problems []string
	}{
		{name: "DepthAtLimit", msg: pdfAt(DefaultMaxDepth), atts: []Attachment{letter(1, "deep.pdf")}},
		{name: "TooDeep", msg: pdfAt(DefaultMaxDepth + 1), code: casehold.ETOOLARGE},
		{name: "TooDeepCustom", msg: pdfAt(3), lim: Limits{MaxDepth: 2}, code: casehold.ETOOLARGE},
		// The message (a multipart) and 199 parts make 200 entities.
		{name: "PartsAtLimit", msg: manyParts(DefaultMaxParts - 1)},
		{name: "TooManyParts", msg: manyParts(DefaultMaxParts), code: casehold.ETOOLARGE},
		{name: "MessageTooLarge", msg: testHeader + multipart("b", pdfPart("a.pdf", big)),
			lim: Limits{MaxMessageBytes: 4000}, code: casehold.ETOOLARGE},
		{
			// A part that declares itself small but decodes past the limit is cut off; the
			// next is still taken.
			name: "AttachmentTooLarge",
			msg: testHeader + multipart("b",
				strings.Replace(pdfPart("big.pdf", big), "filename=\"big.pdf\"", "filename=\"big.pdf\"; size=100", 1),
				pdfPart("small.pdf", small)),
			lim: Limits{MaxAttachmentBytes: 1000},
			atts: []Attachment{
				{Index: 1, Filename: "big.pdf", ContentType: "application/pdf", Size: 1000, IsPDF: true, Problem: ProblemTooLarge},
				letter(2, "small.pdf"),
			},
			problems: []string{"attachment 1: too large"},
		},
		{
			name: "NonPDFTooLarge",
			msg: testHeader + multipart("b",
				"Content-Type: application/zip; name=\"a.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"+b64(bytes.Repeat([]byte("PK"), 3000)),
				pdfPart("small.pdf", small)),
			lim: Limits{MaxAttachmentBytes: 1000},
			atts: []Attachment{
				{Index: 1, Filename: "a.zip", ContentType: "application/zip", Size: 1000, Problem: ProblemTooLarge},
				letter(2, "small.pdf"),
			},
			problems: []string{"attachment 1: too large"},
		},
		{
			name: "SinglePartPDF", // the whole message body is the PDF
			msg:  testHeader + pdfPart("only.pdf", small),
			atts: []Attachment{letter(1, "only.pdf")},
		},
		{
			name: "PDFWithJunkAfterEOF", // %%EOF not within the last 1024 bytes
			msg:  testHeader + multipart("b", pdfPart("padded.pdf", append(append([]byte(nil), small...), bytes.Repeat([]byte{' '}, 2000)...))),
			atts: []Attachment{{Index: 1, Filename: "padded.pdf", ContentType: "application/pdf", Size: 2601, IsPDF: true,
				SHA256: sha(append(append([]byte(nil), small...), bytes.Repeat([]byte{' '}, 2000)...)), Problem: ProblemTruncated}},
			problems: []string{"attachment 1: truncated PDF"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k := newKeeper()
			res, err := Parse(strings.NewReader(c.msg), c.lim, k.onPDF)
			if got := casehold.ErrorCode(err); got != c.code {
				t.Fatalf("Parse error = %v (code %q), want code %q", err, got, c.code)
			}
			if c.code == "" && !reflect.DeepEqual(res.Attachments, c.atts) {
				t.Errorf("Attachments =\n%+v\nwant\n%+v", res.Attachments, c.atts)
			}
			if c.code == "" && !reflect.DeepEqual(res.Problems, c.problems) {
				t.Errorf("Problems = %q, want %q", res.Problems, c.problems)
			}
			checkKept(t, res, k)
		})
	}
}

func TestParse_OnPDF(t *testing.T) {
	raw := mustRead(t, "encrypted.eml") // two encrypted PDFs, then letter.pdf
	storeDown := errors.New("evidence store unavailable")

	t.Run("Nil", func(t *testing.T) {
		res, err := Parse(bytes.NewReader(raw), Limits{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range res.Attachments {
			got = append(got, a.Problem)
		}
		want := []string{ProblemEncrypted, ProblemEncrypted, ProblemNotProcessed}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("problems %q, want %q", got, want)
		}
	})
	t.Run("StoreError", func(t *testing.T) {
		calls := 0
		res, err := Parse(bytes.NewReader(raw), Limits{}, func(a *Attachment, r io.Reader) error {
			calls++
			if _, err := io.Copy(io.Discard, r); err != nil {
				return err
			}
			return storeDown
		})
		if !errors.Is(err, storeDown) || casehold.ErrorCode(err) != casehold.EINTERNAL {
			t.Fatalf("err = %v, want the store's error, EINTERNAL", err)
		}
		if calls != 3 || len(res.Attachments) != 2 {
			t.Errorf("calls %d, attachments listed %d; want 3 and 2", calls, len(res.Attachments))
		}
	})
	t.Run("StoreErrorCodeKept", func(t *testing.T) {
		_, err := Parse(bytes.NewReader(raw), Limits{}, func(a *Attachment, r io.Reader) error {
			io.Copy(io.Discard, r)
			return casehold.Errorf(casehold.ECONFLICT, "exists")
		})
		if casehold.ErrorCode(err) != casehold.ECONFLICT {
			t.Fatalf("err = %v, want ECONFLICT", err)
		}
	})
	t.Run("DidNotConsume", func(t *testing.T) {
		_, err := Parse(bytes.NewReader(raw), Limits{}, func(*Attachment, io.Reader) error { return nil })
		if err == nil || casehold.ErrorCode(err) != casehold.EINTERNAL {
			t.Fatalf("err = %v, want an internal error", err)
		}
	})
	t.Run("IgnoredStreamError", func(t *testing.T) {
		_, err := Parse(bytes.NewReader(raw), Limits{}, func(a *Attachment, r io.Reader) error {
			io.Copy(io.Discard, r)
			return nil // kept an encrypted PDF despite being told
		})
		if err == nil || casehold.ErrorCode(err) != casehold.EINTERNAL {
			t.Fatalf("err = %v, want an internal error", err)
		}
	})
	t.Run("StreamErrorCodes", func(t *testing.T) {
		var codes []string
		_, err := Parse(bytes.NewReader(raw), Limits{}, func(a *Attachment, r io.Reader) error {
			_, err := io.Copy(io.Discard, r)
			codes = append(codes, casehold.ErrorCode(err))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{casehold.EINVALID, casehold.EINVALID, ""}; !reflect.DeepEqual(codes, want) {
			t.Errorf("stream error codes %q, want %q", codes, want)
		}
	})
	t.Run("ReadError", func(t *testing.T) {
		broken := errors.New("connection reset")
		r := io.MultiReader(bytes.NewReader(raw[:len(raw)/2]), iotest.ErrReader(broken))
		_, err := Parse(r, Limits{}, newKeeper().onPDF)
		if !errors.Is(err, broken) {
			t.Fatalf("err = %v, want the read error", err)
		}
	})
}

func TestParse_ErrorsHoldNoPersonalData(t *testing.T) {
	// Everything personal in the fixtures: names, local parts and file names.
	personal := []string{"Quinn", "quinn.query", "first", "last", "Pat", "pat.probe", "someone"}
	for _, f := range []string{"unclosed.eml", "garbage.eml", "noboundary.eml", "injection.eml", "truncated.eml"} {
		res, err := Parse(bytes.NewReader(mustRead(t, f)), Limits{}, newKeeper().onPDF)
		texts := append([]string(nil), res.Problems...)
		if err != nil {
			texts = append(texts, err.Error())
		}
		for _, s := range texts {
			for _, p := range personal {
				if strings.Contains(s, p) {
					t.Errorf("%s: %q mentions %q", f, s, p)
				}
			}
		}
	}
}

func TestCleanFilename(t *testing.T) {
	long := strings.Repeat("é", 150) + ".pdf"
	cases := []struct {
		in    string
		isPDF bool
		want  string
	}{
		{"report.pdf", true, "report.pdf"},
		{"Report.PDF", true, "Report.PDF"},
		{"scan", true, "scan.pdf"},
		{"notes.docx", false, "notes.docx"},
		{"", true, "attachment-7.pdf"},
		{"", false, "attachment-7"},
		{"..", true, "attachment-7.pdf"},
		{"../../x.pdf", true, "x.pdf"},
		{`C:\Users\x\y.pdf`, true, "y.pdf"},
		{"dir/", true, "attachment-7.pdf"},
		{" .hidden.pdf. ", true, "hidden.pdf"},
		{"a\x00b\rc\nd\te\x7f\u0085f.pdf", true, "abcdef.pdf"},
		{"a\u2028b\u202ec\u2066.pdf", true, "abc.pdf"},
		{"bad\xffutf8.pdf", true, "bad\uFFFDutf8.pdf"},
		{long, true, strings.Repeat("é", 98) + ".pdf"},
	}
	for _, c := range cases {
		if got := cleanFilename(c.in, 7, c.isPDF); got != c.want {
			t.Errorf("cleanFilename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReadThenWalk(t *testing.T) {
	raw := []byte(strings.Replace(testHeader, "intake@", "intake+m-zkgg43p2rfmg7mhd@", 1) +
		multipart("b", pdfPart("big.pdf", makePDF(100000, 3))))
	src := &countingReader{r: bytes.NewReader(raw)}
	m, err := Read(src, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	// The envelope is known, and routable, before the attachments are read.
	if !slices.Contains(m.Envelope.To, "intake+m-zkgg43p2rfmg7mhd@council.example.org") {
		t.Errorf("envelope To = %v, want the plus-address", m.Envelope.To)
	}
	if src.n > 4096 {
		t.Errorf("Read consumed %d bytes of the message, want one buffer at most", src.n)
	}
	k := newKeeper()
	res, err := m.Walk(k.onPDF)
	if err != nil || len(k.kept) != 1 || res.SHA256 != sha(raw) || !reflect.DeepEqual(res.Envelope, m.Envelope) {
		t.Fatalf("Walk: %v, kept %d, sha %s", err, len(k.kept), res.SHA256)
	}
	if _, err := m.Walk(k.onPDF); err == nil {
		t.Error("second Walk succeeded")
	}

	m, err = Read(bytes.NewReader(mustRead(t, "garbage.eml")), Limits{})
	if casehold.ErrorCode(err) != casehold.EINVALID {
		t.Fatalf("Read garbage: %v", err)
	}
	if res, werr := m.Walk(k.onPDF); werr != err || res == nil {
		t.Errorf("Walk after a failed Read = %v, want %v", werr, err)
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
