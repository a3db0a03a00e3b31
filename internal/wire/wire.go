// Package wire builds casehold from a Config for either backend. The Lambda mains, the
// local server and the integration tests all call Build, so they assemble the same graph.
package wire

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/boltstore"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/dynamostore"
	"github.com/casehold/casehold/internal/fileevidence"
	"github.com/casehold/casehold/internal/filepacks"
	"github.com/casehold/casehold/internal/filestaging"
	"github.com/casehold/casehold/internal/httpapi"
	"github.com/casehold/casehold/internal/intake"
	"github.com/casehold/casehold/internal/outbox"
	"github.com/casehold/casehold/internal/s3evidence"
	"github.com/casehold/casehold/internal/s3packs"
	"github.com/casehold/casehold/internal/s3staging"
	"github.com/casehold/casehold/internal/sesmail"
	"github.com/casehold/casehold/internal/webui"
)

// App is the assembled system.
type App struct {
	Config   config.Config
	Service  *app.Service
	Handler  http.Handler
	Uploads  *intake.Uploads
	Emails   *intake.Emails
	Releases *intake.Releases
	// Disposals runs approved disposals (the disposal function; the local server's ticker).
	Disposals *intake.Disposals
	// UI is the staff web UI, nil when there is no way to sign in to it.
	UI *webui.UI
	// Reminders runs the scheduled sweep (the reminders function; the local server's ticker).
	Reminders *intake.Reminders
	// Exports builds evidence packs of export jobs (the export function; the local server).
	Exports *intake.Exports
	// TokenSecret signs local demo tokens (embedded backend with local auth).
	TokenSecret []byte
	closers     []func() error
}

