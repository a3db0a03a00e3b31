package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/disposalcert"
)

// Retention and disposal: a records officer classifies a document (category and the facts
// its trigger needs) and casehold computes its disposal date; IG reviews what is due and
// not held, approves or defers each with a reason; the disposal run destroys the stored
// versions of approved documents, keeps their record and audit trail, and keeps a
// certificate of disposal write-once. A legal hold overrides all of it.

// ClassifyInput is a records officer's classification of one document. Dates are
// YYYY-MM-DD; only the fact the category's trigger needs is required.
type ClassifyInput struct {
	Category          string `json:"category"`
	DateOfBirth       string `json:"date_of_birth,omitempty"`
	DateOfDeath       string `json:"date_of_death,omitempty"`
	ClosureDate       string `json:"closure_date,omitempty"`
	CeasedFosteringOn string `json:"ceased_fostering_on,omitempty"`
	NotifiedOn        string `json:"notified_on,omitempty"`
}

func (in ClassifyInput) facts() (casehold.RetentionFacts, error) {
	var f casehold.RetentionFacts
	for _, x := range []struct {
		name string
		v    string
		to   *casehold.Date
	}{{"date_of_birth", in.DateOfBirth, &f.DateOfBirth}, {"date_of_death", in.DateOfDeath, &f.DateOfDeath},
		{"closure_date", in.ClosureDate, &f.ClosureDate}, {"ceased_fostering_on", in.CeasedFosteringOn, &f.CeasedFosteringOn},
		{"notified_on", in.NotifiedOn, &f.NotifiedOn}} {
		if strings.TrimSpace(x.v) == "" {
			continue
		}
		d, err := casehold.ParseDate(x.name, strings.TrimSpace(x.v))
		if err != nil {
			return f, err
		}
		*x.to = d
	}
	return f, nil
}

// ClassifyDocument classifies a document under the retention schedule, or classifies it
// again when a fact changed: the disposal date is computed afresh and the document moves
// in the disposal queue. Any approval given under the old classification lapses. The
// facts are personal data: they are stored with the document, never put in the audit
// event (which names the category and the date).
func (s *Disposals) ClassifyDocument(ctx context.Context, actor casehold.Actor, docID string, in ClassifyInput) (*casehold.Document, error) {
	const action = "document.classify"
	if err := casehold.Authorize(actor, casehold.ActClassifyRecord); err != nil {
		return nil, s.refuse(ctx, actor, action, "", docID, err)
	}
	d, err := s.Store.GetDocument(ctx, docID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, "", docID, fmt.Errorf("classify: %w", err))
	}
	refuse := func(err error) (*casehold.Document, error) {
		return nil, s.refuseFor(ctx, actor, action, "", docID, d.PIDs, err)
	}
	if d.Disposal != nil && d.Disposal.Status != casehold.DisposalApproved {
		return refuse(casehold.Errorf(casehold.ECONFLICT, "the document is %s: its classification can no longer change", d.Disposal.Status))
	}
	facts, err := in.facts()
	if err != nil {
		return refuse(err)
	}
	sched := casehold.Schedule()
	r, err := sched.Classify(strings.TrimSpace(in.Category), facts, d.DocDate, s.today())
	if err != nil {
		return refuse(err)
	}
	r.ClassifiedBy, r.ClassifiedAt = actor.ID, s.now()
	if old := d.Retention; old != nil {
		// IG's deferral is a decision about the document, not a fact: it stands.
		r.DeferredTo, r.DeferReason = old.DeferredTo, old.DeferReason
	}
	d.Retention, d.Disposal = &r, nil
	if err := s.Store.UpdateDisposal(ctx, d); err != nil {
		return refuse(fmt.Errorf("classify: %w", err))
	}
	detail := fmt.Sprintf("category=%s schedule=%s dispose_on=%s", r.Category, r.ScheduleVersion, r.DisposeOn)
	if r.Permanent {
		detail = fmt.Sprintf("category=%s schedule=%s permanent", r.Category, r.ScheduleVersion)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, DocumentID: docID, PIDs: d.PIDs, Detail: detail}); err != nil {
		return nil, err
	}
	// In AWS the date is also Object Lock retention on the stored version, so S3 itself
	// refuses an early delete. It is only ever extended: a date moved earlier leaves the
	// later retention in place (the version is then kept until that later day).
	if rt, ok := s.Evidence.(retainer); ok && !r.Permanent {
		if err := rt.RetainUntil(ctx, d.Key, d.VersionID, r.DisposeOn.Time()); err != nil {
			return nil, fmt.Errorf("classified, but the stored version's retention was not set (classify again to retry): %w", err)
		}
	}
	return d, nil
}

