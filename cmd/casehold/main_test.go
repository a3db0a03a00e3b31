package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/filestaging"
	"github.com/casehold/casehold/internal/wire"
)

// TestHelp checks every command prints its usage to stdout and succeeds when asked for
// help, in each of the ways people ask, and that asking opens nothing: no database, no
// data folder (a server holding the database's lock must not block "intake --help").
func TestHelp(t *testing.T) {
	names := []string{}
	for _, c := range commands {
		names = append(names, c.name)
	}
	type ask struct {
		args []string
		want string // in stdout
	}
	asks := []ask{{[]string{"help"}, "usage: casehold COMMAND"}, {[]string{"-h"}, "usage: casehold COMMAND"}, {[]string{"--help"}, "usage: casehold COMMAND"}}
	for _, n := range names {
		want := "usage: casehold " + n
		asks = append(asks, ask{[]string{n, "-h"}, want}, ask{[]string{n, "--help"}, want}, ask{[]string{"help", n}, want})
	}
	asks = append(asks, ask{[]string{"intake", "message.eml", "--help"}, "usage: casehold intake FILE.eml"})
	asks = append(asks, ask{[]string{"audit", "help"}, "usage: casehold audit COMMAND"})
	for _, a := range asks {
		t.Run(strings.Join(a.args, " "), func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			env := map[string]string{"CASEHOLD_DATA_DIR": data}
			var out, errOut bytes.Buffer
			if err := run(context.Background(), a.args, func(k string) string { return env[k] }, &out, &errOut); err != nil {
				t.Fatalf("run %q: %v (stderr %s)", a.args, err, errOut.String())
			}
			if !strings.Contains(out.String(), a.want) {
				t.Errorf("stdout lacks %q:\n%s", a.want, out.String())
			}
			if _, err := os.Stat(data); !os.IsNotExist(err) {
				t.Errorf("asking for help created the data folder (err %v)", err)
			}
		})
	}
	t.Run("ListsEveryCommand", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"help"}, func(string) string { return "" }, &out, &out); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			if !strings.Contains(out.String(), "  "+n+" ") {
				t.Errorf("help does not list %s:\n%s", n, out.String())
			}
		}
	})
}

// TestUsageErrors checks wrong use fails with a message and opens nothing.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"nosuch"}, {"help", "nosuch"}, {"token"}, {"intake"}, {"verify", "-nosuch"}, {"verify", "extra"}, {"serve", "-nosuch"}, {"serve", "extra"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			var out, errOut bytes.Buffer
			err := run(context.Background(), args, func(k string) string {
				if k == "CASEHOLD_DATA_DIR" {
					return data
				}
				return ""
			}, &out, &errOut)
			if err == nil {
				t.Fatalf("run %q succeeded", args)
			}
			if _, err := os.Stat(filepath.Join(data, "casehold.db")); !os.IsNotExist(err) {
				t.Errorf("a usage error opened the database")
			}
		})
	}
}

// embeddedApp builds the embedded backend on a fresh data folder and returns it with the
// environment that points the commands under test at the same folder.
func embeddedApp(t *testing.T) (*wire.App, map[string]string) {
	t.Helper()
	env := map[string]string{"CASEHOLD_DATA_DIR": t.TempDir()}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := wire.Build(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return a, env
}

// TestResumeUploads: a body that landed whole before the server stopped is secured on the
// next start, and a bad one is refused and discarded, both without anyone sending it again.
func TestResumeUploads(t *testing.T) {
	ctx := context.Background()
	a, _ := embeddedApp(t)
	defer a.Close()
	coord := auth.DemoStaff[0]
	m, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "RESUME-1", Contact: "c",
		ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Invented Person"}}})
	if err != nil {
		t.Fatal(err)
	}
	st := a.Service.Staging.(*filestaging.Staging)
	stage := func(body string) string {
		slot, err := a.Service.CreateUpload(ctx, coord, m.ID, app.UploadInput{PID: "P1", DocType: "Contact", DocDate: "2013-12-21"})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(slot.URL)
		// Only the staging step runs: the server "stops" before the ingest.
		if _, err := st.Receive(ctx, slot.Key, u.Query().Get("expires"), u.Query().Get("signature"), strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		return slot.Key
	}
	stage("%PDF-1.7\nlanded before the crash\n%%EOF\n")
	stage("not a pdf")

	resumeUploads(ctx, a, st, slog.New(slog.DiscardHandler))

	docs, err := a.Service.Store.ListMatterDocuments(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || !docs[0].Held() {
		t.Fatalf("after resuming: %d documents (%+v), want the landed one, held", len(docs), docs)
	}
	if keys, _ := st.Pending(); len(keys) != 0 {
		t.Errorf("still staged after resuming: %v", keys)
	}
}

func TestIntakeTrustIsStated(t *testing.T) {
	for _, require := range []bool{true, false} {
		got := intakeTrust(config.Config{IntakeRequireVerdicts: require})
		want := "CASEHOLD_INTAKE_REQUIRE_VERDICTS=false"
		if require {
			want = "CASEHOLD_INTAKE_REQUIRE_VERDICTS=true"
		}
		if !strings.Contains(got, want) {
			t.Errorf("require=%v: %q lacks %q", require, got, want)
		}
	}
}

// An outsider who asks for a consistency proof between the wrong sizes is told so, not
// that the log fails to extend: a refusal that reads like tampering must mean tampering.
func TestCheckConsistencyNamesWrongSizes(t *testing.T) {
	ctx := context.Background()
	a, env := embeddedApp(t)
	defer a.Close()
	dir := t.TempDir()
	coord, ig := auth.DemoStaff[0], auth.DemoStaff[0]
	for _, s := range auth.DemoStaff {
		if s.Has(casehold.RoleIG) {
			ig = s
		}
	}
	checkpoint := func(n int) (string, uint64) {
		t.Helper()
		for i := range n {
			if _, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: fmt.Sprintf("CONS-%d-%d", n, i), Contact: "c",
				ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Invented Person"}}}); err != nil {
				t.Fatal(err)
			}
		}
		cp, err := a.Service.AuditLog.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		text, err := a.Service.AuditCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("cp-%d", cp.Number))
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path, cp.Size
	}
	oldPath, oldSize := checkpoint(2)
	newPath, newSize := checkpoint(3)
	key, err := a.Service.AuditPublicKey()
	if err != nil {
		t.Fatal(err)
	}
	proofFile := func(from int64) string {
		t.Helper()
		p, err := a.Service.AuditConsistency(ctx, ig, from, int64(newSize))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(p)
		path := filepath.Join(dir, fmt.Sprintf("consistency-%d.json", from))
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tc := range []struct {
		name    string
		from    int64
		wantOut string
		wantErr string
	}{
		{"the old checkpoint's size", int64(oldSize), fmt.Sprintf("extends size %d", oldSize), ""},
		{"another size", 1, "", fmt.Sprintf("it is from size 1 to %d, but the checkpoints are of sizes %d and %d", newSize, oldSize, newSize)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(ctx, []string{"audit", "check-consistency", "-key", key, oldPath, newPath, proofFile(tc.from)},
				func(k string) string { return env[k] }, &out, io.Discard)
			if tc.wantErr == "" && (err != nil || !strings.Contains(out.String(), tc.wantOut)) {
				t.Fatalf("got %q, %v; want %q", out.String(), err, tc.wantOut)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("got %v; want an error saying %q", err, tc.wantErr)
			}
		})
	}
}
