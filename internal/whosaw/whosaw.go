// Package whosaw renders the "who saw this child" report (every read and change of a
// child's or a document's material, from the audit log's index) as CSV and as a PDF a
// person can hand to an inspector. It holds no policy: the rows come from app.WhoSaw.
package whosaw

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Row is one audited event about the subject. Every field is an id, a code or a time:
// never a name.
type Row struct {
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Path     string    `json:"path"`       // how it was reached: API, download link, email, export...
	Outcome  string    `json:"outcome"`    // ok, refused, failed
	Access   string    `json:"access"`     // the policy's basis, e.g. coordinator, grant, lock_owner
	LockSeen string    `json:"lock_state"` // "locked" when a lock decided the access, else "not locked" or "-"
	Matter   string    `json:"matter,omitempty"`
	Document string    `json:"document,omitempty"`
	EventID  string    `json:"event_id"`
}

// Report is the whole answer for one child (PID) or one document.
type Report struct {
	Subject    string    `json:"subject"` // "child" or "document"
	ID         string    `json:"id"`      // the PID or document id
	Generated  time.Time `json:"generated"`
	EventsRead int       `json:"events_read"` // events read from the index: only this subject's
	Rows       []Row     `json:"rows"`
}

var header = []string{"seq", "time", "actor", "action", "path", "outcome", "access", "lock_state", "matter", "document", "event_id"}

// CSV writes the report as CSV with a header row.
func CSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, x := range r.Rows {
		if err := cw.Write([]string{fmt.Sprint(x.Seq), x.Time.UTC().Format(time.RFC3339), x.Actor, x.Action, x.Path, x.Outcome,
			x.Access, x.LockSeen, x.Matter, x.Document, x.EventID}); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// PDF writes the report as an A4 landscape table, every page numbered and titled.
func PDF(w io.Writer, r *Report, council string) error {
	p := fpdf.New("L", "mm", "A4", "")
	p.SetTitle("Who saw this "+r.Subject, true)
	p.SetAuthor(council, true)
	p.AliasNbPages("")
	p.SetHeaderFunc(func() {
		p.SetFont("Helvetica", "B", 13)
		p.CellFormat(0, 7, fmt.Sprintf("Who saw this %s: %s", r.Subject, r.ID), "", 1, "L", false, 0, "")
		p.SetFont("Helvetica", "", 9)
		p.CellFormat(0, 5, fmt.Sprintf("%s. Generated %s from the audit log; %d event(s). Staff are named by their staff id.",
			council, r.Generated.UTC().Format("2 January 2006 15:04 MST"), len(r.Rows)), "", 1, "L", false, 0, "")
		p.Ln(2)
		p.SetFont("Helvetica", "B", 8)
		for i, h := range []string{"Time (UTC)", "Staff", "What", "How", "Outcome", "Access", "Lock", "Matter", "Document"} {
			p.CellFormat(widths[i], 6, h, "1", 0, "L", true, 0, "")
		}
		p.Ln(-1)
		p.SetFont("Helvetica", "", 8)
	})
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont("Helvetica", "", 8)
		p.CellFormat(0, 5, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "R", false, 0, "")
	})
	p.SetFillColor(235, 235, 235)
	p.AddPage()
	if len(r.Rows) == 0 {
		p.CellFormat(0, 8, "No recorded read or change.", "", 1, "L", false, 0, "")
	}
	for _, x := range r.Rows {
		cells := []string{x.Time.UTC().Format("2006-01-02 15:04:05"), x.Actor, x.Action, x.Path, x.Outcome, x.Access, x.LockSeen, x.Matter, x.Document}
		for i, c := range cells {
			p.CellFormat(widths[i], 5, fit(p, c, widths[i]), "1", 0, "L", false, 0, "")
		}
		p.Ln(-1)
	}
	return p.Output(w)
}

var widths = []float64{34, 28, 40, 26, 18, 30, 18, 42, 41}

// fit shortens s to the cell's width; ids are ASCII, so the core font shows them as written.
func fit(p *fpdf.Fpdf, s string, w float64) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r > 0x7e:
			return '?'
		case r == '{': // fpdf would read "{nb}" as the page count
			return '('
		case r == '}':
			return ')'
		}
		return r
	}, s)
	for p.GetStringWidth(s) > w-2 && len(s) > 1 {
		s = s[:len(s)-1]
	}
	return s
}
