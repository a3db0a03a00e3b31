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
// one upload; secret signs the URLs.
func New(dir, baseURL string, secret []byte, max int64) (*Staging, error) {
	for _, d := range []string{"slots", "files"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("staging folder: %w", err)
		}
	}
	return &Staging{dir: dir, baseURL: baseURL, secret: secret, max: max, now: time.Now}, nil
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
	b, err := json.Marshal(meta)
	if err != nil {
		return casehold.PresignedUpload{}, fmt.Errorf("presign %s: %w", key, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "slots", name(key)+".json"), b, 0o600); err != nil {
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
// (always "1": a slot takes one file).
func (s *Staging) Receive(_ context.Context, key, expires, signature string, r io.Reader) (string, error) {
	exp, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || !hmac.Equal([]byte(signature), []byte(s.sign(key, exp))) {
		return "", casehold.Errorf(casehold.EFORBIDDEN, "upload URL signature is not valid")
	}
	if s.now().Unix() > exp {
		return "", casehold.Errorf(casehold.EFORBIDDEN, "upload URL has expired")
	}
	if _, err := os.Stat(filepath.Join(s.dir, "slots", name(key)+".json")); err != nil {
		return "", casehold.Errorf(casehold.ENOTFOUND, "no such upload slot")
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
	if err := os.Link(tmp.Name(), filepath.Join(s.dir, "files", name(key))); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", casehold.Errorf(casehold.ECONFLICT, "this upload URL was used already")
		}
		return "", fmt.Errorf("stage %s: %w", key, err)
	}
	return "1", nil
}

// Open returns a staged file and its slot's metadata.
func (s *Staging) Open(_ context.Context, key, _ string) (io.ReadCloser, map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, "slots", name(key)+".json"))
	if err != nil {
		return nil, nil, casehold.Errorf(casehold.ENOTFOUND, "no staged upload with that key")
	}
	var meta map[string]string
	if err := json.Unmarshal(b, &meta); err != nil {
		return nil, nil, fmt.Errorf("staged metadata %s: %w", key, err)
	}
	f, err := os.Open(filepath.Join(s.dir, "files", name(key)))
	if err != nil {
		return nil, nil, casehold.Errorf(casehold.ENOTFOUND, "no staged upload with that key")
	}
	return f, meta, nil
}

// Delete removes a staged file and its slot.
func (s *Staging) Delete(_ context.Context, key string) error {
	for _, p := range []string{filepath.Join(s.dir, "files", name(key)), filepath.Join(s.dir, "slots", name(key)+".json")} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove staged %s: %w", key, err)
		}
	}
	return nil
}
