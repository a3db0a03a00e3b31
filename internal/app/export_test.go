package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/evpack"
	"github.com/casehold/casehold/internal/evpack/packtest"
	"github.com/casehold/casehold/internal/memtest"
	"github.com/casehold/casehold/internal/wire"
)

// exportPack exports the matter as actor and returns the pack's bytes.
func exportPack(t *testing.T, a *wire.App, actor casehold.Actor, matterID string) ([]byte, *app.ExportResult, error) {
	t.Helper()
	ctx := context.Background()
	ex, err := a.Service.PrepareExport(ctx, actor, matterID)
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	res, err := ex.WriteTo(ctx, &buf)
	return buf.Bytes(), res, err
}

// sha256sumCheck runs `sha256sum -c manifest.sha256` in dir, as a recipient would.
func sha256sumCheck(t *testing.T, dir string) (string, error) {
	t.Helper()
	cmd := exec.Command("sha256sum", "-c", evpack.ManifestSHA256)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestExportPack(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	m := newMatter(t, a, "PACK-1")
	d1 := upload(t, a, m.ID, "first contact")
	d2 := upload(t, a, m.ID, "second contact, same day")
	if _, err := a.Service.GetDocument(ctx, coord, d1.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	pack, res, err := exportPack(t, a, coord, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != 2 || res.AuditEvents != 4 || res.ManifestSHA256 == "" {
		t.Fatalf("result %+v", res)
	}
	rep, err := evpack.Verify(bytes.NewReader(pack), int64(len(pack)), evpack.Options{Key: a.Service.AuditLog.Keys.VerifierKey})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || rep.Documents != 2 || rep.AuditEvents != res.AuditEvents || !rep.KeyPinned {
		t.Fatalf("a fresh pack fails its check: %+v", rep)
	}
	dir := packtest.Unzip(t, pack)
	for _, name := range []string{"Contact 21.12.2013.pdf", "Contact 21.12.2013 (2).pdf"} {
		if _, err := os.Stat(filepath.Join(dir, "documents", name)); err != nil {
			t.Errorf("no document named %q by the disclosure convention: %v", name, err)
		}
	}
	sumText, _ := os.ReadFile(filepath.Join(dir, evpack.ManifestSHA256))
	for _, d := range []*casehold.Document{d1, d2} {
		if !strings.Contains(string(sumText), d.SHA256+"  documents/") {
			t.Errorf("manifest.sha256 lacks document %s's recorded SHA-256", d.ID)
		}
	}
	verifyTxt, _ := os.ReadFile(filepath.Join(dir, evpack.VerifyFile))
	if !strings.Contains(string(verifyTxt), "sha256sum -c manifest.sha256") {
		t.Error("VERIFY.txt does not say how to check with sha256sum")
	}
	digest := sha256.Sum256(sumText)
	log := auditOf(t, a)
	if countPrefix(log, "matter.export:ok") != 1 || countPrefix(log, "matter.exported:ok documents=2") != 1 ||
		!strings.Contains(strings.Join(log, "\n"), "manifest_sha256="+hex.EncodeToString(digest[:])) {
		t.Errorf("the export and the pack's digest are not audited: %v", log)
	}

	t.Run("Sha256sum", func(t *testing.T) {
		if _, err := exec.LookPath("sha256sum"); err != nil {
			t.Skip("sha256sum is not installed")
		}
		if out, err := sha256sumCheck(t, dir); err != nil || strings.Count(out, ": OK") != 7 {
			t.Fatalf("sha256sum -c on a fresh pack: %v\n%s", err, out)
		}
		p := filepath.Join(dir, "documents", "Contact 21.12.2013 (2).pdf")
		b, _ := os.ReadFile(p)
		b[len(b)/2] ^= 0x01
		os.WriteFile(p, b, 0o644)
		out, err := sha256sumCheck(t, dir)
		if err == nil || !strings.Contains(out, "documents/Contact 21.12.2013 (2).pdf: FAILED") {
			t.Fatalf("sha256sum -c missed one changed byte: %v\n%s", err, out)
		}
	})

	// The three tamperings the issue names, each detected and named by verify-pack.
	tamper := []struct {
		name, kind, file, says string
		resum                  bool
		change                 func(name string, b []byte) []byte
	}{
		{"DocumentByte", evpack.ProblemHash, "documents/Contact 21.12.2013.pdf", "changed", false, func(name string, b []byte) []byte {
			if name == "documents/Contact 21.12.2013.pdf" {
				b[10] ^= 0x20
			}
			return b
		}},
		{"AuditLineRemoved", evpack.ProblemRemoved, evpack.AuditJSONL, "is missing", true, func(name string, b []byte) []byte {
			if name == evpack.AuditJSONL {
				ls := packtest.Lines(b)
				return bytes.Join(append(ls[:1:1], ls[2:]...), nil)
			}
			return b
		}},
		{"AuditLinesReordered", evpack.ProblemReordered, evpack.AuditJSONL, "out of log order", true, func(name string, b []byte) []byte {
			if name == evpack.AuditJSONL {
				ls := packtest.Lines(b)
				ls[0], ls[1] = ls[1], ls[0]
				return bytes.Join(ls, nil)
			}
			return b
		}},
	}
	for _, c := range tamper {
		t.Run(c.name, func(t *testing.T) {
			bad := packtest.Rewrite(t, pack, c.resum, c.change)
			rep, err := evpack.Verify(bytes.NewReader(bad), int64(len(bad)), evpack.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range rep.Problems {
				if p.Kind == c.kind && p.File == c.file && strings.Contains(p.Message, c.says) {
					return
				}
			}
			t.Fatalf("not named (%s in %s): %+v", c.kind, c.file, rep)
		})
	}
}

func TestExportRefusals(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	m := newMatter(t, a, "PACK-2")
	d := upload(t, a, m.ID, "a contact")
	if err := a.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	staff := func(id string) casehold.Actor { s, _ := auth.DemoByID(id); return s }
	for _, c := range []struct {
		name  string
		actor casehold.Actor
		code  string
	}{
		{"SocialWorker", staff("s-sw-01"), casehold.EFORBIDDEN},
		{"TeamManagerNotOnTheMatter", staff("s-tm-01"), casehold.EFORBIDDEN},
		{"Helpdesk", staff("s-cso-01"), casehold.EFORBIDDEN},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := exportPack(t, a, c.actor, m.ID); casehold.ErrorCode(err) != c.code {
				t.Fatalf("export = %v, want %s", err, c.code)
			}
		})
	}
	if _, _, err := exportPack(t, a, auth.DemoStaff[0], "m-nope"); casehold.ErrorCode(err) != casehold.ENOTFOUND {
		t.Errorf("export of no matter = %v", err)
	}
	if log := auditOf(t, a); countPrefix(log, "matter.export:refused") != 4 || countPrefix(log, "matter.export:ok") != 0 {
		t.Errorf("refused exports not audited as refused: %v", log)
	}

	t.Run("AlteredEvidenceStopsThePack", func(t *testing.T) {
		alterVersion(t, a, d, scanPDF("a forged contact"))
		_, _, err := exportPack(t, a, auth.DemoStaff[0], m.ID)
		if casehold.ErrorCode(err) != casehold.EINTEGRITY {
			t.Fatalf("export over altered evidence = %v", err)
		}
		if log := auditOf(t, a); countPrefix(log, "evidence.integrity:failed reason=") == 0 || countPrefix(log, "matter.exported") != 0 {
			t.Errorf("no incident, or the pack counted as made: %v", log)
		}
	})
}

// generated is an evidence store whose objects are made up on the fly: big packs without
// big files on disk.
type generated struct {
	casehold.Evidence
	sizes map[string]int64
}

var block = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}()

type repeat struct {
	n, left int64
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(int64(len(p)), r.left)], block[r.n%int64(len(block)):])
	r.n += int64(n)
	r.left -= int64(n)
	return n, nil
}