// Close releases what Build opened (the bbolt file lock).
func (a *App) Close() error {
	var errs []error
	for _, c := range a.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// Logger returns the logger the config asks for.
func Logger(cfg config.Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// Build assembles casehold. It fails loudly on anything misconfigured.
func Build(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{Config: cfg}
	svc := app.New(&app.Deps{
		Clock: app.SystemClock{}, IDs: app.RandomIDs{}, Log: log,
		MaxUploadBytes: cfg.MaxUploadBytes, MailFrom: cfg.MailFrom, EDTEmail: cfg.EDTEmail, AssessmentEmail: cfg.AssessmentEmail,
		LegalEmail: cfg.LegalEmail, Council: cfg.Council,
		Intake: app.IntakeSettings{LocalPart: cfg.IntakeLocalPart, AllowedDomains: cfg.IntakeAllowedDomains,
			RequireVerdicts: cfg.IntakeRequireVerdicts, MaxMessageBytes: 40 << 20},
		LiftsHolds: cfg.LiftsHolds,
		Remind:     cfg.Remind, SeniorLeadershipEmail: cfg.SLTEmail,
	})
	var receiver httpapi.UploadReceiver
	switch cfg.Backend {
	case config.Embedded:
		st, err := buildEmbedded(cfg, svc, a)
		if err != nil {
			a.Close()
			return nil, err
		}
		receiver = &localReceiver{staging: st, svc: svc}
	case config.AWS:
		if err := buildAWS(ctx, cfg, svc); err != nil {
			return nil, err
		}
		if cfg.Auth == "local" {
			// A laptop on the emulators (config allows nothing else): sign-in as with the
			// embedded backend, the key kept in the data folder.
			secret, err := LocalTokenSecret(cfg)
			if err != nil {
				return nil, err
			}
			a.TokenSecret = secret
		}
	}
	var authn auth.Authenticator = auth.APIGateway{}
	if cfg.Auth == "local" {
		if a.TokenSecret == nil {
			return nil, fmt.Errorf("CASEHOLD_AUTH=local needs the embedded backend's token secret")
		}
		authn = &auth.Local{Secret: a.TokenSecret}
	}
	if cfg.Auth == "local" {
		if err := seedDemoDirectory(ctx, svc); err != nil {
			a.Close()
			return nil, err
		}
	}
	if err := buildAuditLog(cfg, svc, log); err != nil {
		a.Close()
		return nil, err
	}
	if l := svc.AuditLog; l != nil {
		// Before the store closes: a command or server that sequenced the log hands the
		// lease back, so the next one does not wait for it to run out.
		a.closers = append([]func() error{func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return l.ReleaseLease(ctx)
		}}, a.closers...)
	}
	a.Service = svc
	a.Uploads = &intake.Uploads{App: svc, Log: log}
	a.Emails = &intake.Emails{App: svc, Log: log}
	a.Releases = &intake.Releases{App: svc, Log: log}
	a.Disposals = &intake.Disposals{App: svc, Log: log}
	ui, err := buildUI(ctx, cfg, a, log)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.UI = ui
	a.Reminders = &intake.Reminders{App: svc, Log: log}
	a.Exports = &intake.Exports{App: svc, Log: log}
	a.Handler = (&httpapi.Server{App: svc, Auth: authn, Log: log, Uploads: receiver, UI: ui}).Handler()
	return a, nil
}

func buildEmbedded(cfg config.Config, svc *app.Service, a *App) (*filestaging.Staging, error) {
	dir := cfg.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	secret, err := LocalTokenSecret(cfg)
	if err != nil {
		return nil, err
	}
	a.TokenSecret = secret
	store, err := boltstore.Open(filepath.Join(dir, "casehold.db"))
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	a.closers = append(a.closers, store.Close)
	ev, err := fileevidence.New(filepath.Join(dir, "evidence"))
	if err != nil {
		return nil, fmt.Errorf("open evidence: %w", err)
	}
	a.closers = append(a.closers, ev.Close)
	mail, err := outbox.New(filepath.Join(dir, "outbox"))
	if err != nil {
		return nil, fmt.Errorf("open outbox: %w", err)
	}
	st, err := filestaging.New(filepath.Join(dir, "staging"), cfg.PublicURL, secret, cfg.MaxUploadBytes)
	if err != nil {
		return nil, err
	}
	svc.Store, svc.Evidence, svc.Mail, svc.Staging = store, ev, mail, st
	svc.Locks, svc.Staff = store, store
	packs, err := filepacks.New(filepath.Join(dir, "exports"))
	if err != nil {
		return nil, err
	}
	svc.ExportJobs, svc.Packs = store, packs
	return st, nil
}

func buildAWS(ctx context.Context, cfg config.Config, svc *app.Service) error {
	opts := awsconf.Options{Region: cfg.Region, S3Endpoint: cfg.S3Endpoint, DynamoDBEndpoint: cfg.DynamoDBEndpoint,
		SESEndpoint: cfg.SESEndpoint, AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey}
	awsCfg, err := awsconf.Load(ctx, opts)
	if err != nil {
		return err
	}
	s3c, ddb := awsconf.S3(awsCfg, opts), awsconf.DynamoDB(awsCfg, opts)
	if cfg.CreateResources {
		if err := dynamostore.CreateTable(ctx, ddb, cfg.Table); err != nil {
			return fmt.Errorf("create table: %w", err)
		}
		if err := s3evidence.EnsureBucket(ctx, s3c, cfg.EvidenceBucket); err != nil {
			return fmt.Errorf("create evidence bucket: %w", err)
		}
		// A bucket found rather than made may lack Object Lock: refuse to start on it.
		if err := s3evidence.RequireObjectLock(ctx, s3c, cfg.EvidenceBucket); err != nil {
			return err
		}
		if err := s3evidence.EnsureBucket(ctx, s3c, cfg.UploadBucket); err != nil {
			return fmt.Errorf("create upload bucket: %w", err)
		}
	}
	ds := dynamostore.New(ddb, cfg.Table)
	svc.Store, svc.Locks, svc.Staff = ds, ds, ds
	svc.Evidence = s3evidence.New(s3c, cfg.EvidenceBucket)
	svc.Staging = s3staging.New(s3c, cfg.UploadBucket)
	// Built evidence packs live in the staging bucket under exports/ (app.PackPrefix).
	svc.ExportJobs, svc.Packs = ds, s3packs.New(s3c, cfg.UploadBucket)
	svc.Mail = sesmail.New(awsconf.SES(awsCfg, opts))
	return nil
}

// buildAuditLog gives the service its audit log: sequencer, publisher, prover, verifier.
// Embedded, the signing key is <DataDir>/audit.key, made on first start. In AWS the key
// comes from the environment (the template resolves it from Secrets Manager for the
// sequencer; other functions get only the public key); a function given neither records
// events but cannot prove or verify them.
func buildAuditLog(cfg config.Config, svc *app.Service, log *slog.Logger) error {
	skey, vkey := cfg.AuditSigningKey, cfg.AuditPublicKey
	if cfg.Backend == config.Embedded && skey == "" {
		var err error
		if skey, err = LocalAuditKey(cfg); err != nil {
			return err
		}
	}
	if skey == "" && vkey == "" {
		return nil
	}
	keys, err := auditlog.KeysFrom(skey, vkey)
	if err != nil {
		return fmt.Errorf("audit log key (CASEHOLD_AUDIT_SIGNING_KEY / CASEHOLD_AUDIT_PUBLIC_KEY): %w", err)
	}
	svc.AuditLog = &auditlog.Log{Store: svc.Store, Evidence: svc.Evidence, Keys: keys, Clock: svc.Clock,
		Log: log, Owner: "sequencer-" + app.RandomIDs{}.New()}
	if cfg.Backend == config.Embedded {
		// Embedded batches are one bbolt transaction each, and each costs syncs: fewer,
		// larger batches leave more of the disk and CPU to requests. (In DynamoDB a batch's
		// ids must fit one item, which the default keeps them well inside.)
		svc.AuditLog.BatchSize = 10000
	}
	return nil
}

// LocalAuditKey returns the embedded audit log's signing key, making it on first use:
// a file readable by its owner only, like the token key.
func LocalAuditKey(cfg config.Config) (string, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return "", fmt.Errorf("data folder %s: %w", cfg.DataDir, err)
	}
	path := filepath.Join(cfg.DataDir, "audit.key")
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read audit log key: %w", err)
	}
	skey, _, err := auditlog.GenerateKey(cfg.AuditLogName)
	if err != nil {
		return "", err
	}
	// O_EXCL: two processes starting at once must not each write a different key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LocalAuditKey(cfg)
	}
	if err != nil {
		return "", fmt.Errorf("write audit log key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write audit log key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write audit log key: %w", err)
	}
	return skey, nil
}

