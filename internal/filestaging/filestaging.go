// Package filestaging is the local stand-in for the S3 upload bucket: the server hands out
// signed, expiring PUT URLs to itself, keeps the signed metadata beside each slot, and
// stores what arrives in a folder until the ingest handler secures it.
package filestaging

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// Staging keeps staged uploads under dir.
type Staging struct {
	dir     string
	baseURL string
	secret  []byte
	max     int64
	now     func() time.Time
}

var _ casehold.Staging = (*Staging)(nil)

// New returns a staging folder whose URLs point at baseURL (the local server). max bounds
// one upload; secret signs the URLs. Partial files left by a crash mid-upload are removed
// now: nobody can finish them, and the uploader's PUT failed, so they send again.
func New(dir, baseURL string, secret []byte, max int64) (*Staging, error) {
	for _, d := range []string{"slots", "files"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("staging folder: %w", err)
		}
	}
	parts, err := filepath.Glob(filepath.Join(dir, "files", ".part-*"))
	if err != nil {
		return nil, fmt.Errorf("staging folder: %w", err)
	}
	for _, p := range parts {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("remove partial upload: %w", err)
		}
	}
	return &Staging{dir: dir, baseURL: baseURL, secret: secret, max: max, now: time.Now}, nil
}

// slot is what is kept for a presigned slot: the signed metadata and when it expires.
type slot struct {
	Meta    map[string]string `json:"meta"`
	Expires int64             `json:"expires"` // Unix seconds
}

func (s *Staging) slotPath(key string) string {
	return filepath.Join(s.dir, "slots", name(key)+".json")
}
func (s *Staging) filePath(key string) string { return filepath.Join(s.dir, "files", name(key)) }

func (s *Staging) readSlot(key string) (slot, error) {
	b, err := os.ReadFile(s.slotPath(key))
	if err != nil {
		return slot{}, casehold.Errorf(casehold.ENOTFOUND, "no such upload slot")
	}
	var sl slot
	if err := json.Unmarshal(b, &sl); err != nil {
		return slot{}, fmt.Errorf("staged metadata %s: %w", key, err)
	}
	return sl, nil
}

// name maps a key to a flat, safe file name.
func name(key string) string { return hex.EncodeToString([]byte(key)) }

func (s *Staging) sign(key string, expires int64) string {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "PUT\n%s\n%d", key, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// PresignPut records the slot's metadata and returns a signed URL on the local server.
func (s *Staging) PresignPut(_ context.Context, key string, meta map[string]string, ttl time.Duration) (casehold.PresignedUpload, error) {
	exp := s.now().Add(ttl).Truncate(time.Second)
	b, err := json.Marshal(slot{Meta: meta, Expires: exp.Unix()})
	if err != nil {
		return casehold.PresignedUpload{}, fmt.Errorf("presign %s: %w", key, err)
	}
	if err := os.WriteFile(s.slotPath(key), b, 0o600); err != nil {
		return casehold.PresignedUpload{}, fmt.Errorf("presign %s: %w", key, err)
	}
	q := url.Values{"expires": {strconv.FormatInt(exp.Unix(), 10)}, "signature": {s.sign(key, exp.Unix())}}
	return casehold.PresignedUpload{
		URL:       s.baseURL + "/" + key + "?" + q.Encode(),
		Method:    "PUT",
		Headers:   map[string][]string{"Content-Type": {"application/pdf"}},
		ExpiresAt: exp.UTC(),
	}, nil
}

// Receive checks a presigned PUT and stores its body write-once. It returns the version id
// (always "1": a slot takes one file at a time; once the ingest has deleted a refused file
// the slot takes a corrected one until it expires).
func (s *Staging) Receive(_ context.Context, key, expires, signature string, r io.Reader) (string, error) {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !hmac.Equal([]byte(signature), []byte(s.sign(key, exp))) {
		return "", casehold.Errorf(casehold.EFORBIDDEN, "upload URL signature is not valid")
	}
	if s.now().Unix() > exp {
		return "", casehold.Errorf(casehold.EFORBIDDEN, "upload URL has expired")
	}
	if _, err := s.readSlot(key); err != nil {
		return "", err
	}
	if _, err := os.Stat(s.filePath(key)); err == nil {
		return "", casehold.Errorf(casehold.ECONFLICT, "this upload URL was used already")
	}
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "files"), ".part-*")
	if err != nil {
		return "", fmt.Errorf("stage %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, io.LimitReader(r, s.max+1))
	if err == nil && n > s.max {
		err = casehold.Errorf(casehold.ETOOLARGE, "file is larger than the limit of %d bytes", s.max)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("stage %s: %w", key, err)
	}
	if err := os.Link(tmp.Name(), s.filePath(key)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", casehold.Errorf(casehold.ECONFLICT, "this upload URL was used already")
		}
		return "", fmt.Errorf("stage %s: %w", key, err)
	}
	return "1", nil
}

// Open returns a staged file and its slot's metadata.
func (s *Staging) Open(_ context.Context, key, _ string) (io.ReadCloser, map[string]string, error) {
	sl, err := s.readSlot(key)
	if err != nil {
		return nil, nil, casehold.Errorf(casehold.ENOTFOUND, "no staged upload with that key")
	}
	f, err := os.Open(s.filePath(key))
	if err != nil {
		return nil, nil, casehold.Errorf(casehold.ENOTFOUND, "no staged upload with that key")
	}
	return f, sl.Meta, nil
}

// Delete removes a secured upload and its slot: the slot has been used.
func (s *Staging) Delete(_ context.Context, key string) error {
	for _, p := range []string{s.filePath(key), s.slotPath(key)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove staged %s: %w", key, err)
		}
	}
	return nil
}

// Discard removes a refused file and keeps its slot until it expires (Sweep removes it),
// as a presigned S3 URL stays valid, so the uploader can send a corrected file.
func (s *Staging) Discard(_ context.Context, key string) error {
	if err := os.Remove(s.filePath(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("discard staged %s: %w", key, err)
	}
	return nil
}

// Pending lists the keys of files staged and not yet removed: bodies that landed whole
// but whose ingest did not finish (the server stopped in between). The caller ingests
// them again; ingesting is idempotent.
func (s *Staging) Pending() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "files"))
	if err != nil {
		return nil, fmt.Errorf("list staged files: %w", err)
	}
	var keys []string
	for _, e := range entries {
		k, err := hex.DecodeString(e.Name())
		if err != nil || !e.Type().IsRegular() {
			continue // a partial upload (.part-*) or something that is not ours
		}
		keys = append(keys, string(k))
	}
	return keys, nil
}

// Sweep removes slots, and any file still staged under them, that expired more than grace
// ago: as the upload bucket's lifecycle rule does in AWS. grace leaves time to ingest what
// landed just before expiry.
func (s *Staging) Sweep(grace time.Duration) (removed int, err error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "slots"))
	if err != nil {
		return 0, fmt.Errorf("list upload slots: %w", err)
	}
	cutoff := s.now().Add(-grace).Unix()
	for _, e := range entries {
		k, derr := hex.DecodeString(strings.TrimSuffix(e.Name(), ".json"))
		if derr != nil {
			continue
		}
		key := string(k)
		sl, rerr := s.readSlot(key)
		if rerr != nil || sl.Expires > cutoff {
			continue
		}
		for _, p := range []string{s.filePath(key), s.slotPath(key)} {
			if rmErr := os.Remove(p); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
				return removed, fmt.Errorf("remove expired upload: %w", rmErr)
			}
		}
		removed++
	}
	return removed, nil
}
