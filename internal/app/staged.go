package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// UploadSlotTTL is how long a presigned upload URL stays valid.
const UploadSlotTTL = 15 * time.Minute

// UploadPrefix is where staged uploads land; the ingest handler only acts on keys under it.
const UploadPrefix = "uploads/"

// Metadata names carried by a staged upload. S3 lower-cases user metadata keys.
const (
	metaMatter   = "casehold-matter"
	metaPID      = "casehold-pid"
	metaDocType  = "casehold-doc-type"
	metaDocDate  = "casehold-doc-date"
	metaFilename = "casehold-filename"
	metaActor    = "casehold-actor"
)

// UploadSlot is where and how to PUT a large scan; it is secured when it lands.
type UploadSlot struct {
	casehold.PresignedUpload
	Key string `json:"key"`
}

// CreateUpload checks the metadata now (so a bad request fails before any bytes move) and
// returns a presigned PUT for one file. The metadata travels signed with the object.
func (s *Documents) CreateUpload(ctx context.Context, actor casehold.Actor, matterID string, in UploadInput) (*UploadSlot, error) {
	const action = "upload.create"
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("create upload: %w", err))
	}
	meta, err := s.checkUpload(m, in)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	if _, err := s.allow(ctx, actor, casehold.ActUploadDocument, m, meta.pids); err != nil {
		return nil, s.refuseFor(ctx, actor, action, matterID, "", meta.pids, err)
	}
	key := UploadPrefix + matterID + "/" + s.IDs.New() + ".pdf"
	p, err := s.Staging.PresignPut(ctx, key, map[string]string{
		metaMatter: matterID, metaPID: meta.pids[0], metaDocType: meta.docType,
		metaDocDate: meta.docDate.String(), metaFilename: meta.filename, metaActor: actor.ID,
	}, UploadSlotTTL)
	if err != nil {
		return nil, fmt.Errorf("create upload: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: matterID, Detail: "key=" + key}); err != nil {
		return nil, err
	}
	return &UploadSlot{PresignedUpload: p, Key: key}, nil
}

// stagedDocID derives the document id from the staged object's key and version, so the same
// S3 event delivered twice finds the document made the first time. The evidence key is not
// derived from it: it is random (eventEvidenceKey), so nobody who can list the upload bucket
// can know where the evidence will be kept.
func stagedDocID(key, versionID string) string {
	sum := sha256.Sum256([]byte("staged\x00" + key + "\x00" + versionID))
	return "d-" + hex.EncodeToString(sum[:10])
}

// IngestStaged secures one staged upload. It is idempotent: a repeat delivery returns the
// document already made, with no second audit event. A staged file that fails the checks
// is audited as refused; a bad body is discarded so its slot takes a corrected file.
func (s *Documents) IngestStaged(ctx context.Context, key, versionID string) (*casehold.Document, error) {
	const action = "document.upload"
	if !strings.HasPrefix(key, UploadPrefix) {
		return nil, casehold.Errorf(casehold.EINVALID, "key is not under %s", UploadPrefix)
	}
	docID := stagedDocID(key, versionID)
	if d, err := s.Store.GetDocument(ctx, docID); err == nil {
		return d, nil
	} else if casehold.ErrorCode(err) != casehold.ENOTFOUND {
		return nil, fmt.Errorf("ingest %s: %w", key, err)
	}
	rc, meta, err := s.Staging.Open(ctx, key, versionID)
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", key, err)
	}
	defer rc.Close()
	actor := casehold.Actor{ID: meta[metaActor]}
	if actor.ID == "" {
		actor = SystemActor
	}
	matterID := meta[metaMatter]
	eventID := "ev-" + docID
	refuse := func(err error) (*casehold.Document, error) {
		if aerr := s.audit(ctx, casehold.AuditEvent{ID: eventID, Actor: actor.ID, Action: action, MatterID: matterID,
			Outcome: casehold.OutcomeRefused, Code: casehold.ErrorCode(err), Detail: "staged=" + key}); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return refuse(fmt.Errorf("ingest %s: %w", key, err))
	}
	um, err := s.checkUpload(m, UploadInput{PID: meta[metaPID], DocType: meta[metaDocType], DocDate: meta[metaDocDate], Filename: meta[metaFilename]})
	if err != nil {
		return refuse(err)
	}
	evKey, err := s.eventEvidenceKey(ctx, docID, "documents/", ".pdf")
	if err != nil {
		return nil, fmt.Errorf("ingest %s: %w", key, err)
	}
	d, err := s.secureAt(ctx, actor, m, um, casehold.SourceUpload, docID, evKey, rc)
	if err != nil {
		if c := casehold.ErrorCode(err); c == casehold.EINVALID || c == casehold.ETOOLARGE || c == casehold.EINTEGRITY {
			// Refused, not retried. A bad body (not a PDF, too large) is discarded so the
			// uploader can send the right file to the same slot while it is valid. For an
			// integrity incident (recorded already) the staged file is left where it is for
			// whoever investigates.
			if c != casehold.EINTEGRITY {
				if derr := s.Staging.Discard(ctx, key); derr != nil {
					s.Log.WarnContext(ctx, "refused staged upload not discarded", "key", key, "err", derr)
				}
			}
			return refuse(err)
		}
		return nil, fmt.Errorf("ingest %s: %w", key, err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{ID: eventID, Actor: actor.ID, Action: action, MatterID: matterID, PIDs: d.PIDs,
		DocumentID: d.ID, Detail: fmt.Sprintf("sha256=%s size=%d staged=%s", d.SHA256, d.Size, key)}); err != nil {
		return nil, err
	}
	if err := s.Staging.Delete(ctx, key); err != nil {
		s.Log.WarnContext(ctx, "staged upload secured but not removed", "key", key, "err", err)
	}
	return d, nil
}
