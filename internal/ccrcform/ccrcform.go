// Package ccrcform renders the council's record of how it answered a Criminal Cases Review
// Commission (CCRC) requirement to preserve materials, as an A4 PDF that can be returned to
// the CCRC and kept as evidence.
//
// The PDF library is codeberg.org/go-pdf/fpdf: it is pure Go (no cgo, no external binaries in
// the Lambda image), it embeds TrueType fonts subset to the characters used, and it gives the
// few primitives a gridded form needs (cells, rectangles, page aliases, fixed creation dates
// for reproducible output). It is the continuation of go-pdf/fpdf, itself the successor of
// jung-kurt/gofpdf: the GitHub repository github.com/go-pdf/fpdf was archived and development
// moved to Codeberg under a new module path, so that is the one still receiving fixes.
//
// The form lists people's names, so they must print as written: "Łukasz", "Ștefan", "Şükrü",
// "Αλέξης", "Дмитрий". The PDF core fonts only cover cp1252, so the form uses DejaVu Sans
// Condensed (fonts/, with its licence), embedded in the binary so neither the Lambda image nor
// CI needs system fonts. Condensed because its widths are close to Helvetica's, which the
// column widths were drawn for. A character DejaVu lacks (CJK, for one) prints as the font's
// blank "missing" glyph but still extracts as text; one fpdf cannot encode at all becomes
// U+FFFD, because a name that prints imperfectly is better than no form at all.
package ccrcform

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// Form is everything printed on the form. Dates are already formatted by the caller so that
// this package makes no choices about time zones or date style.
type Form struct {
	// Draft marks a preview: every page says so, so a printed preview is never taken for
	// the form returned to the CCRC.
	Draft       bool
	Council     string // e.g. "Example Borough Council — Children's Services"
	MatterID    string // casehold's own id: printed, but never as the headline
	Reference   string // the CCRC's reference, the form's headline
	Contact     string // the CCRC's contact
	ReceivedOn  string // date the CCRC letter arrived
	Deadline    string
	ReturnedOn  string // date the confirmation was sent back to the CCRC
	GeneratedAt string

	ServiceAreas  []AreaRow
	Electronic    []ElectronicRow
	Access        []AccessRow
	Paper         []PaperRow
	Education     []EducationRow
	LegalStoredOn string // date it was established which files legal services holds
	// LegalConfirmedOn is the date legal services confirmed those files are secured.
	LegalConfirmedOn string
	Checklist        []ChecklistRow

	// The officer completing the form, whom the CCRC contacts about it.
	OfficerName, OfficerEmail, OfficerPhone string
	// The head of service or service manager who approved it, and when.
	ApprovedBy, ApproverRole, ApprovedOn string
}

// AreaRow says whether a service area is involved and who leads for it.
type AreaRow struct {
	Area        string // "Social care", "Education", "Legal", "Other"
	Involved    bool
	LeadOfficer string
	NotifiedOn  string
}

// ElectronicRow is one person's social care electronic record.
type ElectronicRow struct {
	PID, FullName string
	SecuredOn     string
	EDTToldOn     string // date the emergency duty team was told the record is secured
	OpenCase      string // "y" or "n"
	FullCopyOn    string // for open cases, date a full copy was printed and secured
}

// AccessRow is one person approved to see the secured records.
type AccessRow struct {
	Team, Role, FullName, ApprovedBy, PID string
}

// PaperRow is one person's social care paper file.
type PaperRow struct {
	PID, FullName        string
	Exists               string // "y" or "n"
	Location             string // archive or team
	RetrievalRequestedOn string
	RetrievedBy          string
	StoredOn             string // date stored securely
	// StoredAt is where: legal services, or an agreed alternative location, which the
	// procedure wants stated as such.
	StoredAt string
}

// EducationRow is one set of education files located.
type EducationRow struct {
	FullName, Details, School string
	CCRCNeeds                 string // "y", "n", or "" while the CCRC has not said
	RetrievalRequestedOn      string
	ReceivedOn                string // date received from the education lead
	StoredOn                  string // date stored securely (legal services or education)
}

// ChecklistRow is the closing summary for one service area.
type ChecklistRow struct {
	Area              string
	ElectronicSecured string // "y" or "n"
	System            string // electronic system the records are held in
	PaperSecured      string // "y" or "n"
	PaperLocation     string
}

// fixedDate stands in for the PDF creation and modification dates: identical input must give
// identical bytes so the stored copy can be verified by hash. The real time is in the footer.
var fixedDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// family is the name the embedded fonts are registered under in each document.
const family = "DejaVu"

