// Package stagingtest is the contract every casehold.Staging adapter passes: the local
// folder (internal/filestaging) in every `go test`, the S3 upload bucket
// (internal/s3staging) against the local S3 gateway in `make test`.
//
// What it pins down, at the staging port itself (the ingest handler adds its own checks):
//   - a presigned slot takes one file: while a file is staged under it, a second PUT is
//     refused and the first bytes stay as they were;
//   - a file the ingest refused and discarded frees its slot: the uploader may PUT a
//     corrected file to the same URL while it is valid, with the same signed metadata;
//   - a secured file, once deleted, is gone (whether its slot takes another file is the
//     adapter's: a presigned S3 URL cannot be revoked, so the ingest guards that);
//   - an expired slot takes nothing;
//   - a body over the size limit is refused at the PUT where the adapter can do so. An S3
//     presigned PUT carries no size condition, so that adapter says MaxBytes 0 and the
//     ingest check (pdfcheck, with the same limit) is the limit: the weaker promise, stated.
//   - the metadata signed into the slot is what Open returns, whatever the uploader sends.
package stagingtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"maps"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// Harness is a fresh staging area for one subtest and a client that uploads to it.
type Harness struct {
	Staging casehold.Staging
	// Put sends body as the uploader would, to the slot up describes (up.URL, up.Method,
	// up.Headers). It returns "" if the body was staged, else the refusal's error code:
	// ECONFLICT (slot in use), EFORBIDDEN (expired or not signed), ETOOLARGE.
	Put func(t *testing.T, up casehold.PresignedUpload, body []byte) string
	// MaxBytes is the largest body the adapter accepts at the PUT, or 0 if it cannot refuse
	// by size there.
	MaxBytes int64
}

// Run runs the whole contract. newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	ctx := context.Background()
	meta := map[string]string{"casehold-matter": "m-contract", "casehold-pid": "P1", "casehold-doc-type": "Contact"}
	newKey := func() string { return "uploads/m-contract/" + rand.Text() + ".pdf" }
	body := func(s string) []byte { return []byte("%PDF-1.7\n" + s + "\n%%EOF\n") }
	mustOpen := func(t *testing.T, st casehold.Staging, key string) ([]byte, map[string]string) {
		t.Helper()
		rc, got, err := st.Open(ctx, key, "")
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("read staged: %v", err)
		}
		return b, got
	}
	absent := func(t *testing.T, st casehold.Staging, key string) {
		t.Helper()
		rc, _, err := st.Open(ctx, key, "")
		if err == nil {
			rc.Close()
		}
		if code := casehold.ErrorCode(err); code != casehold.ENOTFOUND {
			t.Fatalf("Open of a key with nothing staged: error code %q (%v), want %q", code, err, casehold.ENOTFOUND)
		}
	}

	t.Run("PutThenOpen", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		up, err := h.Staging.PresignPut(ctx, key, meta, time.Minute)
		if err != nil {
			t.Fatalf("PresignPut: %v", err)
		}
		if up.Method != "PUT" || up.URL == "" || !up.ExpiresAt.After(time.Now()) {
			t.Errorf("presigned upload = %+v", up)
		}
		absent(t, h.Staging, key)
		if code := h.Put(t, up, body("first")); code != "" {
			t.Fatalf("Put: %s", code)
		}
		got, gotMeta := mustOpen(t, h.Staging, key)
		if !bytes.Equal(got, body("first")) {
			t.Errorf("staged bytes = %q", got)
		}
		if !maps.Equal(gotMeta, meta) {
			t.Errorf("staged metadata = %v, want the signed %v", gotMeta, meta)
		}
	})

	t.Run("SlotUsedOnce", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		up, err := h.Staging.PresignPut(ctx, key, meta, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if code := h.Put(t, up, body("first")); code != "" {
			t.Fatalf("first Put: %s", code)
		}
		if code := h.Put(t, up, body("second")); code != casehold.ECONFLICT {
			t.Fatalf("second Put to the same slot: %q, want %q", code, casehold.ECONFLICT)
		}
		if got, _ := mustOpen(t, h.Staging, key); !bytes.Equal(got, body("first")) {
			t.Errorf("staged bytes after a refused second PUT = %q, want the first file", got)
		}
	})

	t.Run("DeleteRemoves", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		up, err := h.Staging.PresignPut(ctx, key, meta, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if code := h.Put(t, up, body("secured")); code != "" {
			t.Fatalf("Put: %s", code)
		}
		for range 2 { // absent is not an error
			if err := h.Staging.Delete(ctx, key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
		}
		absent(t, h.Staging, key)
	})

	t.Run("DiscardedFileFreesSlot", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		up, err := h.Staging.PresignPut(ctx, key, meta, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if code := h.Put(t, up, []byte("not a pdf")); code != "" {
			t.Fatalf("Put: %s", code)
		}
		// The ingest refuses it and discards it...
		for range 2 { // absent is not an error
			if err := h.Staging.Discard(ctx, key); err != nil {
				t.Fatalf("Discard: %v", err)
			}
		}
		absent(t, h.Staging, key)
		// ...and the uploader sends the right file to the same URL.
		if code := h.Put(t, up, body("corrected")); code != "" {
			t.Fatalf("Put after the refused file was removed: %s", code)
		}
		got, gotMeta := mustOpen(t, h.Staging, key)
		if !bytes.Equal(got, body("corrected")) || !maps.Equal(gotMeta, meta) {
			t.Errorf("staged = %q %v", got, gotMeta)
		}
	})

	t.Run("Expired", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		up, err := h.Staging.PresignPut(ctx, key, meta, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		// Expiry is checked in whole seconds by S3 and the local server alike.
		time.Sleep(time.Until(up.ExpiresAt) + 1500*time.Millisecond)
		if code := h.Put(t, up, body("late")); code != casehold.EFORBIDDEN {
			t.Fatalf("Put after expiry: %q, want %q", code, casehold.EFORBIDDEN)
		}
		absent(t, h.Staging, key)
	})

	// Only for adapters that can refuse by size at the PUT (see the package doc): the others
	// make no promise here to test.
	if h := newHarness(t); h.MaxBytes <= 0 {
		return
	}
	t.Run("SizeLimit", func(t *testing.T) {
		h := newHarness(t)
		key := newKey()
		up, err := h.Staging.PresignPut(ctx, key, meta, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		big := bytes.Repeat([]byte("x"), int(h.MaxBytes)+1)
		if code := h.Put(t, up, big); code != casehold.ETOOLARGE {
			t.Fatalf("Put over the limit: %q, want %q", code, casehold.ETOOLARGE)
		}
		absent(t, h.Staging, key)
		exact := append(body(""), bytes.Repeat([]byte(" "), int(h.MaxBytes)-len(body("")))...)
		if code := h.Put(t, up, exact); code != "" {
			t.Fatalf("Put of exactly the limit: %q", code)
		}
	})
}