// retainer is an evidence store that can keep a version from deletion until a date
// (S3 Object Lock retention in governance mode).
type retainer interface {
	RetainUntil(ctx context.Context, key, versionID string, until time.Time) error
}

// QueueItem is one document due for disposal review. It carries ids, dates and the
// category: no content and no names.
type QueueItem struct {
	DocumentID string                  `json:"document_id"`
	Category   string                  `json:"category"`
	DisposeOn  casehold.Date           `json:"dispose_on"`
	DueOn      casehold.Date           `json:"due_on"`
	DocType    string                  `json:"doc_type"`
	DocDate    casehold.Date           `json:"doc_date"`
	MatterIDs  []string                `json:"matter_ids"`
	Status     casehold.DisposalStatus `json:"status,omitempty"` // approved, or empty while awaiting review
}

// DisposalQueue is what IG reviews: documents past their date and held by no open
// matter, oldest first, with the count per category.
type DisposalQueue struct {
	Day        casehold.Date  `json:"day"`
	Items      []QueueItem    `json:"items"`
	ByCategory map[string]int `json:"by_category"`
	// Read is how many documents the store read to answer: the due ones only.
	Read int `json:"read"`
	// Next is the cursor of the next page (the after parameter); empty on the last.
	Next string `json:"next,omitempty"`
}

// MaxQueue bounds one page of the queue.
const MaxQueue = 1000

// DisposalQueue lists the documents due for review today, read from the disposal index,
// after the cursor after ("" from the start; Next of the page before).
func (s *Disposals) DisposalQueue(ctx context.Context, actor casehold.Actor, after string, limit int) (*DisposalQueue, error) {
	const action = "disposal.queue"
	if err := casehold.Authorize(actor, casehold.ActDisposalReview); err != nil {
		return nil, s.refuse(ctx, actor, action, "", "", err)
	}
	if limit <= 0 || limit > MaxQueue {
		limit = MaxQueue
	}
	day := s.today()
	docs, err := s.Store.ListDisposalDue(ctx, day, after, limit)
	if err != nil {
		return nil, fmt.Errorf("disposal queue: %w", err)
	}
	q := &DisposalQueue{Day: day, Items: []QueueItem{}, ByCategory: map[string]int{}, Read: len(docs)}
	if len(docs) == limit {
		q.Next = docs[len(docs)-1].DisposalKey()
	}
	for _, d := range docs {
		due, ok := d.DisposalDue()
		if !ok || day.Before(due) {
			continue // the index lagged a hold or a new date: never offer it
		}
		it := QueueItem{DocumentID: d.ID, Category: d.Retention.Category, DisposeOn: d.Retention.DisposeOn, DueOn: due,
			DocType: d.DocType, DocDate: d.DocDate, MatterIDs: d.MatterIDs}
		if d.Disposal != nil {
			it.Status = d.Disposal.Status
		}
		q.Items = append(q.Items, it)
		q.ByCategory[it.Category]++
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, Detail: fmt.Sprintf("read=%d offered=%d", q.Read, len(q.Items))}); err != nil {
		return nil, err
	}
	return q, nil
}

// DisposalDecision is IG's decision on one due document.
type DisposalDecision struct {
	Decision string `json:"decision"` // "approve" or "defer"
	Reason   string `json:"reason"`
	DeferTo  string `json:"defer_to,omitempty"` // YYYY-MM-DD, after today: when to offer it again
}

