// Package config is casehold's one configuration struct, read from the environment (and
// flags locally), validated, with defaults that make `make run` work with nothing set.
package config

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/reminders"
)

// Backend selects the adapters.
type Backend string

const (
	Embedded Backend = "embedded" // bbolt, a local write-once folder, an .eml outbox
	AWS      Backend = "aws"      // DynamoDB, S3 Object Lock, SES
)

// Config is every setting. Field comments name the environment variable.
type Config struct {
	Backend        Backend // CASEHOLD_BACKEND: embedded (default) or aws
	DataDir        string  // CASEHOLD_DATA_DIR: embedded state folder, default ./var
	Addr           string  // CASEHOLD_ADDR: local listen address, default 127.0.0.1:8080
	PublicURL      string  // CASEHOLD_PUBLIC_URL: base URL for local upload links, default http://<Addr>
	MaxUploadBytes int64   // CASEHOLD_MAX_UPLOAD_BYTES: one document, default 256 MiB
	MailFrom       string  // CASEHOLD_MAIL_FROM: sender of notices
	EDTEmail       string  // CASEHOLD_EDT_EMAIL: Emergency Duty Team mailbox
	// AssessmentEmail: CASEHOLD_ASSESSMENT_EMAIL, the assessment (R&A) team's mailbox, copied
	// on every contact a helpdesk officer records for a locked case.
	AssessmentEmail string
	LegalEmail      string // CASEHOLD_LEGAL_EMAIL: legal services mailbox
	Council         string // CASEHOLD_COUNCIL: the council's name on forms and receipts

	// Email intake.
	IntakeLocalPart       string   // CASEHOLD_INTAKE_LOCAL_PART: default "intake"
	IntakeAllowedDomains  []string // CASEHOLD_INTAKE_ALLOWED_DOMAINS: comma-separated sender domains
	IntakeRequireVerdicts bool     // CASEHOLD_INTAKE_REQUIRE_VERDICTS: default true; false must be asked for (the local inbox: `make run` does)
	InboxPoll             string   // CASEHOLD_INBOX_POLL: how often the local inbox folder is read, default 2s
	Auth                  string   // CASEHOLD_AUTH: local (tokens signed by this server; default embedded) or apigw (default aws)
	LogFormat             string   // CASEHOLD_LOG_FORMAT: text or json

	// AWS backend.
	Region           string // CASEHOLD_REGION, else AWS_REGION
	Table            string // CASEHOLD_TABLE
	EvidenceBucket   string // CASEHOLD_EVIDENCE_BUCKET
	UploadBucket     string // CASEHOLD_UPLOAD_BUCKET
	S3Endpoint       string // CASEHOLD_S3_ENDPOINT: only for local emulators
	DynamoDBEndpoint string // CASEHOLD_DYNAMODB_ENDPOINT: only for local emulators
	SESEndpoint      string // CASEHOLD_SES_ENDPOINT: only for local emulators
	AccessKey        string // CASEHOLD_ACCESS_KEY: only for local emulators
	SecretKey        string // CASEHOLD_SECRET_KEY: only for local emulators
	CreateResources  bool   // CASEHOLD_CREATE_RESOURCES: create table and buckets if absent (emulators)

	// LiftsHolds: CASEHOLD_LIFTS_HOLDS, whether this process may turn legal holds off.
	// Default true for embedded and for a local server on the emulators (one process does
	// everything); false in Lambda, where only the release function sets it (its role is the
	// only one the bucket policy lets turn a hold off).
	LiftsHolds bool
	// InLambda is true when running in AWS Lambda (AWS_LAMBDA_FUNCTION_NAME is set); local
	// sign-in is then refused whatever else is configured.
	InLambda bool
	// Audit log keys (see README "Audit log"). Embedded: <DataDir>/audit.key, made on
	// first start, unless AuditSigningKey is set.
	AuditSigningKey string // CASEHOLD_AUDIT_SIGNING_KEY: note signer key; in AWS resolved from Secrets Manager
	AuditPublicKey  string // CASEHOLD_AUDIT_PUBLIC_KEY: verifier key, for processes that only prove and verify
	AuditLogName    string // CASEHOLD_AUDIT_LOG_NAME: name (origin) of a key made locally, default casehold.local/audit

	// Staff web UI sign-in through the council's OpenID Connect provider (README "Web UI").
	OIDCIssuer       string // CASEHOLD_OIDC_ISSUER: e.g. https://login.microsoftonline.com/<tenant>/v2.0; empty: no OIDC sign-in
	OIDCClientID     string // CASEHOLD_OIDC_CLIENT_ID
	OIDCClientSecret string // CASEHOLD_OIDC_CLIENT_SECRET: empty for a public client (PKCE alone)
	OIDCRedirectURL  string // CASEHOLD_OIDC_REDIRECT_URL: empty: https://<the request's host>/ui/auth/callback
	OIDCRolesClaim   string // CASEHOLD_OIDC_ROLES_CLAIM: the claim holding casehold roles, default casehold:roles
	// SessionKey: CASEHOLD_SESSION_KEY, at least 32 characters, seals the web UI's session
	// cookies (in AWS from Secrets Manager). Locally it is derived from the token key.
	SessionKey string
	// Reminders (remind.go): the intervals, and how often the local server sweeps.
	Remind      reminders.Settings // CASEHOLD_REMIND_*
	RemindEvery time.Duration      // CASEHOLD_REMIND_EVERY
	SLTEmail    string             // CASEHOLD_SLT_EMAIL: senior leadership team, sent the twice-yearly locked-cases summary
}