func (g generated) Open(ctx context.Context, key, versionID string) (io.ReadCloser, error) {
	if n, ok := g.sizes[key]; ok {
		return io.NopCloser(&repeat{left: n}), nil
	}
	return g.Evidence.Open(ctx, key, versionID)
}

// TestExportMemoryIsFlat streams a pack of 2 GB of documents and checks that the heap
// in use never grows by more than 64 MB (the bound; infra/
// bench-export.sh also reports the whole process's peak RSS).
func TestExportMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 2 GB")
	}
	a := embedded(t)
	ctx := context.Background()
	m := newMatter(t, a, "PACK-BIG")
	const docs, size = 64, 32 << 20
	gen := generated{Evidence: a.Service.Evidence, sizes: map[string]int64{}}
	h := sha256.New()
	io.Copy(h, &repeat{left: size})
	sum := hex.EncodeToString(h.Sum(nil))
	for i := 0; i < docs; i++ {
		key := fmt.Sprintf("documents/generated-%d.pdf", i)
		gen.sizes[key] = size
		d := &casehold.Document{ID: fmt.Sprintf("d-gen-%d", i), MatterIDs: []string{m.ID}, HeldBy: []string{m.ID}, PIDs: []string{"P1"},
			DocType: "Assessment", DocDate: casehold.DateOf(time.Date(2011, 4, 11, 0, 0, 0, 0, time.UTC)), SHA256: sum, Size: size,
			Source: casehold.SourceUpload, Key: key, VersionID: "v1", UploadedBy: "s-coord-01", UploadedAt: time.Now().UTC()}
		if err := a.Service.Store.CreateDocument(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	a.Service.Evidence = gen
	if err := a.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	ex, err := a.Service.PrepareExport(ctx, auth.DemoStaff[0], m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var res *app.ExportResult
	cw := &countWriter{}
	peak := memtest.PeakHeap(func() {
		res, err = ex.WriteTo(ctx, cw)
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bytes != docs*size || cw.n < docs*size {
		t.Fatalf("pack of %d bytes, documents %d", cw.n, res.Bytes)
	}
	t.Logf("pack %d MB, peak heap above start %.1f MB", cw.n>>20, float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("heap grew by %d MB while streaming a %d MB pack", peak>>20, cw.n>>20)
	}

	// The same pack built by an export job into the pack store (the local one: a file
	// renamed into place; s3packs has its own measurement), progress updates included.
	v, err := a.Service.RequestExport(ctx, auth.DemoStaff[0], m.ID)
	if err != nil {
		t.Fatal(err)
	}
	var j *casehold.ExportJob
	peak = memtest.PeakHeap(func() {
		j, err = a.Service.BuildExport(ctx, v.ID)
	})
	if err != nil || j.State != casehold.ExportReady || j.Result.Size < docs*size {
		t.Fatalf("job = %+v, %v", j, err)
	}
	t.Logf("export job into the pack store: pack %d MB, peak heap above start %.1f MB", j.Result.Size>>20, float64(peak)/(1<<20))
	if peak > 64<<20 {
		t.Errorf("heap grew by %d MB while building a %d MB pack into the pack store", peak>>20, j.Result.Size>>20)
	}
	if err := a.Service.Packs.Delete(ctx, j.Result.Key); err != nil {
		t.Error(err)
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// TestExportFirstCheckpoint: on a fresh server the first export does not wait for the
// sequencer's first checkpoint when this process can sign one; a process that only holds
// the public key (as the AWS functions do) says to try again instead.
func TestExportFirstCheckpoint(t *testing.T) {
	coord := auth.DemoStaff[0]
	t.Run("Signer", func(t *testing.T) {
		a := embedded(t)
		m := newMatter(t, a, "PACK-FIRST-1")
		upload(t, a, m.ID, "first contact")
		pack, res, err := exportPack(t, a, coord, m.ID)
		if err != nil {
			t.Fatalf("first export on a fresh server: %v", err)
		}
		if res.CheckpointSize == 0 || len(pack) == 0 {
			t.Fatalf("pack against checkpoint of size %d, %d bytes", res.CheckpointSize, len(pack))
		}
		rep, err := evpack.Verify(bytes.NewReader(pack), int64(len(pack)), evpack.Options{Key: a.Service.AuditLog.Keys.VerifierKey})
		if err != nil || !rep.OK {
			t.Fatalf("the pack does not verify: %v %+v", err, rep)
		}
	})
	t.Run("PublicKeyOnly", func(t *testing.T) {
		a := embedded(t)
		m := newMatter(t, a, "PACK-FIRST-2")
		upload(t, a, m.ID, "first contact")
		a.Service.AuditLog.Keys.Signer = nil
		_, _, err := exportPack(t, a, coord, m.ID)
		if code := casehold.ErrorCode(err); code != casehold.ECONFLICT || !strings.Contains(casehold.ErrorMessage(err), "try again in a minute") {
			t.Fatalf("export with no checkpoint and no signer: %v (%s), want a conflict saying to try again", err, code)
		}
	})
}
