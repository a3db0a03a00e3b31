package ccrcform

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/casehold/casehold/internal/pdftext"
)

const (
	longName = "Maximilian Alexander Fotherington-Smythe Montgomery Cholmondeley-Featherstonehaugh of Little Snoring"
	// A single unbroken token wider than any column must still be wrapped (mid-word).
	longToken = "PID-0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
	// Too long for any name column, in five scripts.
	mixedName = "Łukasz Ștefan Şükrü Αλέξης Дмитрий Wiśniewski-Țurcanu-Öztürk Παπαδόπουλος Иванов-Ёлкин"
)

// names are spelled as the people themselves spell them: Polish, Romanian (comma below),
// Turkish (cedilla, dotless i), Greek, Cyrillic (Russian and Ukrainian), Yoruba.
var names = []string{
	"Łukasz Wiśniewski", "Małgorzata Żółtowska-Grzegorczyk", "Ștefan Țurcanu", "Şükrü Öztürk",
	"Işıl Gül", "Αλέξης Παπαδόπουλος", "Дмитрий Ёлкин", "Ґалина Їжакевич", "Ọlábísí Adébáyọ̀",
}

var (
	firsts = []string{"Zoë", "Siobhán", "Łukasz", "Amara", "Tomasz", "Chloé", "Oisín", "Priya", "Dmitri", "Aisling"}
	lasts  = []string{"Ó Briain", "Nowak", "Okonkwo", "Müller", "Ferreira", "MacDonald", "Ng", "Kovač", "Smith", "Brontë"}
)

// fullForm invents 50 people spread over 200 table rows.
func fullForm() Form {
	people := make([]string, 50)
	for i := range people {
		people[i] = firsts[i%len(firsts)] + " " + lasts[(i/len(firsts)+i)%len(lasts)]
	}
	people[7] = longName
	people[13] = "Wang 王小明 🙂" // CJK the font lacks, and an emoji beyond the BMP fpdf can encode
	people[21] = "Bad \xff\xfe bytes\ttab\r\nnew line"
	people[29] = mixedName

	date := func(i int) string { return fmt.Sprintf("%02d.%02d.2025", i%28+1, i%12+1) }
	f := Form{
		Council:     "Example Borough Council — Children's Services",
		MatterID:    "01JZ8Q4W7N3TQ5V2R6K9M0XHYD",
		Reference:   "CCRC/REF/00042-A",
		Contact:     "Case Review Manager, Birmingham office",
		ReceivedOn:  "21.12.2025",
		Deadline:    "21.01.2026",
		ReturnedOn:  "",
		GeneratedAt: "2026-01-05 10:31 UTC",
		ServiceAreas: []AreaRow{
			{"Social care", true, "Jo Bloggs, Head of Safeguarding", "22.12.2025"},
			{"Education", true, "Dr Ngozi Adébáyọ̀", "23.12.2025"},
			{"Legal", true, "Sam Patel", "22.12.2025"},
			{"Other", false, "", ""},
		},
		LegalStoredOn:    "02.01.2026",
		LegalConfirmedOn: "",
		Checklist: []ChecklistRow{
			{"Social care", "y", "Mosaic", "y", "Records archive, Unit 4"},
			{"Education", "y", "Capita ONE", "n", "Awaiting retrieval from three schools"},
			{"Legal services", "y", "iManage", "y", "Legal services strongroom"},
			{"Other", "n", "", "n", ""},
		},
	}
	for i := range 60 {
		pid := fmt.Sprintf("PID%06d", 100000+i)
		if i == 5 {
			pid = longToken
		}
		f.Electronic = append(f.Electronic, ElectronicRow{pid, people[i%50], date(i), date(i + 1), []string{"y", "n"}[i%2], date(i + 2)})
	}
	for i := range 40 {
		f.Access = append(f.Access, AccessRow{"Safeguarding and Quality Assurance", "Senior Practitioner", people[(i*3)%50], "Jo Bloggs", fmt.Sprintf("PID%06d", 200000+i)})
	}
	for i := range 50 {
		f.Paper = append(f.Paper, PaperRow{fmt.Sprintf("PID%06d", 100000+i), people[i], []string{"y", "n"}[i%3/2], "Archive box " + fmt.Sprint(i), date(i), people[(i+9)%50], date(i + 3), "Legal services"})
	}
	for i := range 46 {
		details := "Pupil file and SEN records"
		if i == 2 {
			details = strings.Repeat("Exclusion records, attendance registers and correspondence with parents. ", 40)
		}
		f.Education = append(f.Education, EducationRow{people[(i*7)%50], details, "St Example's Primary School", []string{"y", "n", ""}[i%3], date(i), date(i + 4), date(i + 5)})
	}
	return f
}