// DefaultMaxUploadBytes suits a scanned file of a few hundred pages.
const DefaultMaxUploadBytes = 256 << 20

// FromEnv reads the configuration from getenv (os.Getenv in production) and validates it.
func FromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Backend:          Backend(get("CASEHOLD_BACKEND", string(Embedded))),
		DataDir:          get("CASEHOLD_DATA_DIR", "var"),
		Addr:             get("CASEHOLD_ADDR", "127.0.0.1:8080"),
		PublicURL:        get("CASEHOLD_PUBLIC_URL", ""),
		MailFrom:         get("CASEHOLD_MAIL_FROM", "casehold@council.example"),
		EDTEmail:         get("CASEHOLD_EDT_EMAIL", "edt@council.example"),
		AssessmentEmail:  get("CASEHOLD_ASSESSMENT_EMAIL", "assessment@council.example"),
		LegalEmail:       get("CASEHOLD_LEGAL_EMAIL", "legal@council.example"),
		Council:          get("CASEHOLD_COUNCIL", "Example Council Children's Services"),
		IntakeLocalPart:  get("CASEHOLD_INTAKE_LOCAL_PART", "intake"),
		InboxPoll:        get("CASEHOLD_INBOX_POLL", "2s"),
		Auth:             get("CASEHOLD_AUTH", defaultAuth(Backend(get("CASEHOLD_BACKEND", string(Embedded))))),
		LogFormat:        get("CASEHOLD_LOG_FORMAT", "text"),
		Region:           get("CASEHOLD_REGION", get("AWS_REGION", "eu-west-2")),
		Table:            get("CASEHOLD_TABLE", ""),
		EvidenceBucket:   get("CASEHOLD_EVIDENCE_BUCKET", ""),
		UploadBucket:     get("CASEHOLD_UPLOAD_BUCKET", ""),
		S3Endpoint:       get("CASEHOLD_S3_ENDPOINT", ""),
		DynamoDBEndpoint: get("CASEHOLD_DYNAMODB_ENDPOINT", ""),
		SESEndpoint:      get("CASEHOLD_SES_ENDPOINT", ""),
		AccessKey:        get("CASEHOLD_ACCESS_KEY", ""),
		SecretKey:        get("CASEHOLD_SECRET_KEY", ""),
		AuditSigningKey:  get("CASEHOLD_AUDIT_SIGNING_KEY", ""),
		AuditPublicKey:   get("CASEHOLD_AUDIT_PUBLIC_KEY", ""),
		AuditLogName:     get("CASEHOLD_AUDIT_LOG_NAME", "casehold.local/audit"),
		OIDCIssuer:       get("CASEHOLD_OIDC_ISSUER", ""),
		OIDCClientID:     get("CASEHOLD_OIDC_CLIENT_ID", ""),
		OIDCClientSecret: get("CASEHOLD_OIDC_CLIENT_SECRET", ""),
		OIDCRedirectURL:  get("CASEHOLD_OIDC_REDIRECT_URL", ""),
		OIDCRolesClaim:   get("CASEHOLD_OIDC_ROLES_CLAIM", ""),
		SessionKey:       get("CASEHOLD_SESSION_KEY", ""),
	}
	var err error
	if c.MaxUploadBytes, err = strconv.ParseInt(get("CASEHOLD_MAX_UPLOAD_BYTES", strconv.Itoa(DefaultMaxUploadBytes)), 10, 64); err != nil {
		return Config{}, fmt.Errorf("CASEHOLD_MAX_UPLOAD_BYTES must be a whole number of bytes")
	}
	if c.CreateResources, err = strconv.ParseBool(get("CASEHOLD_CREATE_RESOURCES", "false")); err != nil {
		return Config{}, fmt.Errorf("CASEHOLD_CREATE_RESOURCES must be true or false")
	}
	for _, d := range strings.Split(get("CASEHOLD_INTAKE_ALLOWED_DOMAINS", "council.example,review.example,board.example"), ",") {
		if d = strings.TrimSpace(d); d != "" {
			c.IntakeAllowedDomains = append(c.IntakeAllowedDomains, d)
		}
	}
	c.InLambda = getenv("AWS_LAMBDA_FUNCTION_NAME") != ""
	if c.LiftsHolds, err = strconv.ParseBool(get("CASEHOLD_LIFTS_HOLDS", strconv.FormatBool(!c.InLambda))); err != nil {
		return Config{}, fmt.Errorf("CASEHOLD_LIFTS_HOLDS must be true or false")
	}
	if c.IntakeRequireVerdicts, err = strconv.ParseBool(get("CASEHOLD_INTAKE_REQUIRE_VERDICTS", "true")); err != nil {
		return Config{}, fmt.Errorf("CASEHOLD_INTAKE_REQUIRE_VERDICTS must be true or false")
	}
	if err := remindFromEnv(get, &c); err != nil {
		return Config{}, err
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	return c, c.Validate()
}

