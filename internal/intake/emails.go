package intake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// InboundPrefix is where the SES receipt rule writes raw messages in the upload bucket.
const InboundPrefix = "inbound/"

// Emails handles S3 ObjectCreated events for raw messages written by SES.
type Emails struct {
	App *app.Service
	Log *slog.Logger
}

// Handle takes in every message in the event. Failures that a retry could cure are
// returned so the platform redelivers; intake is idempotent, so redelivery is safe.
func (e *Emails) Handle(ctx context.Context, ev events.S3Event) error {
	var errs []error
	for _, obj := range createdUnder(ctx, e.Log, ev, InboundPrefix) {
		// SES writes a setup object when the receipt rule is created: it is not a message.
		if strings.HasSuffix(obj.key, "AMAZON_SES_SETUP_NOTIFICATION") {
			continue
		}
		key, version := obj.key, obj.version
		source := "s3://" + obj.bucket + "/" + key + "#" + version
		in, err := e.App.IngestEmail(ctx, source, func(ctx context.Context) (io.ReadCloser, error) {
			rc, _, err := e.App.Staging.Open(ctx, key, version)
			return rc, err
		}, nil)
		if err != nil {
			e.Log.ErrorContext(ctx, "email not taken in; will be retried", "key", key, "err", err)
			errs = append(errs, fmt.Errorf("intake %s: %w", key, err))
			continue
		}
		e.Log.InfoContext(ctx, "email taken in", "inbound", in.ID, "status", in.Status, "attachments", len(in.Attachments))
	}
	return errors.Join(errs...)
}

// IngestFile takes in a local .eml file (the admin CLI and the inbox folder). The source is
// the file's SHA-256, so the same message dropped twice is taken in once.
func IngestFile(ctx context.Context, svc *app.Service, path string) (*casehold.InboundMessage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open message: %w", err)
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	source := "local:" + hex.EncodeToString(h.Sum(nil))
	return svc.IngestEmail(ctx, source, func(context.Context) (io.ReadCloser, error) { return os.Open(path) }, nil)
}

// WatchInbox takes in every .eml file that appears in dir, until ctx ends, moving each to
// dir/processed (or dir/failed, with the error logged) so nothing is taken twice or lost.
func WatchInbox(ctx context.Context, svc *app.Service, dir string, every time.Duration, log *slog.Logger) error {
	for _, d := range []string{dir, filepath.Join(dir, "processed"), filepath.Join(dir, "failed")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("inbox folder: %w", err)
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		ScanInbox(ctx, svc, dir, log)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// ScanInbox takes in the .eml files in dir once, oldest name first.
func ScanInbox(ctx context.Context, svc *app.Service, dir string, log *slog.Logger) {
	names, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil {
		log.ErrorContext(ctx, "inbox not readable", "err", err)
		return
	}
	sort.Strings(names)
	for _, p := range names {
		in, err := IngestFile(ctx, svc, p)
		dest := filepath.Join(dir, "processed", filepath.Base(p))
		if err != nil {
			log.ErrorContext(ctx, "inbox message not taken in (moved to failed/)", "err", err)
			dest = filepath.Join(dir, "failed", filepath.Base(p))
		} else {
			log.InfoContext(ctx, "inbox message taken in", "inbound", in.ID, "status", in.Status)
		}
		if err := os.Rename(p, dest); err != nil {
			log.ErrorContext(ctx, "inbox message not moved", "err", err)
		}
	}
}
