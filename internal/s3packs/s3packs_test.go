package s3packs_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/emulators"
	"github.com/casehold/casehold/internal/memtest"
	"github.com/casehold/casehold/internal/packstoretest"
	"github.com/casehold/casehold/internal/s3evidence"
	"github.com/casehold/casehold/internal/s3packs"
)

// TestContract runs the pack store contract against the local S3 gateway, on a bucket
// made as the staging bucket is, with S3's smallest part size so packs span parts.
func TestContract(t *testing.T) {
	opts := emulators.Options(t, "s3")
	cfg, err := awsconf.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	client := awsconf.S3(cfg, opts)
	packstoretest.Run(t, func(t *testing.T) packstoretest.Harness {
		bucket := "casehold-packs-" + strings.ToLower(rand.Text())
		if err := s3evidence.EnsureBucket(context.Background(), client, bucket); err != nil {
			t.Fatalf("EnsureBucket: %v", err)
		}
		p := s3packs.New(client, bucket)
		p.PartSize = 5 << 20
		return packstoretest.Harness{Packs: p, PartSize: int64(p.PartSize), Unfinished: func(t *testing.T) int {
			n, err := p.Unfinished(context.Background(), "exports/")
			if err != nil {
				t.Fatalf("list multipart uploads: %v", err)
			}
			return n
		}}
	})
}

// TestMemoryIsFlat writes a 256 MB pack through the multipart upload and reports the heap's
// growth, which must stay near one part (8 MB), far from the pack's size.
func TestMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 256 MB")
	}
	opts := emulators.Options(t, "s3")
	cfg, err := awsconf.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	client := awsconf.S3(cfg, opts)
	bucket := "casehold-packs-" + strings.ToLower(rand.Text())
	if err := s3evidence.EnsureBucket(context.Background(), client, bucket); err != nil {
		t.Fatal(err)
	}
	p := s3packs.New(client, bucket)
	const total = 256 << 20
	chunk := make([]byte, 1<<20)
	rand.Read(chunk)
	var size int64
	grew := memtest.PeakHeap(func() {
		w, err := p.Create(context.Background(), "exports/memory.zip")
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < total; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
		if size, err = w.Commit(); err != nil {
			t.Fatal(err)
		}
	})
	if size != total {
		t.Fatalf("commit: %d bytes, want %d", size, total)
	}
	t.Logf("pack %d MB through S3 multipart, peak heap above start %.1f MB", size>>20, float64(grew)/(1<<20))
	if grew > 64<<20 {
		t.Errorf("heap grew by %d MB while uploading a %d MB pack", grew>>20, size>>20)
	}
}
