// Package s3evidence keeps evidence in an S3 bucket with Object Lock: every object is
// written once (a conditional put), carries its SHA-256 for S3 to verify on arrival, and a
// version under legal hold is protected by S3 itself, not only by casehold.
package s3evidence

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/middleware"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/hashcopy"
)

var _ casehold.Evidence = (*Store)(nil)

// shaMetaKey names the user metadata (x-amz-meta-sha256) holding the object's hex SHA-256.
// S3 checks the x-amz-checksum-sha256 header on arrival but only reports it back when asked
// and, for multipart uploads, as a checksum of part checksums; the metadata is always the
// whole-object digest.
const shaMetaKey = "sha256"

// Store is a casehold.Evidence on one S3 bucket that has Object Lock enabled.
type Store struct {
	client *s3.Client
	bucket string

	// SpoolDir is where Put stages uploads before sending them; "" means os.TempDir().
	SpoolDir string
}

// New returns a Store on bucket, which must exist with Object Lock enabled (EnsureBucket).
func New(client *s3.Client, bucket string) *Store {
	return &Store{client: client, bucket: bucket}
}

// EnsureBucket creates bucket with Object Lock (and so versioning) enabled if it does not
// exist yet. Object Lock can only be chosen when a bucket is created.
func EnsureBucket(ctx context.Context, client *s3.Client, bucket string) error {
	_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return nil
	}
	if apiCode(err) != "NotFound" && apiCode(err) != "NoSuchBucket" {
		return fmt.Errorf("check bucket %s: %w", bucket, err)
	}
	_, err = client.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                     aws.String(bucket),
		ObjectLockEnabledForBucket: aws.Bool(true),
		CreateBucketConfiguration:  locationFor(client),
	})
	switch apiCode(err) {
	case "", "BucketAlreadyOwnedByYou":
		return nil
	default:
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
}

// locationFor states the client's region when creating a bucket; S3 rejects the
// constraint for us-east-1, its default.
func locationFor(client *s3.Client) *types.CreateBucketConfiguration {
	region := client.Options().Region
	if region == "" || region == "us-east-1" {
		return nil
	}
	return &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(region)}
}

// Put stages r in a temporary file while hashing it, then uploads the file. Staging keeps
// memory bounded and lets the SDK send a checksum over plain HTTP (it cannot for an
// unseekable stream), and a reader that fails part-way leaves nothing in the bucket.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, legalHold bool) (casehold.StoredObject, error) {
	f, err := os.CreateTemp(s.SpoolDir, "casehold-evidence-*")
	if err != nil {
		return casehold.StoredObject{}, fmt.Errorf("put evidence %s: spool: %w", key, err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()

	h := sha256.New()
	size, err := hashcopy.Copy(f, h, r)
	if err != nil {
		return casehold.StoredObject{}, fmt.Errorf("put evidence %s: read upload: %w", key, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return casehold.StoredObject{}, fmt.Errorf("put evidence %s: spool: %w", key, err)
	}
	sum := h.Sum(nil)

	// No header at all for an unheld version: the bucket policy may refuse legal-hold OFF
	// to every role but the release function's, and an unheld put needs no hold setting.
	var hold types.ObjectLockLegalHoldStatus
	if legalHold {
		hold = types.ObjectLockLegalHoldStatusOn
	}
	mine := casehold.StoredObject{Key: key, SHA256: hex.EncodeToString(sum), Size: size}
	out, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          f,
		ContentLength: aws.Int64(size),
		// S3 recomputes this and refuses the object if the bytes changed on the way.
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum)),
		Metadata:       map[string]string{shaMetaKey: hex.EncodeToString(sum)},
		// Write-once: S3 refuses the put if the key has a current version, atomically,
		// so of two concurrent puts exactly one wins.
		IfNoneMatch: aws.String("*"),
		// Set in the same request, so the version is never unheld for a moment.
		ObjectLockLegalHoldStatus: hold,
	}, signWithHash(hex.EncodeToString(sum)))
	if err != nil {
		terr := translate(err, opPut)
		if casehold.ErrorCode(terr) != casehold.ECONFLICT && ctx.Err() == nil && s.taken(ctx, key) {
			// Stores differ in how they refuse a conditional write: 412, 409, or a connection
			// dropped before the body was read. Whatever the transport said, a key that now
			// has a version is a lost race (or our own write whose answer was lost); the
			// caller tells which by comparing the stored bytes with mine.
			terr = fmt.Errorf("%w (%w)", casehold.Errorf(casehold.ECONFLICT, "the evidence key already has a version"), err)
		}
		if casehold.ErrorCode(terr) == casehold.ECONFLICT {
			return mine, fmt.Errorf("put evidence %s: %w", key, terr)
		}
		return casehold.StoredObject{}, fmt.Errorf("put evidence %s: %w", key, terr)
	}
	if aws.ToString(out.VersionId) == "" {
		return casehold.StoredObject{}, fmt.Errorf("put evidence %s: no version id: is versioning on in bucket %s?", key, s.bucket)
	}
	if legalHold {
		// The server's acceptance is a claim: an S3 implementation without Object Lock may
		// ignore the hold header and answer 200. Read the hold back, set it once more if it
		// is missing, and refuse to report as held what is not.
		if err := s.confirmHold(ctx, key, aws.ToString(out.VersionId)); err != nil {
			return casehold.StoredObject{}, fmt.Errorf("put evidence %s: %w", key, err)
		}
	}
	return casehold.StoredObject{
		Key:       key,
		VersionID: aws.ToString(out.VersionId),
		SHA256:    hex.EncodeToString(sum),
		Size:      size,
	}, nil
}

