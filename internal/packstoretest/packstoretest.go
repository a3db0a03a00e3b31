// Package packstoretest is the contract every casehold.PackStore adapter passes: the local
// folder (internal/filepacks) in every `go test`, the S3 staging bucket (internal/s3packs)
// against the local S3 gateway in `make test`.
//
// What it pins down:
//   - nothing is visible under a key until Commit, and an aborted pack leaves nothing behind
//     (no file, no half-finished multipart upload), so a recipient can never be handed part
//     of a pack;
//   - a pack larger than the adapter's part size round-trips byte for byte;
//   - committing again under a key replaces the pack (a resumed build);
//   - a download link, where the adapter makes one, fetches the pack without signing in;
//   - Delete removes a pack, and deleting an absent one is not an error.
package packstoretest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// Harness is a fresh pack store for one subtest.
type Harness struct {
	Packs casehold.PackStore
	// PartSize is the size of the pieces the adapter sends (0: it writes a stream), so the
	// suite writes packs of several parts.
	PartSize int64
	// Unfinished counts uploads or temporary files left unfinished in the store.
	Unfinished func(t *testing.T) int
}

// Run runs the whole contract. newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	ctx := context.Background()
	newKey := func() string { return "exports/" + strings.ToLower(rand.Text()) + ".zip" }
	write := func(t *testing.T, p casehold.PackStore, key string, data []byte, chunk int) casehold.PackWriter {
		t.Helper()
		w, err := p.Create(ctx, key)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		for rest := data; len(rest) > 0; {
			n := min(chunk, len(rest))
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatalf("Write: %v", err)
			}
			rest = rest[n:]
		}
		return w
	}
	read := func(t *testing.T, p casehold.PackStore, key string) []byte {
		t.Helper()
		rc, size, err := p.Open(ctx, key)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("read pack: %v", err)
		}
		if size != int64(len(b)) {
			t.Errorf("Open said %d bytes, read %d", size, len(b))
		}
		return b
	}
	absent := func(t *testing.T, p casehold.PackStore, key string) {
		t.Helper()
		rc, _, err := p.Open(ctx, key)
		if err == nil {
			rc.Close()
		}
		if code := casehold.ErrorCode(err); code != casehold.ENOTFOUND {
			t.Fatalf("Open of a key with no pack: error code %q (%v), want %q", code, err, casehold.ENOTFOUND)
		}
	}
	body := func(h Harness) []byte {
		n := 3*h.PartSize + 12345
		if h.PartSize == 0 {
			n = 3<<20 + 12345
		}
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	unfinished := func(t *testing.T, h Harness, want int) {
		t.Helper()
		if h.Unfinished == nil {
			t.Fatal("the harness must count unfinished uploads")
		}
		if got := h.Unfinished(t); got != want {
			t.Errorf("%d unfinished uploads left in the store, want %d", got, want)
		}
	}

	t.Run("CommitThenOpen", func(t *testing.T) {
		h := newHarness(t)
		key, data := newKey(), body(h)
		w := write(t, h.Packs, key, data, 64<<10+7)
		absent(t, h.Packs, key) // not visible while it is written
		n, err := w.Commit()
		if err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if n != int64(len(data)) {
			t.Errorf("Commit size = %d, want %d", n, len(data))
		}
		if got := read(t, h.Packs, key); sha256.Sum256(got) != sha256.Sum256(data) {
			t.Fatalf("read back %d bytes that differ from the %d written", len(got), len(data))
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after Commit: %v", err)
		}
		read(t, h.Packs, key) // still there
		unfinished(t, h, 0)
	})
	t.Run("SmallPack", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		w := write(t, h.Packs, key, []byte("PK small"), 3)
		if _, err := w.Commit(); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if got := read(t, h.Packs, key); string(got) != "PK small" {
			t.Errorf("read %q", got)
		}
		w, err := h.Packs.Create(ctx, newKey())
		if err != nil {
			t.Fatal(err)
		}
		if n, err := w.Commit(); err != nil || n != 0 {
			t.Errorf("empty pack: %d, %v", n, err)
		}
	})
	t.Run("AbortLeavesNothing", func(t *testing.T) {
		h := newHarness(t)
		key, data := newKey(), body(h)
		w := write(t, h.Packs, key, data[:len(data)-1000], 1<<20)
		if err := w.Abort(); err != nil {
			t.Fatalf("Abort: %v", err)
		}
		absent(t, h.Packs, key)
		unfinished(t, h, 0)
		if _, err := w.Write([]byte("more")); err == nil {
			t.Error("Write after Abort succeeded")
		}
		if _, err := w.Commit(); err == nil {
			t.Error("Commit after Abort succeeded")
		}
		absent(t, h.Packs, key)
	})
	t.Run("CommitAgainReplaces", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		for _, s := range []string{"first build, cut short", "second build"} {
			if _, err := write(t, h.Packs, key, []byte(s), 5).Commit(); err != nil {
				t.Fatal(err)
			}
		}
		if got := read(t, h.Packs, key); string(got) != "second build" {
			t.Errorf("read %q after a second commit", got)
		}
	})
	t.Run("Link", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		if _, err := write(t, h.Packs, key, []byte("PK the pack"), 4).Commit(); err != nil {
			t.Fatal(err)
		}
		u, err := h.Packs.Link(ctx, key, "casehold-m-1.zip", 15*time.Minute)
		if err != nil {
			t.Fatalf("Link: %v", err)
		}
		if u == "" {
			t.Skip("the adapter makes no links: casehold serves its packs itself")
		}
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK || !bytes.Equal(b, []byte("PK the pack")) {
			t.Fatalf("GET link: %d %q", res.StatusCode, b)
		}
		if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "casehold-m-1.zip") {
			t.Errorf("Content-Disposition = %q, want the file name", cd)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		if _, err := write(t, h.Packs, key, []byte("PK gone soon"), 4).Commit(); err != nil {
			t.Fatal(err)
		}
		if err := h.Packs.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		absent(t, h.Packs, key)
		if err := h.Packs.Delete(ctx, key); err != nil {
			t.Errorf("Delete of an absent pack: %v", err)
		}
	})
}
