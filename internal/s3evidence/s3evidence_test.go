package s3evidence_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/emulators"
	"github.com/casehold/casehold/internal/evidencetest"
	"github.com/casehold/casehold/internal/s3evidence"
)

// testClient returns an S3 client for the local gateway; skip says a missing gateway skips
// even when the emulators are required (benchmarks).
func testClient(tb testing.TB, skip bool) *s3.Client {
	tb.Helper()
	var opts awsconf.Options
	if skip {
		opts = emulators.OptionsOrSkip(tb, "s3")
	} else {
		opts = emulators.Options(tb, "s3")
	}
	cfg, err := awsconf.Load(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return awsconf.S3(cfg, opts)
}

// newBucket creates a fresh bucket with Object Lock. Buckets are left behind: held versions
// cannot be deleted, and the emulator's data goes when it stops.
func newBucket(tb testing.TB, client *s3.Client) string {
	tb.Helper()
	bucket := "casehold-test-" + strings.ToLower(rand.Text())
	if err := s3evidence.EnsureBucket(context.Background(), client, bucket); err != nil {
		tb.Fatalf("EnsureBucket: %v", err)
	}
	return bucket
}

func newStore(t *testing.T) (*s3evidence.Store, *s3.Client, string) {
	client := testClient(t, false)
	bucket := newBucket(t, client)
	st := s3evidence.New(client, bucket)
	st.SpoolDir = t.TempDir()
	return st, client, bucket
}

func TestContract(t *testing.T) {
	evidencetest.Run(t, func(t *testing.T) evidencetest.Harness {
		st, _, _ := newStore(t)
		return evidencetest.Harness{Evidence: st}
	})
}

func TestEnsureBucket(t *testing.T) {
	client := testClient(t, false)
	ctx := context.Background()
	bucket := newBucket(t, client)
	t.Run("Idempotent", func(t *testing.T) {
		if err := s3evidence.EnsureBucket(ctx, client, bucket); err != nil {
			t.Fatalf("second EnsureBucket: %v", err)
		}
	})
	t.Run("ObjectLockAndVersioning", func(t *testing.T) {
		lock, err := client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &bucket})
		if err != nil {
			t.Fatalf("GetObjectLockConfiguration: %v", err)
		}
		if lock.ObjectLockConfiguration == nil || lock.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
			t.Errorf("object lock = %+v, want Enabled", lock.ObjectLockConfiguration)
		}
		ver, err := client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil {
			t.Fatalf("GetBucketVersioning: %v", err)
		}
		if ver.Status != types.BucketVersioningStatusEnabled {
			t.Errorf("versioning = %q, want Enabled", ver.Status)
		}
		if err := s3evidence.RequireObjectLock(ctx, client, bucket); err != nil {
			t.Errorf("RequireObjectLock on a locked bucket: %v", err)
		}
	})
	t.Run("BucketWithoutObjectLockRefused", func(t *testing.T) {
		// Made by someone else, without Object Lock: evidence must not go there.
		plain := "plain-" + strings.ToLower(rand.Text()[:12])
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &plain,
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(client.Options().Region)}}); err != nil {
			t.Fatal(err)
		}
		err := s3evidence.RequireObjectLock(ctx, client, plain)
		if casehold.ErrorCode(err) != casehold.EINVALID || !strings.Contains(err.Error(), "Object Lock") {
			t.Errorf("RequireObjectLock on a bucket without it = %v, want a refusal naming Object Lock", err)
		}
	})
}