// DecideDisposal records IG's approval or deferral of a due document. A held document is
// refused (EHELD): a legal hold overrides disposal. The write is conditional on the
// document as read, so a hold that lands meanwhile wins.
func (s *Disposals) DecideDisposal(ctx context.Context, actor casehold.Actor, docID string, in DisposalDecision) (*casehold.Document, error) {
	action := "disposal." + in.Decision
	if in.Decision != "approve" && in.Decision != "defer" {
		action = "disposal.decide"
	}
	if err := casehold.Authorize(actor, casehold.ActDisposalReview); err != nil {
		return nil, s.refuse(ctx, actor, action, "", docID, err)
	}
	d, err := s.Store.GetDocument(ctx, docID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, "", docID, fmt.Errorf("disposal decision: %w", err))
	}
	refuse := func(err error) (*casehold.Document, error) {
		return nil, s.refuseFor(ctx, actor, action, "", docID, d.PIDs, err)
	}
	today := s.today()
	reason := strings.TrimSpace(in.Reason)
	due, isDue := d.DisposalDue()
	switch {
	case action == "disposal.decide":
		return refuse(casehold.Errorf(casehold.EINVALID, `decision must be "approve" or "defer"`))
	case reason == "":
		return refuse(casehold.Errorf(casehold.EINVALID, "reason is required"))
	case len(reason) > 500 || strings.ContainsAny(reason, "\x00\r"):
		return refuse(casehold.Errorf(casehold.EINVALID, "reason must be at most 500 characters of plain text"))
	case d.Held():
		return refuse(casehold.Errorf(casehold.EHELD, "the document is under legal hold for %d open matter(s): a held document is never disposed of", len(d.HeldBy)))
	case d.Retention == nil:
		return refuse(casehold.Errorf(casehold.ECONFLICT, "the document is not classified under the retention schedule"))
	case d.Retention.Permanent:
		return refuse(casehold.Errorf(casehold.ECONFLICT, "the document is kept permanently"))
	case d.Disposal != nil && d.Disposal.Status != casehold.DisposalApproved:
		return refuse(casehold.Errorf(casehold.ECONFLICT, "the document is %s already", d.Disposal.Status))
	case !isDue || today.Before(due):
		return refuse(casehold.Errorf(casehold.ECONFLICT, "the document is not due for disposal until %s", due))
	}
	r := *d.Retention
	detail := "reason_chars=" + fmt.Sprint(len(reason))
	if in.Decision == "approve" {
		d.Disposal = &casehold.Disposal{Status: casehold.DisposalApproved, ApprovedBy: actor.ID, ApprovedAt: s.now(), Reason: reason}
	} else {
		to, err := casehold.ParseDate("defer_to", strings.TrimSpace(in.DeferTo))
		if err != nil {
			return refuse(err)
		}
		if !today.Before(to) {
			return refuse(casehold.Errorf(casehold.EINVALID, "defer_to must be after today"))
		}
		r.DeferredTo, r.DeferReason = to, reason
		d.Retention, d.Disposal = &r, nil
		detail += " defer_to=" + to.String()
	}
	if err := s.Store.UpdateDisposal(ctx, d); err != nil {
		if casehold.ErrorCode(err) == casehold.ECONFLICT {
			err = casehold.Errorf(casehold.ECONFLICT, "the document changed while you decided (a legal hold, or another decision): review it again")
		}
		return refuse(err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, DocumentID: docID, PIDs: d.PIDs, Detail: detail}); err != nil {
		return nil, err
	}
	return d, nil
}

// DisposalRun says what one run of the disposal job did.
type DisposalRun struct {
	Disposed []string          `json:"disposed"`
	Stopped  map[string]string `json:"stopped"` // document id -> why (a hold came first, a store error)
}

// certificatePrefix is where certificates of disposal are kept, write-once.
const certificatePrefix = "disposal/certificates/"

