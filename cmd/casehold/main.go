// Command casehold is the local single-process server and the admin CLI.
//
//	casehold serve            run the API on 127.0.0.1 with the embedded default
//	casehold token STAFF-ID   print a bearer token for a demo staff member
//	casehold verify [-repair] check the audit chain and every document's hash and hold
//	casehold intake FILE.eml  take in an email message (stop the server first, or drop the
//	                          file in DATA/inbox while it runs)
//	casehold audit ...        the audit log: key, verify, migrate, flush, keygen,
//	                          check-proof, check-consistency (see `casehold audit help`)
//	casehold export -as STAFF-ID MATTER   write a matter's evidence pack
//	casehold verify-pack FILE.zip         check an evidence pack offline
//	casehold remind [--dry-run] [--at TIME]  run the reminder sweep once (or say what it would send)
//	casehold help [COMMAND]   this list, or one command's usage (also COMMAND -h, --help)
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/filestaging"
	"github.com/casehold/casehold/internal/intake"
	"github.com/casehold/casehold/internal/wire"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "casehold:", err)
		os.Exit(1)
	}
}

// commands are the CLI's commands in the order help lists them.
var commands = []struct{ name, args, summary string }{
	{"serve", "[-addr HOST:PORT] [-data DIR]", "run the API and web pages locally on the embedded default (the default command)"},
	{"token", "STAFF-ID", "print a bearer token for a demo staff member (works while the server runs)"},
	{"verify", "[-repair] [-limit N] [-after ID]", "check the audit chain and every document's hash and legal hold (stop the server first)"},
	{"intake", "FILE.eml", "take in an email message (stop the server first, or drop the file in DATA/inbox while it runs)"},
	{"audit", "COMMAND [ARGS]", "the audit log: key, verify, migrate, flush, keygen, check-proof, check-consistency"},
	{"export", "-as STAFF-ID [-o FILE] MATTER", "write a matter's evidence pack (zip) that anyone can check"},
	{"verify-pack", "[-key VKEY] [-json] FILE.zip", "check an evidence pack offline and name what is wrong"},
	{"remind", "[--dry-run] [--at 2027-01-04T08:00]", "run the reminder sweep once and deliver queued mail; --dry-run only prints what it would send, to whom (staff ids)"},
	{"help", "[COMMAND]", "print this list, or one command's usage"},
}

// usage writes the list of commands.
func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: casehold COMMAND [ARGS]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-7s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"casehold COMMAND -h\" for a command's arguments. Configuration is read from CASEHOLD_* environment variables (see README).")
}

// commandUsage writes one command's usage, with its flags' defaults. It reports false for an
// unknown command.
func commandUsage(w io.Writer, name string, cfg config.Config) bool {
	for _, c := range commands {
		if c.name != name {
			continue
		}
		if u, ok := map[string]string{"audit": auditUsage, "export": exportUsage, "verify-pack": verifyPackUsage}[name]; ok {
			fmt.Fprintln(w, u)
			return true
		}
		fmt.Fprintf(w, "usage: casehold %s %s\n\n%s\n", c.name, c.args, c.summary)
		if fs := flags(name, &cfg, new(app.VerifyOptions)); fs != nil {
			fmt.Fprintln(w, "\nFlags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
		}
		if name == "token" {
			fmt.Fprintf(w, "\nDemo staff: %s\n", demoIDs())
		}
		return true
	}
	return false
}

// flags is the flag set of a command that has one, bound to cfg (and opts for verify).
func flags(name string, cfg *config.Config, opts *app.VerifyOptions) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are returned; usage is printed by commandUsage
	switch name {
	case "serve":
		fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (CASEHOLD_ADDR)")
		fs.StringVar(&cfg.DataDir, "data", cfg.DataDir, "data folder (CASEHOLD_DATA_DIR)")
	case "verify":
		fs.BoolVar(&opts.Repair, "repair", false, "put back a legal hold missing from a held document")
		fs.IntVar(&opts.Limit, "limit", 0, "check at most N documents (0: all); the report's next says where to resume")
		fs.StringVar(&opts.After, "after", "", "start after this document id (the next of an earlier run)")
	case "remind":
		remindFlags(fs)
	default:
		return nil
	}
	return fs
}

