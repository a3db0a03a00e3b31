package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/testids"
	"github.com/casehold/casehold/internal/wire"
)

func scanPDF(s string) []byte { return []byte("%PDF-1.4\n" + s + "\n%%EOF\n") }

func newMatter(t *testing.T, a *wire.App, ref string) *casehold.Matter {
	t.Helper()
	m, err := a.Service.CreateMatter(context.Background(), auth.DemoStaff[0], casehold.NewMatterInput{Reference: ref, Contact: "c",
		ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Integrity Person"}}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func upload(t *testing.T, a *wire.App, matterID, body string) *casehold.Document {
	t.Helper()
	d, err := a.Service.UploadDocument(context.Background(), auth.DemoStaff[0], matterID,
		app.UploadInput{PID: "P1", DocType: "Contact", DocDate: "2013-12-21"}, bytes.NewReader(scanPDF(body)))
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	return d
}

// auditOf lists "action:outcome" of every event, oldest first.
func auditOf(t *testing.T, a *wire.App) []string {
	t.Helper()
	// Events are listed once the sequencer has integrated them.
	if err := a.Service.FlushAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs, err := a.Service.Store.ListAudit(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action+":"+string(e.Outcome)+" "+e.Detail)
	}
	return out
}

func countPrefix(list []string, prefix string) int {
	n := 0
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func TestPlantedEvidenceIsRefused(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	ids := &testids.Scripted{}
	a.Service.IDs = ids
	m := newMatter(t, a, "PLANT-1")
	real := scanPDF("the real scan")

	t.Run("StagedUpload", func(t *testing.T) {
		slot, err := a.Service.CreateUpload(ctx, auth.DemoStaff[0], m.ID, app.UploadInput{PID: "P1", DocType: "Assessment", DocDate: "2011-04-11"})
		if err != nil {
			t.Fatal(err)
		}
		version := stage(t, a, slot, real)
		// Someone who learnt the next evidence key puts a file there first.
		planted, err := a.Service.Evidence.Put(ctx, "documents/plant1ed1.pdf", bytes.NewReader(scanPDF("a forged scan")), false)
		if err != nil {
			t.Fatal(err)
		}
		ids.Push("plant1", "ed1")
		_, err = a.Service.IngestStaged(ctx, slot.Key, version)
		if casehold.ErrorCode(err) != casehold.EINTEGRITY {
			t.Fatalf("ingest over a planted object = %v, want %s", err, casehold.EINTEGRITY)
		}
		docs, _ := a.Service.Store.ListMatterDocuments(ctx, m.ID)
		for _, d := range docs {
			if d.Key == planted.Key {
				t.Fatalf("the planted object was recorded as document %s", d.ID)
			}
		}
		if held, _ := a.Service.Evidence.LegalHold(ctx, planted.Key, planted.VersionID); held {
			t.Error("the planted object was put under legal hold")
		}
		log := auditOf(t, a)
		if countPrefix(log, "evidence.integrity:failed") == 0 || countPrefix(log, "document.upload:refused") == 0 {
			t.Errorf("no integrity incident and refusal audited: %v", log)
		}
		if countPrefix(log, "document.upload:ok") != 0 {
			t.Errorf("a planted object was audited as an upload: %v", log)
		}
	})

	t.Run("RetryAfterCrashAdoptsOwnBytes", func(t *testing.T) {
		slot, err := a.Service.CreateUpload(ctx, auth.DemoStaff[0], m.ID, app.UploadInput{PID: "P1", DocType: "Referral", DocDate: "2011-04-11"})
		if err != nil {
			t.Fatal(err)
		}
		body := scanPDF("stored by a delivery that then crashed")
		version := stage(t, a, slot, body)
		// An earlier delivery stored exactly these bytes at the key and died before recording.
		if _, err := a.Service.Evidence.Put(ctx, "documents/crash1ed1.pdf", bytes.NewReader(body), true); err != nil {
			t.Fatal(err)
		}
		ids.Push("crash1", "ed1")
		d, err := a.Service.IngestStaged(ctx, slot.Key, version)
		if err != nil {
			t.Fatalf("retry after a crash: %v", err)
		}
		if d.Key != "documents/crash1ed1.pdf" {
			t.Errorf("document key = %s, want the one the first delivery used", d.Key)
		}
	})

	t.Run("EmailRawMessage", func(t *testing.T) {
		if _, err := a.Service.Evidence.Put(ctx, "inbound/mail1ed1.eml", strings.NewReader("planted"), false); err != nil {
			t.Fatal(err)
		}
		ids.Push("mail1", "ed1")
		rec, err := a.Service.IngestEmail(ctx, "local:test-planted-raw", func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(message(t, m.ID, real))), nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != casehold.InboundQuarantined || !strings.Contains(rec.Reason, "integrity") || rec.RawKey != "" {
			t.Fatalf("record = %+v, want quarantined for integrity with no raw copy adopted", rec)
		}
	})

	t.Run("EmailAttachment", func(t *testing.T) {
		if _, err := a.Service.Evidence.Put(ctx, "inbound/mail2ed2/1.pdf", bytes.NewReader(scanPDF("forged")), false); err != nil {
			t.Fatal(err)
		}
		ids.Push("mail2", "ed2")
		rec, err := a.Service.IngestEmail(ctx, "local:test-planted-pdf", func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(message(t, m.ID, real))), nil
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != casehold.InboundQuarantined || !strings.Contains(rec.Reason, "integrity") {
			t.Fatalf("record = %+v, want quarantined for integrity", rec)
		}
		for _, at := range rec.Attachments {
			if at.DocumentID != "" {
				t.Errorf("attachment %d filed as %s over a planted object", at.Index, at.DocumentID)
			}
		}
	})
}

// stage PUTs body through the upload slot's local receiver and returns the staged version.
func stage(t *testing.T, a *wire.App, slot *app.UploadSlot, body []byte) string {
	t.Helper()
	st, ok := a.Service.Staging.(interface {
		Receive(ctx context.Context, key, expires, signature string, body io.Reader) (string, error)
	})
	if !ok {
		t.Fatal("embedded staging cannot receive")
	}
	u, err := url.Parse(slot.URL)
	if err != nil {
		t.Fatal(err)
	}
	expires, sig := u.Query().Get("expires"), u.Query().Get("signature")
	version, err := st.Receive(context.Background(), slot.Key, expires, sig, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("stage: %v", err)
	}
	return version
}

// message is a raw email from an allowed sender naming the matter, with one PDF.
func message(t *testing.T, matterID string, pdf []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: officer@review.example\r\nTo: intake@council.example\r\nSubject: Records for %s\r\n"+
		"Message-ID: <planted@review.example>\r\nDate: Mon, 02 Mar 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nattached\r\n"+
		"--XX\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"scan.pdf\"\r\n\r\n%s\r\n--XX--\r\n", matterID, pdf)
	return b.Bytes()
}

// failingMailer refuses the first n messages, then passes them on.
type failingMailer struct {
	mu    sync.Mutex
	fails int
	sent  []casehold.Message
}

func (f *failingMailer) Send(_ context.Context, msg casehold.Message) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return "", errors.New("mailer unavailable")
	}
	f.sent = append(f.sent, msg)
	return fmt.Sprintf("msg-%d", len(f.sent)), nil
}