// RunDisposals destroys the stored versions of every approved document that is due, in
// three recorded steps that a run stopped half-way finishes next time: (1) a conditional
// write records what is about to be destroyed, each version's SHA-256 read from its bytes,
// and fails if the document changed since it was read (a hold); (2) the versions are
// deleted, which the evidence store refuses for a held version (a hold placed after step
// 1 still wins, and the disposal is then called off); (3) the certificate of disposal is
// kept write-once and the record marked disposed. The record and its audit trail remain.
func (s *Disposals) RunDisposals(ctx context.Context) (*DisposalRun, error) {
	run := &DisposalRun{Disposed: []string{}, Stopped: map[string]string{}}
	// Every due page, so approved documents behind a long unreviewed queue are reached.
	for after := ""; ; {
		docs, err := s.Store.ListDisposalDue(ctx, s.today(), after, MaxQueue)
		if err != nil {
			return run, fmt.Errorf("disposal run: %w", err)
		}
		for _, d := range docs {
			if d.Disposal == nil || d.Held() {
				continue // awaiting IG's review
			}
			if err := s.dispose(ctx, d); err != nil {
				run.Stopped[d.ID] = casehold.ErrorMessage(err)
				if casehold.ErrorCode(err) == casehold.EINTERNAL {
					s.Log.ErrorContext(ctx, "disposal failed; the next run tries again", "document", d.ID, "err", err)
				}
				continue
			}
			run.Disposed = append(run.Disposed, d.ID)
		}
		if len(docs) < MaxQueue || ctx.Err() != nil {
			return run, nil
		}
		after = docs[len(docs)-1].DisposalKey()
	}
}

func (s *Disposals) dispose(ctx context.Context, d *casehold.Document) error {
	actor := SystemActor
	stop := func(why string, err error) error {
		if aerr := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "document.dispose", DocumentID: d.ID, PIDs: d.PIDs,
			Outcome: casehold.OutcomeRefused, Code: casehold.ErrorCode(err), Detail: "stopped=" + why}); aerr != nil {
			s.Log.ErrorContext(ctx, "audit of a stopped disposal failed", "document", d.ID, "err", aerr)
		}
		return err
	}
	if d.Disposal.Status == casehold.DisposalApproved {
		// Step 1: read what is stored and record it, conditional on the document as read.
		vs, err := s.Evidence.Versions(ctx, d.Key)
		if err != nil {
			return fmt.Errorf("dispose %s: %w", d.ID, err)
		}
		destroyed := []casehold.StoredObject{}
		for _, v := range vs {
			sum, size, err := s.hashVersion(ctx, v.Key, v.VersionID)
			if casehold.ErrorCode(err) == casehold.ENOTFOUND {
				continue
			}
			if err != nil && casehold.ErrorCode(err) != casehold.EINTEGRITY {
				return fmt.Errorf("dispose %s: %w", d.ID, err)
			}
			if v.VersionID == d.VersionID && sum != d.SHA256 {
				s.incident(ctx, "", d.ID, "reason=hash_mismatch during=disposal")
			}
			destroyed = append(destroyed, casehold.StoredObject{Key: v.Key, VersionID: v.VersionID, SHA256: sum, Size: size})
		}
		now := s.now()
		ds := *d.Disposal
		ds.Status, ds.Destroyed, ds.DisposedAt = casehold.DisposalDeleting, destroyed, &now
		d.Disposal = &ds
		if err := s.Store.UpdateDisposal(ctx, d); err != nil {
			return stop("changed", fmt.Errorf("dispose %s: %w", d.ID, err))
		}
	}
	// Step 2: re-check at the moment of deleting (a hold recorded since step 1 stops it),
	// then delete; the evidence store itself refuses a held version.
	fresh, err := s.Store.GetDocument(ctx, d.ID)
	if err != nil {
		return fmt.Errorf("dispose %s: %w", d.ID, err)
	}
	if fresh.Held() {
		fresh.Disposal = nil
		if uerr := s.Store.UpdateDisposal(ctx, fresh); uerr != nil {
			s.Log.ErrorContext(ctx, "stopped disposal not called off; the next run tries again", "document", d.ID, "err", uerr)
		}
		return stop("held", casehold.Errorf(casehold.EHELD, "a legal hold was placed before deletion: the disposal is called off"))
	}
	if _, err := s.Evidence.DeleteVersions(ctx, d.Key); err != nil {
		if casehold.ErrorCode(err) == casehold.EHELD {
			// A hold reached the object after step 1: call the disposal off.
			if fresh, gerr := s.Store.GetDocument(ctx, d.ID); gerr == nil {
				fresh.Disposal = nil
				if uerr := s.Store.UpdateDisposal(ctx, fresh); uerr != nil {
					s.Log.ErrorContext(ctx, "stopped disposal not called off; the next run tries again", "document", d.ID, "err", uerr)
				}
			}
			return stop("held", err)
		}
		return fmt.Errorf("dispose %s: %w", d.ID, err)
	}
	// Step 3: the certificate, write-once (a run again adopts the identical bytes).
	cert, err := disposalcert.For(s.Council, d, casehold.Schedule())
	if err != nil {
		return err
	}
	var pdf bytes.Buffer
	if err := cert.PDF(&pdf); err != nil {
		return fmt.Errorf("dispose %s: %w", d.ID, err)
	}
	key := certificatePrefix + d.ID + ".json"
	jsonObj, err := s.storeEvidence(ctx, key, bytes.NewReader(cert.JSON()), true)
	if err != nil {
		return fmt.Errorf("dispose %s: certificate: %w", d.ID, err)
	}
	if _, err := s.storeEvidence(ctx, certificatePrefix+d.ID+".pdf", bytes.NewReader(pdf.Bytes()), true); err != nil {
		return fmt.Errorf("dispose %s: certificate: %w", d.ID, err)
	}
	ds := *d.Disposal
	ds.Status, ds.CertificateKey = casehold.DisposalDone, key
	d.Disposal = &ds
	if err := s.Store.UpdateDisposal(ctx, d); err != nil {
		return fmt.Errorf("dispose %s: %w", d.ID, err)
	}
	return s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "document.dispose", DocumentID: d.ID, PIDs: d.PIDs,
		Detail: fmt.Sprintf("versions=%d category=%s approved_by=%s certificate=%s certificate_sha256=%s",
			len(ds.Destroyed), d.Retention.Category, ds.ApprovedBy, key, jsonObj.SHA256)})
}