func minimalForm() Form {
	return Form{Reference: "CCRC/MIN/1", MatterID: "m-1", GeneratedAt: "2026-01-05 10:31 UTC"}
}

func render(t testing.TB, f Form) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, f); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

// pdfText is the text the PDF draws, read back in Go (internal/pdftext) so these tests run
// everywhere and never skip.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	return readPDF(t, pdf).Text()
}

func readPDF(t *testing.T, pdf []byte) *pdftext.Doc {
	t.Helper()
	d, err := pdftext.Read(pdf)
	if err != nil {
		t.Fatalf("read PDF text: %v", err)
	}
	return d
}

var space = regexp.MustCompile(`\s+`)

func TestRender(t *testing.T) {
	cases := []struct {
		name  string
		form  Form
		want  []string // present in the extracted text
		words []string // present once whitespace is ignored (text wrapped inside a cell)
		pages string
	}{
		{
			name: "Full",
			form: fullForm(),
			want: []string{
				"CCRC reference", "CCRC/REF/00042-A", "Date letter received", "21.12.2025",
				"Deadline", "Date confirmation returned", "Not recorded",
				"Example Borough Council — Children's Services",
				"Social care: electronic records secured", "Social care: paper files",
				"Education: files located", "Checklist", "(continued)",
				"Zoë Ó Briain", "Siobhán", "Łukasz", "Dr Ngozi Adébáyọ̀",
				// The font has no CJK glyphs (they print blank) but the text is kept; the
				// emoji and the invalid bytes print as U+FFFD, control characters as spaces.
				"Wang 王小明 \uFFFD", "Bad \uFFFD\uFFFD bytes tab",
				"Generated by casehold 2026-01-05 10:31 UTC — ref. CCRC/REF/00042-A — matter 01JZ8Q4W7N3TQ5V2R6K9M0XHYD",
				"CCRC reference: CCRC/REF/00042-A", "casehold matter id (internal)",
				"Page 1 of", "Page 2 of",
			},
			words: []string{longName, mixedName, "Not yet confirmed"},
			pages: `Page (\d+) of (\d+)`,
		},
		{
			name: "Minimal",
			form: minimalForm(),
			// The sign-off block takes the form onto a second page.
			want: []string{"CCRC/MIN/1", "None recorded", "Not recorded", "Page 1 of 2", "Page 2 of 2", "matter m-1"},
		},
		{
			name: "Empty",
			form: Form{},
			want: []string{"None recorded", "Page 1 of 2"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := render(t, tc.form)
			if !bytes.HasPrefix(a, []byte("%PDF-")) {
				t.Errorf("output does not start with %%PDF-: %q", a[:min(len(a), 16)])
			}
			if !bytes.HasSuffix(bytes.TrimRight(a, "\r\n"), []byte("%%EOF")) {
				t.Errorf("output does not end with %%%%EOF")
			}
			if b := render(t, tc.form); !bytes.Equal(a, b) {
				t.Errorf("two renders of the same form differ (%d vs %d bytes)", len(a), len(b))
			}

			text := pdfText(t, a)
			for _, s := range tc.want {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q", s)
				}
			}
			flat := space.ReplaceAllString(text, "")
			for _, s := range tc.words {
				if strings.Contains(text, s) {
					t.Errorf("%q was not wrapped", s)
				}
				if !strings.Contains(flat, space.ReplaceAllString(s, "")) {
					t.Errorf("text lacks wrapped %q", s)
				}
			}
			if tc.name == "Full" {
				// Wrapped mid-word: the columns beside it interleave in the extracted
				// text, so only check that it was broken and its start survived.
				if strings.Contains(text, longToken) || !strings.Contains(text, longToken[:12]) {
					t.Errorf("long PID not wrapped inside its cell")
				}
			}
			if tc.pages != "" {
				m := regexp.MustCompile(tc.pages).FindAllStringSubmatch(text, -1)
				if len(m) < 2 {
					t.Fatalf("want several pages, found %d page numbers", len(m))
				}
				for i, pm := range m {
					if pm[1] != fmt.Sprint(i+1) || pm[2] != fmt.Sprint(len(m)) {
						t.Errorf("footer %d reads %q, want Page %d of %d", i, pm[0], i+1, len(m))
					}
				}
			}
		})
	}
}