func TestReleaseIsResumable(t *testing.T) {
	ctx := context.Background()
	coord := auth.DemoStaff[0]

	t.Run("NoticeRefusedThenRetried", func(t *testing.T) {
		// The notice is queued with the release: a refused first send leaves it pending in
		// the mail queue (never lost, never marked sent), and the sender delivers it later.
		a := embedded(t)
		mail := &failingMailer{fails: 1}
		a.Service.Mail = mail
		clock := &stepClock{now: time.Now()}
		a.Service.Clock = clock
		m := newMatter(t, a, "RESUME-1")
		d := upload(t, a, m.ID, "one")
		res, err := a.Service.ReleaseMatter(ctx, coord, m.ID, app.ReleaseInput{Reason: "direction withdrawn"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Matter.Status != casehold.MatterReleased || res.NoticeErrors != 0 || len(res.Released) != 1 || len(mail.sent) != 0 {
			t.Fatalf("first run = %+v (status %s), %d sent; want released with the notice queued, not yet accepted", res, res.Matter.Status, len(mail.sent))
		}
		if held, _ := a.Service.Evidence.LegalHold(ctx, d.Key, d.VersionID); held {
			t.Error("hold not lifted by the first run")
		}
		// Too early: the backoff holds it back.
		if rep, err := a.Service.DeliverMail(ctx); err != nil || rep.Sent != 0 {
			t.Fatalf("delivery before the backoff = %+v, %v", rep, err)
		}
		clock.add(app.MailRetryBase)
		if rep, err := a.Service.DeliverMail(ctx); err != nil || rep.Sent != 1 {
			t.Fatalf("delivery after the backoff = %+v, %v; want one sent", rep, err)
		}
		clock.add(time.Hour)
		if rep, _ := a.Service.DeliverMail(ctx); rep.Sent != 0 {
			t.Errorf("a later delivery sent %d more", rep.Sent)
		}
		if n, err := a.Service.RunReleases(ctx); err != nil || n != 0 {
			t.Errorf("RunReleases after the end = %d, %v; want nothing to do", n, err)
		}
		if len(mail.sent) != 1 {
			t.Errorf("%d release notices sent, want 1", len(mail.sent))
		}
		if _, err := a.Service.ReleaseMatter(ctx, coord, m.ID, app.ReleaseInput{Reason: "again"}); casehold.ErrorCode(err) != casehold.ECONFLICT {
			t.Errorf("release of a released matter = %v, want %s", err, casehold.ECONFLICT)
		}
		log := auditOf(t, a)
		if countPrefix(log, "matter.release:ok") != 1 || countPrefix(log, "notice.release:ok") != 1 || countPrefix(log, "mail.sent:ok") != 1 {
			t.Errorf("audit = %v, want one release, one notice and one mail.sent event", log)
		}
	})

	t.Run("CrashMidwayThenRetried", func(t *testing.T) {
		a := embedded(t)
		m := newMatter(t, a, "RESUME-4")
		docs := []*casehold.Document{upload(t, a, m.ID, "a"), upload(t, a, m.ID, "b"), upload(t, a, m.ID, "c")}
		real := a.Service.Evidence
		// The store fails after one hold is lifted, as a process killed part-way would stop.
		a.Service.Evidence = &flakyHolds{Evidence: real, okLifts: 1}
		if _, err := a.Service.ReleaseMatter(ctx, coord, m.ID, app.ReleaseInput{Reason: "withdrawn"}); err == nil {
			t.Fatal("a release whose store failed part-way reported success")
		}
		got, _ := a.Service.Store.GetMatter(ctx, m.ID)
		if got.Status != casehold.MatterReleasing {
			t.Fatalf("after the failure the matter is %s, want releasing", got.Status)
		}
		a.Service.Evidence = real
		if n, err := a.Service.RunReleases(ctx); err != nil || n != 1 {
			t.Fatalf("RunReleases = %d, %v; want the release finished", n, err)
		}
		for _, d := range docs {
			if held, _ := real.LegalHold(ctx, d.Key, d.VersionID); held {
				t.Errorf("document %s still held after the retried release", d.ID)
			}
		}
		if n := countPrefix(outbox(t, a), "Subject: casehold: preservation matter "+m.ID+" released"); n != 1 {
			t.Errorf("%d release notices, want 1", n)
		}
		if n := countPrefix(auditOf(t, a), "matter.release:ok"); n != 1 {
			t.Errorf("%d release events, want 1", n)
		}
	})

	t.Run("MissingVersionIsAnIncidentNotAStop", func(t *testing.T) {
		a := embedded(t)
		m := newMatter(t, a, "RESUME-2")
		docs := []*casehold.Document{upload(t, a, m.ID, "a"), upload(t, a, m.ID, "b"), upload(t, a, m.ID, "c")}
		// The middle version vanishes behind casehold's back.
		removeVersion(t, a, docs[1])
		res, err := a.Service.ReleaseMatter(ctx, coord, m.ID, app.ReleaseInput{Reason: "direction withdrawn"})
		if err != nil {
			t.Fatalf("release with a missing version: %v", err)
		}
		if res.Matter.Status != casehold.MatterReleased || len(res.Released) != 2 || len(res.Incidents) != 1 || res.Incidents[0] != docs[1].ID {
			t.Fatalf("release = %+v, want released, two lifted, the missing one an incident", res)
		}
		for _, d := range []*casehold.Document{docs[0], docs[2]} {
			if held, _ := a.Service.Evidence.LegalHold(ctx, d.Key, d.VersionID); held {
				t.Errorf("document %s still held after release", d.ID)
			}
		}
		log := auditOf(t, a)
		if countPrefix(log, "evidence.integrity:failed") != 1 || countPrefix(log, "matter.release:ok") != 1 {
			t.Errorf("audit = %v", log)
		}
	})

	t.Run("RecordedByAProcessThatMayNotLift", func(t *testing.T) {
		a := embedded(t)
		m := newMatter(t, a, "RESUME-3")
		d := upload(t, a, m.ID, "held")
		a.Service.LiftsHolds = false // the API in AWS
		res, err := a.Service.ReleaseMatter(ctx, coord, m.ID, app.ReleaseInput{Reason: "withdrawn"})
		if err != nil || !res.Pending || res.Matter.Status != casehold.MatterReleasing {
			t.Fatalf("release by the API = %+v, %v; want pending", res, err)
		}
		if held, _ := a.Service.Evidence.LegalHold(ctx, d.Key, d.VersionID); !held {
			t.Fatal("a process that may not lift holds lifted one")
		}
		a.Service.LiftsHolds = true // the release function
		for range 2 {               // a schedule may fire twice
			if _, err := a.Service.RunReleases(ctx); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := a.Service.Store.GetMatter(ctx, m.ID)
		if held, _ := a.Service.Evidence.LegalHold(ctx, d.Key, d.VersionID); held || got.Status != casehold.MatterReleased {
			t.Errorf("after the release function: held %v, status %s", held, got.Status)
		}
		if n := countPrefix(outbox(t, a), "Subject: casehold: preservation matter "+m.ID+" released"); n != 1 {
			t.Errorf("%d release notices in the outbox, want 1", n)
		}
	})
}

// TestReleaseByAPIRacingUploads: with an API that may not lift holds and a release function
// that runs afterwards, no document ends held by the released matter.
func TestReleaseByAPIRacingUploads(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	for round := range 4 {
		m := newMatter(t, a, fmt.Sprintf("APIRACE-%d", round))
		deps := *a.Service.Deps // the API's own settings, on the same store
		deps.LiftsHolds = false
		api := app.New(&deps)
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := api.UploadDocument(ctx, coord, m.ID, app.UploadInput{PID: "P1", DocType: "Contact", DocDate: "2013-12-21"},
					bytes.NewReader(scanPDF("race")))
				if c := casehold.ErrorCode(err); c != "" && c != casehold.ECONFLICT {
					t.Errorf("upload during release: %v", err)
				}
			}()
		}
		time.Sleep(time.Duration(round) * time.Millisecond)
		if _, err := api.ReleaseMatter(ctx, coord, m.ID, app.ReleaseInput{Reason: "withdrawn"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Service.RunReleases(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if _, err := a.Service.RunReleases(ctx); err != nil { // the next scheduled run
			t.Fatal(err)
		}
		docs, _ := a.Service.Store.ListMatterDocuments(ctx, m.ID)
		for _, d := range docs {
			held, err := a.Service.Evidence.LegalHold(ctx, d.Key, d.VersionID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Held() || held {
				t.Errorf("round %d: document %s still held (record %v, object %v)", round, d.ID, d.Held(), held)
			}
		}
		if got, _ := a.Service.Store.GetMatter(ctx, m.ID); got.Status != casehold.MatterReleased {
			t.Errorf("round %d: matter %s, want released", round, got.Status)
		}
	}
}

func TestVerifyReportsEverything(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	m := newMatter(t, a, "VERIFY-1")
	good := upload(t, a, m.ID, "good")
	missing := upload(t, a, m.ID, "missing")
	altered := upload(t, a, m.ID, "altered")
	unheld := upload(t, a, m.ID, "unheld")
	removeVersion(t, a, missing)
	alterVersion(t, a, altered, scanPDF("changed!"))
	if err := a.Service.Evidence.SetLegalHold(ctx, unheld.Key, unheld.VersionID, false); err != nil {
		t.Fatal(err)
	}

	rep, err := a.Service.VerifyEvidence(ctx, app.VerifyOptions{})
	if err != nil {
		t.Fatalf("verify stopped: %v", err)
	}
	want := map[string]string{missing.ID: app.FindMissing, altered.ID: app.FindMismatch, unheld.ID: app.FindHoldOff}
	got := map[string]string{}
	for _, f := range rep.Findings {
		got[f.Document] = f.Kind
	}
	for id, kind := range want {
		if got[id] != kind {
			t.Errorf("finding for %s = %q, want %q (all: %+v)", id, got[id], kind, rep.Findings)
		}
	}
	if _, bad := got[good.ID]; bad || rep.OK != 1 || rep.Documents != 4 || rep.Clean() {
		t.Errorf("report = %+v", rep)
	}
	log := auditOf(t, a)
	if countPrefix(log, "evidence.integrity:failed") != 3 || countPrefix(log, "evidence.verify:ok documents=4 ok=1") != 1 {
		t.Errorf("audit = %v", log)
	}

	t.Run("Repair", func(t *testing.T) {
		rep, err := a.Service.VerifyEvidence(ctx, app.VerifyOptions{Repair: true})
		if err != nil {
			t.Fatal(err)
		}
		if held, _ := a.Service.Evidence.LegalHold(ctx, unheld.Key, unheld.VersionID); !held {
			t.Error("repair did not put the hold back")
		}
		if rep.Counts[app.FindHoldOff] != 1 || rep.Clean() {
			t.Errorf("repair run = %+v", rep)
		}
	})
	t.Run("Incremental", func(t *testing.T) {
		seen := map[string]bool{}
		after := ""
		for runs := 0; ; runs++ {
			if runs > 4 {
				t.Fatal("incremental verify did not reach the end")
			}
			rep, err := a.Service.VerifyEvidence(ctx, app.VerifyOptions{After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Documents > 3 {
				t.Fatalf("a run of limit 3 checked %d", rep.Documents)
			}
			for _, id := range []string{good.ID, missing.ID, altered.ID, unheld.ID} {
				if id > after && (rep.Next == "" || id <= rep.Next) {
					seen[id] = true
				}
			}
			if rep.Next == "" {
				break
			}
			after = rep.Next
		}
		if len(seen) != 4 {
			t.Errorf("incremental runs covered %d documents, want 4", len(seen))
		}
	})
}

func TestCutDownloadIsAnIncident(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	m := newMatter(t, a, "CUT-1")
	d := upload(t, a, m.ID, strings.Repeat("long scan ", 5000))
	a.Service.Evidence = cuttingEvidence{Evidence: a.Service.Evidence, after: 1000}
	_, rc, err := a.Service.OpenDocument(ctx, auth.DemoStaff[0], d.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(rc)
	rc.Close()
	if !errors.Is(err, app.ErrIntegrity) {
		t.Fatalf("read of a cut stream = %v, want ErrIntegrity", err)
	}
	log := auditOf(t, a)
	if countPrefix(log, "evidence.integrity:failed") != 1 {
		t.Errorf("cut stream not audited as an incident: %v", log)
	}

	t.Run("VanishedVersion", func(t *testing.T) {
		a.Service.Evidence = cuttingEvidence{Evidence: a.Service.Evidence.(cuttingEvidence).Evidence, after: -1}
		d2 := upload(t, a, m.ID, "vanishes")
		removeVersion(t, a, d2)
		_, _, err := a.Service.OpenDocument(ctx, auth.DemoStaff[0], d2.ID)
		if casehold.ErrorCode(err) != casehold.EINTEGRITY {
			t.Fatalf("download of a vanished held version = %v, want %s", err, casehold.EINTEGRITY)
		}
		if countPrefix(auditOf(t, a), "evidence.integrity:failed") != 2 {
			t.Error("vanished version not audited as an incident")
		}
	})
}

// cuttingEvidence cuts every read stream after `after` bytes with a transport error, as a
// store that drops the connection (or an SDK that fails its checksum) would. -1: no cut.
type cuttingEvidence struct {
	casehold.Evidence
	after int
}

func (c cuttingEvidence) Open(ctx context.Context, key, versionID string) (io.ReadCloser, error) {
	rc, err := c.Evidence.Open(ctx, key, versionID)
	if err != nil || c.after < 0 {
		return rc, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(io.LimitReader(rc, int64(c.after)), errorReader{errors.New("connection reset by peer")}), rc}, nil
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// evidenceFile finds the data file of a document's version in the embedded store.
func evidenceFile(t *testing.T, a *wire.App, d *casehold.Document) string {
	t.Helper()
	var found string
	filepath.WalkDir(filepath.Join(a.Config.DataDir, "evidence", "objects"), func(p string, de os.DirEntry, err error) error {
		if err == nil && de.Name() == d.VersionID+".data" {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no stored file for %s", d.ID)
	}
	return found
}

func removeVersion(t *testing.T, a *wire.App, d *casehold.Document) {
	t.Helper()
	if err := os.RemoveAll(filepath.Dir(evidenceFile(t, a, d))); err != nil {
		t.Fatal(err)
	}
}

func alterVersion(t *testing.T, a *wire.App, d *casehold.Document, data []byte) {
	t.Helper()
	p := evidenceFile(t, a, d)
	os.Chmod(p, 0o644)
	if err := os.WriteFile(p, data, 0o444); err != nil {
		t.Fatal(err)
	}
}

// outbox returns the header lines of every message the embedded outbox holds.
func outbox(t *testing.T, a *wire.App) []string {
	t.Helper()
	var lines []string
	files, _ := filepath.Glob(filepath.Join(a.Config.DataDir, "outbox", "*.eml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(b), "\r\n")...)
	}
	return lines
}

// flakyHolds lets okLifts legal holds be turned off, then fails every further attempt.
type flakyHolds struct {
	casehold.Evidence
	mu      sync.Mutex
	okLifts int
}

func (f *flakyHolds) SetLegalHold(ctx context.Context, key, versionID string, on bool) error {
	if !on {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.okLifts == 0 {
			return errors.New("connection refused")
		}
		f.okLifts--
	}
	return f.Evidence.SetLegalHold(ctx, key, versionID, on)
}
