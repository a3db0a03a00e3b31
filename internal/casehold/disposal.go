package casehold

import "time"

// DisposalStatus is where a document is in its disposal.
type DisposalStatus string

const (
	// DisposalApproved: IG approved the disposal; the disposal run deletes it unless a
	// hold comes first (a hold cancels the approval).
	DisposalApproved DisposalStatus = "approved"
	// DisposalDeleting: the run has recorded what it is about to destroy and is deleting
	// the stored versions; run again, it finishes.
	DisposalDeleting DisposalStatus = "deleting"
	// DisposalDone: the stored versions are destroyed; the record, its audit trail and the
	// certificate of disposal remain.
	DisposalDone DisposalStatus = "disposed"
)

// Disposal records IG's decision on a due document and, once disposed, what was destroyed.
type Disposal struct {
	Status     DisposalStatus `json:"status"`
	ApprovedBy string         `json:"approved_by"`
	ApprovedAt time.Time      `json:"approved_at"`
	Reason     string         `json:"reason"`
	// Destroyed lists the stored versions deleted, each with the SHA-256 read from its
	// bytes just before deletion; recorded before deleting, so a run that stops half-way
	// can still certify what it destroyed.
	Destroyed  []StoredObject `json:"destroyed,omitempty"`
	DisposedAt *time.Time     `json:"disposed_at,omitempty"`
	// CertificateKey is where the certificate of disposal (JSON; the PDF beside it) is
	// kept write-once in the evidence store.
	CertificateKey string `json:"certificate_key,omitempty"`
}

// DisposalDue returns the day from which the document is offered for disposal review,
// and false when it never is: not classified, kept permanently, held by a matter, or
// disposed already. A deferral moves the day on. The store's disposal index holds exactly
// the documents for which this reports true, under that day.
func (d *Document) DisposalDue() (Date, bool) {
	r := d.Retention
	if r == nil || r.Permanent || r.DisposeOn.IsZero() || d.Held() {
		return Date{}, false
	}
	if d.Disposal != nil && d.Disposal.Status == DisposalDone {
		return Date{}, false
	}
	due := r.DisposeOn
	if due.Before(r.DeferredTo) {
		due = r.DeferredTo
	}
	return due, true
}

// DisposalKey is the document's place in the disposal index ("<due day>#<id>"), and the
// cursor to list on from it; "" when it is not in the index.
func (d *Document) DisposalKey() string {
	day, ok := d.DisposalDue()
	if !ok {
		return ""
	}
	return day.String() + "#" + d.ID
}

// Disposed reports whether the document's stored versions were destroyed under the
// retention schedule (its record remains).
func (d *Document) Disposed() bool { return d.Disposal != nil && d.Disposal.Status == DisposalDone }