// wantsHelp reports whether args ask for help rather than work.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help":
			return true
		case "--":
			return false
		}
	}
	return false
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	// Help is answered before configuration is read or anything is opened: asking how to
	// use "intake" must not take the database's lock from a running server.
	if cmd == "help" || cmd == "-h" || cmd == "-help" || cmd == "--help" || wantsHelp(args) ||
		cmd == "audit" && len(args) > 0 && args[0] == "help" {
		cfg, _ := config.FromEnv(getenv) // defaults for the flags' help; a bad setting is reported when a command runs
		topic := cmd
		if cmd == "help" || strings.HasPrefix(cmd, "-") {
			topic = ""
			if len(args) > 0 {
				topic = args[0]
			}
			if cmd == "help" && strings.HasPrefix(topic, "-") {
				topic = "help" // "help -h": help about help
			}
		}
		if topic == "" {
			usage(stdout)
			return nil
		}
		if !commandUsage(stdout, topic, cfg) {
			usage(stderr)
			return fmt.Errorf("unknown command %q", topic)
		}
		return nil
	}
	if cmd == "verify-pack" { // offline: reads no configuration and opens no store
		return verifyPackCmd(args, stdout)
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		fs := flags("serve", &cfg, new(app.VerifyOptions))
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("serve: %w (see casehold serve -h)", err)
		}
		if fs.NArg() != 0 {
			return fmt.Errorf("usage: casehold serve [-addr HOST:PORT] [-data DIR]")
		}
		if getenv("CASEHOLD_PUBLIC_URL") == "" {
			cfg.PublicURL = "http://" + cfg.Addr
		}
		return serve(ctx, cfg, stdout, stderr)
	case "token":
		if len(args) != 1 {
			return fmt.Errorf("usage: casehold token STAFF-ID (one of: %s)", demoIDs())
		}
		return printToken(ctx, cfg, args[0], stdout, stderr)
	case "verify":
		var opts app.VerifyOptions
		fs := flags("verify", &cfg, &opts)
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("verify: %w (see casehold verify -h)", err)
		}
		if fs.NArg() != 0 {
			return fmt.Errorf("usage: casehold verify [-repair] [-limit N] [-after ID]")
		}
		return verify(ctx, cfg, opts, stdout, stderr)
	case "intake":
		if len(args) != 1 {
			return fmt.Errorf("usage: casehold intake FILE.eml")
		}
		return intakeFile(ctx, cfg, args[0], stdout, stderr)
	case "audit":
		return auditCmd(ctx, cfg, args, stdout, stderr)
	case "export":
		return exportCmd(ctx, cfg, args, stdout, stderr)
	case "remind":
		return remindCmd(ctx, cfg, args, stdout, stderr)
	default:
		usage(stderr)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func demoIDs() string {
	s := ""
	for i, a := range auth.DemoStaff {
		if i > 0 {
			s += ", "
		}
		s += a.ID
	}
	return s
}

func build(ctx context.Context, cfg config.Config, stderr io.Writer) (*wire.App, *slog.Logger, error) {
	log := wire.Logger(cfg, stderr)
	a, err := wire.Build(ctx, cfg, log)
	return a, log, err
}