// TestServerEnforces checks with a raw client that the protection is S3's own, not only the
// adapter's: a bypass of casehold still cannot remove held evidence.
func TestServerEnforces(t *testing.T) {
	st, client, bucket := newStore(t)
	ctx := context.Background()
	data := []byte("%PDF-1.7 held evidence\n")
	sum := sha256.Sum256(data)
	obj, err := st.Put(ctx, "evidence/raw-check.pdf", bytes.NewReader(data), true)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	key := aws.String(obj.Key)
	version := aws.String(obj.VersionID)

	t.Run("LegalHoldOn", func(t *testing.T) {
		out, err := client.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{Bucket: &bucket, Key: key, VersionId: version})
		if err != nil {
			t.Fatalf("GetObjectLegalHold: %v", err)
		}
		if out.LegalHold == nil || out.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
			t.Errorf("legal hold = %+v, want ON", out.LegalHold)
		}
	})
	t.Run("RawDeleteRefused", func(t *testing.T) {
		_, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: key, VersionId: version})
		var apiErr smithy.APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
			t.Fatalf("raw DeleteObject of a held version = %v, want AccessDenied", err)
		}
		if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: key, VersionId: version}); err != nil {
			t.Fatalf("held version gone after a refused delete: %v", err)
		}
	})
	t.Run("ChecksumAndMetadata", func(t *testing.T) {
		out, err := client.HeadObject(ctx, &s3.HeadObjectInput{
			Bucket: &bucket, Key: key, VersionId: version, ChecksumMode: types.ChecksumModeEnabled,
		})
		if err != nil {
			t.Fatalf("HeadObject: %v", err)
		}
		if got, want := aws.ToString(out.ChecksumSHA256), base64.StdEncoding.EncodeToString(sum[:]); got != want {
			t.Errorf("stored x-amz-checksum-sha256 = %q, want %q", got, want)
		}
		if got, want := out.Metadata["sha256"], hex.EncodeToString(sum[:]); got != want {
			t.Errorf("x-amz-meta-sha256 = %q, want %q", got, want)
		}
	})
	t.Run("PlainDeleteKeepsHeldVersion", func(t *testing.T) {
		// A delete without a version id adds a delete marker; the held version stays readable.
		if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: key}); err != nil {
			t.Fatalf("DeleteObject without version: %v", err)
		}
		vs, err := st.Versions(ctx, obj.Key)
		if err != nil || len(vs) != 1 || vs[0].VersionID != obj.VersionID {
			t.Errorf("Versions after a delete marker = %+v, %v; want the held version alone", vs, err)
		}
		rc, err := st.Open(ctx, obj.Key, obj.VersionID)
		if err != nil {
			t.Fatalf("Open held version after a delete marker: %v", err)
		}
		defer rc.Close()
		got, err := io.ReadAll(rc)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("held version after a delete marker = %q, %v", got, err)
		}
	})
}

// TestPutBadChecksumRefused shows S3 really verifies the checksum Put sends: a raw put
// whose declared SHA-256 does not match its bytes is refused and stores nothing.
func TestPutBadChecksumRefused(t *testing.T) {
	_, client, bucket := newStore(t)
	ctx := context.Background()
	wrong := sha256.Sum256([]byte("other bytes"))
	_, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:         &bucket,
		Key:            aws.String("evidence/corrupt"),
		Body:           bytes.NewReader([]byte("the real bytes")),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(wrong[:])),
	})
	if err == nil {
		t.Fatal("PutObject with a wrong SHA-256 succeeded")
	}
	_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("evidence/corrupt")})
	if err == nil {
		t.Fatal("an object with a wrong checksum was stored")
	}
}

func TestPutSpoolCleanedUp(t *testing.T) {
	st, _, _ := newStore(t)
	ctx := context.Background()
	if _, err := st.Put(ctx, "evidence/spool", strings.NewReader("bytes"), false); err != nil {
		t.Fatalf("Put: %v", err)
	}
	if _, err := st.Put(ctx, "evidence/spool", strings.NewReader("again"), false); casehold.ErrorCode(err) != casehold.ECONFLICT {
		t.Fatalf("second Put = %v, want %s", err, casehold.ECONFLICT)
	}
	if _, err := st.Put(ctx, "evidence/spool-broken", iotest.ErrReader(errors.New("gone")), false); err == nil {
		t.Fatal("Put from a failing reader succeeded")
	}
	left, err := os.ReadDir(st.SpoolDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("spool folder holds %d files after Put, want 0", len(left))
	}
}

