package s3packs_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/emulators"
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