// Validate reports the first setting that cannot work, naming its variable.
func (c Config) Validate() error {
	if c.MaxUploadBytes < 1024 {
		return fmt.Errorf("CASEHOLD_MAX_UPLOAD_BYTES must be at least 1024")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("CASEHOLD_ADDR must be host:port: %w", err)
	}
	if d, err := time.ParseDuration(c.InboxPoll); err != nil || d < 100*time.Millisecond {
		return fmt.Errorf("CASEHOLD_INBOX_POLL must be a duration of at least 100ms, like 2s")
	}
	if c.Auth != "local" && c.Auth != "apigw" {
		return fmt.Errorf("CASEHOLD_AUTH must be local or apigw")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("CASEHOLD_LOG_FORMAT must be text or json")
	}
	if c.Auth == "local" {
		if err := c.localSignInAllowed(); err != nil {
			return err
		}
	}
	if c.OIDCIssuer != "" {
		if c.OIDCClientID == "" {
			return fmt.Errorf("CASEHOLD_OIDC_CLIENT_ID is required with CASEHOLD_OIDC_ISSUER")
		}
		if len(c.SessionKey) < 32 && c.Auth != "local" {
			return fmt.Errorf("CASEHOLD_SESSION_KEY must be at least 32 characters with CASEHOLD_OIDC_ISSUER")
		}
	}
	switch c.Backend {
	case Embedded:
		if c.DataDir == "" {
			return fmt.Errorf("CASEHOLD_DATA_DIR must not be empty")
		}
	case AWS:
		for name, v := range map[string]string{"CASEHOLD_TABLE": c.Table, "CASEHOLD_EVIDENCE_BUCKET": c.EvidenceBucket,
			"CASEHOLD_UPLOAD_BUCKET": c.UploadBucket, "CASEHOLD_REGION": c.Region} {
			if v == "" {
				return fmt.Errorf("%s is required when CASEHOLD_BACKEND=aws", name)
			}
		}
	default:
		return fmt.Errorf("CASEHOLD_BACKEND must be embedded or aws")
	}
	return nil
}

// localSignInAllowed keeps local sign-in (tokens this server signs itself) to a laptop: the
// embedded backend, or the aws backend pointed at emulators on loopback addresses. Never in
// Lambda, never against real AWS endpoints.
func (c Config) localSignInAllowed() error {
	if c.InLambda {
		return fmt.Errorf("CASEHOLD_AUTH=local is refused in AWS Lambda: use CASEHOLD_AUTH=apigw")
	}
	if c.Backend != AWS {
		return nil
	}
	for _, e := range []struct{ name, url string }{{"CASEHOLD_S3_ENDPOINT", c.S3Endpoint},
		{"CASEHOLD_DYNAMODB_ENDPOINT", c.DynamoDBEndpoint}, {"CASEHOLD_SES_ENDPOINT", c.SESEndpoint}} {
		if !loopbackURL(e.url) {
			return fmt.Errorf("CASEHOLD_AUTH=local with CASEHOLD_BACKEND=aws is only for the local emulators: %s must be an http://127.0.0.1:PORT address", e.name)
		}
	}
	return nil
}

// loopbackURL reports whether u is an http(s) URL whose host is a loopback address.
func loopbackURL(u string) bool {
	rest, ok := strings.CutPrefix(u, "http://")
	if !ok {
		if rest, ok = strings.CutPrefix(u, "https://"); !ok {
			return false
		}
	}
	host := rest
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// defaultAuth is local sign-in for the embedded backend and API Gateway's for aws; local
// sign-in with aws (make run-aws) must be asked for.
func defaultAuth(b Backend) string {
	if b == AWS {
		return "apigw"
	}
	return "local"
}
