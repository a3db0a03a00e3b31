package fileevidence

import (
	"bytes"
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
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/evidencetest"
)

func TestContract(t *testing.T) {
	evidencetest.Run(t, func(t *testing.T) evidencetest.Harness {
		return evidencetest.Harness{Evidence: mustNew(t, t.TempDir())}
	})
}

func mustNew(t *testing.T, root string) *Store {
	t.Helper()
	s, err := New(root)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func mustPut(t *testing.T, s *Store, key string, data []byte, hold bool) casehold.StoredObject {
	t.Helper()
	obj, err := s.Put(context.Background(), key, bytes.NewReader(data), hold)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return obj
}

func mustRead(t *testing.T, s *Store, key, version string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), key, version)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// files lists every regular file under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPut_KeysCannotEscape(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "evidence")
	s := mustNew(t, root)
	keys := []string{
		"..", ".", "/", "../../outside", "/etc/passwd", "evidence/../../x", `..\..\x`,
		"a/b", "a%2Fb", "a\x00b", "évidence/ünïcode", strings.Repeat("k", 2000),
	}
	for i, key := range keys {
		data := []byte(fmt.Sprintf("object %d", i))
		obj := mustPut(t, s, key, data, false)
		if got := mustRead(t, s, key, obj.VersionID); !bytes.Equal(got, data) {
			t.Errorf("key %q read back %q, want %q", key, got, data)
		}
		vs, err := s.Versions(context.Background(), key)
		if err != nil || len(vs) != 1 || vs[0].Key != key {
			t.Errorf("Versions(%q) = %+v, %v", key, vs, err)
		}
	}
	// Everything stayed inside root, and nothing is left in staging.
	entries, err := os.ReadDir(parent)
	if err != nil || len(entries) != 1 || entries[0].Name() != "evidence" {
		t.Errorf("the parent of root holds %v (%v), want only the root", entries, err)
	}
	if got := files(t, filepath.Join(root, "objects")); len(got) != 2*len(keys) {
		t.Errorf("objects/ holds %d files, want %d (data and sidecar per key)", len(got), 2*len(keys))
	}
	if got := files(t, filepath.Join(root, "tmp")); len(got) != 0 {
		t.Errorf("tmp/ holds %v after successful puts", got)
	}
}

func TestVersionIDsCannotEscape(t *testing.T) {
	ctx := context.Background()
	s := mustNew(t, t.TempDir())
	obj := mustPut(t, s, "evidence/a", []byte("a"), false)
	for _, v := range []string{"", "..", "../../../../etc/passwd", obj.VersionID + "/../" + obj.VersionID,
		strings.ToUpper(obj.VersionID), obj.VersionID + ".data"} {
		_, err := s.Open(ctx, obj.Key, v)
		if casehold.ErrorCode(err) != casehold.ENOTFOUND {
			t.Errorf("Open(version %q) = %v, want not found", v, err)
		}
		if err := s.Delete(ctx, obj.Key, v); casehold.ErrorCode(err) != casehold.ENOTFOUND {
			t.Errorf("Delete(version %q) = %v, want not found", v, err)
		}
	}
}

func TestFilesAreReadOnly(t *testing.T) {
	root := t.TempDir()
	s := mustNew(t, root)
	obj := mustPut(t, s, "evidence/ro", []byte("bytes"), true)
	mustOK(t, s.SetLegalHold(context.Background(), obj.Key, obj.VersionID, false))
	dir := s.keyDir(obj.Key)
	for _, name := range []string{obj.VersionID + ".data", obj.VersionID + ".json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o444 {
			t.Errorf("%s has mode %v, want -r--r--r--", name, fi.Mode().Perm())
		}
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func TestSidecarFollowsHold(t *testing.T) {
	ctx := context.Background()
	s := mustNew(t, t.TempDir())
	data := []byte("held bytes")
	obj := mustPut(t, s, "evidence/held", data, true)
	sum := sha256.Sum256(data)
	readSidecar := func() sidecar {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(s.keyDir(obj.Key), obj.VersionID+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var m sidecar
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	steps := []struct {
		name string
		set  *bool
		want bool
	}{
		{"AfterPut", nil, true},
		{"Off", ptr(false), false},
		{"OffAgain", ptr(false), false},
		{"On", ptr(true), true},
	}
	for _, st := range steps {
		if st.set != nil {
			mustOK(t, s.SetLegalHold(ctx, obj.Key, obj.VersionID, *st.set))
		}
		m := readSidecar()
		if m.LegalHold != st.want || m.Key != obj.Key || m.VersionID != obj.VersionID ||
			m.Size != int64(len(data)) || m.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: sidecar = %+v, want hold %v", st.name, m, st.want)
		}
	}
	if got := files(t, s.tmp); len(got) != 0 {
		t.Errorf("tmp/ holds %v after hold changes", got)
	}
}

func ptr[T any](v T) *T { return &v }

func TestConcurrentPutsSameKey(t *testing.T) {
	ctx := context.Background()
	s := mustNew(t, t.TempDir())
	const n = 16
	payloads := make([][]byte, n)
	for i := range payloads {
		payloads[i] = bytes.Repeat([]byte{byte('a' + i)}, 3<<20+i)
	}
	objs := make([]casehold.StoredObject, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			objs[i], errs[i] = s.Put(ctx, "evidence/race", bytes.NewReader(payloads[i]), false)
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("Puts %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case casehold.ErrorCode(err) != casehold.ECONFLICT:
			t.Errorf("Put %d: %v, want conflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no Put succeeded")
	}
	vs, err := s.Versions(ctx, "evidence/race")
	if err != nil || len(vs) != 1 || vs[0] != objs[winner] {
		t.Errorf("Versions = %+v, %v; want only the winner %+v", vs, err, objs[winner])
	}
	if got := mustRead(t, s, "evidence/race", objs[winner].VersionID); !bytes.Equal(got, payloads[winner]) {
		t.Error("stored bytes are not the winner's")
	}
	if got := files(t, s.tmp); len(got) != 0 {
		t.Errorf("tmp/ holds %v after the race", got)
	}
}

func TestPut_FailedReadLeavesNothing(t *testing.T) {
	boom := errors.New("connection reset")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	big := make([]byte, 3<<20)
	cases := []struct {
		name    string
		ctx     context.Context
		r       io.Reader
		wantErr error
	}{
		{"ReaderError", context.Background(), io.MultiReader(bytes.NewReader(big), iotest.ErrReader(boom)), boom},
		// A truncated body reports io.ErrUnexpectedEOF itself; it must not pass as a short end.
		{"ReaderUnexpectedEOF", context.Background(), io.MultiReader(bytes.NewReader(big[:100]), iotest.ErrReader(io.ErrUnexpectedEOF)), io.ErrUnexpectedEOF},
		{"ContextCancelled", cancelled, bytes.NewReader(big), context.Canceled},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustNew(t, t.TempDir())
			_, err := s.Put(c.ctx, "evidence/k", c.r, true)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("Put = %v, want it to wrap %v", err, c.wantErr)
			}
			if got := files(t, filepath.Dir(s.objects)); len(got) != 0 {
				t.Errorf("a failed Put left %v", got)
			}
		})
	}
}