// DisposalCertificate returns a disposed document's certificate (JSON or PDF) from the
// evidence store. IG only; audited.
func (s *Disposals) DisposalCertificate(ctx context.Context, actor casehold.Actor, docID string, pdf bool) ([]byte, error) {
	const action = "disposal.certificate"
	if err := casehold.Authorize(actor, casehold.ActDisposalReview); err != nil {
		return nil, s.refuse(ctx, actor, action, "", docID, err)
	}
	d, err := s.Store.GetDocument(ctx, docID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, "", docID, fmt.Errorf("certificate: %w", err))
	}
	if d.Disposal == nil || d.Disposal.Status != casehold.DisposalDone {
		return nil, s.refuse(ctx, actor, action, "", docID, casehold.Errorf(casehold.ENOTFOUND, "the document has not been disposed of"))
	}
	key := d.Disposal.CertificateKey
	if pdf {
		key = strings.TrimSuffix(key, ".json") + ".pdf"
	}
	vs, err := s.Evidence.Versions(ctx, key)
	if err != nil || len(vs) == 0 {
		return nil, fmt.Errorf("certificate of %s: %w", docID, casehold.Errorf(casehold.EINTEGRITY, "the certificate is missing from the evidence store"))
	}
	rc, err := s.Evidence.Open(ctx, key, vs[0].VersionID)
	if err != nil {
		return nil, fmt.Errorf("certificate of %s: %w", docID, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, fmt.Errorf("certificate of %s: %w", docID, err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, DocumentID: docID}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errDisposed is the answer to a read of a disposed document's bytes: not an incident
// (nothing is missing that should be there), and it says where the certificate is.
func errDisposed(d *casehold.Document) error {
	on := ""
	if d.Disposal.DisposedAt != nil {
		on = " on " + d.Disposal.DisposedAt.UTC().Format(time.DateOnly)
	}
	return casehold.Errorf(casehold.ENOTFOUND, "document %s was disposed of%s under the retention schedule: its record, audit trail and certificate of disposal remain", d.ID, on)
}
