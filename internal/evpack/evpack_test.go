package evpack_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/evpack"
	"github.com/casehold/casehold/internal/evpack/packtest"
)

// memLog is a small transparency log in memory: events as leaves, signed checkpoint.
type memLog struct {
	hashes []tlog.Hash
	events []casehold.AuditEvent
	vkey   string
	cp     string
}

func (l *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = l.hashes[x]
	}
	return out, nil
}

func newMemLog(t testing.TB, matterID string, n int) *memLog {
	t.Helper()
	skey, vkey, err := auditlog.GenerateKey("council.example/test-audit")
	if err != nil {
		t.Fatal(err)
	}
	l := &memLog{vkey: vkey}
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		mid := matterID
		if i%3 == 2 {
			mid = "m-other" // events of other matters are leaves too, not in the pack
		}
		e := casehold.AuditEvent{Seq: uint64(i + 1), ID: fmt.Sprintf("ev-%04d", i), Time: base.Add(time.Duration(i) * time.Minute),
			Actor: "s-coord-01", Action: "document.read", MatterID: mid, Outcome: casehold.OutcomeOK}
		hs, err := tlog.StoredHashes(int64(i), e.LeafData(), l)
		if err != nil {
			t.Fatal(err)
		}
		l.hashes = append(l.hashes, hs...)
		l.events = append(l.events, e)
	}
	root, err := tlog.TreeHash(int64(n), l)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: auditlog.CheckpointText(signer.Name(), uint64(n), root, base.Add(time.Hour))}, signer)
	if err != nil {
		t.Fatal(err)
	}
	l.cp = string(msg)
	return l
}

