package casehold

import (
	"sort"
	"strings"
	"time"
)

// DocumentSource says how a document reached casehold.
type DocumentSource string

const (
	SourceUpload DocumentSource = "upload"
	SourceEmail  DocumentSource = "email"
	SourceExport DocumentSource = "export"
)

// Document is one immutable piece of evidence: a stored object version plus what is known
// about it. HeldBy lists the open matters holding it; the legal hold on the object version
// is on exactly while HeldBy is non-empty.
type Document struct {
	ID         string         `json:"id"`
	MatterIDs  []string       `json:"matter_ids"` // every matter the document was ever filed under
	HeldBy     []string       `json:"held_by"`    // the matters holding it now
	PIDs       []string       `json:"pids"`
	DocType    string         `json:"doc_type"`
	DocDate    Date           `json:"doc_date"`
	Filename   string         `json:"filename"`
	SHA256     string         `json:"sha256"` // lower-case hex of the whole file
	Size       int64          `json:"size"`
	Source     DocumentSource `json:"source"`
	Key        string         `json:"key"`        // evidence store key
	VersionID  string         `json:"version_id"` // evidence store version
	UploadedBy string         `json:"uploaded_by"`
	UploadedAt time.Time      `json:"uploaded_at"`
	// ActiveContent is what the PDF check flagged in the file (pdfcheck.FlagJavaScript,
	// pdfcheck.FlagLaunch): kept as received, since it is evidence, and shown so that
	// whoever opens it, an inspector included, knows first.
	ActiveContent []string `json:"active_content,omitempty"`
	// Retention is the document's classification under the retention schedule (nil until
	// a records officer classifies it); Disposal IG's decision and, once disposed, what
	// was destroyed.
	Retention *Retention `json:"retention,omitempty"`
	Disposal  *Disposal  `json:"disposal,omitempty"`
	// Version is the optimistic-concurrency counter kept by the Store.
	Version int64 `json:"version"`
}

// Held reports whether at least one matter holds the document.
func (d *Document) Held() bool { return len(d.HeldBy) > 0 }

// HeldByMatter reports whether matterID holds the document.
func (d *Document) HeldByMatter(matterID string) bool { return contains(d.HeldBy, matterID) }

// AddHold records that matterID holds the document; it reports whether anything changed.
func (d *Document) AddHold(matterID string) bool {
	changed := false
	if !contains(d.MatterIDs, matterID) {
		d.MatterIDs = append(d.MatterIDs, matterID)
		changed = true
	}
	if !contains(d.HeldBy, matterID) {
		d.HeldBy = append(d.HeldBy, matterID)
		sort.Strings(d.HeldBy)
		changed = true
	}
	// A legal hold overrides disposal: an approval given before the hold does not
	// survive it (IG reviews the document afresh once no matter holds it).
	if d.Disposal != nil && d.Disposal.Status == DisposalApproved {
		d.Disposal = nil
		changed = true
	}
	return changed
}

// RemoveHold records that matterID no longer holds the document; it reports whether
// anything changed. The document stays filed under the matter.
func (d *Document) RemoveHold(matterID string) bool {
	for i, m := range d.HeldBy {
		if m == matterID {
			d.HeldBy = append(d.HeldBy[:i:i], d.HeldBy[i+1:]...)
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// DocTypes are the document types a record may be filed as. The list follows the case
// recording procedure's record kinds and is extended here, not in handlers.
var DocTypes = []string{
	"Contact", "Referral", "Assessment", "Strategy Discussion", "Section 47 Enquiry",
	"Child Protection Conference", "Core Group", "Child In Need Plan", "Care Plan",
	"Looked After Review", "Court Document", "Case Note", "Chronology", "Correspondence",
	"Supervision", "Transfer Summary", "Closing Summary", "Email", "Receipt", "Form", "Other",
}

// NormaliseDocType returns the canonical spelling of a document type, case-insensitively.
func NormaliseDocType(s string) (string, error) {
	for _, t := range DocTypes {
		if strings.EqualFold(strings.TrimSpace(s), t) {
			return t, nil
		}
	}
	return "", Errorf(EINVALID, "doc_type must be one of: %s", strings.Join(DocTypes, ", "))
}

// DisclosureName is the file name a document is sent under: its type and date as
// "Contact 21.12.2013", with the person's initials when the matter covers several people.
func DisclosureName(docType string, docDate Date, initials string) string {
	name := docType + " " + docDate.Time().Format("02.01.2006")
	if initials != "" {
		name += " " + initials
	}
	return name + ".pdf"
}
