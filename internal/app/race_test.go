package app_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
)

// TestReleaseRacingUploadsLeavesNoHold: uploads running while the matter is released either
// fail or end unheld; no document is left held by a released matter.
func TestReleaseRacingUploadsLeavesNoHold(t *testing.T) {
	a := embedded(t)
	ctx := context.Background()
	coord := auth.DemoStaff[0]
	for round := range 5 {
		m, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "RACE-" + string(rune('A'+round)), Contact: "c",
			ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Race Person"}}})
		if err != nil {
			t.Fatal(err)
		}
		const uploads = 6
		var wg sync.WaitGroup
		errs := make(chan error, uploads)
		for range uploads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := a.Service.UploadDocument(ctx, coord, m.ID, app.UploadInput{PID: "P1", DocType: "Contact", DocDate: "2013-12-21"},
					bytes.NewReader([]byte("%PDF-1.4\nrace\n%%EOF\n")))
				errs <- err
			}()
		}
		time.Sleep(time.Duration(round) * time.Millisecond)
		if _, err := a.Service.ReleaseMatter(ctx, coord, m.ID, app.ReleaseInput{Reason: "withdrawn"}); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		close(errs)
		// Each upload either lands or loses to the release with a conflict; anything else
		// (an internal error, a bad request) is a bug the race exposed.
		ok := 0
		for err := range errs {
			switch casehold.ErrorCode(err) {
			case "":
				ok++
			case casehold.ECONFLICT:
			default:
				t.Errorf("round %d: upload failed with %v, want success or a conflict with the release", round, err)
			}
		}
		docs, err := a.Service.Store.ListMatterDocuments(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) < ok {
			t.Errorf("round %d: %d uploads succeeded but the matter lists %d documents", round, ok, len(docs))
		}
		for _, d := range docs {
			held, err := a.Service.Evidence.LegalHold(ctx, d.Key, d.VersionID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Held() || held {
				t.Errorf("round %d: document %s still held (record %v, object %v) after its only matter was released", round, d.ID, d.Held(), held)
			}
		}
	}
}