var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	fontBold []byte
	//go:embed fonts/DejaVuSansCondensed-Oblique.ttf
	fontOblique []byte
)

// Page geometry in millimetres.
const (
	margin     = 15.0
	contentTop = margin
	footerRule = 297.0 - 13.0
	contentEnd = footerRule - 3.0 // rows stop here, leaving the footer clear

	bodySize  = 8.0 // points
	lineH     = 3.6
	padV      = 0.9
	headingH  = 8.0
	minLines  = 1
	emptyText = "None recorded"
)

// Render writes the form as a PDF to w.
func Render(w io.Writer, f Form) error {
	r := newRenderer(f)
	r.title(f.Reference)
	r.block("", []kv{
		{"CCRC reference", f.Reference},
		{"CCRC contact", f.Contact},
		{"Council", f.Council},
		{"Date letter received", f.ReceivedOn},
		{"Deadline", f.Deadline},
		{"Date confirmation returned", f.ReturnedOn},
		{"casehold matter id (internal)", f.MatterID},
	})
	r.note("Keep a copy of the confirmation sent back to the CCRC.")
	r.areas(f.ServiceAreas)
	r.electronic(f.Electronic)
	r.access(f.Access)
	r.paper(f.Paper)
	r.education(f.Education)
	r.block("Legal services", []kv{
		{"Date files held by legal services established", f.LegalStoredOn},
		{"Date legal services confirmed secured", f.LegalConfirmedOn},
	})
	r.checklist(f.Checklist)
	r.block("Completed and approved", []kv{
		{"Officer completing this form", f.OfficerName},
		{"Officer's email", f.OfficerEmail},
		{"Officer's telephone", f.OfficerPhone},
		{"Approved by (head of service or service manager)", f.ApprovedBy},
		{"Approver's role", f.ApproverRole},
		{"Date approved", f.ApprovedOn},
	})
	if err := r.pdf.Output(w); err != nil {
		return fmt.Errorf("render ccrc form: %w", err)
	}
	return nil
}

type renderer struct {
	pdf    *fpdf.Fpdf
	width  float64 // usable width between the margins
	footer string
}

func newRenderer(f Form) *renderer {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, contentTop, margin)
	// Rows are placed by hand so a table header can be repeated after each break.
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreationDate(fixedDate)
	pdf.SetModificationDate(fixedDate)
	pdf.SetCatalogSort(true)
	pdf.SetTitle("CCRC preservation of materials record", true)
	pdf.SetCreator("casehold", true)
	pdf.SetLang("en-GB")
	pdf.AliasNbPages("{nb}")
	pdf.SetDrawColor(90, 90, 90)
	pdf.SetLineWidth(0.2)
	// Parsed again for every document: fpdf keeps per-document subsetting state in the
	// parsed font, so one parse cannot be shared between concurrent renders.
	pdf.AddUTF8FontFromBytes(family, "", fontRegular)
	pdf.AddUTF8FontFromBytes(family, "B", fontBold)
	pdf.AddUTF8FontFromBytes(family, "I", fontOblique)
	r := &renderer{pdf: pdf}
	r.width = 210 - 2*margin
	// The footer names the requester's reference on every page, so a loose page can be put
	// back with its form; casehold's id comes after it.
	ref := ""
	if f.Reference != "" {
		ref = " — ref. " + f.Reference
	}
	r.footer = clean("Generated by casehold " + f.GeneratedAt + ref + " — matter " + f.MatterID)
	pdf.SetFooterFunc(r.drawFooter)
	if f.Draft {
		pdf.SetHeaderFunc(r.drawDraft)
	}
	pdf.AddPage()
	return r
}

// clean makes s safe to print. Control characters would print as boxes or move the text, so
// they become spaces (newlines are kept to break lines). fpdf writes each character as one
// 16-bit code, so characters beyond U+FFFF, and invalid UTF-8, which its encoder would
// misread or panic on, become U+FFFD, the font's replacement character.
func clean(s string) string {
	return strings.Map(func(c rune) rune {
		switch {
		case c == '\n':
			return c
		case c == '\r':
			return -1
		case unicode.IsControl(c):
			return ' '
		case c >= 0xfffe:
			return unicode.ReplacementChar
		}
		return c
	}, s)
}

// draftBanner heads every page of a preview.
const draftBanner = "DRAFT — preview only: not approved and not returned to the CCRC"