// Open returns a reader of exactly the given version.
func (s *Store) Open(ctx context.Context, key, versionID string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket:    aws.String(s.bucket),
		Key:       aws.String(key),
		VersionId: aws.String(versionID),
	})
	if err != nil {
		return nil, fmt.Errorf("open evidence %s: %w", key, translate(err, opRead))
	}
	return out.Body, nil
}

// Versions lists every version of key, oldest first. Delete markers are not versions of
// the bytes and are left out. Listing gives no metadata, so SHA256 is empty.
func (s *Store) Versions(ctx context.Context, key string) ([]casehold.StoredObject, error) {
	var newestFirst []casehold.StoredObject
	p := s3.NewListObjectVersionsPaginator(s.client, &s3.ListObjectVersionsInput{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(key),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list versions of evidence %s: %w", key, translate(err, opRead))
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) != key {
				continue // a longer key sharing the prefix
			}
			newestFirst = append(newestFirst, casehold.StoredObject{
				Key: key, VersionID: aws.ToString(v.VersionId), Size: aws.ToInt64(v.Size),
			})
		}
	}
	// S3 lists a key's versions newest first; stamps can tie within a second, so the
	// listing order, not LastModified, decides.
	out := make([]casehold.StoredObject, 0, len(newestFirst))
	for i := len(newestFirst) - 1; i >= 0; i-- {
		out = append(out, newestFirst[i])
	}
	return out, nil
}

// taken reports whether key has any version now. Errors count as "don't know": false.
func (s *Store) taken(ctx context.Context, key string) bool {
	vs, err := s.Versions(ctx, key)
	return err == nil && len(vs) > 0
}

// SetLegalHold turns the version's legal hold on or off.
func (s *Store) SetLegalHold(ctx context.Context, key, versionID string, on bool) error {
	status := types.ObjectLockLegalHoldStatusOff
	if on {
		status = types.ObjectLockLegalHoldStatusOn
	}
	_, err := s.client.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{
		Bucket:    aws.String(s.bucket),
		Key:       aws.String(key),
		VersionId: aws.String(versionID),
		LegalHold: &types.ObjectLockLegalHold{Status: status},
	})
	if err != nil {
		return fmt.Errorf("set legal hold on evidence %s: %w", key, translate(err, opRead))
	}
	return nil
}

// confirmHold makes sure the version is under legal hold, as read back from the server.
func (s *Store) confirmHold(ctx context.Context, key, versionID string) error {
	for attempt := 0; ; attempt++ {
		held, err := s.LegalHold(ctx, key, versionID)
		if err != nil {
			return fmt.Errorf("confirm legal hold: %w", err)
		}
		if held {
			return nil
		}
		if attempt == 1 {
			return casehold.Errorf(casehold.EINTERNAL, "the S3 server stored version %s without the legal hold it was asked for: "+
				"bucket %s must have Object Lock enabled", versionID, s.bucket)
		}
		if err := s.SetLegalHold(ctx, key, versionID, true); err != nil {
			return fmt.Errorf("confirm legal hold: %w", err)
		}
	}
}

// RequireObjectLock checks that bucket keeps versions and has Object Lock enabled, so a
// held version cannot be deleted or overwritten: evidence is never put in a bucket where
// it could be.
func RequireObjectLock(ctx context.Context, client *s3.Client, bucket string) error {
	lock, err := client.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil && apiCode(err) != "ObjectLockConfigurationNotFoundError" {
		return fmt.Errorf("check Object Lock on bucket %s: %w", bucket, err)
	}
	if err != nil || lock.ObjectLockConfiguration == nil || lock.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled {
		return casehold.Errorf(casehold.EINVALID, "bucket %s does not have Object Lock enabled: casehold keeps evidence only where S3 "+
			"refuses to delete it (Object Lock can only be chosen when a bucket is created; create a new bucket with it)", bucket)
	}
	v, err := client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		return fmt.Errorf("check versioning on bucket %s: %w", bucket, err)
	}
	if v.Status != types.BucketVersioningStatusEnabled {
		return casehold.Errorf(casehold.EINVALID, "bucket %s does not keep versions (versioning is %q): Object Lock needs it", bucket, v.Status)
	}
	return nil
}

