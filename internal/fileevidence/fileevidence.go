// Package fileevidence is the embedded casehold.Evidence: a folder on the local disk that
// enforces write-once keys and legal holds the way S3 Object Lock does for the AWS adapter.
//
// Layout under root:
//
//	objects/<sha256 of key>/<version>.data   the bytes, read-only
//	objects/<sha256 of key>/<version>.json   the sidecar: key, version, sha256, size, legal hold
//	tmp/                                     staging on the same filesystem, so renames are atomic
//
// A key's folder is named by a hash of the key, so any key (slashes, "..", very long) maps
// to one safe, fixed-length name. A Put stages the whole version folder in tmp and renames it
// into place: rename(2) refuses to replace a non-empty folder, so the first Put of a key wins,
// every other gets ECONFLICT, and a crash leaves either the whole version or nothing.
//
// Puts are safe from several processes, since the rename decides. Holds and deletes are
// read-check-write and are serialised by a mutex in the Store, so only one process (the
// server) should change holds or delete under a root.
package fileevidence

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/hashcopy"
)

var _ casehold.Evidence = (*Store)(nil)

// copyBufferSize is hashcopy's chunk size, kept here for the tests' buffer-boundary cases.
const copyBufferSize = hashcopy.BufferSize

const versionIDLen = 32 // hex characters of a 128-bit random id

// Store is a casehold.Evidence on the local filesystem.
type Store struct {
	objects string
	tmp     string
	lock    *os.File // tmp, locked while this Store holds the folder

	// mu serialises the read-check-write of SetLegalHold and Delete, so a delete can never
	// slip between a hold being set and being seen.
	mu sync.Mutex
}

// sidecar is what is known about a stored version, beside its bytes.
type sidecar struct {
	Key       string `json:"key"`
	VersionID string `json:"version_id"`
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	LegalHold bool   `json:"legal_hold"`
}

func (m sidecar) object() casehold.StoredObject {
	return casehold.StoredObject{Key: m.Key, VersionID: m.VersionID, SHA256: m.SHA256, Size: m.Size}
}

// New opens (creating if needed) the evidence folder at root.
func New(root string) (*Store, error) {
	s := &Store{objects: filepath.Join(root, "objects"), tmp: filepath.Join(root, "tmp")}
	for _, dir := range []string{s.objects, s.tmp} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("open evidence folder: %w", err)
		}
	}
	// Whoever holds the folder's lock is its only user, so everything in tmp was left by a
	// Put or Delete that crashed, and goes now: a partial file must not wait a day. Without
	// the lock another Store has the folder, whose work in progress may be in tmp, so only
	// what is a day old goes.
	if f, ok := lockFolder(s.tmp); ok {
		s.lock = f
		s.removeStale(time.Now().Add(time.Hour))
	} else {
		s.removeStale(time.Now().Add(-staleAfter))
	}
	return s, nil
}

// Close lets go of the folder's lock. The Store must not be used after.
func (s *Store) Close() error {
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close()
	s.lock = nil
	return err
}

// staleAfter is the age after which anything left in tmp belonged to a Put or Delete that
// crashed: no Put takes a day, and a younger entry may be another process's work in progress.
const staleAfter = 24 * time.Hour

// removeStale clears tmp of what crashed operations left behind. It is best effort: what
// it cannot remove now it will try again on the next start.
func (s *Store) removeStale(before time.Time) {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(before) {
			os.RemoveAll(filepath.Join(s.tmp, e.Name()))
		}
	}
}

// keyDir is the folder of key. Hashing, not escaping, means no key can name a path outside
// objects/ nor exceed the file name length limit.
func (s *Store) keyDir(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.objects, hex.EncodeToString(sum[:]))
}

// validVersionID guards Open, SetLegalHold and Delete: a version id is joined into a path,
// so only ids this store could have made are accepted.
func validVersionID(v string) bool {
	if len(v) != versionIDLen {
		return false
	}
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func newVersionID() string {
	b := make([]byte, versionIDLen/2)
	rand.Read(b) // never fails, per crypto/rand
	return hex.EncodeToString(b)
}

// Put stores r under key, write-once.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, legalHold bool) (casehold.StoredObject, error) {
	obj, err := s.put(ctx, key, r, legalHold)
	if err != nil {
		return obj, fmt.Errorf("put evidence %s: %w", key, err)
	}
	return obj, nil
}

