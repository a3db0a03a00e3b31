package s3staging_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/emulators"
	"github.com/casehold/casehold/internal/s3evidence"
	"github.com/casehold/casehold/internal/s3staging"
	"github.com/casehold/casehold/internal/stagingtest"
)

// put is the uploader's PUT: the presigned URL with exactly the headers it was signed with.
func put(t *testing.T, up casehold.PresignedUpload, body []byte) string {
	t.Helper()
	req, err := http.NewRequest(up.Method, up.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range up.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT: %v", err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(res.Body)
	switch {
	case res.StatusCode == http.StatusOK:
		return ""
	case res.StatusCode == http.StatusPreconditionFailed || res.StatusCode == http.StatusConflict:
		return casehold.ECONFLICT
	case res.StatusCode == http.StatusForbidden:
		return casehold.EFORBIDDEN
	case res.StatusCode == http.StatusRequestEntityTooLarge:
		return casehold.ETOOLARGE
	}
	t.Fatalf("PUT answered %d: %s", res.StatusCode, msg)
	return ""
}

// TestContract runs the staging contract against the local S3 gateway, on a bucket made as
// the upload bucket is (wire: s3evidence.EnsureBucket).
func TestContract(t *testing.T) {
	opts := emulators.Options(t, "s3")
	cfg, err := awsconf.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	client := awsconf.S3(cfg, opts)
	stagingtest.Run(t, func(t *testing.T) stagingtest.Harness {
		bucket := "casehold-staging-" + strings.ToLower(rand.Text())
		if err := s3evidence.EnsureBucket(context.Background(), client, bucket); err != nil {
			t.Fatalf("EnsureBucket: %v", err)
		}
		// MaxBytes 0: a presigned PUT carries no size condition (see stagingtest).
		return stagingtest.Harness{Staging: s3staging.New(client, bucket), Put: put}
	})
}
