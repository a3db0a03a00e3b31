package app

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/evpack"
)

// An evidence pack is a zip anyone can check without casehold (see internal/evpack): the
// matter's documents named as they are disclosed, manifest.sha256 for `sha256sum -c`,
// manifest.json, the matter's audit events each with its inclusion proof against the
// signed checkpoint the pack carries, and the log's public key.

// Export is an export the access policy allowed and the audit log recorded; WriteTo
// streams it.
type Export struct {
	s     *Deps
	actor casehold.Actor
	m     *casehold.Matter
	docs  []*casehold.Document
	names []string
	cp    casehold.Checkpoint
	// onDocument, when set, is told after each document (an export job's progress); an
	// error from it stops the pack.
	onDocument func(done int, bytes int64) error
}

// ExportResult says what a pack holds.
type ExportResult struct {
	MatterID       string `json:"matter_id"`
	Documents      int    `json:"documents"`
	AuditEvents    int    `json:"audit_events"`
	Bytes          int64  `json:"bytes"` // of the documents
	CheckpointSize uint64 `json:"checkpoint_size"`
	// ManifestSHA256 is the SHA-256 of the pack's manifest.sha256, recorded in the audit
	// log (matter.exported), so the council can later prove which pack it handed out.
	ManifestSHA256 string `json:"manifest_sha256"`
}

// FileName is the pack's file name.
func (e *Export) FileName() string { return "casehold-" + e.m.ID + ".zip" }

// PrepareExport decides an export of the matter's evidence pack and records it in the
// audit log before any byte leaves. The reader must be allowed to read every document of
// the matter: a pack that silently left out a locked child's documents would look
// complete and not be.
func (s *Exports) PrepareExport(ctx context.Context, actor casehold.Actor, matterID string) (*Export, error) {
	const action = "matter.export"
	m, all, basis, err := s.decideExport(ctx, actor, action, matterID)
	if err != nil {
		return nil, err
	}
	l, err := s.auditLog()
	if err != nil {
		return nil, err
	}
	tree, err := l.Store.AuditTree(ctx)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if tree.Checkpoint.Number == 0 && l.Keys.Signer != nil {
		// This process signs checkpoints itself (the local server, the CLI): sign the first
		// one now rather than turn away the first export after a fresh start.
		if _, err := l.Flush(ctx); err != nil {
			return nil, fmt.Errorf("export: sign the audit log's first checkpoint: %w", err)
		}
		if tree, err = l.Store.AuditTree(ctx); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	if tree.Checkpoint.Number == 0 {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT,
			"the audit log has no signed checkpoint yet to prove the events against; try again in a minute"))
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: matterID, PIDs: documentPIDs(all),
		Detail: fmt.Sprintf("documents=%d checkpoint=%d basis=%s", len(all), tree.Checkpoint.Number, basis)}); err != nil {
		return nil, err
	}
	names := s.nameDocuments(m, all)
	for i, d := range all {
		if path.Ext(d.Key) == ".eml" { // a kept raw message is a message, not a PDF
			names[i] = strings.TrimSuffix(names[i], ".pdf") + ".eml"
		}
	}
	return &Export{s: s.Deps, actor: actor, m: m, docs: all, names: names, cp: tree.Checkpoint}, nil
}

// documentPIDs lists the children the documents concern, each once, so "who saw this
// child" finds every export of them.
func documentPIDs(docs []*casehold.Document) []string {
	var pids []string
	for _, d := range docs {
		for _, p := range d.PIDs {
			if !slices.Contains(pids, p) {
				pids = append(pids, p)
			}
		}
	}
	return pids
}

// decideExport is the access decision of every export (the pack streamed, requested as a
// job, built, or handed out by link): the actor may read every document of the matter.
// Refusals are audited under action.
func (s *Exports) decideExport(ctx context.Context, actor casehold.Actor, action, matterID string) (*casehold.Matter, []*casehold.Document, string, error) {
	if err := casehold.AuthorizeRole(actor, casehold.ActReadDocument); err != nil {
		return nil, nil, "", s.refuse(ctx, actor, action, matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, nil, "", s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("export: %w", err))
	}
	r, err := s.reader(ctx, actor)
	if err != nil {
		return nil, nil, "", fmt.Errorf("export: %w", err)
	}
	basis, err := s.allowReader(ctx, r, casehold.ActReadDocument, m, nil)
	if err != nil {
		return nil, nil, "", s.refuse(ctx, actor, action, matterID, "", err)
	}
	all, err := s.Store.ListMatterDocuments(ctx, matterID)
	if err != nil {
		return nil, nil, "", fmt.Errorf("export: %w", err)
	}
	visible, err := s.visibleDocuments(ctx, r, m, all)
	if err != nil {
		return nil, nil, "", fmt.Errorf("export: %w", err)
	}
	if n := len(all) - len(visible); n > 0 {
		return nil, nil, "", s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.EFORBIDDEN,
			"%d document(s) of this matter are about a child whose records you may not read (a lock, or no access grant for that child): ask the matter's coordinator, or the lock's owner, to export the pack", n))
	}
	return m, all, basis, nil
}

