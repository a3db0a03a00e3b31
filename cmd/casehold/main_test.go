package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