// LegalHold reports whether the version is under legal hold.
func (s *Store) LegalHold(ctx context.Context, key, versionID string) (bool, error) {
	out, err := s.client.GetObjectLegalHold(ctx, &s3.GetObjectLegalHoldInput{
		Bucket:    aws.String(s.bucket),
		Key:       aws.String(key),
		VersionId: aws.String(versionID),
	})
	if apiCode(err) == "NoSuchObjectLockConfiguration" {
		// S3's answer for a version that exists but never had a hold set.
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get legal hold of evidence %s: %w", key, translate(err, opRead))
	}
	return out.LegalHold != nil && out.LegalHold.Status == types.ObjectLockLegalHoldStatusOn, nil
}

// retained reports whether the version has an unexpired Object Lock retention date.
func (s *Store) retained(ctx context.Context, key, versionID string) bool {
	out, err := s.client.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), VersionId: aws.String(versionID),
	})
	if err != nil || out.Retention == nil || out.Retention.RetainUntilDate == nil {
		return false
	}
	return out.Retention.RetainUntilDate.After(time.Now())
}

// Delete removes the version. S3 itself refuses to delete a held version; the hold is
// checked first as well, because S3 reports a missing version as deleted and casehold
// wants ENOTFOUND for it.
func (s *Store) Delete(ctx context.Context, key, versionID string) error {
	held, err := s.LegalHold(ctx, key, versionID)
	if err != nil {
		return fmt.Errorf("delete evidence: %w", err)
	}
	if held {
		return fmt.Errorf("delete evidence %s: %w", key, errHeld)
	}
	_, err = s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket:    aws.String(s.bucket),
		Key:       aws.String(key),
		VersionId: aws.String(versionID),
	})
	if err == nil {
		return nil
	}
	// Stores refuse a protected delete differently (S3 403 AccessDenied, others 400
	// InvalidRequest), so the answer is read from the version's state, not the status: a
	// version still there and held (or retained) was refused because it is protected.
	if held, herr := s.LegalHold(ctx, key, versionID); herr == nil && held {
		return fmt.Errorf("delete evidence %s: %w (%w)", key, errHeld, err)
	}
	if s.retained(ctx, key, versionID) {
		return fmt.Errorf("delete evidence %s: %w (%w)", key, errHeld, err)
	}
	return fmt.Errorf("delete evidence %s: %w", key, translate(err, opRead))
}

type op int

const (
	opRead op = iota
	opPut
)

var errHeld = casehold.Errorf(casehold.EHELD, "the evidence is under legal hold")

// translate gives an S3 error its casehold code, keeping the S3 error in the chain for
// logs. Errors with no casehold meaning are returned as they are (EINTERNAL).
func translate(err error, o op) error {
	code := apiCode(err)
	var ce *casehold.Error
	switch {
	case code == "NoSuchKey" || code == "NoSuchVersion" || code == "NotFound" ||
		(httpStatus(err) == 404 && code != "NoSuchBucket") || badVersionID(err):
		ce = casehold.Errorf(casehold.ENOTFOUND, "no such evidence version")
	case o == opPut && (code == "PreconditionFailed" || code == "ConditionalRequestConflict"):
		ce = casehold.Errorf(casehold.ECONFLICT, "the evidence key already has a version")
	default:
		return err
	}
	return fmt.Errorf("%w (%w)", ce, err)
}

// apiCode returns the S3 error code in err's chain, or "" if there is none.
func apiCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// badVersionID reports S3's answer to a version id it could never have issued (400
// InvalidArgument "Invalid version id specified"): no such version exists, so casehold
// treats it like any other missing version.
func badVersionID(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidArgument" &&
		strings.Contains(strings.ToLower(apiErr.ErrorMessage()), "version id")
}

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// signWithHash hands the request signer the SHA-256 Put already computed while spooling,
// so over plain HTTP it does not read the whole spooled body a second time to hash it.
func signWithHash(hexSum string) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("casehold:PayloadHash",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					return next.HandleFinalize(v4.SetPayloadHash(ctx, hexSum), in)
				}), middleware.Before)
		})
	}
}
