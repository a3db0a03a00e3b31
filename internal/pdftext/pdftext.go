// Package pdftext reads back the text casehold's own PDFs (internal/ccrcform, written by
// go-pdf/fpdf) draw, with each run's page and position, so tests can check what a form or
// receipt says without an outside tool: a test that skips when poppler is missing proves
// nothing in CI.
//
// It is not a general PDF reader. It understands exactly what fpdf writes for text in a
// UTF-8 (Type0, Identity-H) font: one Flate-compressed content stream per page, in page
// order, and each run as "BT x y Td (escaped UTF-16BE)Tj ET". The font's codes are Unicode
// code points (fpdf's CIDToGIDMap maps them to glyphs), so decoding the string is reading
// UTF-16BE. Anything else in the file (font programs, ToUnicode maps) has no such runs.
package pdftext

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Run is one piece of text as drawn: X and Y are the start of its baseline in points from
// the bottom left of the page, as the PDF states them.
type Run struct {
	Page int // from 1
	X, Y float64
	Text string
}

// Doc is the text of a whole document.
type Doc struct {
	Runs  []Run
	Pages int
}

var (
	streamRe = regexp.MustCompile(`>>\s*stream\r?\n`)
	runRe    = regexp.MustCompile(`BT ([-\d.]+) ([-\d.]+) Td \(((?:[^\\)]|\\.)*)\) ?Tj ET`)
)

// Read extracts the runs of every page of pdf.
func Read(pdf []byte) (*Doc, error) {
	doc := &Doc{}
	for _, loc := range streamRe.FindAllIndex(pdf, -1) {
		start := loc[1]
		end := bytes.Index(pdf[start:], []byte("endstream"))
		if end < 0 {
			return nil, fmt.Errorf("pdftext: stream at %d has no end", start)
		}
		zr, err := zlib.NewReader(bytes.NewReader(pdf[start : start+end]))
		if err != nil {
			continue // not compressed: fpdf compresses every page, so not a page
		}
		data, err := io.ReadAll(zr)
		if err != nil && len(data) == 0 {
			continue
		}
		runs := runRe.FindAllSubmatch(data, -1)
		if len(runs) == 0 || !bytes.Contains(data, []byte(" Tf")) {
			continue // a font program or a cmap, not a page
		}
		doc.Pages++
		for _, m := range runs {
			x, _ := strconv.ParseFloat(string(m[1]), 64)
			y, _ := strconv.ParseFloat(string(m[2]), 64)
			doc.Runs = append(doc.Runs, Run{Page: doc.Pages, X: x, Y: y, Text: decode(unescape(m[3]))})
		}
	}
	if doc.Pages == 0 {
		return nil, fmt.Errorf("pdftext: no pages with text")
	}
	return doc, nil
}

// unescape undoes the PDF string escapes fpdf writes: \\ \( \) \r.
func unescape(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\\' && i+1 < len(b) {
			i++
			switch b[i] {
			case 'r':
				out = append(out, '\r')
			case 'n':
				out = append(out, '\n')
			default:
				out = append(out, b[i])
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

func decode(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return string(utf16.Decode(u))
}

// Text is every run in drawing order, one per line. Lines of one table cell are drawn one
// after another, so a wrapped value reads whole once whitespace is ignored.
func (d *Doc) Text() string {
	var b strings.Builder
	for _, r := range d.Runs {
		b.WriteString(r.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// Page is the text of one page, as Text.
func (d *Doc) Page(n int) string {
	var b strings.Builder
	for _, r := range d.Runs {
		if r.Page == n {
			b.WriteString(r.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