func TestPut_HashesAcrossBuffers(t *testing.T) {
	data := make([]byte, 3*copyBufferSize+12345)
	rand.Read(data)
	cases := []struct {
		name string
		data []byte
		wrap func(io.Reader) io.Reader
	}{
		{"Whole", data, nil},
		{"HalfReads", data, iotest.HalfReader},
		{"EOFWithData", data, iotest.DataErrReader},
		{"ExactBuffers", data[:2*copyBufferSize], nil},
		{"OneShort", data[:copyBufferSize-1], nil},
		{"OneByte", data[:1], nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustNew(t, t.TempDir())
			var r io.Reader = bytes.NewReader(c.data)
			if c.wrap != nil {
				r = c.wrap(r)
			}
			obj, err := s.Put(context.Background(), "k", r, false)
			mustOK(t, err)
			sum := sha256.Sum256(c.data)
			if obj.SHA256 != hex.EncodeToString(sum[:]) || obj.Size != int64(len(c.data)) {
				t.Errorf("Put = %+v, want sha %x size %d", obj, sum, len(c.data))
			}
			if got := mustRead(t, s, "k", obj.VersionID); !bytes.Equal(got, c.data) {
				t.Error("stored bytes differ")
			}
		})
	}
}

func TestReopenKeepsHolds(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	obj := mustPut(t, mustNew(t, root), "evidence/kept", []byte("kept"), true)
	s := mustNew(t, root)
	if err := s.Delete(ctx, obj.Key, obj.VersionID); casehold.ErrorCode(err) != casehold.EHELD {
		t.Fatalf("Delete after reopen = %v, want held", err)
	}
	if got := mustRead(t, s, obj.Key, obj.VersionID); string(got) != "kept" {
		t.Errorf("read %q", got)
	}
}

func TestNew_RemovesStaleStaging(t *testing.T) {
	root := t.TempDir()
	s := mustNew(t, root)
	old := filepath.Join(s.tmp, "put-crashed")
	young := filepath.Join(s.tmp, "put-running")
	for _, dir := range []string{old, young} {
		mustOK(t, os.MkdirAll(dir, 0o700))
		mustOK(t, os.WriteFile(filepath.Join(dir, "x.data"), []byte("partial"), 0o444))
	}
	long := time.Now().Add(-2 * staleAfter)
	mustOK(t, os.Chtimes(old, long, long))

	mustNew(t, root)
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale staging survived: %v", err)
	}
	// The first Store still has the folder: its work in progress stays.
	if _, err := os.Stat(young); err != nil {
		t.Errorf("young staging was removed while another Store had the folder: %v", err)
	}
}

// TestNew_RemovesAllStagingWhenAlone: after a crash the next Store to open the folder is its
// only user, so every partial file goes at once, not after a day.
func TestNew_RemovesAllStagingWhenAlone(t *testing.T) {
	root := t.TempDir()
	s := mustNew(t, root)
	partial := filepath.Join(s.tmp, "put-crashed-just-now")
	mustOK(t, os.MkdirAll(partial, 0o700))
	mustOK(t, os.WriteFile(filepath.Join(partial, "x.data"), []byte("partial"), 0o444))
	mustOK(t, s.Close()) // the process that held the folder is gone

	s2 := mustNew(t, root)
	defer s2.Close()
	if _, err := os.Stat(partial); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("partial file left by a crash survived the restart: %v", err)
	}
	if entries, _ := os.ReadDir(s2.tmp); len(entries) != 0 {
		t.Errorf("tmp holds %d entries after the restart", len(entries))
	}
}
