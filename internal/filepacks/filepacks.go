// Package filepacks keeps built evidence packs in a local folder (the embedded
// casehold.PackStore). A pack is written to a temporary file and renamed into place on
// Commit, so a reader never sees part of one; the local server streams it to its requester
// (GET /exports/{id}/download), so Link makes no URL.
package filepacks

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// Packs is a folder of packs.
type Packs struct{ dir string }

var _ casehold.PackStore = (*Packs)(nil)

const partial = ".partial-"

// New opens (making it if needed) the folder dir. Temporary files a crash left mid-build
// are removed: their job is built again from the start.
func New(dir string) (*Packs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("packs folder %s: %w", dir, err)
	}
	left, err := filepath.Glob(filepath.Join(dir, partial+"*"))
	if err != nil {
		return nil, err
	}
	for _, p := range left {
		_ = os.Remove(p)
	}
	return &Packs{dir: dir}, nil
}

// path names the file by the key's hex, so no key can reach outside the folder.
func (p *Packs) path(key string) string {
	return filepath.Join(p.dir, hex.EncodeToString([]byte(key))+".zip")
}

// Unfinished counts temporary files of packs being written (for the contract suite).
func (p *Packs) Unfinished() int {
	left, _ := filepath.Glob(filepath.Join(p.dir, partial+"*"))
	return len(left)
}

func (p *Packs) Create(_ context.Context, key string) (casehold.PackWriter, error) {
	if key == "" {
		return nil, casehold.Errorf(casehold.EINVALID, "pack key is empty")
	}
	f, err := os.CreateTemp(p.dir, partial+"*")
	if err != nil {
		return nil, fmt.Errorf("create pack: %w", err)
	}
	return &writer{f: f, dst: p.path(key)}, nil
}

type writer struct {
	f    *os.File
	dst  string
	n    int64
	done bool
}

func (w *writer) Write(b []byte) (int, error) {
	if w.done {
		return 0, errors.New("pack: write after commit or abort")
	}
	n, err := w.f.Write(b)
	w.n += int64(n)
	return n, err
}

func (w *writer) Commit() (int64, error) {
	if w.done {
		return 0, errors.New("pack: commit after commit or abort")
	}
	w.done = true
	err := w.f.Sync()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.f.Name(), w.dst)
	}
	if err != nil {
		_ = os.Remove(w.f.Name())
		return 0, fmt.Errorf("commit pack: %w", err)
	}
	return w.n, nil
}

func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	if err := os.Remove(w.f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("abort pack: %w", err)
	}
	return nil
}

func (p *Packs) Open(_ context.Context, key string) (io.ReadCloser, int64, error) {
	f, err := os.Open(p.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, casehold.Errorf(casehold.ENOTFOUND, "no evidence pack with that key (it may have expired)")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open pack: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("open pack: %w", err)
	}
	return f, st.Size(), nil
}

// Link makes no URL: the local server serves packs to their requester itself.
func (p *Packs) Link(context.Context, string, string, time.Duration) (string, error) { return "", nil }

func (p *Packs) Delete(_ context.Context, key string) error {
	if err := os.Remove(p.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete pack: %w", err)
	}
	return nil
}

// Expire deletes packs older than age (the local counterpart of the bucket's lifecycle
// rule) and returns how many it deleted.
func (p *Packs) Expire(now time.Time, age time.Duration) (int, error) {
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		return 0, fmt.Errorf("expire packs: %w", err)
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || strings.HasPrefix(e.Name(), partial) || !strings.HasSuffix(e.Name(), ".zip") {
			continue
		}
		if now.Sub(info.ModTime()) > age && os.Remove(filepath.Join(p.dir, e.Name())) == nil {
			n++
		}
	}
	return n, nil
}
