// Package evidencetest is the contract every casehold.Evidence adapter passes: the local
// write-once folder in every `go test`, S3 with Object Lock against the local gateway in
// `make test`.
package evidencetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/casehold/casehold/internal/casehold"
)

// Harness is a fresh, empty evidence store for one subtest.
type Harness struct {
	Evidence casehold.Evidence
}

// Run runs the whole contract. newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("%PDF-1.7 evidence bytes\n"), 4096)
	sum := sha256.Sum256(data)
	wantSHA := hex.EncodeToString(sum[:])

	put := func(t *testing.T, e casehold.Evidence, key string, hold bool) casehold.StoredObject {
		t.Helper()
		obj, err := e.Put(ctx, key, bytes.NewReader(data), hold)
		if err != nil {
			t.Fatalf("Put(%s): %v", key, err)
		}
		return obj
	}
	readAll := func(t *testing.T, e casehold.Evidence, key, version string) []byte {
		t.Helper()
		rc, err := e.Open(ctx, key, version)
		if err != nil {
			t.Fatalf("Open(%s, %s): %v", key, version, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("read %s: %v", key, err)
		}
		return b
	}
	code := func(t *testing.T, err error, want string) {
		t.Helper()
		if got := casehold.ErrorCode(err); got != want {
			t.Fatalf("error code = %q (%v), want %q", got, err, want)
		}
	}
	hold := func(t *testing.T, e casehold.Evidence, key, version string) bool {
		t.Helper()
		on, err := e.LegalHold(ctx, key, version)
		if err != nil {
			t.Fatalf("LegalHold(%s): %v", key, err)
		}
		return on
	}

	t.Run("PutOpenVersions", func(t *testing.T) {
		e := newHarness(t).Evidence
		obj := put(t, e, "evidence/m1/doc-1.pdf", true)
		if obj.Key != "evidence/m1/doc-1.pdf" || obj.VersionID == "" || obj.SHA256 != wantSHA || obj.Size != int64(len(data)) {
			t.Fatalf("Put = %+v, want key, a version id, sha %s, size %d", obj, wantSHA, len(data))
		}
		if got := readAll(t, e, obj.Key, obj.VersionID); !bytes.Equal(got, data) {
			t.Fatalf("Open returned %d bytes that differ from the %d put", len(got), len(data))
		}
		vs, err := e.Versions(ctx, obj.Key)
		if err != nil {
			t.Fatalf("Versions: %v", err)
		}
		if len(vs) != 1 || vs[0].VersionID != obj.VersionID || vs[0].Size != obj.Size {
			t.Errorf("Versions = %+v, want just %+v", vs, obj)
		}
	})
	t.Run("PutEmpty", func(t *testing.T) {
		e := newHarness(t).Evidence
		obj, err := e.Put(ctx, "evidence/empty", bytes.NewReader(nil), false)
		if err != nil {
			t.Fatalf("Put empty: %v", err)
		}
		empty := sha256.Sum256(nil)
		if obj.Size != 0 || obj.SHA256 != hex.EncodeToString(empty[:]) {
			t.Errorf("Put empty = %+v", obj)
		}
	})
	t.Run("HoldFromPut", func(t *testing.T) {
		e := newHarness(t).Evidence
		held := put(t, e, "evidence/held", true)
		free := put(t, e, "evidence/free", false)
		if !hold(t, e, held.Key, held.VersionID) {
			t.Error("version put with legalHold=true is not held")
		}
		if hold(t, e, free.Key, free.VersionID) {
			t.Error("version put with legalHold=false is held")
		}
	})
	t.Run("ErrConflictWriteOnce", func(t *testing.T) {
		e := newHarness(t).Evidence
		obj := put(t, e, "evidence/once", true)
		replacement := []byte("replacement")
		lost, err := e.Put(ctx, "evidence/once", bytes.NewReader(replacement), false)
		code(t, err, casehold.ECONFLICT)
		// The loser still learns what it sent, so its caller can compare with what is stored.
		want := sha256.Sum256(replacement)
		if lost.SHA256 != hex.EncodeToString(want[:]) || lost.Size != int64(len(replacement)) || lost.VersionID != "" {
			t.Errorf("refused Put returned %+v, want the hash and size of what it read and no version", lost)
		}
		if got := readAll(t, e, obj.Key, obj.VersionID); !bytes.Equal(got, data) {
			t.Fatal("a refused overwrite changed the stored bytes")
		}
		vs, err := e.Versions(ctx, obj.Key)
		if err != nil || len(vs) != 1 || vs[0].VersionID != obj.VersionID {
			t.Fatalf("after a refused overwrite Versions = %+v, %v; want only version %s", vs, err, obj.VersionID)
		}
	})
	t.Run("ConcurrentPutsOneWins", func(t *testing.T) {
		e := newHarness(t).Evidence
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.Put(ctx, "evidence/race", bytes.NewReader([]byte(fmt.Sprintf("writer %d", i))), false)
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else if casehold.ErrorCode(err) != casehold.ECONFLICT {
				t.Errorf("concurrent Put: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d concurrent Puts to one key succeeded, want 1", wins)
		}
	})
	t.Run("ReaderErrorStoresNothing", func(t *testing.T) {
		e := newHarness(t).Evidence
		boom := errors.New("client went away")
		r := io.MultiReader(bytes.NewReader(data[:1000]), errReader{boom})
		_, err := e.Put(ctx, "evidence/broken", r, true)
		if !errors.Is(err, boom) {
			t.Fatalf("Put with a failing reader = %v, want it to wrap the reader's error", err)
		}
		vs, err := e.Versions(ctx, "evidence/broken")
		if err != nil || len(vs) != 0 {
			t.Fatalf("after a failed Put Versions = %+v, %v; want none", vs, err)
		}
		// The key is still free for a good upload.
		put(t, e, "evidence/broken", false)
	})
	t.Run("DeleteHeldRefused", func(t *testing.T) {
		e := newHarness(t).Evidence
		obj := put(t, e, "evidence/keep", true)
		code(t, e.Delete(ctx, obj.Key, obj.VersionID), casehold.EHELD)
		if got := readAll(t, e, obj.Key, obj.VersionID); !bytes.Equal(got, data) {
			t.Fatal("a refused delete changed the stored bytes")
		}
		if !hold(t, e, obj.Key, obj.VersionID) {
			t.Error("a refused delete lifted the hold")
		}
	})
	t.Run("HoldOffThenDelete", func(t *testing.T) {
		e := newHarness(t).Evidence
		obj := put(t, e, "evidence/release", true)
		if err := e.SetLegalHold(ctx, obj.Key, obj.VersionID, false); err != nil {
			t.Fatalf("SetLegalHold off: %v", err)
		}
		if hold(t, e, obj.Key, obj.VersionID) {
			t.Fatal("hold still on after SetLegalHold(false)")
		}
		if err := e.SetLegalHold(ctx, obj.Key, obj.VersionID, true); err != nil {
			t.Fatalf("SetLegalHold on: %v", err)
		}
		code(t, e.Delete(ctx, obj.Key, obj.VersionID), casehold.EHELD)
		if err := e.SetLegalHold(ctx, obj.Key, obj.VersionID, false); err != nil {
			t.Fatalf("SetLegalHold off: %v", err)
		}
		if err := e.Delete(ctx, obj.Key, obj.VersionID); err != nil {
			t.Fatalf("Delete of an unheld version: %v", err)
		}
		_, err := e.Open(ctx, obj.Key, obj.VersionID)
		code(t, err, casehold.ENOTFOUND)
	})
	t.Run("DeleteVersions", func(t *testing.T) {
		e := newHarness(t).Evidence
		obj := put(t, e, "evidence/dispose", false)
		kept := put(t, e, "evidence/neighbour", false)
		gone, err := e.DeleteVersions(ctx, obj.Key)
		if err != nil {
			t.Fatalf("DeleteVersions: %v", err)
		}
		if len(gone) != 1 || gone[0].VersionID != obj.VersionID {
			t.Fatalf("DeleteVersions returned %+v, want the one version", gone)
		}
		_, err = e.Open(ctx, obj.Key, obj.VersionID)
		code(t, err, casehold.ENOTFOUND)
		if vs, err := e.Versions(ctx, obj.Key); err != nil || len(vs) != 0 {
			t.Fatalf("after DeleteVersions: Versions = %+v, %v", vs, err)
		}
		if got := readAll(t, e, kept.Key, kept.VersionID); !bytes.Equal(got, data) {
			t.Fatal("another key was touched")
		}
		again, err := e.DeleteVersions(ctx, obj.Key)
		if err != nil || len(again) != 0 {
			t.Fatalf("DeleteVersions run again = %+v, %v; want nothing and no error", again, err)
		}
	})
	t.Run("DeleteVersionsHeldRefused", func(t *testing.T) {
		e := newHarness(t).Evidence
		obj := put(t, e, "evidence/held-dispose", true)
		gone, err := e.DeleteVersions(ctx, obj.Key)
		code(t, err, casehold.EHELD)
		if len(gone) != 0 {
			t.Fatalf("a refused DeleteVersions deleted %+v", gone)
		}
		if got := readAll(t, e, obj.Key, obj.VersionID); !bytes.Equal(got, data) || !hold(t, e, obj.Key, obj.VersionID) {
			t.Fatal("a refused DeleteVersions changed the version or its hold")
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		e := newHarness(t).Evidence
		obj := put(t, e, "evidence/present", false)
		cases := []struct {
			name string
			err  func() error
		}{
			{"OpenMissingKey", func() error { _, err := e.Open(ctx, "evidence/absent", obj.VersionID); return err }},
			{"OpenMissingVersion", func() error { _, err := e.Open(ctx, obj.Key, "no-such-version"); return err }},
			{"LegalHold", func() error { _, err := e.LegalHold(ctx, "evidence/absent", "v"); return err }},
			{"SetLegalHold", func() error { return e.SetLegalHold(ctx, "evidence/absent", "v", true) }},
			{"Delete", func() error { return e.Delete(ctx, "evidence/absent", "v") }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) { code(t, c.err(), casehold.ENOTFOUND) })
		}
	})
	t.Run("VersionsOfAbsentKey", func(t *testing.T) {
		e := newHarness(t).Evidence
		put(t, e, "evidence/prefix-longer", false) // a key that only starts with the asked one
		vs, err := e.Versions(ctx, "evidence/prefix")
		if err != nil || len(vs) != 0 {
			t.Fatalf("Versions of an absent key = %+v, %v; want none and no error", vs, err)
		}
	})
	t.Run("KeysAreOpaque", func(t *testing.T) {
		e := newHarness(t).Evidence
		for _, key := range []string{"evidence/a/b/c.pdf", "evidence/with space & symbols (1).pdf"} {
			obj := put(t, e, key, false)
			if got := readAll(t, e, key, obj.VersionID); !bytes.Equal(got, data) {
				t.Errorf("key %q did not round-trip", key)
			}
		}
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