// buildPack writes a pack of two documents and the matter's events, as the app does.
func buildPack(t testing.TB) []byte {
	t.Helper()
	l := newMemLog(t, "m-1", 12)
	p, err := auditlog.OpenCheckpoint([]byte(l.cp), mustVerifier(t, l.vkey))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	w := evpack.NewWriter(&buf, now)
	man := evpack.Manifest{Format: evpack.Format, MatterID: "m-1", Reference: "CCRC/TEST/1", CreatedAt: now, CreatedBy: "s-coord-01"}
	for i, body := range []string{"%PDF-1.4 first scan", "%PDF-1.4 second scan"} {
		name := evpack.DocumentsDir + fmt.Sprintf("Contact 0%d.01.2013.pdf", i+1)
		sum, n, err := w.Add(name, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		man.Documents = append(man.Documents, evpack.Entry{DocumentID: fmt.Sprintf("d-%d", i), VersionID: "v1", File: name, SHA256: sum, Size: n})
	}
	af, err := w.Create(evpack.AuditJSONL)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range l.events {
		if e.MatterID != "m-1" {
			continue
		}
		proof, err := tlog.ProveRecord(int64(p.Size), int64(e.Seq-1), l)
		if err != nil {
			t.Fatal(err)
		}
		leaf := e.LeafData()
		b, _ := json.Marshal(auditlog.InclusionProof{Event: e, Index: int64(e.Seq - 1), Leaf: leaf, LeafHash: tlog.RecordHash(leaf),
			TreeSize: int64(p.Size), RootHash: p.Root, Proof: proof, Checkpoint: l.cp})
		af.Write(append(b, '\n'))
		man.Audit.EventIDs = append(man.Audit.EventIDs, e.ID)
	}
	af.Close()
	man.Audit.Events, man.Audit.CheckpointSize = len(man.Audit.EventIDs), p.Size
	mj, _ := json.Marshal(man)
	for name, data := range map[string]string{evpack.ManifestJSON: string(mj), evpack.CheckpointFile: l.cp, evpack.KeyFile: l.vkey + "\n"} {
		if _, _, err := w.Add(name, strings.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := w.Add(evpack.VerifyFile, strings.NewReader(evpack.VerifyText(man, ""))); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustVerifier(t testing.TB, vkey string) note.Verifier {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func verify(t testing.TB, pack []byte, key string) *evpack.Report {
	t.Helper()
	rep, err := evpack.Verify(bytes.NewReader(pack), int64(len(pack)), evpack.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestVerify(t *testing.T) {
	pack := buildPack(t)
	if rep := verify(t, pack, ""); !rep.OK || rep.Documents != 2 || rep.AuditEvents != 8 {
		t.Fatalf("a good pack: %+v", rep)
	}
	cases := []struct {
		name        string
		resum       bool
		change      func(name string, data []byte) []byte
		kind, file  string
		wantMessage string
	}{
		{"OneByteOfADocument", false, func(name string, d []byte) []byte {
			if name == "documents/Contact 02.01.2013.pdf" {
				d[3] ^= 1
			}
			return d
		}, evpack.ProblemHash, "documents/Contact 02.01.2013.pdf", "changed"},
		{"OneByteOfADocumentWithManifestsRedone", true, func(name string, d []byte) []byte {
			if name == "documents/Contact 01.01.2013.pdf" {
				d[0] ^= 1
			}
			return d
		}, evpack.ProblemManifest, "documents/Contact 01.01.2013.pdf", "different hashes"},
		{"AuditLineRemoved", false, func(name string, d []byte) []byte {
			if name == evpack.AuditJSONL {
				ls := packtest.Lines(d)
				return bytes.Join(append(ls[:3:3], ls[4:]...), nil)
			}
			return d
		}, evpack.ProblemHash, evpack.AuditJSONL, "changed"},
		{"AuditLineRemovedWithManifestRedone", true, func(name string, d []byte) []byte {
			if name == evpack.AuditJSONL {
				ls := packtest.Lines(d)
				return bytes.Join(append(ls[:3:3], ls[4:]...), nil)
			}
			return d
		}, evpack.ProblemRemoved, evpack.AuditJSONL, "ev-0004 listed in manifest.json is missing"},
		{"AuditLinesReordered", true, func(name string, d []byte) []byte {
			if name == evpack.AuditJSONL {
				ls := packtest.Lines(d)
				ls[2], ls[5] = ls[5], ls[2]
				return bytes.Join(ls, nil)
			}
			return d
		}, evpack.ProblemReordered, evpack.AuditJSONL, "out of log order"},
		{"AuditEventAltered", true, func(name string, d []byte) []byte {
			if name == evpack.AuditJSONL {
				return bytes.Replace(d, []byte(`"actor":"s-coord-01"`), []byte(`"actor":"s-legal-01"`), 1)
			}
			return d
		}, evpack.ProblemProof, evpack.AuditJSONL, "ev-0000"},
		{"DocumentDropped", true, func(name string, d []byte) []byte {
			if name == "documents/Contact 01.01.2013.pdf" {
				return nil
			}
			return d
		}, evpack.ProblemMissing, "documents/Contact 01.01.2013.pdf", "not in the pack"},
		{"RewrittenUnchanged", true, func(name string, d []byte) []byte { return d }, "", "", ""},
		{"CheckpointForged", true, func(name string, d []byte) []byte {
			if name == evpack.CheckpointFile {
				return bytes.Replace(d, []byte("\n12\n"), []byte("\n13\n"), 1)
			}
			return d
		}, evpack.ProblemCheckpoint, evpack.CheckpointFile, "signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := packtest.Rewrite(t, pack, c.resum, c.change)
			rep := verify(t, bad, "")
			if c.kind == "" {
				if !rep.OK {
					t.Fatalf("an unchanged rewrite fails: %v", rep.Problems)
				}
				return
			}
			if rep.OK {
				t.Fatal("the damage was not detected")
			}
			for _, p := range rep.Problems {
				if p.Kind == c.kind && p.File == c.file && strings.Contains(p.Message, c.wantMessage) {
					return
				}
			}
			t.Fatalf("no %s problem naming %s (%q): %v", c.kind, c.file, c.wantMessage, rep.Problems)
		})
	}
	t.Run("KeyPinned", func(t *testing.T) {
		other := newMemLog(t, "m-1", 1)
		rep := verify(t, pack, other.vkey)
		if rep.OK || rep.Problems[0].Kind != evpack.ProblemKey {
			t.Fatalf("a pack checked against another log's key: %+v", rep)
		}
	})
	t.Run("NotAZip", func(t *testing.T) {
		rep := verify(t, []byte("hello"), "")
		if rep.OK || rep.Problems[0].Kind != evpack.ProblemFormat {
			t.Fatalf("%+v", rep)
		}
	})
}

func TestWriterRefusesUnsafeNames(t *testing.T) {
	w := evpack.NewWriter(io.Discard, time.Now())
	for _, name := range []string{"", "/etc/x", "../x", "a/../b", "a\\b", "a\nb", "documents/", evpack.ManifestSHA256} {
		if _, _, err := w.Add(name, strings.NewReader("x")); err == nil {
			t.Errorf("name %q was accepted", name)
		}
	}
	if _, _, err := w.Add("documents/Contact 21.12.2013 AB.pdf", strings.NewReader("x")); err != nil {
		t.Errorf("a disclosure name was refused: %v", err)
	}
}

// FuzzVerify: whatever bytes a pack holds, the checker answers with a report (never a
// panic, never unbounded memory), and a report that says OK only for a pack that is one.
func FuzzVerify(f *testing.F) {
	pack := buildPack(f)
	f.Add(pack)
	f.Add(pack[:len(pack)/2])
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := evpack.Verify(bytes.NewReader(data), int64(len(data)), evpack.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK && (rep.LogKey == "" || rep.CheckpointSize == 0) {
			t.Fatalf("OK without a key and a checkpoint: %+v", rep)
		}
	})
}
