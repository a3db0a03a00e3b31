// Package s3packs keeps built evidence packs in S3 (the staging bucket, under exports/,
// where a lifecycle rule expires them after 7 days) and hands them out by presigned GET.
//
// A pack is sent as a multipart upload, one part buffered at a time, so memory stays flat
// however large the pack; nothing exists under the key until CompleteMultipartUpload, and
// a build that fails aborts the upload, so no partial pack is ever visible. (A process
// killed outright leaves an incomplete upload, invisible, which the bucket's
// AbortIncompleteMultipartUpload rule removes.) A pack smaller than one part is a single
// PutObject. Hand-rolled on service/s3 rather than feature/s3/manager: sequential parts are
// as fast as the export reads evidence, and no module is added.
package s3packs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/casehold/casehold/internal/casehold"
)

// DefaultPartSize is the part buffered before it is sent: above S3's 5 MiB minimum, and
// 10,000 parts (S3's maximum) of it make an 80 GB pack.
const DefaultPartSize = 8 << 20

// Packs is a bucket of packs.
type Packs struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
	// PartSize is the multipart part size (tests lower it; at least 5 MiB in AWS).
	PartSize int
}

var _ casehold.PackStore = (*Packs)(nil)

// New returns the pack store in bucket.
func New(client *s3.Client, bucket string) *Packs {
	return &Packs{client: client, presign: s3.NewPresignClient(client), bucket: bucket, PartSize: DefaultPartSize}
}

const contentType = "application/zip"

func (p *Packs) Create(ctx context.Context, key string) (casehold.PackWriter, error) {
	if key == "" {
		return nil, casehold.Errorf(casehold.EINVALID, "pack key is empty")
	}
	return &writer{p: p, ctx: ctx, key: key, buf: make([]byte, 0, p.PartSize)}, nil
}

type writer struct {
	p        *Packs
	ctx      context.Context
	key      string
	buf      []byte
	uploadID *string
	parts    []types.CompletedPart
	n        int64
	done     bool
	err      error // the first failure: the upload is aborted and every later call fails
}

func (w *writer) Write(b []byte) (int, error) {
	if w.done || w.err != nil {
		return 0, errors.Join(errors.New("pack: write after commit, abort or failure"), w.err)
	}
	written := 0
	for len(b) > 0 {
		n := min(len(b), cap(w.buf)-len(w.buf))
		w.buf = append(w.buf, b[:n]...)
		b, written = b[n:], written+n
		if len(w.buf) == cap(w.buf) {
			if err := w.flush(); err != nil {
				return written, err
			}
		}
	}
	w.n += int64(written)
	return written, nil
}

// flush sends the buffer as the next part, starting the multipart upload on the first.
func (w *writer) flush() error {
	ctx, p := w.ctx, w.p
	if w.uploadID == nil {
		out, err := p.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(p.bucket), Key: aws.String(w.key),
			ContentType: aws.String(contentType)})
		if err != nil {
			return w.fail(fmt.Errorf("start pack upload: %w", err))
		}
		w.uploadID = out.UploadId
	}
	num := int32(len(w.parts) + 1)
	out, err := p.client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(p.bucket), Key: aws.String(w.key), UploadId: w.uploadID,
		PartNumber: aws.Int32(num), Body: bytes.NewReader(w.buf), ContentLength: aws.Int64(int64(len(w.buf)))})
	if err != nil {
		return w.fail(fmt.Errorf("upload pack part %d: %w", num, err))
	}
	w.parts = append(w.parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
	w.buf = w.buf[:0]
	return nil
}

// fail aborts the upload and remembers err.
func (w *writer) fail(err error) error {
	w.err = err
	w.abortUpload()
	return err
}

func (w *writer) abortUpload() {
	if w.uploadID == nil {
		return
	}
	// A fresh context: the build's may be the one that was cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.ctx), 30*time.Second)
	defer cancel()
	_, _ = w.p.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(w.p.bucket), Key: aws.String(w.key), UploadId: w.uploadID})
	w.uploadID = nil
}

func (w *writer) Commit() (int64, error) {
	if w.done || w.err != nil {
		return 0, errors.Join(errors.New("pack: commit after commit, abort or failure"), w.err)
	}
	w.done = true
	ctx, p := w.ctx, w.p
	if w.uploadID == nil { // smaller than one part
		_, err := p.client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(p.bucket), Key: aws.String(w.key),
			Body: bytes.NewReader(w.buf), ContentLength: aws.Int64(int64(len(w.buf))), ContentType: aws.String(contentType)})
		if err != nil {
			return 0, fmt.Errorf("store pack: %w", err)
		}
		return w.n, nil
	}
	if len(w.buf) > 0 {
		if err := w.flush(); err != nil {
			return 0, err
		}
	}
	_, err := p.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(p.bucket), Key: aws.String(w.key),
		UploadId: w.uploadID, MultipartUpload: &types.CompletedMultipartUpload{Parts: w.parts}})
	if err != nil {
		return 0, w.fail(fmt.Errorf("complete pack upload: %w", err))
	}
	w.uploadID = nil
	return w.n, nil
}

func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.abortUpload()
	return nil
}

// Unfinished counts multipart uploads in progress under prefix (for the contract suite).
func (p *Packs) Unfinished(ctx context.Context, prefix string) (int, error) {
	out, err := p.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(p.bucket), Prefix: aws.String(prefix)})
	if err != nil {
		return 0, err
	}
	return len(out.Uploads), nil
}

func (p *Packs) Open(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	out, err := p.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(p.bucket), Key: aws.String(key)})
	if err != nil {
		if notFound(err) {
			return nil, 0, casehold.Errorf(casehold.ENOTFOUND, "no evidence pack with that key (it may have expired)")
		}
		return nil, 0, fmt.Errorf("open pack: %w", err)
	}
	return out.Body, aws.ToInt64(out.ContentLength), nil
}

// Link presigns a GET of the pack that saves it as filename.
func (p *Packs) Link(ctx context.Context, key, filename string, ttl time.Duration) (string, error) {
	req, err := p.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(p.bucket), Key: aws.String(key),
		ResponseContentDisposition: aws.String(mime.FormatMediaType("attachment", map[string]string{"filename": filename})),
		ResponseContentType:        aws.String(contentType)}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign pack: %w", err)
	}
	return req.URL, nil
}

func (p *Packs) Delete(ctx context.Context, key string) error {
	_, err := p.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(p.bucket), Key: aws.String(key)})
	if err != nil && !notFound(err) {
		return fmt.Errorf("delete pack: %w", err)
	}
	return nil
}

func notFound(err error) bool {
	var nsk *types.NoSuchKey
	var api smithy.APIError
	return errors.As(err, &nsk) || errors.As(err, &api) && (api.ErrorCode() == "NotFound" || api.ErrorCode() == "NoSuchKey")
}