// drawDraft marks a preview page: a banner above the content and a large pale "DRAFT"
// across the page, drawn first so the tables print over it.
func (r *renderer) drawDraft() {
	p := r.pdf
	x, y := p.GetXY()
	p.SetTextColor(225, 225, 225)
	p.SetFont(family, "B", 110)
	p.TransformBegin()
	p.TransformRotate(45, 105, 160)
	p.Text(38, 180, "DRAFT")
	p.TransformEnd()
	p.SetTextColor(180, 0, 0)
	p.SetFont(family, "B", 9)
	p.SetXY(margin, 6)
	p.CellFormat(r.width, 5, draftBanner, "", 0, "C", false, 0, "")
	p.SetTextColor(0, 0, 0)
	p.SetXY(x, y)
}

func (r *renderer) drawFooter() {
	p := r.pdf
	p.SetDrawColor(150, 150, 150)
	p.Line(margin, footerRule, margin+r.width, footerRule)
	p.SetDrawColor(90, 90, 90)
	p.SetFont(family, "", 7.5)
	p.SetTextColor(80, 80, 80)
	const pageW = 26.0
	text := fit(p, r.footer, r.width-pageW)
	p.SetXY(margin, footerRule+1)
	p.CellFormat(r.width-pageW, 4, text, "", 0, "L", false, 0, "")
	// Left-aligned in a right-hand box: the "{nb}" alias is wider than the number it
	// becomes, so right alignment would drift.
	p.CellFormat(pageW, 4, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "L", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// fit shortens s with "…" until it fits in w at the current font, a whole character at a
// time: half a UTF-8 sequence would corrupt the text.
func fit(p *fpdf.Fpdf, s string, w float64) string {
	if p.GetStringWidth(s) <= w-2 {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && p.GetStringWidth(string(rs)+"…") > w-2 {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// title heads the form with the CCRC's own reference: it is what the CCRC files the answer
// under, so it is the headline and casehold's matter id only a line in the table below.
func (r *renderer) title(reference string) {
	p := r.pdf
	p.SetFont(family, "B", 15)
	p.CellFormat(r.width, 7, "Criminal Cases Review Commission (CCRC)", "", 1, "L", false, 0, "")
	p.SetFont(family, "", 11)
	p.CellFormat(r.width, 6, "Requirement to preserve materials: record of action taken", "", 1, "L", false, 0, "")
	if strings.TrimSpace(reference) != "" {
		p.SetFont(family, "B", 13)
		p.CellFormat(r.width, 7, fit(p, clean("CCRC reference: "+reference), r.width), "", 1, "L", false, 0, "")
	}
	p.Ln(3)
}

func (r *renderer) note(s string) {
	p := r.pdf
	p.SetFont(family, "I", 7.5)
	p.CellFormat(r.width, 5, clean(s), "", 1, "L", false, 0, "")
}

// column is a table column; weight is its share of the usable width.
type column struct {
	label  string
	weight float64
}

// table is a prepared grid: every cell already cleaned and split into lines.
type table struct {
	heading  string
	widths   []float64
	header   [][]string // nil for a label/value block
	rows     [][][]string
	labelCol bool // first column is a shaded, bold label (label/value blocks)
	spanning bool // the single row spans all columns ("None recorded")
}

type kv struct{ label, value string }

func (r *renderer) setBody(bold bool) {
	style := ""
	if bold {
		style = "B"
	}
	r.pdf.SetFont(family, style, bodySize)
}

// split breaks s into the lines that fit a cell of width w at the current font: at the last
// space that fits, at every newline, and between two characters of a word too wide for the
// cell on its own. It replaces fpdf's SplitLines, which works on bytes and so would cut
// multi-byte characters, and SplitText, which counts a character the font lacks as zero wide
// although it prints at the font's default width. It does not break after a hyphen: text
// extractors take a hyphen at the end of a line for a word break and drop it, which would turn
// "Fotherington-Smythe" into "FotheringtonSmythe" in any copy made from the PDF's text.
func (r *renderer) split(s string, w float64) []string {
	s = strings.TrimRight(clean(s), "\n")
	if s == "" {
		return nil
	}
	p := r.pdf
	_, size := p.GetFontSize()
	// In the font's units (1/1000 of the font size), as fpdf measures.
	wmax := int((w - 2*p.GetCellMargin()) * 1000 / size)
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		rs := []rune(para)
		// The last space that fits: the line ends at end and the next starts at next.
		start, end, next, width := 0, -1, -1, 0
		for i := 0; i < len(rs); {
			c := rs[i]
			width += p.GetStringSymbolWidth(string(c))
			if c == ' ' {
				end, next = i, i+1
			}
			if width <= wmax {
				i++
				continue
			}
			if end < 0 {
				// No break fits: cut the word, keeping at least one character per
				// line and a combining accent with the letter it sits on.
				for i > start+1 && unicode.Is(unicode.Mn, rs[i]) {
					i--
				}
				end = max(i, start+1)
				next = end
			}
			lines = append(lines, string(rs[start:end]))
			start, i, end, next, width = next, next, -1, -1, 0
		}
		// An empty paragraph is kept as an empty line, as written.
		if start < len(rs) || len(rs) == 0 {
			lines = append(lines, string(rs[start:]))
		}
	}
	return lines
}

func (r *renderer) grid(heading string, cols []column, rows [][]string) {
	var total float64
	for _, c := range cols {
		total += c.weight
	}
	t := table{heading: heading}
	for _, c := range cols {
		t.widths = append(t.widths, r.width*c.weight/total)
	}
	r.setBody(true)
	for i, c := range cols {
		t.header = append(t.header, r.split(c.label, t.widths[i]))
	}
	r.setBody(false)
	if len(rows) == 0 {
		t.spanning = true
		t.rows = [][][]string{{r.split(emptyText, r.width)}}
	}
	for _, row := range rows {
		cells := make([][]string, len(cols))
		for i := range cols {
			cells[i] = r.split(row[i], t.widths[i])
		}
		t.rows = append(t.rows, cells)
	}
	r.draw(t)
}

// block prints label/value pairs as a two-column grid.
func (r *renderer) block(heading string, pairs []kv) {
	t := table{heading: heading, labelCol: true, widths: []float64{62, r.width - 62}}
	for _, p := range pairs {
		r.setBody(true)
		label := r.split(p.label, t.widths[0])
		r.setBody(false)
		value := p.value
		if strings.TrimSpace(value) == "" {
			value = "Not recorded"
		}
		t.rows = append(t.rows, [][]string{label, r.split(value, t.widths[1])})
	}
	r.draw(t)
}

func height(cells [][]string) int {
	n := minLines
	for _, c := range cells {
		n = max(n, len(c))
	}
	return n
}

// draw lays out a table, starting a new page (and repeating the heading and column headers)
// whenever the next row does not fit. A row taller than a whole page is split across pages.
func (r *renderer) draw(t table) {
	p := r.pdf
	headerH := 0.0
	if t.header != nil {
		headerH = float64(height(t.header))*lineH + 2*padV
	}
	titleH := 0.0
	if t.heading != "" {
		titleH = headingH
	}
	// Lines a row may use on a fresh page, below the heading and the column headers.
	pageLines := int((contentEnd - contentTop - titleH - headerH - 2*padV) / lineH)

	// Keep the heading with the column headers and the first row (or as much of it as a
	// page can hold): a heading alone at the foot of a page is no use.
	first := min(height(t.rows[0]), pageLines)
	if p.GetY()+titleH+headerH+float64(first)*lineH+2*padV > contentEnd {
		p.AddPage()
	}
	r.heading(t.heading, false)
	r.headerRow(t)

	for _, row := range t.rows {
		n := height(row)
		from := 0
		for from < n {
			avail := int((contentEnd - p.GetY() - 2*padV) / lineH)
			// Start a whole row on a new page if it would fit there; only split a row that
			// cannot fit on any page.
			if avail < 1 || (from == 0 && n > avail && n <= pageLines) {
				p.AddPage()
				r.heading(t.heading, true)
				r.headerRow(t)
				continue
			}
			take := min(avail, n-from)
			r.cells(t, row, from, take, false)
			from += take
		}
	}
	p.Ln(4)
}

func (r *renderer) heading(s string, continued bool) {
	if s == "" {
		return
	}
	p := r.pdf
	p.SetFont(family, "B", 11)
	if continued {
		s += " (continued)"
	}
	p.SetX(margin)
	p.CellFormat(r.width, headingH, clean(s), "", 1, "LM", false, 0, "")
}

func (r *renderer) headerRow(t table) {
	if t.header == nil {
		return
	}
	r.cells(t, t.header, 0, height(t.header), true)
}

// cells draws lines [from, from+n) of each cell in one row band.
func (r *renderer) cells(t table, row [][]string, from, n int, header bool) {
	p := r.pdf
	h := float64(n)*lineH + 2*padV
	y := p.GetY()
	x := margin
	widths := t.widths
	if t.spanning && !header {
		widths = []float64{r.width}
	}
	for i, w := range widths {
		shaded := header || (t.labelCol && i == 0)
		style := "D"
		if shaded {
			p.SetFillColor(230, 230, 230)
			style = "FD"
		}
		p.Rect(x, y, w, h, style)
		r.setBody(shaded)
		if t.spanning && !header {
			p.SetFont(family, "I", bodySize)
		}
		lines := row[i]
		start := from
		if i == 0 && !header && from >= len(lines) {
			// A row carried onto another page keeps its first column (the PID or
			// name), greyed, so the continued text is not left unattributed.
			start = 0
			p.SetTextColor(120, 120, 120)
		}
		for j := start; j < start+n && j < len(lines); j++ {
			p.SetXY(x, y+padV+float64(j-start)*lineH)
			p.CellFormat(w, lineH, lines[j], "", 0, "L", false, 0, "")
		}
		p.SetTextColor(0, 0, 0)
		x += w
	}
	p.SetXY(margin, y+h)
}

func yn(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "y", "yes":
		return "Yes"
	case "n", "no":
		return "No"
	}
	return s
}

func (r *renderer) areas(rows []AreaRow) {
	cols := []column{{"Service area", 3}, {"Involved", 2}, {"Lead officer", 5}, {"Date notified of request", 3}}
	var cells [][]string
	for _, a := range rows {
		involved := "No"
		if a.Involved {
			involved = "Yes"
		}
		cells = append(cells, []string{a.Area, involved, a.LeadOfficer, a.NotifiedOn})
	}
	r.grid("Service areas involved", cols, cells)
}

func (r *renderer) electronic(rows []ElectronicRow) {
	cols := []column{
		{"PID", 2}, {"Full name", 5}, {"Date record secured", 2.5}, {"Date EDT told", 2.5},
		{"Open case", 1.6}, {"Open case: date full copy printed and secured", 3.4},
	}
	var cells [][]string
	for _, e := range rows {
		cells = append(cells, []string{e.PID, e.FullName, e.SecuredOn, e.EDTToldOn, yn(e.OpenCase), e.FullCopyOn})
	}
	r.grid("Social care: electronic records secured", cols, cells)
}

func (r *renderer) access(rows []AccessRow) {
	cols := []column{{"Team", 3.5}, {"Role", 3.5}, {"Full name", 4.5}, {"Approved by", 4}, {"PID", 2}}
	var cells [][]string
	for _, a := range rows {
		cells = append(cells, []string{a.Team, a.Role, a.FullName, a.ApprovedBy, a.PID})
	}
	r.grid("Social care: access to secured records approved for", cols, cells)
}

func (r *renderer) paper(rows []PaperRow) {
	cols := []column{
		{"PID", 2}, {"Full name", 4.2}, {"File found", 1.6}, {"Location (archive or team)", 3},
		{"Date retrieval requested", 2.3}, {"Retrieved by", 3}, {"Date stored securely", 2.3},
		{"Stored at (legal services or agreed alternative location)", 3.4},
	}
	var cells [][]string
	for _, pr := range rows {
		cells = append(cells, []string{pr.PID, pr.FullName, yn(pr.Exists), pr.Location, pr.RetrievalRequestedOn, pr.RetrievedBy, pr.StoredOn, pr.StoredAt})
	}
	r.grid("Social care: paper files", cols, cells)
}

func (r *renderer) education(rows []EducationRow) {
	cols := []column{
		{"Full name", 3.6}, {"Files located", 4.6}, {"School", 3}, {"CCRC needs access", 2},
		{"Date retrieval requested", 2.2}, {"Date received from education lead", 2.4}, {"Date stored securely", 2.2},
	}
	var cells [][]string
	for _, e := range rows {
		needs := yn(e.CCRCNeeds)
		if strings.TrimSpace(needs) == "" {
			needs = "Not yet confirmed"
		}
		cells = append(cells, []string{e.FullName, e.Details, e.School, needs, e.RetrievalRequestedOn, e.ReceivedOn, e.StoredOn})
	}
	r.grid("Education: files located", cols, cells)
}

func (r *renderer) checklist(rows []ChecklistRow) {
	cols := []column{
		{"Service area", 3}, {"Electronic records secured", 2.2}, {"Electronic system", 3.6},
		{"Paper files secured (team and archive)", 2.6}, {"Where paper files are secured", 4.6},
	}
	var cells [][]string
	for _, c := range rows {
		cells = append(cells, []string{c.Area, yn(c.ElectronicSecured), c.System, yn(c.PaperSecured), c.PaperLocation})
	}
	r.grid("Checklist", cols, cells)
}