// WriteTo streams the pack to w. Every document is read from its exact stored version and
// hashed as it streams; bytes that are not what casehold recorded stop the pack (an
// integrity incident is recorded), so a pack is never finished around altered evidence.
// The caller must then discard what was written.
func (e *Export) WriteTo(ctx context.Context, w io.Writer) (*ExportResult, error) {
	s := e.s
	now := s.now()
	pw := evpack.NewWriter(w, now)
	res := &ExportResult{MatterID: e.m.ID, CheckpointSize: e.cp.Size}
	man := evpack.Manifest{Format: evpack.Format, MatterID: e.m.ID, MatterKind: string(e.m.Kind), Reference: e.m.Reference,
		MatterStatus: string(e.m.Status), CreatedAt: now, CreatedBy: e.actor.ID, Council: s.Council, Documents: []evpack.Entry{}}
	man.Disposed = []evpack.DisposedEntry{}
	for i, d := range e.docs {
		if d.Disposed() {
			de := evpack.DisposedEntry{DocumentID: d.ID, VersionID: d.VersionID, SHA256: d.SHA256, Size: d.Size, CertificateKey: d.Disposal.CertificateKey}
			if d.Disposal.DisposedAt != nil {
				de.DisposedAt = *d.Disposal.DisposedAt
			}
			man.Disposed = append(man.Disposed, de)
			continue
		}
		name := evpack.DocumentsDir + e.names[i]
		if err := e.copyDocument(ctx, pw, name, d); err != nil {
			return nil, err
		}
		res.Bytes += d.Size
		res.Documents++
		if e.onDocument != nil {
			if err := e.onDocument(res.Documents, res.Bytes); err != nil {
				return nil, err
			}
		}
		man.Documents = append(man.Documents, evpack.Entry{DocumentID: d.ID, VersionID: d.VersionID, File: name, SHA256: d.SHA256,
			Size: d.Size, DocType: d.DocType, DocDate: d.DocDate.String(), Source: string(d.Source), UploadedAt: d.UploadedAt,
			UploadedBy: d.UploadedBy, PIDs: d.PIDs})
	}

	// The matter's and its documents' events, up to the checkpoint, each proved.
	l, err := s.auditLog()
	if err != nil {
		return nil, err
	}
	prover, err := l.ProverAt(ctx, e.cp)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	af, err := pw.Create(evpack.AuditJSONL)
	if err != nil {
		return nil, err
	}
	holdsFrom := map[string]time.Time{} // document id -> when this matter took its hold
	enc := json.NewEncoder(af)
	enc.SetEscapeHTML(false)
	man.Audit = evpack.Audit{EventIDs: []string{}, CheckpointSize: e.cp.Size, CheckpointNo: e.cp.Number, LogOrigin: l.Keys.Verifier.Name()}
	events, err := e.events(ctx)
	if err != nil {
		return nil, err
	}
	for _, ev := range events {
		p, err := prover.Prove(ev)
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		if err := enc.Encode(p); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		man.Audit.EventIDs = append(man.Audit.EventIDs, ev.ID)
		if ev.DocumentID != "" && ev.MatterID == e.m.ID && ev.Outcome == casehold.OutcomeOK &&
			(ev.Action == "document.hold" || ev.Action == "document.upload") {
			if _, ok := holdsFrom[ev.DocumentID]; !ok {
				holdsFrom[ev.DocumentID] = ev.Time
			}
		}
	}
	af.Close()
	man.Audit.Events = len(man.Audit.EventIDs)
	res.AuditEvents = man.Audit.Events

	byID := map[string]*casehold.Document{}
	for _, d := range e.docs {
		byID[d.ID] = d
	}
	for i := range man.Documents {
		holds, err := e.holdPeriods(ctx, byID[man.Documents[i].DocumentID], holdsFrom)
		if err != nil {
			return nil, err
		}
		man.Documents[i].Holds = holds
	}
	mj, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	note := "casehold recorded the SHA-256 of manifest.sha256 in its audit log when it made this pack\n" +
		"   (event matter.exported): the council can give you that event's inclusion proof."
	for _, f := range []struct {
		name string
		data string
	}{
		{evpack.ManifestJSON, string(mj) + "\n"},
		{evpack.CheckpointFile, e.cp.Text},
		{evpack.KeyFile, l.Keys.VerifierKey + "\n"},
		{evpack.VerifyFile, evpack.VerifyText(man, note)},
	} {
		if _, _, err := pw.Add(f.name, strings.NewReader(f.data)); err != nil {
			return nil, err
		}
	}
	digest, err := pw.Close()
	if err != nil {
		return nil, err
	}
	res.ManifestSHA256 = digest
	if err := s.audit(ctx, casehold.AuditEvent{Actor: e.actor.ID, Action: "matter.exported", MatterID: e.m.ID,
		Detail: fmt.Sprintf("documents=%d audit_events=%d checkpoint=%d manifest_sha256=%s", res.Documents, res.AuditEvents, e.cp.Number, digest)}); err != nil {
		return nil, err
	}
	return res, nil
}

