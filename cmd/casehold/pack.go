package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/evpack"
)

const exportUsage = `usage: casehold export -as STAFF-ID [-o FILE] MATTER
  Writes the matter's evidence pack (a zip) to FILE (default casehold-MATTER.zip), as the
  member of staff STAFF-ID (a demo staff member with the local sign-in), through the same
  access policy and audit as GET /matters/{id}/export. Where this process holds the audit
  log's signing key, pending events are integrated and signed first, so the pack carries
  everything up to now. Stop the server first (the embedded database allows one process).`

const verifyPackUsage = `usage: casehold verify-pack [-key VKEY] [-json] FILE.zip
  Checks an evidence pack offline, with no access to casehold's store: every file against
  manifest.sha256, manifest.json, the checkpoint's signature, each audit event's inclusion
  proof, the order of the audit lines and that none is missing. -key is the council's
  published audit log key (GET /audit/key); without it the pack's own key is used.`

func exportCmd(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	as := fs.String("as", "", "the staff id to export as")
	out := fs.String("o", "", "the pack's file (default casehold-MATTER.zip)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return fmt.Errorf("%s", exportUsage)
	}
	matterID := fs.Arg(0)
	if *as == "" {
		return fmt.Errorf("say who exports with -as STAFF-ID\n%s", exportUsage)
	}
	if cfg.Auth != "local" {
		return fmt.Errorf("the CLI exports as a demo staff member only with the local sign-in; use GET /matters/{id}/export")
	}
	actor, ok := auth.DemoByID(*as)
	if !ok {
		return fmt.Errorf("no demo staff member %q (one of: %s)", *as, demoIDs())
	}
	a, _, err := build(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if l := a.Service.AuditLog; l != nil && l.Keys.Signer != nil {
		// Another sequencer at work (a server, or an export moments ago whose lease has
		// not run out) is no reason to refuse: the pack is proved against the newest
		// checkpoint, as the HTTP route does.
		if _, err := l.Flush(ctx); casehold.ErrorCode(err) == casehold.ECONFLICT {
			fmt.Fprintln(stderr, "note: another sequencer holds the audit log; the pack covers events up to its newest checkpoint")
		} else if err != nil {
			return err
		}
	}
	ex, err := a.Service.PrepareExport(ctx, actor, matterID)
	if err != nil {
		return err
	}
	path := *out
	if path == "" {
		path = ex.FileName()
	}
	// Written beside its final name and renamed when whole: a stopped pack never looks done.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".casehold-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	res, err := ex.WriteTo(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export stopped, no pack written: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d document(s), %d audit event(s) proved against checkpoint size %d\nmanifest.sha256 SHA-256 %s (recorded in the audit log)\n",
		path, res.Documents, res.AuditEvents, res.CheckpointSize, res.ManifestSHA256)
	return nil
}

func verifyPackCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify-pack", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	key := fs.String("key", "", "the council's audit log public key")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return fmt.Errorf("%s", verifyPackUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	rep, err := evpack.Verify(f, st.Size(), evpack.Options{Key: *key})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintf(stdout, "PROBLEM %s: %s\n", p.Kind, p)
		}
		keyNote := "the pack's own key (give -key to check it is the council's)"
		if rep.KeyPinned {
			keyNote = "the key you gave"
		}
		fmt.Fprintf(stdout, "matter %s: %d document(s), %d audit event(s); checkpoint of %s at size %d, signed with %s\n",
			rep.MatterID, rep.Documents, rep.AuditEvents, rep.LogOrigin, rep.CheckpointSize, keyNote)
	}
	if !rep.OK {
		return fmt.Errorf("the pack failed its check: %d problem(s)", len(rep.Problems))
	}
	fmt.Fprintln(stdout, "OK: every file matches manifest.sha256 and every audit proof verifies")
	return nil
}
