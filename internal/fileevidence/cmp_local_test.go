package fileevidence

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

func TestCmpLocal(t *testing.T) {
	if os.Getenv("CMP") == "" {
		t.Skip()
	}
	data := make([]byte, 100<<20)
	rand.Read(data)
	root := t.TempDir()
	s, _ := New(root)
	var put, cp []float64
	for i := 0; i < 15; i++ {
		t0 := time.Now()
		obj, err := s.Put(context.Background(), fmt.Sprint(i), onlyReader{bytes.NewReader(data)}, false)
		if err != nil {
			t.Fatal(err)
		}
		put = append(put, time.Since(t0).Seconds())
		s.Delete(context.Background(), fmt.Sprint(i), obj.VersionID)
		p := filepath.Join(root, "tmp", "cp")
		t0 = time.Now()
		var err2 error
		if os.Getenv("CMP") == "direct" {
			err2 = plainCopy(p, bytes.NewReader(data))
		} else {
			err2 = plainCopy(p, onlyReader{bytes.NewReader(data)})
		}
		if err2 != nil {
			t.Fatal(err2)
		}
		cp = append(cp, time.Since(t0).Seconds())
		os.Remove(p)
	}
	sort.Float64s(put)
	sort.Float64s(cp)
	t.Logf("put median %.3f min %.3f | copy median %.3f min %.3f | ratio(median) %.2f", put[7], put[0], cp[7], cp[0], cp[7]/put[7])
}
