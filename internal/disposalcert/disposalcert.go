// Package disposalcert renders the certificate of disposal: what was destroyed, when,
// under which retention rule, approved by whom, and the SHA-256 of each destroyed file,
// as JSON (for programs) and PDF (for people). Both are rendered from the document's
// record alone, so a disposal run that stops and runs again renders the same bytes.
package disposalcert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/casehold/casehold/internal/casehold"
)

// Format names the JSON's layout.
const Format = "casehold-disposal-certificate/1"

// Certificate is the JSON certificate. It holds ids, dates and hashes: no names.
type Certificate struct {
	Format          string                  `json:"format"`
	Council         string                  `json:"council"`
	DocumentID      string                  `json:"document_id"`
	DocType         string                  `json:"doc_type"`
	DocDate         string                  `json:"doc_date"`
	MatterIDs       []string                `json:"matter_ids"`
	RecordedSHA256  string                  `json:"recorded_sha256"`
	RecordedSize    int64                   `json:"recorded_size"`
	Category        string                  `json:"category"`
	Rule            string                  `json:"rule"`
	ScheduleVersion string                  `json:"schedule_version"`
	RetentionStarts string                  `json:"retention_starts"`
	DisposeOn       string                  `json:"dispose_on"`
	ApprovedBy      string                  `json:"approved_by"`
	ApprovedAt      time.Time               `json:"approved_at"`
	Reason          string                  `json:"reason"`
	DisposedAt      time.Time               `json:"disposed_at"`
	Destroyed       []casehold.StoredObject `json:"destroyed"`
}

// For builds the certificate of a document whose disposal has recorded what it destroys.
func For(council string, d *casehold.Document, s *casehold.RetentionSchedule) (Certificate, error) {
	if d.Retention == nil || d.Disposal == nil || d.Disposal.DisposedAt == nil {
		return Certificate{}, casehold.Errorf(casehold.EINTERNAL, "document %s has no recorded disposal to certify", d.ID)
	}
	r, ds := d.Retention, d.Disposal
	rule := r.Category
	if rr, err := s.Rule(r.Category); err == nil {
		rule = fmt.Sprintf("%s: kept %d years from %s", rr.Title, rr.Years, rr.Trigger)
		if rr.Note != "" {
			rule += " (" + rr.Note + ")"
		}
	}
	destroyed := ds.Destroyed
	if destroyed == nil {
		destroyed = []casehold.StoredObject{}
	}
	return Certificate{Format: Format, Council: council, DocumentID: d.ID, DocType: d.DocType, DocDate: d.DocDate.String(),
		MatterIDs: d.MatterIDs, RecordedSHA256: d.SHA256, RecordedSize: d.Size, Category: r.Category, Rule: rule,
		ScheduleVersion: r.ScheduleVersion, RetentionStarts: r.Starts.String(), DisposeOn: r.DisposeOn.String(),
		ApprovedBy: ds.ApprovedBy, ApprovedAt: ds.ApprovedAt.UTC(), Reason: ds.Reason, DisposedAt: ds.DisposedAt.UTC(),
		Destroyed: destroyed}, nil
}

// JSON is the certificate as indented JSON.
func (c Certificate) JSON() []byte {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("encode certificate: %v", err)) // plain fields: cannot happen
	}
	return append(b, '\n')
}

// PDF renders the certificate for people, with fixed PDF dates so the same certificate
// gives the same bytes.
func (c Certificate) PDF(w io.Writer) error {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCreationDate(c.DisposedAt)
	p.SetModificationDate(c.DisposedAt)
	p.SetCatalogSort(true)
	p.SetTitle("Certificate of disposal "+c.DocumentID, true)
	p.AddPage()
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.SetFont("Helvetica", "B", 16)
	p.CellFormat(0, 10, "Certificate of disposal", "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 10)
	p.MultiCell(0, 5, tr(c.Council+" certifies that the stored copies of the record below were destroyed under its retention schedule, after review by information governance. The record's details and its audit trail are kept."), "", "L", false)
	p.Ln(3)
	rows := [][2]string{
		{"Document", c.DocumentID},
		{"Type and date", c.DocType + ", " + c.DocDate},
		{"Matters", fmt.Sprint(c.MatterIDs)},
		{"Recorded SHA-256", c.RecordedSHA256},
		{"Recorded size", fmt.Sprintf("%d bytes", c.RecordedSize)},
		{"Retention rule", c.Rule},
		{"Schedule version", c.ScheduleVersion},
		{"Period ran from", c.RetentionStarts},
		{"Disposal date", c.DisposeOn},
		{"Approved by", c.ApprovedBy + " on " + c.ApprovedAt.Format("2006-01-02 15:04 MST")},
		{"Reason", c.Reason},
		{"Destroyed on", c.DisposedAt.Format("2006-01-02 15:04 MST")},
	}
	for _, r := range rows {
		p.SetFont("Helvetica", "B", 10)
		p.CellFormat(45, 6, r[0], "", 0, "L", false, 0, "")
		p.SetFont("Helvetica", "", 10)
		p.MultiCell(0, 6, tr(r[1]), "", "L", false)
	}
	p.Ln(3)
	p.SetFont("Helvetica", "B", 11)
	p.CellFormat(0, 7, "Files destroyed (SHA-256 read from the bytes just before deletion)", "", 1, "L", false, 0, "")
	p.SetFont("Courier", "", 8)
	for _, v := range c.Destroyed {
		p.MultiCell(0, 4, tr(fmt.Sprintf("%s  version %s  %d bytes\n%s", v.Key, v.VersionID, v.Size, v.SHA256)), "", "L", false)
		p.Ln(1)
	}
	if len(c.Destroyed) == 0 {
		p.MultiCell(0, 4, "No stored version remained to destroy.", "", "L", false)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return fmt.Errorf("render certificate: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
