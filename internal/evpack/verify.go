package evpack

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/casehold"
)

// Kinds of problem a check names.
const (
	ProblemFormat     = "format"     // not a pack, or a file of it is malformed
	ProblemMissing    = "missing"    // a file the manifests list is not in the pack
	ProblemUnlisted   = "unlisted"   // a file in the pack that no manifest lists
	ProblemHash       = "hash"       // a file's bytes are not those listed
	ProblemManifest   = "manifest"   // manifest.json and manifest.sha256 disagree
	ProblemKey        = "key"        // the log key is malformed or not the one expected
	ProblemCheckpoint = "checkpoint" // the checkpoint's signature does not verify
	ProblemProof      = "proof"      // an audit line's inclusion proof does not verify
	ProblemRemoved    = "removed"    // an audit event the manifest lists is not in audit.jsonl
	ProblemReordered  = "reordered"  // audit lines are not in log order
	ProblemDuplicate  = "duplicate"  // an audit event or a file appears twice
	ProblemForeign    = "foreign"    // an audit event of another matter
)

// Problem is one thing wrong with a pack, named by file and, in audit.jsonl, line.
type Problem struct {
	Kind    string `json:"kind"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	where := p.File
	if p.Line > 0 {
		where = fmt.Sprintf("%s line %d", p.File, p.Line)
	}
	if where == "" {
		return p.Message
	}
	return where + ": " + p.Message
}

// Report is the result of checking a pack.
type Report struct {
	OK             bool      `json:"ok"`
	MatterID       string    `json:"matter_id,omitempty"`
	Documents      int       `json:"documents"`
	AuditEvents    int       `json:"audit_events"`
	LogOrigin      string    `json:"log_origin,omitempty"`
	CheckpointSize uint64    `json:"checkpoint_size,omitempty"`
	LogKey         string    `json:"log_key,omitempty"`
	KeyPinned      bool      `json:"key_pinned"` // the key was compared with one given by the checker
	Problems       []Problem `json:"problems,omitempty"`
}

// maxProblems keeps the report of a badly damaged pack readable.
const maxProblems = 200

func (r *Report) add(p Problem) {
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, p)
	}
}

// Limits on the small files, so a hostile pack cannot make the checker hold much memory.
const (
	maxManifestBytes = 64 << 20
	maxSmallBytes    = 64 << 10
	maxAuditLine     = 1 << 20
)

// Options tune a check.
type Options struct {
	// Key is the log's public key as the checker got it from the council (GET /audit/key):
	// the pack's own key file must then be that key. Empty: the pack's key is used as is.
	Key string
}

// Verify checks a pack offline: every file against manifest.sha256, manifest.json
// against both, the checkpoint's signature with the log key, every audit line's
// inclusion proof against that checkpoint, audit lines in log order and each event the
// manifest lists present. It returns an error only when the pack cannot be read at all
// (an I/O error); everything wrong with the pack is a Problem.
func Verify(ra io.ReaderAt, size int64, opts Options) (*Report, error) {
	rep := &Report{}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		rep.add(Problem{Kind: ProblemFormat, Message: "not a zip file: " + err.Error()})
		return rep, nil
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue // a folder entry
		}
		if checkName(f.Name) != nil {
			rep.add(Problem{Kind: ProblemFormat, File: f.Name, Message: "file name is not allowed in a pack (absolute, '..', or control characters)"})
			continue
		}
		if files[f.Name] != nil {
			rep.add(Problem{Kind: ProblemDuplicate, File: f.Name, Message: "appears twice in the zip"})
			continue
		}
		files[f.Name] = f
	}

	// 1. manifest.sha256: every file but itself, each hash checked.
	sums := map[string]string{}
	computed := map[string]string{}
	sizes := map[string]int64{}
	if text, ok := readSmall(files, ManifestSHA256, maxManifestBytes, rep); ok {
		for i, line := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
			sum, name, ok := parseSumLine(line)
			if !ok {
				rep.add(Problem{Kind: ProblemFormat, File: ManifestSHA256, Line: i + 1, Message: "not a line of sha256sum output"})
				continue
			}
			if _, dup := sums[name]; dup {
				rep.add(Problem{Kind: ProblemDuplicate, File: ManifestSHA256, Line: i + 1, Message: name + " is listed twice"})
				continue
			}
			sums[name] = sum
		}
	}
	names := make([]string, 0, len(sums))
	for name := range sums {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f := files[name]
		if f == nil {
			rep.add(Problem{Kind: ProblemMissing, File: name, Message: "listed in manifest.sha256 but not in the pack"})
			continue
		}
		got, n, err := hashFile(f)
		if err != nil {
			rep.add(Problem{Kind: ProblemHash, File: name, Message: "cannot be read whole (" + err.Error() + ")"})
			continue
		}
		computed[name], sizes[name] = got, n
		if got != sums[name] {
			rep.add(Problem{Kind: ProblemHash, File: name, Message: "SHA-256 differs from manifest.sha256: the file was changed"})
		}
	}
	var unlisted []string
	for name := range files {
		if _, ok := sums[name]; !ok && name != ManifestSHA256 {
			unlisted = append(unlisted, name)
		}
	}
	sort.Strings(unlisted)
	for _, name := range unlisted {
		rep.add(Problem{Kind: ProblemUnlisted, File: name, Message: "in the pack but not listed in manifest.sha256"})
	}

	// 2. manifest.json: each document listed, with the hash and size its bytes have.
	var man Manifest
	if b, ok := readSmall(files, ManifestJSON, maxManifestBytes, rep); ok {
		if err := json.Unmarshal(b, &man); err != nil {
			rep.add(Problem{Kind: ProblemFormat, File: ManifestJSON, Message: "not valid JSON"})
		} else if man.Format != Format {
			rep.add(Problem{Kind: ProblemFormat, File: ManifestJSON, Message: fmt.Sprintf("format is %q, not %q", man.Format, Format)})
		}
	}
	rep.MatterID = man.MatterID
	rep.Documents = len(man.Documents)
	seenDoc := map[string]bool{}
	for _, d := range man.Documents {
		switch {
		case seenDoc[d.File]:
			rep.add(Problem{Kind: ProblemDuplicate, File: d.File, Message: "listed twice in manifest.json"})
		case files[d.File] == nil:
			rep.add(Problem{Kind: ProblemMissing, File: d.File, Message: fmt.Sprintf("document %s is listed in manifest.json but not in the pack", d.DocumentID)})
		case sums[d.File] == "":
			rep.add(Problem{Kind: ProblemManifest, File: d.File, Message: fmt.Sprintf("document %s is not listed in manifest.sha256", d.DocumentID)})
		case !strings.EqualFold(sums[d.File], d.SHA256):
			rep.add(Problem{Kind: ProblemManifest, File: d.File, Message: fmt.Sprintf("manifest.json and manifest.sha256 give document %s different hashes", d.DocumentID)})
		case computed[d.File] != "" && (computed[d.File] != strings.ToLower(d.SHA256) || sizes[d.File] != d.Size):
			rep.add(Problem{Kind: ProblemHash, File: d.File, Message: fmt.Sprintf("document %s: bytes differ from the SHA-256 and size casehold recorded", d.DocumentID)})
		}
		seenDoc[d.File] = true
	}
	for name := range files {
		if strings.HasPrefix(name, DocumentsDir) && !seenDoc[name] {
			rep.add(Problem{Kind: ProblemUnlisted, File: name, Message: "a document not listed in manifest.json"})
		}
	}

	// 3. The log key and the signed checkpoint.
	var keys auditlog.Keys
	var cpText []byte
	keyOK := false
	if b, ok := readSmall(files, KeyFile, maxSmallBytes, rep); ok {
		rep.LogKey = strings.TrimSpace(string(b))
		k, err := auditlog.KeysFrom("", rep.LogKey)
		switch {
		case err != nil:
			rep.add(Problem{Kind: ProblemKey, File: KeyFile, Message: "not a log public key"})
		case opts.Key != "" && strings.TrimSpace(opts.Key) != rep.LogKey:
			rep.add(Problem{Kind: ProblemKey, File: KeyFile, Message: "is not the log key you gave: the pack may not come from this council's log"})
		default:
			keys, keyOK = k, true
			rep.KeyPinned = opts.Key != ""
		}
	}
	cpOK := false
	if b, ok := readSmall(files, CheckpointFile, maxSmallBytes, rep); ok && keyOK {
		cpText = b
		cp, err := auditlog.OpenCheckpoint(b, keys.Verifier)
		if err != nil {
			rep.add(Problem{Kind: ProblemCheckpoint, File: CheckpointFile, Message: casehold.ErrorMessage(err)})
		} else {
			cpOK = true
			rep.LogOrigin, rep.CheckpointSize = cp.Origin, cp.Size
			if man.Audit.CheckpointSize != 0 && man.Audit.CheckpointSize != cp.Size {
				rep.add(Problem{Kind: ProblemManifest, File: ManifestJSON, Message: "names another checkpoint size than checkpoint.txt"})
			}
		}
	}

	// 4. audit.jsonl: each line an inclusion proof against that checkpoint, in log order.
	if f := files[AuditJSONL]; f == nil {
		rep.add(Problem{Kind: ProblemMissing, File: AuditJSONL, Message: "the pack has no audit events file"})
	} else {
		checkAudit(f, man, keys, cpText, cpOK, rep)
	}
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

func checkAudit(f *zip.File, man Manifest, keys auditlog.Keys, cpText []byte, cpOK bool, rep *Report) {
	rc, err := f.Open()
	if err != nil {
		rep.add(Problem{Kind: ProblemFormat, File: AuditJSONL, Message: "cannot be opened"})
		return
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	docIDs := map[string]bool{}
	for _, d := range man.Documents {
		docIDs[d.DocumentID] = true
	}
	seen := map[string]int{}
	var lastSeq uint64
	lastLine := 0
	for line := 1; ; line++ {
		b, err := readLine(br, maxAuditLine)
		if err == io.EOF {
			break
		}
		if err != nil {
			rep.add(Problem{Kind: ProblemFormat, File: AuditJSONL, Line: line, Message: err.Error()})
			return
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		rep.AuditEvents++
		var p auditlog.InclusionProof
		if err := json.Unmarshal(b, &p); err != nil {
			rep.add(Problem{Kind: ProblemFormat, File: AuditJSONL, Line: line, Message: "not an inclusion proof in JSON"})
			continue
		}
		id := p.Event.ID
		if first, dup := seen[id]; dup {
			rep.add(Problem{Kind: ProblemDuplicate, File: AuditJSONL, Line: line, Message: fmt.Sprintf("event %s appears again (first on line %d)", id, first)})
			continue
		}
		seen[id] = line
		if man.MatterID != "" && p.Event.MatterID != man.MatterID && !docIDs[p.Event.DocumentID] {
			rep.add(Problem{Kind: ProblemForeign, File: AuditJSONL, Line: line, Message: fmt.Sprintf("event %s is about neither matter %s nor its documents", id, man.MatterID)})
		}
		if p.Event.Seq <= lastSeq && lastLine > 0 {
			rep.add(Problem{Kind: ProblemReordered, File: AuditJSONL, Line: line,
				Message: fmt.Sprintf("event %s (seq %d) comes after seq %d on line %d: the lines are out of log order", id, p.Event.Seq, lastSeq, lastLine)})
		}
		if p.Event.Seq > lastSeq {
			lastSeq, lastLine = p.Event.Seq, line
		}
		if !cpOK {
			continue // the checkpoint's problem is reported already
		}
		if !bytes.Equal([]byte(p.Checkpoint), cpText) {
			rep.add(Problem{Kind: ProblemProof, File: AuditJSONL, Line: line, Message: fmt.Sprintf("event %s is proved against another checkpoint than checkpoint.txt", id)})
			continue
		}
		if _, err := auditlog.CheckInclusion(&p, keys); err != nil {
			rep.add(Problem{Kind: ProblemProof, File: AuditJSONL, Line: line, Message: fmt.Sprintf("event %s: %s", id, casehold.ErrorMessage(err))})
		}
	}
	for _, id := range man.Audit.EventIDs {
		if _, ok := seen[id]; !ok {
			rep.add(Problem{Kind: ProblemRemoved, File: AuditJSONL, Message: fmt.Sprintf("event %s listed in manifest.json is missing", id)})
		}
	}
	if man.Audit.Events != 0 && man.Audit.Events != len(man.Audit.EventIDs) {
		rep.add(Problem{Kind: ProblemManifest, File: ManifestJSON, Message: "the audit event count does not match its list of ids"})
	}
	listed := map[string]bool{}
	for _, id := range man.Audit.EventIDs {
		listed[id] = true
	}
	for id, line := range seen {
		if !listed[id] {
			rep.add(Problem{Kind: ProblemUnlisted, File: AuditJSONL, Line: line, Message: fmt.Sprintf("event %s is not listed in manifest.json", id)})
		}
	}
}

// readLine reads one line without its newline, refusing lines longer than max.
func readLine(br *bufio.Reader, max int) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > max {
			return nil, fmt.Errorf("line longer than %d bytes", max)
		}
		switch {
		case err == nil:
			return out[:len(out)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(out) > 0:
			return out, nil
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		default:
			return nil, fmt.Errorf("cannot be read whole (%v)", err)
		}
	}
}

// readSmall reads a whole small file of the pack, reporting it missing or too large.
func readSmall(files map[string]*zip.File, name string, max int64, rep *Report) ([]byte, bool) {
	f := files[name]
	if f == nil {
		rep.add(Problem{Kind: ProblemMissing, File: name, Message: "the pack has no " + name})
		return nil, false
	}
	rc, err := f.Open()
	if err != nil {
		rep.add(Problem{Kind: ProblemFormat, File: name, Message: "cannot be opened"})
		return nil, false
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		rep.add(Problem{Kind: ProblemFormat, File: name, Message: "cannot be read whole (" + err.Error() + ")"})
		return nil, false
	}
	if int64(len(b)) > max {
		rep.add(Problem{Kind: ProblemFormat, File: name, Message: fmt.Sprintf("larger than %d bytes", max)})
		return nil, false
	}
	return b, true
}

// hashFile returns a file's SHA-256 and size; the zip reader's own CRC check fails a
// damaged file too.
func hashFile(f *zip.File) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// parseSumLine reads "<64 hex>  <name>" (or " *<name>", sha256sum's binary mode).
func parseSumLine(line string) (sum, name string, ok bool) {
	if len(line) < 67 || line[64] != ' ' || (line[65] != ' ' && line[65] != '*') {
		return "", "", false
	}
	sum = strings.ToLower(line[:64])
	if _, err := hex.DecodeString(sum); err != nil {
		return "", "", false
	}
	name = line[66:]
	if checkName(name) != nil {
		return "", "", false
	}
	return sum, name, true
}