// events are the events about the matter or any of its documents (reads and downloads of
// a document name the document, not the matter) up to the checkpoint, read through the
// audit index, once each, in log order.
func (e *Export) events(ctx context.Context) ([]casehold.AuditEvent, error) {
	filters := []casehold.AuditFilter{{MatterID: e.m.ID}}
	for _, d := range e.docs {
		filters = append(filters, casehold.AuditFilter{DocumentID: d.ID})
	}
	seen := map[string]bool{}
	var out []casehold.AuditEvent
	for _, f := range filters {
		for after := uint64(0); after < e.cp.Size; {
			page, err := e.s.Store.ListAuditBy(ctx, f, after, 1000)
			if err != nil {
				return nil, fmt.Errorf("export: %w", err)
			}
			for _, ev := range page {
				if ev.Seq <= e.cp.Size && !seen[ev.ID] {
					seen[ev.ID] = true
					out = append(out, ev)
				}
			}
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].Seq
		}
	}
	slices.SortFunc(out, func(a, b casehold.AuditEvent) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// copyDocument streams one stored version into the pack, hashing it, and compares the
// hash and size with what casehold recorded; the store's own metadata is never asked.
func (e *Export) copyDocument(ctx context.Context, pw *evpack.Writer, name string, d *casehold.Document) error {
	s := e.s
	incident := func(reason string) error {
		s.incident(ctx, e.m.ID, d.ID, "reason="+reason+" during=export actor="+e.actor.ID)
		return casehold.Errorf(casehold.EINTEGRITY, "the stored file of document %s is not what casehold kept (%s): the pack was stopped and the incident is recorded", d.ID, reason)
	}
	rc, err := s.Evidence.Open(ctx, d.Key, d.VersionID)
	if casehold.ErrorCode(err) == casehold.ENOTFOUND {
		return incident("version_missing")
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", d.ID, err)
	}
	defer rc.Close()
	f, err := pw.Create(name)
	if err != nil {
		return err
	}
	// One byte past the recorded size is read, so a longer stored file is noticed.
	src := &readErrs{r: io.LimitReader(rc, d.Size+1)}
	_, err = io.Copy(f, src)
	sum, n := f.Close()
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil && src.err == nil:
		return fmt.Errorf("export %s: %w", d.ID, err) // writing failed: the client went away
	case err != nil:
		return incident("stream_cut")
	case n > d.Size:
		return incident("longer_than_recorded")
	case n < d.Size:
		return incident("shorter_than_recorded")
	case sum != d.SHA256:
		return incident("hash_mismatch")
	}
	return nil
}

// holdPeriods lists, for every matter the document is filed under, when that matter held
// it: from the upload or hold (as far as this matter's events show) until the matter's
// release.
func (e *Export) holdPeriods(ctx context.Context, d *casehold.Document, holdsFrom map[string]time.Time) ([]evpack.HoldPeriod, error) {
	out := []evpack.HoldPeriod{}
	for i, mid := range d.MatterIDs {
		hp := evpack.HoldPeriod{MatterID: mid, HeldNow: d.HeldByMatter(mid)}
		switch {
		case i == 0:
			t := d.UploadedAt
			hp.From = &t
		case mid == e.m.ID:
			if t, ok := holdsFrom[d.ID]; ok {
				hp.From = &t
			}
		}
		m := e.m
		if mid != e.m.ID {
			var err error
			if m, err = e.s.Store.GetMatter(ctx, mid); err != nil {
				return nil, fmt.Errorf("export: %w", err)
			}
		}
		if !hp.HeldNow && m.ReleasedAt != nil {
			t := *m.ReleasedAt
			hp.Until = &t
		}
		out = append(out, hp)
	}
	return out, nil
}

// readErrs remembers a read error, to tell the store's fault from the client's.
type readErrs struct {
	r   io.Reader
	err error
}

func (r *readErrs) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}
