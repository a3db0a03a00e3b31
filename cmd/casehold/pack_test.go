package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
)

// TestExportAndVerifyPack: `casehold export` writes a pack `casehold verify-pack` accepts;
// one changed byte in it is named; exporting as someone the policy refuses writes nothing.
func TestExportAndVerifyPack(t *testing.T) {
	ctx := context.Background()
	a, env := embeddedApp(t)
	getenv := func(k string) string { return env[k] }
	coord := auth.DemoStaff[0]
	m, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "CLI-PACK-1", Contact: "c",
		ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Invented Person"}}})
	if err != nil {
		t.Fatal(err)
	}
	body := "%PDF-1.7\nthe contact kept for the pack\n%%EOF\n"
	if _, err := a.Service.UploadDocument(ctx, coord, m.ID, app.UploadInput{PID: "P1", DocType: "Contact", DocDate: "2013-12-21"}, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	a.Close()

	pack := filepath.Join(t.TempDir(), "pack.zip")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"export", "-as", "s-sw-01", "-o", pack, m.ID}, getenv, &out, &errOut); casehold.ErrorCode(err) != casehold.EFORBIDDEN {
		t.Fatalf("export as a social worker not on the matter = %v", err)
	}
	if _, err := os.Stat(pack); !os.IsNotExist(err) {
		t.Fatal("a refused export left a file")
	}
	if err := run(ctx, []string{"export", "-as", "s-coord-01", "-o", pack, m.ID}, getenv, &out, &errOut); err != nil {
		t.Fatalf("export: %v (%s)", err, errOut.String())
	}
	out.Reset()
	if err := run(ctx, []string{"verify-pack", pack}, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("verify-pack of a fresh pack: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "OK: ") || !strings.Contains(out.String(), "1 document(s)") {
		t.Errorf("verify-pack output: %s", out.String())
	}
	data, _ := os.ReadFile(pack)
	i := bytes.Index(data, []byte("the contact kept"))
	data[i] ^= 0x01
	bad := filepath.Join(t.TempDir(), "bad.zip")
	os.WriteFile(bad, data, 0o644)
	out.Reset()
	err = run(ctx, []string{"verify-pack", bad}, func(string) string { return "" }, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "documents/Contact 21.12.2013.pdf") {
		t.Fatalf("one changed byte: %v\n%s", err, out.String())
	}
}
