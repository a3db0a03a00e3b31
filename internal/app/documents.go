package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/pdfcheck"
)

// UploadInput describes a scanned record being secured.
type UploadInput struct {
	PID      string `json:"pid"`
	DocType  string `json:"doc_type"`
	DocDate  string `json:"doc_date"`
	Filename string `json:"filename"`
}

// uploadMeta is UploadInput checked against the matter.
type uploadMeta struct {
	pids              []string
	docType, filename string
	docDate           casehold.Date
}

func (s *Deps) checkUpload(m *casehold.Matter, in UploadInput) (uploadMeta, error) {
	if m.Status != casehold.MatterOpen {
		return uploadMeta{}, casehold.Errorf(casehold.ECONFLICT, "matter is %s: documents can only be added to an open matter", m.Status)
	}
	if in.PID == "" {
		return uploadMeta{}, casehold.Errorf(casehold.EINVALID, "pid is required")
	}
	if !m.HasPerson(in.PID) {
		return uploadMeta{}, casehold.Errorf(casehold.EINVALID, "pid is not one of the matter's people")
	}
	docType, err := casehold.NormaliseDocType(in.DocType)
	if err != nil {
		return uploadMeta{}, err
	}
	if in.DocDate == "" {
		return uploadMeta{}, casehold.Errorf(casehold.EINVALID, "doc_date is required")
	}
	docDate, err := casehold.ParseDate("doc_date", in.DocDate)
	if err != nil {
		return uploadMeta{}, err
	}
	if s.today().Before(docDate) {
		return uploadMeta{}, casehold.Errorf(casehold.EINVALID, "doc_date must not be in the future")
	}
	name, err := cleanFilename(in.Filename)
	if err != nil {
		return uploadMeta{}, err
	}
	return uploadMeta{pids: []string{in.PID}, docType: docType, docDate: docDate, filename: name}, nil
}

