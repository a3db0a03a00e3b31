package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/disposalcert"
	"github.com/casehold/casehold/internal/wire"
)

func staffByID(t *testing.T, id string) casehold.Actor {
	t.Helper()
	a, ok := auth.DemoByID(id)
	if !ok {
		t.Fatalf("no demo staff %s", id)
	}
	return a
}

func queueIDs(t *testing.T, a *wire.App) []string {
	t.Helper()
	q, err := a.Service.DisposalQueue(context.Background(), staffByID(t, "s-ig-01"), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, it := range q.Items {
		ids = append(ids, it.DocumentID)
	}
	return ids
}

func release(t *testing.T, a *wire.App, matterID string) {
	t.Helper()
	if _, err := a.Service.ReleaseMatter(context.Background(), auth.DemoStaff[0], matterID, app.ReleaseInput{Reason: "direction withdrawn",
		TeamsToldOn: casehold.DateOf(a.Service.Clock.Now())}); err != nil {
		t.Fatalf("release: %v", err)
	}
}

// TestDisposalLifeCycle follows one document from intake to its certificate of disposal:
// classified while held (never offered), released (back under retention, nothing deleted),
// its date moved by a changed fact, deferred, approved, held again (the approval lapses),
// released, approved and disposed of: versions gone, record and audit kept, certificate
// kept write-once.
func TestDisposalLifeCycle(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	clock := &stepClock{now: time.Now().UTC()}
	a.Service.Clock = clock
	ig, coord := staffByID(t, "s-ig-01"), auth.DemoStaff[0]
	m := newMatter(t, a, "DISPOSE-1")
	d := upload(t, a, m.ID, "a closed case's contact")
	classify := func(in app.ClassifyInput) (*casehold.Document, error) {
		return a.Service.ClassifyDocument(ctx, ig, d.ID, in)
	}
	got, err := classify(app.ClassifyInput{Category: "other_social_care", ClosureDate: "2012-01-31"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Retention.DisposeOn.String() != "2022-01-31" || got.Retention.ScheduleVersion != casehold.Schedule().Version {
		t.Fatalf("classified %+v", got.Retention)
	}
	if ids := queueIDs(t, a); len(ids) != 0 {
		t.Fatalf("a held document was offered: %v", ids)
	}

	t.Run("BadInputChangesNothing", func(t *testing.T) {
		for _, c := range []struct {
			who  casehold.Actor
			in   app.ClassifyInput
			code string
		}{
			{ig, app.ClassifyInput{Category: "shoebox"}, casehold.EINVALID},
			{ig, app.ClassifyInput{Category: "send"}, casehold.EINVALID},
			{ig, app.ClassifyInput{Category: "send", ClosureDate: clock.Now().AddDate(0, 1, 0).Format("2006-01-02")}, casehold.EINVALID},
			{ig, app.ClassifyInput{Category: "looked_after_child", DateOfBirth: "31/12/2001"}, casehold.EINVALID},
			{staffByID(t, "s-sw-01"), app.ClassifyInput{Category: "send", ClosureDate: "2010-01-01"}, casehold.EFORBIDDEN},
		} {
			if _, err := a.Service.ClassifyDocument(ctx, c.who, d.ID, c.in); casehold.ErrorCode(err) != c.code {
				t.Errorf("classify %+v as %s = %v, want %s", c.in, c.who.ID, err, c.code)
			}
		}
		now, _ := a.Service.Store.GetDocument(ctx, d.ID)
		if now.Retention.Category != "other_social_care" || now.Retention.DisposeOn.String() != "2022-01-31" {
			t.Errorf("a refused classification changed the record: %+v", now.Retention)
		}
		if log := auditOf(t, a); countPrefix(log, "document.classify:refused") != 5 {
			t.Errorf("refusals not audited: %v", log)
		}
	})

	release(t, a, m.ID)
	if ids := queueIDs(t, a); len(ids) != 1 || ids[0] != d.ID {
		t.Fatalf("after release the queue is %v, want the document", ids)
	}
	if _, err := a.Service.Evidence.Open(ctx, d.Key, d.VersionID); err != nil {
		t.Fatalf("the release deleted the stored file: %v", err)
	}

	// A fact changes: the date moves on, and back.
	if got, err := classify(app.ClassifyInput{Category: "other_social_care", ClosureDate: "2020-06-30"}); err != nil || got.Retention.DisposeOn.String() != "2030-06-30" {
		t.Fatalf("reclassified: %v %+v", err, got)
	}
	if ids := queueIDs(t, a); len(ids) != 0 {
		t.Fatalf("a document not yet due was offered: %v", ids)
	}
	if _, err := classify(app.ClassifyInput{Category: "other_social_care", ClosureDate: "2012-01-31"}); err != nil {
		t.Fatal(err)
	}

	decide := func(who casehold.Actor, in app.DisposalDecision) error {
		_, err := a.Service.DecideDisposal(ctx, who, d.ID, in)
		return err
	}
	if err := decide(coord, app.DisposalDecision{Decision: "approve", Reason: "past its date"}); casehold.ErrorCode(err) != casehold.EFORBIDDEN {
		t.Errorf("approval by the coordinator = %v", err)
	}
	if err := decide(ig, app.DisposalDecision{Decision: "approve"}); casehold.ErrorCode(err) != casehold.EINVALID {
		t.Errorf("approval without a reason = %v", err)
	}
	deferTo := clock.Now().AddDate(0, 0, 30).Format("2006-01-02")
	if err := decide(ig, app.DisposalDecision{Decision: "defer", Reason: "complaint expected", DeferTo: deferTo}); err != nil {
		t.Fatal(err)
	}
	if ids := queueIDs(t, a); len(ids) != 0 {
		t.Fatalf("a deferred document was offered: %v", ids)
	}
	clock.add(31 * 24 * time.Hour)
	if ids := queueIDs(t, a); len(ids) != 1 {
		t.Fatalf("after the deferral the queue is %v", ids)
	}
	if err := decide(ig, app.DisposalDecision{Decision: "approve", Reason: "past its date, no complaint came"}); err != nil {
		t.Fatal(err)
	}

	// A new matter holds it: the approval lapses, a held document cannot be approved.
	m2 := newMatter(t, a, "DISPOSE-2")
	if _, err := a.Service.HoldDocument(ctx, coord, m2.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	if now, _ := a.Service.Store.GetDocument(ctx, d.ID); now.Disposal != nil {
		t.Fatalf("an approval survived a legal hold: %+v", now.Disposal)
	}
	if err := decide(ig, app.DisposalDecision{Decision: "approve", Reason: "again"}); casehold.ErrorCode(err) != casehold.EHELD {
		t.Fatalf("approval of a held document = %v", err)
	}
	if run, err := a.Service.RunDisposals(ctx); err != nil || len(run.Disposed) != 0 {
		t.Fatalf("a run disposed of a held document: %+v %v", run, err)
	}
	release(t, a, m2.ID)
	if err := decide(ig, app.DisposalDecision{Decision: "approve", Reason: "past its date; second matter closed"}); err != nil {
		t.Fatal(err)
	}
	run, err := a.Service.RunDisposals(ctx)
	if err != nil || len(run.Disposed) != 1 {
		t.Fatalf("run: %+v %v", run, err)
	}
	if _, err := a.Service.Evidence.Open(ctx, d.Key, d.VersionID); casehold.ErrorCode(err) != casehold.ENOTFOUND {
		t.Errorf("the stored version survived its disposal: %v", err)
	}
	rec, err := a.Service.Store.GetDocument(ctx, d.ID)
	if err != nil || rec.Disposal.Status != casehold.DisposalDone || rec.SHA256 != d.SHA256 {
		t.Fatalf("the record after disposal: %+v %v", rec, err)
	}
	if ids := queueIDs(t, a); len(ids) != 0 {
		t.Errorf("a disposed document is still offered: %v", ids)
	}
	certJSON, err := a.Service.DisposalCertificate(ctx, ig, d.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	var cert disposalcert.Certificate
	if err := json.Unmarshal(certJSON, &cert); err != nil {
		t.Fatal(err)
	}
	if len(cert.Destroyed) != 1 || cert.Destroyed[0].SHA256 != d.SHA256 || cert.ApprovedBy != ig.ID ||
		cert.Category != "other_social_care" || cert.DisposeOn != "2022-01-31" || !strings.Contains(cert.Rule, "10 years") {
		t.Errorf("certificate %+v", cert)
	}
	certPDF, err := a.Service.DisposalCertificate(ctx, ig, d.ID, true)
	if err != nil || !bytes.HasPrefix(certPDF, []byte("%PDF-")) {
		t.Fatalf("certificate PDF: %v", err)
	}
	if held, err := a.Service.Evidence.LegalHold(ctx, "disposal/certificates/"+d.ID+".json", mustVersion(t, a, "disposal/certificates/"+d.ID+".json")); err != nil || !held {
		t.Errorf("the certificate is not kept under hold: %v %v", held, err)
	}
	// Reading a disposed document says so; it is no integrity incident, and verify and the
	// evidence pack account for it.
	if _, _, err := a.Service.OpenDocument(ctx, coord, d.ID); casehold.ErrorCode(err) != casehold.ENOTFOUND || !strings.Contains(casehold.ErrorMessage(err), "disposed of") {
		t.Errorf("download of a disposed document = %v", err)
	}
	if rep, err := a.Service.VerifyEvidence(ctx, app.VerifyOptions{}); err != nil || !rep.Clean() {
		t.Errorf("verify after a disposal: %+v %v", rep, err)
	}
	if err := a.Service.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	pack, res, err := exportPack(t, a, coord, m.ID)
	if err != nil || res.Documents != 0 || !bytes.Contains(pack, []byte(`"certificate_key": "disposal/certificates/`+d.ID+`.json"`)) {
		t.Errorf("pack of a matter whose document was disposed of: %+v %v", res, err)
	}
	if log := auditOf(t, a); countPrefix(log, "evidence.integrity") != 0 {
		t.Errorf("a disposal was taken for an integrity incident: %v", log)
	}
	// A run again changes nothing and keeps the one certificate.
	if run, err := a.Service.RunDisposals(ctx); err != nil || len(run.Disposed) != 0 {
		t.Errorf("second run: %+v %v", run, err)
	}
	log := auditOf(t, a)
	for _, want := range []string{"document.classify:ok", "disposal.defer:ok", "disposal.approve:ok", "disposal.approve:refused", "document.dispose:ok versions=1"} {
		if countPrefix(log, want) == 0 {
			t.Errorf("no %q in the audit trail: %v", want, log)
		}
	}
	for _, line := range log {
		if strings.Contains(line, "2012-01-31") {
			t.Errorf("a trigger fact reached the audit trail: %s", line)
		}
	}
}

func mustVersion(t *testing.T, a *wire.App, key string) string {
	t.Helper()
	vs, err := a.Service.Evidence.Versions(context.Background(), key)
	if err != nil || len(vs) != 1 {
		t.Fatalf("versions of %s: %+v %v", key, vs, err)
	}
	return vs[0].VersionID
}

// holdingStore places a legal hold the moment the disposal run has recorded what it will
// destroy: the hold lands between approval and deletion.
type holdingStore struct {
	casehold.Store
	hold func()
}

func (h *holdingStore) UpdateDisposal(ctx context.Context, d *casehold.Document) error {
	if err := h.Store.UpdateDisposal(ctx, d); err != nil {
		return err
	}
	if d.Disposal != nil && d.Disposal.Status == casehold.DisposalDeleting && h.hold != nil {
		f := h.hold
		h.hold = nil
		f()
	}
	return nil
}

// holdingEvidence places the object's legal hold just before deletion: the hold's record
// is not yet visible to the run, only the object's lock is.
type holdingEvidence struct {
	casehold.Evidence
	hold func()
}

func (h *holdingEvidence) DeleteVersions(ctx context.Context, key string) ([]casehold.StoredObject, error) {
	if h.hold != nil {
		h.hold()
	}
	return h.Evidence.DeleteVersions(ctx, key)
}

func TestHoldBetweenApprovalAndDeletionWins(t *testing.T) {
	for _, at := range []string{"AfterRecording", "AtTheObject"} {
		t.Run(at, func(t *testing.T) {
			a := embedded(t)
			ctx := context.Background()
			ig, coord := staffByID(t, "s-ig-01"), auth.DemoStaff[0]
			m := newMatter(t, a, "RACE-1")
			d := upload(t, a, m.ID, "about to be disposed of")
			if _, err := a.Service.ClassifyDocument(ctx, ig, d.ID, app.ClassifyInput{Category: "financial"}); err != nil {
				t.Fatal(err)
			}
			release(t, a, m.ID)
			if _, err := a.Service.DecideDisposal(ctx, ig, d.ID, app.DisposalDecision{Decision: "approve", Reason: "seven years passed"}); err != nil {
				t.Fatal(err)
			}
			m2 := newMatter(t, a, "RACE-2")
			switch at {
			case "AfterRecording":
				a.Service.Store = &holdingStore{Store: a.Service.Store, hold: func() {
					if _, err := a.Service.HoldDocument(ctx, coord, m2.ID, d.ID); err != nil {
						t.Errorf("hold: %v", err)
					}
				}}
			case "AtTheObject":
				a.Service.Evidence = &holdingEvidence{Evidence: a.Service.Evidence, hold: func() {
					if err := a.Service.Evidence.(*holdingEvidence).Evidence.SetLegalHold(ctx, d.Key, d.VersionID, true); err != nil {
						t.Errorf("hold: %v", err)
					}
				}}
			}
			run, err := a.Service.RunDisposals(ctx)
			if err != nil || len(run.Disposed) != 0 || run.Stopped[d.ID] == "" {
				t.Fatalf("run: %+v %v", run, err)
			}
			if got := readAllDoc(t, a, d); got != string(scanPDF("about to be disposed of")) {
				t.Fatal("the held document's bytes were touched")
			}
			rec, _ := a.Service.Store.GetDocument(ctx, d.ID)
			if rec.Disposal != nil {
				t.Errorf("the disposal was not called off: %+v", rec.Disposal)
			}
			if log := auditOf(t, a); countPrefix(log, "document.dispose:refused stopped=held") != 1 {
				t.Errorf("the stopped disposal is not audited: %v", log)
			}
		})
	}
}

func readAllDoc(t *testing.T, a *wire.App, d *casehold.Document) string {
	t.Helper()
	rc, err := a.Service.Evidence.Open(context.Background(), d.Key, d.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	b.ReadFrom(rc)
	return b.String()
}
