package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
)

const auditUsage = `usage: casehold audit COMMAND
  key                      print the log's public verifier key
  verify                   check the whole log against every signed checkpoint (reads only,
                           then records its own audit event)
  migrate                  make the legacy hash chain the first leaves (idempotent)
  flush                    integrate pending events and publish a checkpoint now
  keygen -name NAME        print a new signing key (for Secrets Manager) and its public key
  check-proof -key VKEY FILE
                           check an inclusion proof (GET /audit/events/{id}/proof) offline
  check-consistency -key VKEY OLD NEW PROOF
                           check that signed checkpoint NEW extends OLD with the proof's
                           JSON (GET /audit/consistency) offline`

func auditCmd(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", auditUsage)
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "keygen":
		fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
		name := fs.String("name", cfg.AuditLogName, "the log's name (origin), e.g. council.example/casehold-audit")
		if err := fs.Parse(args); err != nil {
			return err
		}
		skey, vkey, err := auditlog.GenerateKey(*name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "signing key on stdout (keep it secret); public key: %s\n", vkey)
		fmt.Fprintln(stdout, skey)
		return nil
	case "check-proof":
		fs := flag.NewFlagSet("check-proof", flag.ContinueOnError)
		vkey := fs.String("key", "", "the log's public verifier key")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return fmt.Errorf("usage: casehold audit check-proof -key VKEY FILE")
		}
		return checkProof(*vkey, fs.Arg(0), stdout)
	case "check-consistency":
		fs := flag.NewFlagSet("check-consistency", flag.ContinueOnError)
		vkey := fs.String("key", "", "the log's public verifier key")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() != 3 {
			return fmt.Errorf("usage: casehold audit check-consistency -key VKEY OLD NEW PROOF")
		}
		return checkConsistency(*vkey, fs.Arg(0), fs.Arg(1), fs.Arg(2), stdout)
	case "key", "verify", "migrate", "flush":
	default:
		return fmt.Errorf("unknown audit command %q\n%s", sub, auditUsage)
	}

	a, _, err := build(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	l := a.Service.AuditLog
	if l == nil {
		return fmt.Errorf("no audit log key configured (CASEHOLD_AUDIT_SIGNING_KEY or CASEHOLD_AUDIT_PUBLIC_KEY)")
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	switch sub {
	case "key":
		fmt.Fprintln(stdout, l.Keys.VerifierKey)
		return nil
	case "migrate":
		n, err := l.Migrate(ctx)
		if err != nil {
			return err
		}
		tree, err := a.Service.Store.AuditTree(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "integrated %d events; the log has %d, checkpoint %d covers %d\n", n, tree.Size, tree.Checkpoint.Number, tree.Checkpoint.Size)
		return nil
	case "flush":
		cp, err := l.Flush(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "checkpoint %d covers %d events\n", cp.Number, cp.Size)
		return nil
	default: // verify
		rep, err := l.Verify(ctx)
		if err != nil {
			return err
		}
		if err := enc.Encode(rep); err != nil {
			return err
		}
		// Recorded only now that the answer is known, so it is not part of what was checked.
		if err := a.Service.RecordSystemEvent(ctx, "audit.verify", fmt.Sprintf("ok=%v events=%d problems=%d", rep.OK, rep.Events, len(rep.Problems))); err != nil {
			return err
		}
		if !rep.OK {
			return fmt.Errorf("the audit log failed verification: %s", rep.Problem)
		}
		return nil
	}
}

func checkProof(vkey, path string, stdout io.Writer) error {
	keys, err := auditlog.KeysFrom("", vkey)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var p auditlog.InclusionProof
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("%s is not an inclusion proof: %w", path, err)
	}
	cp, err := auditlog.CheckInclusion(&p, keys)
	if err != nil {
		return fmt.Errorf("proof refused: %s", casehold.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "OK: event %s is leaf %d of %s at size %d (root %s, signed %s)\n",
		p.Event.ID, p.Index, cp.Origin, cp.Size, cp.Root, cp.Time.Format("2006-01-02T15:04:05Z"))
	return nil
}

func checkConsistency(vkey, oldPath, newPath, proofPath string, stdout io.Writer) error {
	keys, err := auditlog.KeysFrom("", vkey)
	if err != nil {
		return err
	}
	older, err := os.ReadFile(oldPath)
	if err != nil {
		return err
	}
	newer, err := os.ReadFile(newPath)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(proofPath)
	if err != nil {
		return err
	}
	var p auditlog.ConsistencyProof
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("%s is not a consistency proof: %w", proofPath, err)
	}
	a, n, err := auditlog.CheckConsistency(older, newer, p.Proof, keys)
	if err != nil && a.Size > 0 && n.Size > 0 && (p.From != int64(a.Size) || p.To != int64(n.Size)) {
		// The proof's own sizes only explain the refusal; the check above is what decides.
		return fmt.Errorf("proof refused: it is from size %d to %d, but the checkpoints are of sizes %d and %d; ask for /audit/consistency?from=%d&to=%d",
			p.From, p.To, a.Size, n.Size, a.Size, n.Size)
	}
	if err != nil {
		return fmt.Errorf("proof refused: %s", casehold.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "OK: %s at size %d extends size %d\n", n.Origin, n.Size, a.Size)
	return nil
}
