package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// evidenceKeyTTL is how long the random evidence key chosen for an outside event is kept,
// so that every redelivery of the event (S3 and Lambda retry for up to 6 hours) reuses it.
const evidenceKeyTTL = 7 * 24 * time.Hour

// newEvidenceKey returns a fresh, unguessable evidence key: nothing an outsider can read
// (a staging key, a message id, a document id) goes into it.
func (s *Deps) newEvidenceKey(prefix, suffix string) string {
	return prefix + s.IDs.New() + s.IDs.New() + suffix
}

// eventEvidenceKey returns the evidence key for an outside event: random the first time,
// the same one on every redelivery.
func (s *Deps) eventEvidenceKey(ctx context.Context, eventID, prefix, suffix string) (string, error) {
	key, err := s.Store.Reserve(ctx, "evidence-key:"+eventID, s.newEvidenceKey(prefix, suffix), evidenceKeyTTL)
	if err != nil {
		return "", fmt.Errorf("choose evidence key: %w", err)
	}
	return key, nil
}

// storeEvidence is the one way bytes become stored evidence. The adapter hashes what it
// streams; if the key is taken, the stored versions are read back and only a version whose
// bytes hash to what casehold just received is adopted (an earlier attempt of the same
// event). Anything else there is an integrity incident, never evidence.
func (s *Deps) storeEvidence(ctx context.Context, key string, r io.Reader, hold bool) (casehold.StoredObject, error) {
	obj, err := s.Evidence.Put(ctx, key, r, hold)
	if casehold.ErrorCode(err) != casehold.ECONFLICT || obj.SHA256 == "" {
		return obj, err
	}
	return s.adopt(ctx, obj, hold)
}

// adopt finds, among the versions stored at mine.Key, the one holding exactly the bytes
// casehold hashed. Versions with other bytes are planted or overwritten: audited as an
// incident. With no version of ours there, the bytes are refused with EINTEGRITY.
func (s *Deps) adopt(ctx context.Context, mine casehold.StoredObject, hold bool) (casehold.StoredObject, error) {
	vs, err := s.Evidence.Versions(ctx, mine.Key)
	if err != nil {
		return casehold.StoredObject{}, fmt.Errorf("re-read %s: %w", mine.Key, err)
	}
	var ours *casehold.StoredObject
	foreign := 0
	for _, v := range vs {
		sum, size, err := s.hashVersion(ctx, v.Key, v.VersionID)
		if casehold.ErrorCode(err) == casehold.ENOTFOUND {
			continue // deleted since the listing
		}
		if err != nil && casehold.ErrorCode(err) != casehold.EINTEGRITY {
			return casehold.StoredObject{}, fmt.Errorf("re-read %s: %w", mine.Key, err)
		}
		if err == nil && ours == nil && sum == mine.SHA256 && size == mine.Size {
			v.SHA256, v.Size = sum, size
			ours = &v
			continue
		}
		foreign++
	}
	if ours == nil {
		s.incident(ctx, "", "", fmt.Sprintf("key=%s reason=planted versions=%d", mine.Key, len(vs)))
		return casehold.StoredObject{}, casehold.Errorf(casehold.EINTEGRITY,
			"the evidence store already holds other bytes where this file was to be kept: it was not taken in, and the incident is recorded")
	}
	if foreign > 0 {
		// Ours is there, addressed by its own version id, so it is still good evidence; the
		// other versions are somebody else's and are reported.
		s.incident(ctx, "", "", fmt.Sprintf("key=%s reason=foreign_versions count=%d", mine.Key, foreign))
	}
	if hold {
		if err := s.Evidence.SetLegalHold(ctx, ours.Key, ours.VersionID, true); err != nil {
			return casehold.StoredObject{}, fmt.Errorf("hold %s: %w", ours.Key, err)
		}
	}
	return *ours, nil
}

// hashVersion reads a stored version whole and returns its SHA-256 and size. A read that
// fails part-way (a cut stream, the store's own checksum check) is EINTEGRITY.
func (s *Deps) hashVersion(ctx context.Context, key, versionID string) (string, int64, error) {
	rc, err := s.Evidence.Open(ctx, key, versionID)
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		if ctx.Err() != nil {
			return "", 0, ctx.Err()
		}
		return "", n, fmt.Errorf("%w (%w)", casehold.Errorf(casehold.EINTEGRITY, "the stored bytes could not be read whole"), err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// incident records an integrity incident: an audit event that says so (failed, code
// EINTEGRITY, distinct from any refusal) and an error log line with a fixed message that
// the deployment's alarm matches. detail holds ids and reasons only.
func (s *Deps) incident(ctx context.Context, matterID, docID, detail string) {
	s.Log.ErrorContext(ctx, IncidentLogMessage, "matter", matterID, "document", docID, "detail", detail)
	if err := s.audit(ctx, casehold.AuditEvent{Actor: SystemActor.ID, Action: "evidence.integrity", MatterID: matterID,
		DocumentID: docID, Outcome: casehold.OutcomeFailed, Code: casehold.EINTEGRITY, Detail: detail}); err != nil {
		s.Log.ErrorContext(ctx, "audit of an integrity incident failed", "document", docID, "err", err)
	}
}

// IncidentLogMessage is the log message of every integrity incident; template.yaml's metric
// filter and alarm match it.
const IncidentLogMessage = "evidence integrity incident"