func TestStore_PresignGet(t *testing.T) {
	client := testClient(t, false)
	st := s3evidence.New(client, newBucket(t, client))
	ctx := context.Background()
	data := []byte("%PDF-1.4\npresigned\n%%EOF\n")
	obj, err := st.Put(ctx, "documents/d-presign.pdf", bytes.NewReader(data), true)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.PresignGet(ctx, obj.Key, obj.VersionID, "d-presign.pdf", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !bytes.Equal(got, data) {
		t.Fatalf("GET presigned: %d, %d bytes", res.StatusCode, len(got))
	}
	// A different version id in a tampered URL is refused by the signature.
	bad, _ := http.Get(strings.Replace(u, "versionId=", "versionId=x", 1))
	if bad != nil {
		bad.Body.Close()
		if bad.StatusCode == 200 {
			t.Error("a tampered presigned URL was honoured")
		}
	}
}

// otherStore makes the gateway answer the way other S3-compatible stores do, so the
// adapter's reading of refusals is shown not to depend on one implementation's statuses.
type otherStore struct {
	next s3.HTTPClient
	// dropOnPrecondition turns a 412 into a connection dropped before any answer.
	dropOnPrecondition bool
	// invalidRequestOnDenied turns a 403 to a versioned DELETE into 400 InvalidRequest.
	invalidRequestOnDenied bool
}

func (o otherStore) Do(req *http.Request) (*http.Response, error) {
	res, err := o.next.Do(req)
	if err != nil {
		return res, err
	}
	switch {
	case o.dropOnPrecondition && req.Method == http.MethodPut && res.StatusCode == http.StatusPreconditionFailed:
		res.Body.Close()
		return nil, io.ErrUnexpectedEOF
	case o.invalidRequestOnDenied && req.Method == http.MethodDelete && res.StatusCode == http.StatusForbidden:
		res.Body.Close()
		body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code><Message>Object is WORM protected and cannot be overwritten</Message></Error>`
		res.StatusCode, res.Status = http.StatusBadRequest, "400 Bad Request"
		res.Body = io.NopCloser(strings.NewReader(body))
		res.ContentLength = int64(len(body))
		res.Header.Set("Content-Length", fmt.Sprint(len(body)))
	}
	return res, nil
}

func TestStoreIndependentRefusals(t *testing.T) {
	client := testClient(t, false)
	bucket := newBucket(t, client)
	ctx := context.Background()
	wrapped := s3.New(client.Options(), func(o *s3.Options) {
		o.HTTPClient = otherStore{next: o.HTTPClient, dropOnPrecondition: true, invalidRequestOnDenied: true}
		o.RetryMaxAttempts = 1
	})
	st := s3evidence.New(wrapped, bucket)
	st.SpoolDir = t.TempDir()
	data := []byte("%PDF-1.7 first\n")
	obj, err := st.Put(ctx, "documents/x.pdf", bytes.NewReader(data), true)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	t.Run("LostConditionalWriteIsConflict", func(t *testing.T) {
		other := []byte("%PDF-1.7 second\n")
		lost, err := st.Put(ctx, "documents/x.pdf", bytes.NewReader(other), true)
		if casehold.ErrorCode(err) != casehold.ECONFLICT {
			t.Fatalf("Put over a taken key with the connection dropped = %v, want %s", err, casehold.ECONFLICT)
		}
		sum := sha256.Sum256(other)
		if lost.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("lost Put reported sha %q, want the hash of what it sent", lost.SHA256)
		}
	})
	t.Run("ProtectedDeleteIsHeld", func(t *testing.T) {
		// A version kept by retention, not a hold, so the adapter's own hold check passes it
		// and the store's refusal (rewritten as another store words it) must be recognised
		// from the version's state.
		kept, err := st.Put(ctx, "documents/retained.pdf", bytes.NewReader(data), false)
		if err != nil {
			t.Fatalf("Put: %v", err)
		}
		until := time.Now().Add(24 * time.Hour)
		if _, err := client.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: &bucket, Key: aws.String(kept.Key), VersionId: aws.String(kept.VersionID),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &until}}); err != nil {
			t.Fatalf("PutObjectRetention: %v", err)
		}
		_, rawErr := wrapped.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(kept.Key), VersionId: aws.String(kept.VersionID)})
		var apiErr smithy.APIError
		if !errors.As(rawErr, &apiErr) || apiErr.ErrorCode() != "InvalidRequest" {
			t.Fatalf("altered transport answered %v, want InvalidRequest", rawErr)
		}
		if err := st.Delete(ctx, kept.Key, kept.VersionID); casehold.ErrorCode(err) != casehold.EHELD {
			t.Fatalf("Delete of a retained version = %v, want %s", err, casehold.EHELD)
		}
		if err := st.Delete(ctx, obj.Key, obj.VersionID); casehold.ErrorCode(err) != casehold.EHELD {
			t.Fatalf("Delete of a held version = %v, want %s", err, casehold.EHELD)
		}
	})
}