func (s *Store) put(ctx context.Context, key string, r io.Reader, legalHold bool) (casehold.StoredObject, error) {
	if key == "" {
		return casehold.StoredObject{}, casehold.Errorf(casehold.EINVALID, "evidence key is empty")
	}
	if err := ctx.Err(); err != nil {
		return casehold.StoredObject{}, err
	}
	final := s.keyDir(key)
	// A key taken already is refused without writing a copy, but the stream is still read
	// and hashed: the caller compares that hash with the stored bytes (a retry of its own
	// earlier write, or something planted). The rename below is what guarantees write-once.
	if _, err := os.Lstat(final); err == nil {
		h := sha256.New()
		n, err := io.Copy(h, ctxReader{ctx, r})
		if err != nil {
			return casehold.StoredObject{}, err
		}
		return casehold.StoredObject{Key: key, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, errKeyTaken()
	}

	stage, err := os.MkdirTemp(s.tmp, "put-")
	if err != nil {
		return casehold.StoredObject{}, fmt.Errorf("stage: %w", err)
	}
	defer os.RemoveAll(stage) // a no-op once the stage has been renamed into place

	meta := sidecar{Key: key, VersionID: newVersionID(), LegalHold: legalHold}
	meta.SHA256, meta.Size, err = writeData(ctx, filepath.Join(stage, meta.VersionID+".data"), r)
	if err != nil {
		return casehold.StoredObject{}, err
	}
	if err := writeSidecar(filepath.Join(stage, meta.VersionID+".json"), meta); err != nil {
		return casehold.StoredObject{}, err
	}
	if err := syncDir(stage); err != nil {
		return casehold.StoredObject{}, err
	}
	if err := os.Rename(stage, final); err != nil {
		// Replacing a non-empty folder fails with EEXIST or ENOTEMPTY; both are ErrExist.
		if errors.Is(err, fs.ErrExist) {
			return casehold.StoredObject{Key: key, SHA256: meta.SHA256, Size: meta.Size}, errKeyTaken()
		}
		return casehold.StoredObject{}, fmt.Errorf("publish: %w", err)
	}
	if err := syncDir(s.objects); err != nil {
		return casehold.StoredObject{}, err
	}
	return meta.object(), nil
}

// writeData copies r to a new read-only file at path, hashing as it goes, and syncs it.
// The bytes are written once; the hash is computed from the same buffer.
func writeData(ctx context.Context, path string, r io.Reader) (sum string, size int64, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return "", 0, fmt.Errorf("create data file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	size, err = hashcopy.Copy(&writebackFile{f: f}, h, ctxReader{ctx, r})
	if err != nil {
		return "", 0, err
	}
	if err := f.Sync(); err != nil {
		return "", 0, fmt.Errorf("sync data file: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", 0, fmt.Errorf("close data file: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// writebackChunk is how much is written before the kernel is asked to start writing it
// to disk (see startWriteback).
const writebackChunk = 8 << 20

// writebackFile writes to f and starts writeback every writebackChunk bytes.
type writebackFile struct {
	f             *os.File
	written, sent int64
}

func (w *writebackFile) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if w.written-w.sent >= writebackChunk {
		startWriteback(w.f, w.sent, w.written-w.sent)
		w.sent = w.written
	}
	return n, err
}

// ctxReader stops a long copy when the caller gives up.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Open returns a reader of the version's bytes.
func (s *Store) Open(ctx context.Context, key, versionID string) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("open evidence %s: %w", key, err)
	}
	if !validVersionID(versionID) {
		return nil, fmt.Errorf("open evidence %s: %w", key, notFound())
	}
	f, err := os.Open(filepath.Join(s.keyDir(key), versionID+".data"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open evidence %s: %w", key, notFound())
	}
	if err != nil {
		return nil, fmt.Errorf("open evidence %s: %w", key, err)
	}
	return f, nil
}

// Versions lists the key's versions (one, unless something outside casehold wrote into
// the folder), oldest first.
func (s *Store) Versions(ctx context.Context, key string) ([]casehold.StoredObject, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", key, err)
	}
	entries, err := os.ReadDir(s.keyDir(key))
	if errors.Is(err, fs.ErrNotExist) {
		return []casehold.StoredObject{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list versions of %s: %w", key, err)
	}
	type found struct {
		obj  casehold.StoredObject
		when time.Time
	}
	var vs []found
	for _, e := range entries {
		v, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !validVersionID(v) {
			continue
		}
		meta, err := s.readSidecar(key, v)
		if err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", key, err)
		}
		fi, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", key, err)
		}
		vs = append(vs, found{meta.object(), fi.ModTime()})
	}
	sort.SliceStable(vs, func(a, b int) bool { return vs[a].when.Before(vs[b].when) })
	out := make([]casehold.StoredObject, len(vs))
	for i, f := range vs {
		out[i] = f.obj
	}
	return out, nil
}

// SetLegalHold turns the version's legal hold on or off.
func (s *Store) SetLegalHold(ctx context.Context, key, versionID string, on bool) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("set legal hold on %s: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	meta, err := s.readSidecar(key, versionID)
	if err != nil {
		return fmt.Errorf("set legal hold on %s: %w", key, err)
	}
	if meta.LegalHold == on {
		return nil
	}
	meta.LegalHold = on
	if err := s.replaceSidecar(meta); err != nil {
		return fmt.Errorf("set legal hold on %s: %w", key, err)
	}
	return nil
}

// LegalHold reports whether the version is under legal hold.
func (s *Store) LegalHold(ctx context.Context, key, versionID string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("legal hold of %s: %w", key, err)
	}
	meta, err := s.readSidecar(key, versionID)
	if err != nil {
		return false, fmt.Errorf("legal hold of %s: %w", key, err)
	}
	return meta.LegalHold, nil
}

// Delete removes the version unless it is held.
func (s *Store) Delete(ctx context.Context, key, versionID string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete evidence %s: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	meta, err := s.readSidecar(key, versionID)
	if err != nil {
		return fmt.Errorf("delete evidence %s: %w", key, err)
	}
	if meta.LegalHold {
		return fmt.Errorf("delete evidence %s: %w", key, casehold.Errorf(casehold.EHELD, "the version is under legal hold"))
	}
	// Move the folder out first, so the version disappears in one step and a failure
	// while removing files cannot leave half a version visible.
	trash, err := os.MkdirTemp(s.tmp, "delete-")
	if err != nil {
		return fmt.Errorf("delete evidence %s: %w", key, err)
	}
	gone := filepath.Join(trash, "v")
	if err := os.Rename(s.keyDir(key), gone); err != nil {
		os.Remove(trash)
		return fmt.Errorf("delete evidence %s: %w", key, err)
	}
	if err := syncDir(s.objects); err != nil {
		return fmt.Errorf("delete evidence %s: %w", key, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("delete evidence %s: clean up: %w", key, err)
	}
	return nil
}

func (s *Store) readSidecar(key, versionID string) (sidecar, error) {
	if !validVersionID(versionID) {
		return sidecar{}, notFound()
	}
	data, err := os.ReadFile(filepath.Join(s.keyDir(key), versionID+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return sidecar{}, notFound()
	}
	if err != nil {
		return sidecar{}, err
	}
	var meta sidecar
	if err := json.Unmarshal(data, &meta); err != nil {
		return sidecar{}, fmt.Errorf("decode sidecar: %w", err)
	}
	if meta.Key != key || meta.VersionID != versionID {
		return sidecar{}, fmt.Errorf("sidecar of version %s does not describe it", versionID)
	}
	return meta, nil
}

// replaceSidecar swaps in a new sidecar atomically: written and synced in tmp, renamed
// over the old one, then the folder synced so the rename survives a crash.
func (s *Store) replaceSidecar(meta sidecar) error {
	tmp := filepath.Join(s.tmp, "sidecar-"+newVersionID())
	if err := writeSidecar(tmp, meta); err != nil {
		os.Remove(tmp)
		return err
	}
	dir := s.keyDir(meta.Key)
	if err := os.Rename(tmp, filepath.Join(dir, meta.VersionID+".json")); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// writeSidecar creates path exclusively, read-only, and syncs it.
func writeSidecar(path string, meta sidecar) error {
	data, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("encode sidecar: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("create sidecar: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write sidecar: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync sidecar: %w", err)
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync folder: %w", err)
	}
	return nil
}

func errKeyTaken() error {
	return casehold.Errorf(casehold.ECONFLICT, "key already has a version")
}

func notFound() error {
	return casehold.Errorf(casehold.ENOTFOUND, "no such evidence version")
}

// DeleteVersions destroys every version of key unless one is held (disposal).
func (s *Store) DeleteVersions(ctx context.Context, key string) ([]casehold.StoredObject, error) {
	out, err := casehold.DeleteAllVersions(ctx, s, key)
	if err != nil {
		return out, fmt.Errorf("delete versions of %s: %w", key, err)
	}
	return out, nil
}
