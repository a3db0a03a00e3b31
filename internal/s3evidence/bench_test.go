package s3evidence_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/casehold/casehold/internal/s3evidence"
)

// BenchmarkPut compares Store.Put from a stream (spool, hash, conditional put with checksum
// and hold) with the plainest possible upload of the same bytes, to show what the
// guarantees cost. Size in MB from CASEHOLD_BENCH_MB (default 16).
func BenchmarkPut(b *testing.B) {
	client := testClient(b, true)
	mb := 16
	if v := os.Getenv("CASEHOLD_BENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("CASEHOLD_BENCH_MB=%q: want a positive whole number", v)
		}
		mb = n
	}
	data := make([]byte, mb<<20)
	rand.Read(data)
	bucket := newBucket(b, client)
	ctx := context.Background()

	b.Run("adapter", func(b *testing.B) {
		st := s3evidence.New(client, bucket)
		st.SpoolDir = b.TempDir()
		prefix := "bench/adapter/" + rand.Text()
		b.SetBytes(int64(len(data)))
		i := 0
		for b.Loop() {
			// Hide bytes.Reader's WriterTo, so Put reads as it would from a request body.
			r := struct{ io.Reader }{bytes.NewReader(data)}
			if _, err := st.Put(ctx, fmt.Sprintf("%s/%d", prefix, i), r, true); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("raw_putobject", func(b *testing.B) {
		prefix := "bench/raw/" + rand.Text()
		b.SetBytes(int64(len(data)))
		i := 0
		for b.Loop() {
			_, err := client.PutObject(ctx, &s3.PutObjectInput{
				Bucket:        aws.String(bucket),
				Key:           aws.String(fmt.Sprintf("%s/%d", prefix, i)),
				Body:          bytes.NewReader(data),
				ContentLength: aws.Int64(int64(len(data))),
			})
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
