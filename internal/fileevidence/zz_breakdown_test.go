package fileevidence

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

func TestBreakdown(t *testing.T) {
	if os.Getenv("CMP") == "" {
		t.Skip()
	}
	data := make([]byte, 100<<20)
	rand.Read(data)
	root := t.TempDir()
	s, _ := New(root)
	res := map[string][]float64{}
	add := func(k string, t0 time.Time) { res[k] = append(res[k], float64(time.Since(t0).Microseconds())/1000) }
	for i := 0; i < 11; i++ {
		p := filepath.Join(s.tmp, "x")
		t0 := time.Now()
		f, _ := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
		copyHashing(&writebackFile{f: f}, sha256.New(), onlyReader{bytes.NewReader(data)})
		add("copyHashing", t0)
		t1 := time.Now()
		f.Sync()
		add("sync", t1)
		f.Close()
		add("total-data", t0)
		os.Remove(p)
		t0 = time.Now()
		f, _ = os.Create(p)
		f.Write(data)
		add("write1", t0)
		t1 = time.Now()
		f.Sync()
		add("sync1", t1)
		f.Close()
		add("total-copy", t0)
		os.Remove(p)
		t0 = time.Now()
		obj, _ := s.Put(context.Background(), "k", bytes.NewReader(data), false)
		add("put", t0)
		s.Delete(context.Background(), "k", obj.VersionID)
		t0 = time.Now()
		sha256.Sum256(data)
		add("hash", t0)
	}
	for _, k := range []string{"copyHashing", "sync", "total-data", "write1", "sync1", "total-copy", "put", "hash"} {
		v := res[k]
		sort.Float64s(v)
		t.Logf("%-12s median %6.1f ms  min %6.1f", k, v[len(v)/2], v[0])
	}
}