func serve(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) error {
	a, log, err := build(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "casehold listening on http://%s (backend %s, data in %s)\n\n", ln.Addr(), cfg.Backend, cfg.DataDir)
	if a.UI != nil {
		fmt.Fprintf(stdout, "Staff web UI: open http://%s/ in a browser (local sign-in lists the demo staff)\n\n", ln.Addr())
	}
	if a.TokenSecret != nil {
		fmt.Fprintln(stdout, "Demo staff tokens (valid 12 hours; `go run ./cmd/casehold token ID` makes more):")
		for _, s := range auth.DemoStaff {
			tok, err := auth.Issue(a.TokenSecret, s, time.Now(), 12*time.Hour)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "  # %s, %s (%s)\n  export %s=%s\n", s.Name, s.Roles[0], s.ID, shellName(s.ID), tok)
		}
		fmt.Fprintf(stdout, "\nTry: curl -s -H \"Authorization: Bearer $COORD\" http://%s/me\n", ln.Addr())
	}
	if st, ok := a.Service.Staging.(*filestaging.Staging); ok {
		resumeUploads(ctx, a, st, log)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// What the export function does in AWS (started by the table's stream): build each
	// requested evidence pack, and those a stopped server left unfinished. Builds stop with
	// ctx and are waited for before the store closes.
	if err := a.Exports.Start(ctx); err != nil {
		return err
	}
	defer func() { stop(); a.Exports.Wait() }()
	if cfg.Backend == config.Embedded {
		inbox := filepath.Join(cfg.DataDir, "inbox")
		every, _ := time.ParseDuration(cfg.InboxPoll)
		fmt.Fprintf(stdout, "Email intake: drop .eml files into %s\n", inbox)
		fmt.Fprint(stdout, intakeTrust(cfg))
		go func() {
			if err := intake.WatchInbox(ctx, a.Service, inbox, every, log); err != nil {
				log.Error("inbox watcher stopped", "err", err)
			}
		}()
	}
	if l, ok := a.Service.Staging.(intake.StagingLister); ok && cfg.Backend == config.AWS {
		// On the emulators nothing sends S3 events: look for uploads and mail instead.
		every, _ := time.ParseDuration(cfg.InboxPoll)
		fmt.Fprintf(stdout, "Uploads and email: the upload bucket %s is checked every %s\n", cfg.UploadBucket, every)
		go intake.PollStaging(ctx, l, a.Uploads, a.Emails, every, log)
	}
	if cfg.LiftsHolds {
		// What the release function does in AWS: finish releases that a crash or a refused
		// notice left part-way, now and every half minute.
		go func() {
			tick := time.NewTicker(30 * time.Second)
			defer tick.Stop()
			for {
				_ = a.Releases.Handle(ctx, nil) // logged by the handler; tried again next tick
				// What the disposal function does in AWS: destroy approved, unheld documents.
				_ = a.Disposals.Handle(ctx, nil)
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
	}
	// What the reminders function does in AWS: sweep now and every CASEHOLD_REMIND_EVERY.
	go func() {
		tick := time.NewTicker(cfg.RemindEvery)
		defer tick.Stop()
		for {
			_ = a.Reminders.Handle(ctx, nil) // logged by the handler; tried again next tick
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	if l := a.Service.AuditLog; l != nil && l.Keys.Signer != nil {
		// The in-process sequencer: integrates recorded events in batches and publishes a
		// signed checkpoint at least every 30 s while events arrive. It must stop (after
		// a last flush) before the store closes. A short gap keeps each batch's bbolt
		// commit small: one large commit every 2 s stalled the journal's syncs behind it
		// (p99 39 ms against 13-17 ms at 250 ms, infra/bench-audit.sh).
		seqCtx, seqStop := context.WithCancel(ctx)
		seqDone := make(chan struct{})
		defer func() { seqStop(); <-seqDone }()
		go func() {
			defer close(seqDone)
			l.Run(seqCtx, 250*time.Millisecond)
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// intakeTrust says, at start-up, how far email intake trusts a sender: taking mail without
// SES's spam, virus and DMARC verdicts is a setting someone chose, never a silent default.
func intakeTrust(cfg config.Config) string {
	if cfg.IntakeRequireVerdicts {
		return "  senders must pass SES's virus, spam and DMARC checks (CASEHOLD_INTAKE_REQUIRE_VERDICTS=true)\n"
	}
	return "  senders are accepted WITHOUT SES verdicts (CASEHOLD_INTAKE_REQUIRE_VERDICTS=false): only the From domain\n" +
		"  (CASEHOLD_INTAKE_ALLOWED_DOMAINS) and its agreement with the Return-Path are checked\n"
}

// stagedGrace is how long after its slot expired a staged file may wait to be taken in,
// as the upload bucket's one-day lifecycle rule allows in AWS.
const stagedGrace = 24 * time.Hour

// resumeUploads takes in what the last run left staged: a body that landed whole before the
// server stopped, but was never secured, is ingested now (ingest is idempotent, and refuses
// what it would have refused then); slots long expired are swept. Partial bodies were
// removed when the staging folder was opened.
func resumeUploads(ctx context.Context, a *wire.App, st *filestaging.Staging, log *slog.Logger) {
	keys, err := st.Pending()
	if err != nil {
		log.ErrorContext(ctx, "staged uploads not listed", "err", err)
	}
	for _, key := range keys {
		d, err := a.Service.IngestStaged(ctx, key, "1")
		if err != nil {
			log.WarnContext(ctx, "staged upload from the last run not secured", "key", key, "code", casehold.ErrorCode(err), "reason", casehold.ErrorMessage(err))
			continue
		}
		log.InfoContext(ctx, "staged upload from the last run secured", "key", key, "document", d.ID)
	}
	if n, err := st.Sweep(stagedGrace); err != nil {
		log.ErrorContext(ctx, "expired upload slots not swept", "err", err)
	} else if n > 0 {
		log.InfoContext(ctx, "expired upload slots swept", "count", n)
	}
}

// shellName turns "s-coord-01" into "COORD", the variable the startup banner exports.
func shellName(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) == 3 {
		return strings.ToUpper(parts[1])
	}
	return "TOKEN"
}

// printToken reads only the token key, so it works while the server holds the database.
func printToken(_ context.Context, cfg config.Config, id string, stdout, _ io.Writer) error {
	staff, ok := auth.DemoByID(id)
	if !ok {
		return fmt.Errorf("no demo staff member %q (one of: %s)", id, demoIDs())
	}
	if cfg.Auth != "local" {
		return fmt.Errorf("tokens are issued by the identity provider in this deployment")
	}
	secret, err := wire.LocalTokenSecret(cfg)
	if err != nil {
		return err
	}
	tok, err := auth.Issue(secret, staff, time.Now(), 12*time.Hour)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func intakeFile(ctx context.Context, cfg config.Config, path string, stdout, stderr io.Writer) error {
	a, _, err := build(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	in, err := intake.IngestFile(ctx, a.Service, path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // read by people: "&" stays "&"
	return enc.Encode(in)
}

func verify(ctx context.Context, cfg config.Config, opts app.VerifyOptions, stdout, stderr io.Writer) error {
	a, _, err := build(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	chain, err := a.Service.VerifyAuditChain(ctx)
	if err != nil {
		return err
	}
	opts.Progress = func(done, total int) {
		if done == total || done%100 == 0 {
			fmt.Fprintf(stderr, "checked %d/%d documents\n", done, total)
		}
	}
	ev, err := a.Service.VerifyEvidence(ctx, opts)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // read by people: "&" stays "&"
	if err := enc.Encode(map[string]any{"audit": chain, "evidence": ev}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "evidence: %d checked, %d ok, %d finding(s)", ev.Documents, ev.OK, len(ev.Findings))
	for k, n := range ev.Counts {
		fmt.Fprintf(stderr, ", %s %d", k, n)
	}
	fmt.Fprintln(stderr)
	if ev.Next != "" {
		fmt.Fprintf(stderr, "more to check: run again with -after %s\n", ev.Next)
	}
	if !chain.OK || !ev.Clean() {
		return fmt.Errorf("verification found problems (each is recorded in the audit trail as evidence.integrity)")
	}
	return nil
}