// TestTallRowSplits checks that a cell taller than a page is carried over rather than lost
// or drawn past the footer.
func TestTallRowSplits(t *testing.T) {
	f := minimalForm()
	var lines []string
	for i := range 150 {
		lines = append(lines, fmt.Sprintf("line-%03d", i))
	}
	f.Education = []EducationRow{{FullName: "Tall Row", Details: strings.Join(lines, "\n")}}
	text := pdfText(t, render(t, f))
	for _, l := range lines {
		if !strings.Contains(text, l) {
			t.Fatalf("text lacks %q", l)
		}
	}
	if !strings.Contains(text, "Page 2 of") {
		t.Errorf("expected the tall row to spill over pages")
	}
	if n := strings.Count(text, "Tall Row"); n < 2 {
		t.Errorf("name shown %d times, want it repeated beside the carried-over text", n)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderWriteError(t *testing.T) {
	if err := Render(failWriter{}, minimalForm()); err == nil {
		t.Fatal("Render into a failing writer returned nil")
	}
}

// TestSample writes /tmp/ccrcform-sample.pdf for a visual check when asked:
// CCRCFORM_SAMPLE=1 go test ./internal/ccrcform -run Sample
func TestSample(t *testing.T) {
	if os.Getenv("CCRCFORM_SAMPLE") == "" {
		t.Skip("set CCRCFORM_SAMPLE=1 to write /tmp/ccrcform-sample.pdf")
	}
	if err := os.WriteFile("/tmp/ccrcform-sample.pdf", render(t, fullForm()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkRender(b *testing.B) {
	f := fullForm()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Render(&buf, f); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func TestRenderReceipt(t *testing.T) {
	var a, b bytes.Buffer
	rc := Receipt{Council: "Example Council", MatterID: "m-1", ReceiptID: "r-1", Reference: "CCRC/1", Purpose: "Files handed over to be secured",
		PID: "P1", Person: "Jordan Example", Giver: "Rory Runner", GiverRole: "Business support officer", Receiver: "Imran Castell",
		ReceiverRole: "Solicitor", ReceivedFrom: "Records archive", ReturnTo: "Assessment Team", On: "21.11.2026", Items: "2 archive boxes", GeneratedAt: "24.11.2026 10:00"}
	if err := RenderReceipt(&a, rc); err != nil {
		t.Fatal(err)
	}
	if err := RenderReceipt(&b, rc); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(a.Bytes(), []byte("%PDF-")) || !bytes.Contains(a.Bytes()[a.Len()-16:], []byte("%%EOF")) {
		t.Fatal("receipt is not a whole PDF")
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("receipt rendering is not deterministic")
	}
	text := pdfText(t, a.Bytes())
	for _, want := range []string{"Receipt for files handed over", rc.Person, rc.PID, rc.Giver, rc.GiverRole, rc.Receiver, rc.ReceiverRole,
		rc.ReceivedFrom, rc.ReturnTo, rc.On, rc.Items, "Requester's reference", "CCRC/1", "Signed (handed over by)", "Signed (received by)"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	rc.Return = true
	var ret bytes.Buffer
	if err := RenderReceipt(&ret, rc); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, ret.Bytes()); !strings.Contains(text, "Receipt for files returned") {
		t.Error("a return receipt is not titled as one")
	}
}

// TestNamesAsWritten checks names outside cp1252 come out of the PDF exactly as they went in,
// in every table and in the bold and italic faces.
func TestNamesAsWritten(t *testing.T) {
	f := minimalForm()
	f.Contact = strings.Join(names, ", ")
	for i, n := range names {
		pid := fmt.Sprintf("PID%06d", i)
		f.Electronic = append(f.Electronic, ElectronicRow{PID: pid, FullName: n, OpenCase: "y"})
		f.Access = append(f.Access, AccessRow{Team: "Safeguarding", Role: "Social worker", FullName: n, ApprovedBy: names[len(names)-1-i], PID: pid})
		f.Paper = append(f.Paper, PaperRow{PID: pid, FullName: n, Exists: "y", RetrievedBy: n})
		f.Education = append(f.Education, EducationRow{FullName: n, School: "Școala Gimnazială nr. 1, Θεσσαλονίκη"})
	}
	f.Checklist = []ChecklistRow{{Area: "Εκπαίδευση", System: "Образование", PaperLocation: "Archiwum, Łódź"}}
	text := pdfText(t, render(t, f))
	flat := space.ReplaceAllString(text, "")
	for _, n := range names {
		// Each name is in five cells and the contact line, wrapped in some.
		if c := strings.Count(flat, space.ReplaceAllString(n, "")); c < 5 {
			t.Errorf("text has %q %d times, want 5 or more", n, c)
		}
	}
	for _, s := range []string{"Școala Gimnazială", "Θεσσαλονίκη", "Εκπαίδευση", "Образование", "Archiwum, Łódź"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q", s)
		}
	}
	if strings.ContainsAny(text, "?\uFFFD") {
		t.Errorf("text has a replacement character:\n%s", text)
	}
}

func TestReceiptNames(t *testing.T) {
	var buf bytes.Buffer
	rc := Receipt{MatterID: "m-1", ReceiptID: "r-1", Purpose: "Dosar predat spre păstrare — Ștefan Țurcanu",
		Giver: names[0], Receiver: names[5], Items: names[6] + ": 2 κουτιά", GeneratedAt: "24.11.2026 10:00"}
	if err := RenderReceipt(&buf, rc); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, buf.Bytes())
	for _, s := range []string{rc.Purpose, rc.Giver, rc.Receiver, rc.Items} {
		if !strings.Contains(text, s) {
			t.Errorf("receipt text lacks %q", s)
		}
	}
}

// TestUnprintable checks text the font or fpdf cannot show never fails a render: CJK the font
// lacks, characters beyond U+FFFF, and invalid or truncated UTF-8 (which fpdf's own encoder
// reads past the end of).
func TestUnprintable(t *testing.T) {
	bad := []string{"王小明", "🙂", "\U0010FFFF", "\uFFFF", "Ab\xe2", "\xff", "Zoë\xc3", "\x00\x1b\u0085\u200b"}
	f := minimalForm()
	f.Contact = strings.Join(bad, "")
	for _, s := range bad {
		f.Electronic = append(f.Electronic, ElectronicRow{PID: s, FullName: strings.Repeat(s, 40)})
	}
	pdf := render(t, f)
	// Each string is alone in a field, so a truncated UTF-8 sequence ends it.
	rc := Receipt{Purpose: bad[0], Giver: bad[1], Receiver: bad[2], Items: bad[3], PID: bad[4],
		Council: bad[5], Reference: bad[6], GeneratedAt: bad[7]}
	if err := RenderReceipt(io.Discard, rc); err != nil {
		t.Errorf("RenderReceipt: %v", err)
	}
	// Blank glyphs, but extracted as written: the text layer maps every code to itself.
	if text := pdfText(t, pdf); !strings.Contains(text, "王小明") {
		t.Errorf("text lacks 王小明")
	}
}

// TestMixedNameWraps checks a long name in several scripts wraps onto several lines that all
// stay inside the "Full name" column of the electronic records table.
func TestMixedNameWraps(t *testing.T) {
	f := minimalForm()
	f.Electronic = []ElectronicRow{{PID: "PID000001", FullName: mixedName, SecuredOn: "01.01.2026"}}
	doc := readPDF(t, render(t, f))

	// The column's edges, from the weights in (*renderer).electronic: 2 then 5 of 17.
	const pt = 72 / 25.4
	left, right := (margin+180*2.0/17)*pt, (margin+180*7.0/17)*pt
	r := newRenderer(minimalForm())
	r.setBody(false)
	lines := map[float64]bool{}
	var got []string
	for _, run := range doc.Runs {
		if run.Page != 1 || run.X < left || run.X > right || !strings.Contains(mixedName, run.Text) {
			continue // another column or table
		}
		if end := run.X + r.pdf.GetStringWidth(run.Text)*pt; end > right {
			t.Errorf("%q ends at %.1fpt, past the column's edge at %.1fpt", run.Text, end, right)
		}
		lines[run.Y] = true
		got = append(got, run.Text)
	}
	if strings.Join(got, " ") != mixedName {
		t.Errorf("name column reads %q, want %q", strings.Join(got, " "), mixedName)
	}
	if len(lines) < 3 {
		t.Errorf("name printed on %d lines, want it wrapped onto 3 or more", len(lines))
	}
}

// TestDraftAndSignOff checks a preview says DRAFT on every page and the returned form does
// not, and that the reference heads the form and the sign-off is printed.
func TestDraftAndSignOff(t *testing.T) {
	f := fullForm()
	f.OfficerName, f.OfficerEmail, f.OfficerPhone = "Dana Whitlock", "dana.whitlock@council.example", "01632 960123"
	f.ApprovedBy, f.ApproverRole, f.ApprovedOn = "Harper Head", "Head of service", "04.01.2026"
	for _, draft := range []bool{true, false} {
		f.Draft = draft
		doc := readPDF(t, render(t, f))
		if doc.Pages < 2 {
			t.Fatalf("full form has %d pages, want several", doc.Pages)
		}
		for n := 1; n <= doc.Pages; n++ {
			if got := strings.Contains(doc.Page(n), draftBanner); got != draft {
				t.Errorf("draft=%v: page %d has the DRAFT banner: %v", draft, n, got)
			}
		}
		text := doc.Text()
		if first := doc.Runs[0].Text; draft && first != "DRAFT" || !draft && first != "Criminal Cases Review Commission (CCRC)" {
			t.Errorf("draft=%v: first text drawn is %q", draft, first)
		}
		for _, want := range []string{"CCRC reference: CCRC/REF/00042-A", "Completed and approved", "Dana Whitlock", "dana.whitlock@council.example",
			"01632 960123", "Harper Head", "Head of service", "04.01.2026"} {
			if !strings.Contains(text, want) {
				t.Errorf("draft=%v: text lacks %q", draft, want)
			}
		}
	}
}

// TestSplit checks the line breaker directly: lines fit the width, whole characters only,
// nothing lost or reordered.
func TestSplit(t *testing.T) {
	r := newRenderer(minimalForm())
	r.setBody(false)
	fits := func(t *testing.T, lines []string, w float64) {
		t.Helper()
		for _, l := range lines {
			if !utf8.ValidString(l) {
				t.Errorf("line %q is not valid UTF-8", l)
			}
			if got := r.pdf.GetStringWidth(l); got > w-2*r.pdf.GetCellMargin()+1e-9 {
				t.Errorf("line %q is %.2fmm wide, more than the %.0fmm cell holds", l, got, w)
			}
		}
	}
	t.Run("Words", func(t *testing.T) {
		const w = 45.0 // wide enough for the longest word
		lines := r.split(mixedName, w)
		fits(t, lines, w)
		if len(lines) < 3 || strings.Join(lines, " ") != mixedName {
			t.Errorf("split into %q", lines)
		}
	})
	t.Run("OneLongWord", func(t *testing.T) {
		// U+0363 is a combining mark the font lacks, so unlike the others it has a width
		// and can be the character that overflows a line. The cell widths vary so that
		// breaks land on different characters.
		for _, word := range []string{strings.Repeat("Ł", 60), strings.Repeat("Дж", 30), strings.Repeat("王", 40), strings.Repeat("ọ̀", 40), strings.Repeat("e\u0363", 40)} {
			for w := 10.0; w < 40; w += 0.7 {
				lines := r.split(word, w)
				fits(t, lines, w)
				if len(lines) < 2 || strings.Join(lines, "") != word {
					t.Errorf("split into %q", lines)
				}
				for _, l := range lines {
					if c, _ := utf8.DecodeRuneInString(l); unicode.Is(unicode.Mn, c) {
						t.Errorf("line %q starts with a combining mark cut from its letter", l)
					}
				}
			}
		}
	})
	t.Run("Newlines", func(t *testing.T) {
		for in, want := range map[string][]string{
			"":                nil,
			"\n\n":            nil,
			"Ab\r\n\r\nĆd\n":  {"Ab", "", "Ćd"},
			"Zoë\tBrontë\x00": {"Zoë Brontë "},
		} {
			if got := r.split(in, 100); !slices.Equal(got, want) {
				t.Errorf("split(%q) = %q, want %q", in, got, want)
			}
		}
	})
}

// TestDeterministic renders the same form concurrently: the bytes must not depend on map
// order inside the font subsetting, nor on another render running at the same time.
func TestDeterministic(t *testing.T) {
	f := fullForm()
	want := render(t, f)
	// Subsetting keeps the three embedded fonts (2 MB of TrueType) down to what is used.
	if len(want) > 150<<10 {
		t.Errorf("full form is %d KB, fonts probably not subset", len(want)>>10)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 2 {
				var buf bytes.Buffer
				if err := Render(&buf, f); err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(buf.Bytes(), want) {
					t.Error("a render of the same form gave different bytes")
					return
				}
			}
		})
	}
	wg.Wait()
}