// cleanFilename keeps the base name of what the uploader called the file, for display only;
// storage keys never use it. An uploader is told what is wrong with a name rather than have
// it silently changed; what passes goes through the one cleaner email attachments use too
// (pdfcheck.CleanFilename), so both paths keep names alike.
func cleanFilename(name string) (string, error) {
	if name == "" {
		return "document.pdf", nil
	}
	if len(name) > 255 {
		return "", casehold.Errorf(casehold.EINVALID, "filename must be at most 255 bytes")
	}
	for _, r := range name {
		if pdfcheck.UnsafeRune(r) {
			return "", casehold.Errorf(casehold.EINVALID, "filename must not contain control or text-direction characters")
		}
	}
	if base := path.Base(strings.ReplaceAll(name, `\`, "/")); strings.Trim(base, ". /") == "" {
		return "", casehold.Errorf(casehold.EINVALID, "filename is not a file name")
	}
	return pdfcheck.CleanFilename(name, "document", true), nil
}

// UploadDocument streams a PDF into the evidence store under legal hold and records it. The
// body is never held whole in memory; a non-PDF, truncated, empty or oversized body stores
// nothing.
func (s *Documents) UploadDocument(ctx context.Context, actor casehold.Actor, matterID string, in UploadInput, body io.Reader) (*casehold.Document, error) {
	const action = "document.upload"
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("upload: %w", err))
	}
	meta, err := s.checkUpload(m, in)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	if _, err := s.allow(ctx, actor, casehold.ActUploadDocument, m, meta.pids); err != nil {
		return nil, s.refuseFor(ctx, actor, action, matterID, "", meta.pids, err)
	}
	d, err := s.secure(ctx, actor, m, meta, casehold.SourceUpload, "d-"+s.IDs.New(), body)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: matterID, DocumentID: d.ID, PIDs: d.PIDs,
		Detail: fmt.Sprintf("sha256=%s size=%d", d.SHA256, d.Size)}); err != nil {
		return nil, err
	}
	return d, nil
}

// secure keeps body as a new document at a fresh random evidence key.
func (s *Deps) secure(ctx context.Context, actor casehold.Actor, m *casehold.Matter, meta uploadMeta, src casehold.DocumentSource, docID string, body io.Reader) (*casehold.Document, error) {
	return s.secureAt(ctx, actor, m, meta, src, docID, s.newEvidenceKey("documents/", ".pdf"), body)
}

// secureAt is the one path by which bytes become held evidence: check, hash, store
// write-once under legal hold at key (random, and the same for every retry of one outside
// event), record. A document record made by an earlier delivery of the same event is
// returned as it is.
func (s *Deps) secureAt(ctx context.Context, actor casehold.Actor, m *casehold.Matter, meta uploadMeta, src casehold.DocumentSource, docID, key string, body io.Reader) (*casehold.Document, error) {
	// A released matter can still file a record (a receipt for files handed back), but
	// nothing holds it.
	held := m.Status == casehold.MatterOpen
	check := pdfcheck.NewReader(body, s.MaxUploadBytes)
	obj, err := s.storeEvidence(ctx, key, check, held)
	if err != nil {
		var ce *casehold.Error
		if errors.As(err, &ce) && (ce.Code == casehold.EINVALID || ce.Code == casehold.ETOOLARGE || ce.Code == casehold.EINTEGRITY) {
			return nil, ce // the check's own message says what was wrong with the file
		}
		return nil, fmt.Errorf("store evidence: %w", err)
	}
	var heldBy []string
	if held {
		heldBy = []string{m.ID}
	}
	d := &casehold.Document{
		ID: docID, MatterIDs: []string{m.ID}, HeldBy: heldBy, PIDs: meta.pids,
		DocType: meta.docType, DocDate: meta.docDate, Filename: meta.filename,
		SHA256: obj.SHA256, Size: obj.Size, Source: src, Key: obj.Key, VersionID: obj.VersionID,
		UploadedBy: actor.ID, UploadedAt: s.now(), ActiveContent: check.Flags(),
	}
	if err := s.Store.CreateDocument(ctx, d); err != nil {
		if casehold.ErrorCode(err) == casehold.ECONFLICT {
			if prev, gerr := s.Store.GetDocument(ctx, docID); gerr == nil && prev.Key == obj.Key &&
				prev.VersionID == obj.VersionID && prev.SHA256 == obj.SHA256 {
				return prev, nil // a concurrent delivery of the same event recorded it first
			}
		}
		// The bytes stay held in the evidence store; the audit trail and this log line let
		// an operator find them. Nothing is lost, nothing is deleted.
		s.Log.ErrorContext(ctx, "evidence stored but not recorded", "key", obj.Key, "version", obj.VersionID, "err", err)
		return nil, fmt.Errorf("record document: %w", err)
	}
	d.Version = 1
	if held {
		if err := s.recheckOpen(ctx, actor, d.ID, m.ID); err != nil {
			return nil, err
		}
	}
	s.lateReviewRecord(ctx, m, d)
	return d, nil
}

// recheckOpen closes the race with a release: the matter was open when a hold was added,
// but a release that listed the matter's documents before this one was filed would never
// lift its hold. If the matter is no longer open, this matter's hold on the document is
// taken off the record and the caller is told. The object's legal hold is lifted here only
// by a process allowed to lift holds; otherwise the release run does it: a releasing matter
// lists its documents again after it is marked released, and a released one is set back
// to releasing so the release function picks it up.
func (s *Deps) recheckOpen(ctx context.Context, actor casehold.Actor, docID, matterID string) error {
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return fmt.Errorf("recheck matter: %w", err)
	}
	if m.Status == casehold.MatterOpen {
		return nil
	}
	conflict := casehold.Errorf(casehold.ECONFLICT, "the matter was released while the document was being filed: it is kept, filed under the matter, and not held for it")
	if s.LiftsHolds {
		if _, err := s.releaseHold(ctx, actor, docID, matterID); err != nil {
			return fmt.Errorf("lift hold after a concurrent release: %w", err)
		}
		return conflict
	}
	if _, err := s.Store.RemoveHold(ctx, docID, matterID); err != nil {
		return fmt.Errorf("remove hold after a concurrent release: %w", err)
	}
	if m.Status == casehold.MatterReleased {
		if _, err := s.setMatter(ctx, matterID, func(m *casehold.Matter) {
			if m.Status == casehold.MatterReleased {
				m.Status = casehold.MatterReleasing
			}
		}); err != nil {
			return fmt.Errorf("reopen release for a late document: %w", err)
		}
	}
	return conflict
}

// ListDocuments returns the matter's documents, held or released.
func (s *Documents) ListDocuments(ctx context.Context, actor casehold.Actor, matterID string) ([]*casehold.Document, error) {
	if err := casehold.AuthorizeRole(actor, casehold.ActReadDocument); err != nil {
		return nil, s.refuse(ctx, actor, "document.list", matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	r, err := s.reader(ctx, actor)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	basis, err := s.allowReader(ctx, r, casehold.ActReadDocument, m, nil)
	if err != nil {
		return nil, s.refuse(ctx, actor, "document.list", matterID, "", err)
	}
	all, err := s.Store.ListMatterDocuments(ctx, matterID)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	// A locked child's documents are listed only to those the lock lets in.
	docs, err := s.visibleDocuments(ctx, r, m, all)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	var pids []string
	for _, d := range docs {
		for _, p := range d.PIDs {
			if !slices.Contains(pids, p) {
				pids = append(pids, p)
			}
		}
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "document.list", MatterID: matterID, PIDs: pids,
		Detail: fmt.Sprintf("count=%d withheld=%d basis=%s", len(docs), len(all)-len(docs), basis)}); err != nil {
		return nil, err
	}
	return docs, nil
}

// GetDocument returns a document's record.
func (s *Documents) GetDocument(ctx context.Context, actor casehold.Actor, id string) (*casehold.Document, error) {
	if err := casehold.AuthorizeRole(actor, casehold.ActReadDocument); err != nil {
		return nil, s.refuse(ctx, actor, "document.read", "", id, err)
	}
	d, err := s.Store.GetDocument(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get document: %w", err)
	}
	basis, err := s.allowDocument(ctx, actor, d)
	if err != nil {
		return nil, s.refuseFor(ctx, actor, "document.read", "", id, d.PIDs, err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "document.read", DocumentID: id, PIDs: d.PIDs, Detail: "basis=" + basis}); err != nil {
		return nil, err
	}
	return d, nil
}

// OpenDocument returns the document and a reader of its exact stored version. The reader
// hashes what it serves and fails at the end if the bytes differ from the recorded SHA-256,
// so altered evidence is never served as if whole. The download is audited before any byte
// leaves.
func (s *Documents) OpenDocument(ctx context.Context, actor casehold.Actor, id string) (*casehold.Document, io.ReadCloser, error) {
	const action = "document.download"
	if err := casehold.AuthorizeRole(actor, casehold.ActReadDocument); err != nil {
		return nil, nil, s.refuse(ctx, actor, action, "", id, err)
	}
	d, err := s.Store.GetDocument(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("download: %w", err)
	}
	basis, err := s.allowDocument(ctx, actor, d)
	if err != nil {
		return nil, nil, s.refuseFor(ctx, actor, action, "", id, d.PIDs, err)
	}
	if d.Disposed() {
		return nil, nil, s.refuseFor(ctx, actor, action, "", id, d.PIDs, errDisposed(d))
	}
	rc, err := s.Evidence.Open(ctx, d.Key, d.VersionID)
	if casehold.ErrorCode(err) == casehold.ENOTFOUND {
		// The record says casehold kept this version: its absence is an incident, not a
		// refusal of the reader.
		s.incident(ctx, "", id, "reason=version_missing during=download actor="+actor.ID)
		return nil, nil, casehold.Errorf(casehold.EINTEGRITY, "the stored file of this document is missing; the incident is recorded")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("download %s: %w", id, err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, DocumentID: id, PIDs: d.PIDs, Detail: "basis=" + basis}); err != nil {
		rc.Close()
		return nil, nil, err
	}
	return d, &verifyingReader{ctx: ctx, rc: rc, h: newHash(), want: d.SHA256, size: d.Size, onFail: func(reason string) {
		s.incident(ctx, "", id, "reason="+reason+" during=download actor="+actor.ID)
	}}, nil
}

// ErrIntegrity is returned at the end of a download whose bytes do not match the record.
var ErrIntegrity = errors.New("stored bytes do not match the recorded SHA-256")

// verifyingReader serves exactly the recorded number of bytes and holds back the last
// chunk until the whole hash is checked, so a client never receives a complete-looking
// file whose bytes differ from the record. Whichever side notices a fault (casehold's
// hash, the store's own checksum, a stream cut short) it is reported once through onFail.
type verifyingReader struct {
	ctx     context.Context
	rc      io.ReadCloser
	h       hash.Hash
	want    string
	size, n int64
	done    bool
	onFail  func(reason string)
}

func (v *verifyingReader) fail(reason string, err error) (int, error) {
	v.done = true
	v.onFail(reason)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrIntegrity, err)
	}
	return 0, ErrIntegrity
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.done {
		return 0, io.EOF
	}
	if rest := v.size - v.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := v.rc.Read(p)
	v.n += int64(n)
	v.h.Write(p[:n])
	if v.n == v.size {
		var extra [1]byte
		m, xerr := io.ReadFull(v.rc, extra[:])
		switch {
		case m > 0:
			return v.fail("longer_than_recorded", nil)
		case xerr != nil && !errors.Is(xerr, io.EOF) && !errors.Is(xerr, io.ErrUnexpectedEOF) && v.ctx.Err() == nil:
			return v.fail("store_read_error", xerr) // e.g. the SDK's checksum check at the end
		case hex.EncodeToString(v.h.Sum(nil)) != v.want:
			return v.fail("hash_mismatch", nil)
		}
		v.done = true
		return n, nil
	}
	switch {
	case errors.Is(err, io.EOF):
		return v.fail("shorter_than_recorded", nil)
	case err != nil && v.ctx.Err() != nil:
		return n, err // the reader went away: not the evidence's fault
	case err != nil:
		return v.fail("stream_cut", err)
	}
	return n, nil
}

func (v *verifyingReader) Close() error { return v.rc.Close() }

// HoldDocument files an existing document under another open matter and holds it for that
// matter too (a document can be held by several matters).
func (s *Documents) HoldDocument(ctx context.Context, actor casehold.Actor, matterID, docID string) (*casehold.Document, error) {
	const action = "document.hold"
	if err := casehold.Authorize(actor, casehold.ActHoldDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, docID, err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, docID, fmt.Errorf("hold document: %w", err))
	}
	if m.Status != casehold.MatterOpen {
		return nil, s.refuse(ctx, actor, action, matterID, docID, casehold.Errorf(casehold.ECONFLICT, "matter is %s: only an open matter can hold documents", m.Status))
	}
	if d, err := s.Store.GetDocument(ctx, docID); err == nil && d.Disposed() {
		return nil, s.refuse(ctx, actor, action, matterID, docID, casehold.Errorf(casehold.ECONFLICT,
			"document %s was disposed of under the retention schedule: there is nothing left to hold", docID))
	}
	if _, err := s.allow(ctx, actor, casehold.ActHoldDocument, m, nil); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, docID, err)
	}
	d, err := s.Store.AddHold(ctx, docID, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, docID, fmt.Errorf("hold document: %w", err))
	}
	// The record says held before the object is: if this call fails, a retry or `verify`
	// puts it right, and the object is never unheld while a matter holds it.
	if err := s.Evidence.SetLegalHold(ctx, d.Key, d.VersionID, true); err != nil {
		return nil, fmt.Errorf("set legal hold on %s: %w", docID, err)
	}
	if err := s.recheckOpen(ctx, actor, docID, matterID); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, docID, err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: matterID, DocumentID: docID}); err != nil {
		return nil, err
	}
	return d, nil
}

// DeleteDocument is refused for held documents (EHELD) and, for the rest, until disposal
// runs through a retention review. Every attempt is audited.
func (s *Documents) DeleteDocument(ctx context.Context, actor casehold.Actor, docID string) error {
	return s.refuseChange(ctx, actor, "document.delete", docID, "deleted")
}

// ReplaceDocument is always refused: evidence is write-once. Every attempt is audited.
func (s *Documents) ReplaceDocument(ctx context.Context, actor casehold.Actor, docID string) error {
	return s.refuseChange(ctx, actor, "document.replace", docID, "replaced")
}

func (s *Deps) refuseChange(ctx context.Context, actor casehold.Actor, action, docID, verb string) error {
	if err := casehold.Authorize(actor, casehold.ActDeleteDocument); err != nil {
		return s.refuse(ctx, actor, action, "", docID, err)
	}
	d, err := s.Store.GetDocument(ctx, docID)
	if err != nil {
		return s.refuse(ctx, actor, action, "", docID, fmt.Errorf("%s: %w", action, err))
	}
	if d.Held() {
		return s.refuse(ctx, actor, action, "", docID, casehold.Errorf(casehold.EHELD,
			"document is under legal hold for %d open matter(s) and cannot be %s", len(d.HeldBy), verb))
	}
	if verb == "replaced" {
		return s.refuse(ctx, actor, action, "", docID, casehold.Errorf(casehold.ECONFLICT, "evidence is write-once: upload a new document instead"))
	}
	return s.refuse(ctx, actor, action, "", docID, casehold.Errorf(casehold.EFORBIDDEN, "documents are disposed of only through a retention review"))
}

func newHash() hash.Hash { return sha256.New() }

// presigner is what an evidence store offers when its documents can be fetched from it
// directly (S3), past the API's response size limit.
type presigner interface {
	PresignGet(ctx context.Context, key, versionID, filename string, ttl time.Duration) (string, error)
}

// DownloadLinkTTL is how long a direct download link works.
const DownloadLinkTTL = 5 * time.Minute

// DownloadLink says where to fetch a document and how to check it.
type DownloadLink struct {
	URL       string    `json:"url"`    // absolute (S3, presigned) or a path on this API
	Direct    bool      `json:"direct"` // true: fetched from the evidence store, no bearer token
	SHA256    string    `json:"sha256"` // check the bytes against this
	Size      int64     `json:"size"`
	ExpiresAt time.Time `json:"expires_at"`
}

// DownloadDocumentLink grants a download of the document's exact version: a short-lived
// presigned URL where the evidence store offers one (in AWS, where responses through the API
// stop at 6 MB), else the API's own content route. The grant is audited as a download.
func (s *Documents) DownloadDocumentLink(ctx context.Context, actor casehold.Actor, id string) (*DownloadLink, error) {
	const action = "document.download_link"
	if err := casehold.AuthorizeRole(actor, casehold.ActReadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, "", id, err)
	}
	d, err := s.Store.GetDocument(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("download link: %w", err)
	}
	basis, err := s.allowDocument(ctx, actor, d)
	if err != nil {
		return nil, s.refuseFor(ctx, actor, action, "", id, d.PIDs, err)
	}
	if d.Disposed() {
		return nil, s.refuseFor(ctx, actor, action, "", id, d.PIDs, errDisposed(d))
	}
	link := &DownloadLink{URL: "/documents/" + d.ID + "/content", SHA256: d.SHA256, Size: d.Size, ExpiresAt: s.now().Add(DownloadLinkTTL)}
	if p, ok := s.Evidence.(presigner); ok {
		ext := path.Ext(d.Key)
		u, err := p.PresignGet(ctx, d.Key, d.VersionID, d.ID+ext, DownloadLinkTTL)
		if err != nil {
			return nil, fmt.Errorf("download link %s: %w", id, err)
		}
		link.URL, link.Direct = u, true
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, DocumentID: id, PIDs: d.PIDs, Detail: fmt.Sprintf("direct=%v basis=%s", link.Direct, basis)}); err != nil {
		return nil, err
	}
	return link, nil
}
