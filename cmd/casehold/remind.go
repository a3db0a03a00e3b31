package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/workdays"
)

type remindOptions struct {
	dryRun bool
	at     string
	asJSON bool
}

func remindFlags(fs *flag.FlagSet) *remindOptions {
	o := &remindOptions{}
	fs.BoolVar(&o.dryRun, "dry-run", false, "send nothing: print what a sweep would send and to whom (staff ids, not names)")
	fs.StringVar(&o.at, "at", "", "sweep as at this Europe/London time, YYYY-MM-DDTHH:MM (dry run only; default now)")
	fs.BoolVar(&o.asJSON, "json", false, "print the report as JSON")
	return o
}

// parseLondon reads YYYY-MM-DDTHH:MM as a Europe/London wall-clock time.
func parseLondon(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, workdays.London())
	if err != nil {
		return time.Time{}, fmt.Errorf("--at must be a London time like 2027-01-04T08:00")
	}
	return t, nil
}

func remindCmd(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o := remindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("remind: %w (see casehold remind -h)", err)
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("usage: casehold remind [--dry-run] [--at 2027-01-04T08:00] [--json]")
	}
	var at time.Time
	if o.at != "" {
		if !o.dryRun {
			// A real sweep at another time would send reminders early or late.
			return fmt.Errorf("--at is for --dry-run only: a real sweep runs at the present time")
		}
		var err error
		if at, err = parseLondon(o.at); err != nil {
			return err
		}
	}
	a, _, err := build(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.Service.Sweep(ctx, at, o.dryRun)
	if rep != nil {
		if o.asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if jerr := enc.Encode(rep); jerr != nil {
				return jerr
			}
		} else {
			printSweep(stdout, rep)
		}
	}
	return err
}

// printSweep writes the report for a person: one line per message, ids only.
func printSweep(w io.Writer, rep *app.SweepReport) {
	verb := "queued"
	if rep.DryRun {
		verb = "would send"
	}
	fmt.Fprintf(w, "Sweep at %s (Europe/London)%s: %d due entries read, %d subjects\n", rep.At.In(workdays.London()).Format("2006-01-02 15:04"),
		map[bool]string{true: ", dry run: nothing sent", false: ""}[rep.DryRun], rep.DueRead, rep.Subjects)
	for _, m := range rep.Mail {
		state := verb
		if !rep.DryRun && !m.Queued {
			state = "already queued"
		}
		line := fmt.Sprintf("  %-14s %-20s %-22s to %s", state, m.Kind, m.Subject, strings.Join(m.To, ","))
		if len(m.Cc) > 0 {
			line += " cc " + strings.Join(m.Cc, ",")
		}
		if m.Restricted {
			line += " (ids and dates only: the policy keeps the case from them)"
		}
		if m.Problem != "" {
			line += " [" + m.Problem + "]"
		}
		fmt.Fprintln(w, line)
	}
	if len(rep.Mail) == 0 {
		fmt.Fprintln(w, "  nothing due")
	}
	if !rep.DryRun {
		fmt.Fprintf(w, "Delivery: %d sent, %d failed (retried later), %d taken by another sender\n", rep.Delivery.Sent, rep.Delivery.Failed, rep.Delivery.Skipped)
	}
}