// LocalTokenSecret returns the embedded server's token key, making it on first use.
func LocalTokenSecret(cfg config.Config) ([]byte, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder %s: %w", cfg.DataDir, err)
	}
	return loadSecret(filepath.Join(cfg.DataDir, "token.key"))
}

// loadSecret reads the local token key, making a random one on first run.
func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read token key: %w", err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("make token key: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("write token key: %w", err)
	}
	return b, nil
}

// localReceiver is the local stand-in for "S3 stores the PUT, then notifies the ingest
// function": it stages the file and runs the ingest use case the S3 event handler runs.
type localReceiver struct {
	staging *filestaging.Staging
	svc     *app.Service
}

func (l *localReceiver) Receive(ctx context.Context, key, expires, signature string, body io.Reader) (*casehold.Document, error) {
	version, err := l.staging.Receive(ctx, key, expires, signature, body)
	if err != nil {
		return nil, err
	}
	// The use case the ingest-upload function runs for the S3 event, called directly so the
	// answer is this run's: a refused body is discarded at once (its slot stays usable for
	// the right file), so asking again after the event handler would find nothing.
	return l.svc.IngestStaged(ctx, key, version)
}

// MustFromEnv is the Lambda start-up: read the configuration, build once, and exit with a
// logged reason if either fails, so a misconfigured function fails loudly at cold start.
func MustFromEnv(ctx context.Context) *App {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		slog.Error("bad configuration", "err", err)
		os.Exit(1)
	}
	a, err := Build(ctx, cfg, Logger(cfg, os.Stderr))
	if err != nil {
		slog.Error("start-up failed", "err", err)
		os.Exit(1)
	}
	return a
}

// seedDemoDirectory gives a local server with demo sign-in a staff directory of the demo
// staff, once: an imported directory is never overwritten.
func seedDemoDirectory(ctx context.Context, svc *app.Service) error {
	if _, err := svc.Staff.GetStaff(ctx, auth.DemoStaff[0].ID); err == nil {
		return nil
	} else if casehold.ErrorCode(err) != casehold.ENOTFOUND {
		return fmt.Errorf("seed demo directory: %w", err)
	}
	members, err := casehold.ParseStaffCSV(strings.NewReader(auth.DemoDirectory))
	if err != nil {
		return fmt.Errorf("seed demo directory: %w", err)
	}
	if _, err := svc.Staff.ReplaceStaff(ctx, members); err != nil {
		return fmt.Errorf("seed demo directory: %w", err)
	}
	return nil
}
