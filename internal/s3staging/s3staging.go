// Package s3staging is the upload bucket: presigned PUTs for large scans (API Gateway and
// Lambda cannot carry them), read back by the ingest handler when S3 reports the upload.
package s3staging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/casehold/casehold/internal/casehold"
)

// Staging is an S3 bucket for uploads.
type Staging struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
}

var _ casehold.Staging = (*Staging)(nil)

// New returns the staging area in bucket.
func New(client *s3.Client, bucket string) *Staging {
	return &Staging{client: client, presign: s3.NewPresignClient(client), bucket: bucket}
}

// PresignPut signs a PUT whose metadata headers are part of the signature, so the uploader
// cannot change the matter, person or document type the request was checked for. It signs
// "If-None-Match: *" too, so S3 takes one file per slot: a second PUT while a file is
// staged fails (412) instead of replacing what the ingest may be reading. Once the ingest
// deletes a refused file the key is free again and the uploader can send a corrected one
// while the URL is valid.
func (s *Staging) PresignPut(ctx context.Context, key string, meta map[string]string, ttl time.Duration) (casehold.PresignedUpload, error) {
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), Metadata: meta, ContentType: aws.String("application/pdf"),
		IfNoneMatch: aws.String("*"),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return casehold.PresignedUpload{}, fmt.Errorf("presign %s: %w", key, err)
	}
	headers := map[string][]string{}
	for k, v := range req.SignedHeader {
		if k == "Host" {
			continue // set by the HTTP client from the URL
		}
		headers[k] = v
	}
	return casehold.PresignedUpload{URL: req.URL, Method: req.Method, Headers: headers, ExpiresAt: time.Now().Add(ttl).UTC()}, nil
}

// Open returns the staged version and its user metadata.
func (s *Staging) Open(ctx context.Context, key, versionID string) (io.ReadCloser, map[string]string, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		var nsk *types.NoSuchKey
		var api smithy.APIError
		if errors.As(err, &nsk) || (errors.As(err, &api) && (api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchVersion")) {
			return nil, nil, casehold.Errorf(casehold.ENOTFOUND, "no staged upload with that key")
		}
		return nil, nil, fmt.Errorf("open staged %s: %w", key, err)
	}
	return out.Body, out.Metadata, nil
}

// Delete removes a secured upload: every version of the staged object. The presigned URL
// cannot be revoked; a second file sent to it before it expires is a new version the
// ingest recognises by its key (see casehold.Staging).
func (s *Staging) Delete(ctx context.Context, key string) error { return s.removeAll(ctx, key) }

// Discard removes a refused upload the same way, which frees the key: the signed
// "If-None-Match: *" then lets the uploader send a corrected file to the same URL.
func (s *Staging) Discard(ctx context.Context, key string) error { return s.removeAll(ctx, key) }

// removeAll removes every version of key, delete markers included. In a versioned bucket a
// plain DELETE only adds a marker: the bytes would stay a day as a noncurrent version and
// the key would stay taken. (The functions need s3:DeleteObjectVersion on the upload bucket.)
func (s *Staging) removeAll(ctx context.Context, key string) error {
	out, err := s.client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(s.bucket), Prefix: aws.String(key)})
	if err != nil {
		return fmt.Errorf("delete staged %s: %w", key, err)
	}
	var versions []*string
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == key {
			versions = append(versions, v.VersionId)
		}
	}
	for _, m := range out.DeleteMarkers {
		if aws.ToString(m.Key) == key {
			versions = append(versions, m.VersionId)
		}
	}
	for _, v := range versions {
		if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key), VersionId: v}); err != nil {
			return fmt.Errorf("delete staged %s: %w", key, err)
		}
	}
	return nil
}
