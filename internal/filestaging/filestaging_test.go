package filestaging

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/stagingtest"
)

const base = "http://127.0.0.1:0"

// put is the uploader's PUT as the local server receives it.
func put(t *testing.T, s *Staging, up casehold.PresignedUpload, body []byte) string {
	t.Helper()
	u, err := url.Parse(up.URL)
	if err != nil || !strings.HasPrefix(up.URL, base+"/") {
		t.Fatalf("upload URL %q is not on the local server", up.URL)
	}
	key := strings.TrimPrefix(u.Path, "/")
	_, err = s.Receive(context.Background(), key, u.Query().Get("expires"), u.Query().Get("signature"), bytes.NewReader(body))
	return casehold.ErrorCode(err)
}

func newStaging(t *testing.T, max int64) *Staging {
	t.Helper()
	s, err := New(t.TempDir(), base, []byte("test secret"), max)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	stagingtest.Run(t, func(t *testing.T) stagingtest.Harness {
		s := newStaging(t, 4096)
		return stagingtest.Harness{Staging: s, MaxBytes: 4096,
			Put: func(t *testing.T, up casehold.PresignedUpload, body []byte) string { return put(t, s, up, body) }}
	})
}

// TestForgedURL: a changed signature or expiry is refused and stores nothing.
func TestForgedURL(t *testing.T) {
	s := newStaging(t, 1<<20)
	ctx := context.Background()
	key := "uploads/m-1/x.pdf"
	up, err := s.PresignPut(ctx, key, map[string]string{"casehold-pid": "P1"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(up.URL)
	q := u.Query()
	for name, mod := range map[string]func(q url.Values){
		"Signature": func(q url.Values) { q.Set("signature", strings.Repeat("0", 64)) },
		"Expiry":    func(q url.Values) { q.Set("expires", "99999999999") },
		"OtherKey":  nil,
	} {
		t.Run(name, func(t *testing.T) {
			qq := url.Values{"expires": {q.Get("expires")}, "signature": {q.Get("signature")}}
			k := key
			if mod != nil {
				mod(qq)
			} else {
				k = "uploads/m-1/other.pdf"
			}
			_, err := s.Receive(ctx, k, qq.Get("expires"), qq.Get("signature"), strings.NewReader("%PDF-1.7\n%%EOF\n"))
			if casehold.ErrorCode(err) != casehold.EFORBIDDEN {
				t.Fatalf("Receive = %v, want %s", err, casehold.EFORBIDDEN)
			}
			if keys, _ := s.Pending(); len(keys) != 0 {
				t.Errorf("a forged PUT staged %v", keys)
			}
		})
	}
}

// TestRestart: a body that landed whole before a crash is listed for ingest on restart; a
// partial one is removed; expired slots and their files are swept.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := New(dir, base, []byte("k"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	first, second := "uploads/m-1/a.pdf", "uploads/m-1/b.pdf"
	for _, k := range []string{first, second} {
		up, err := s.PresignPut(ctx, k, map[string]string{"k": k}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if code := put(t, s, up, []byte("%PDF-1.7\n%%EOF\n")); code != "" {
			t.Fatalf("put %s: %s", k, code)
		}
	}
	partial := filepath.Join(dir, "files", ".part-123")
	if err := os.WriteFile(partial, []byte("%PDF-1.7\nhalf"), 0o600); err != nil {
		t.Fatal(err)
	}

	s2, err := New(dir, base, []byte("k"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Errorf("partial upload still there after a restart (err %v)", err)
	}
	keys, err := s2.Pending()
	if err != nil || len(keys) != 2 {
		t.Fatalf("Pending = %v, %v; want both landed files", keys, err)
	}
	// An hour later, with a grace of 30 minutes, every slot (1 minute) has expired.
	s2.now = func() time.Time { return time.Now().Add(time.Hour) }
	if n, err := s2.Sweep(30 * time.Minute); err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want 2 removed", n, err)
	}
	if keys, _ := s2.Pending(); len(keys) != 0 {
		t.Errorf("files of expired slots left staged: %v", keys)
	}
	if n, err := s2.Sweep(30 * time.Minute); err != nil || n != 0 {
		t.Errorf("second Sweep = %d, %v; want nothing left to remove", n, err)
	}
}
