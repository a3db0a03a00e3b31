package webui_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLeadOfficerAcknowledgementPage: a lead officer given an email is sent the notice,
// and the confirmation waits for their word; the coordinator records it on its own page,
// which is offered only while an area awaits it, and the email cannot simply be removed.
func TestLeadOfficerAcknowledgementPage(t *testing.T) {
	a, _, c := signedIn(t, "s-coord-01")
	today := time.Now().UTC().Format("2006-01-02")
	c.get("/ui/matters/new")
	status, matter, _ := c.post("/ui/matters/new", url.Values{"reference": {"CCRC/07001/2026"}, "contact": {"Case Review Manager, CCRC"},
		"received_on": {today}, "people": {"P7100001, Robin Invented"}})
	if status != 200 || !strings.HasPrefix(matter, "/ui/matters/m-") {
		t.Fatalf("open the matter: %d at %s", status, matter)
	}
	if _, _, body := c.get(matter); strings.Contains(body, "/do/area-ack") {
		t.Fatal("the acknowledgement step is offered before any notice was sent")
	}
	c.get(matter + "/do/area")
	lead := url.Values{"area": {"social_care"}, "lead_officer": {"Avery Lead"}, "lead_email": {"avery.lead@council.example"}, "notified_on": {today}}
	if status, at, _ := c.post(matter+"/do/area", lead); status != 200 || at != matter {
		t.Fatalf("name the lead officer: %d at %s", status, at)
	}
	_, _, body := c.get(matter)
	if !strings.Contains(body, "/do/area-ack") {
		t.Fatalf("the acknowledgement step is not offered while the notice awaits an answer:\n%s", between(body, "<main", "</main>"))
	}
	// Re-saving the area without the address would let the confirmation stop waiting.
	c.get(matter + "/do/area")
	noEmail := url.Values{"area": {"social_care"}, "lead_officer": {"Avery Lead"}, "notified_on": {today}}
	if status, _, body := c.post(matter+"/do/area", noEmail); status != 409 || !strings.Contains(body, "record their acknowledgement") {
		t.Fatalf("removing the email of an officer awaited: %d\n%s", status, between(body, "<main", "</main>"))
	}
	if status, _, _ := c.get(matter + "/do/area-ack"); status != 200 {
		t.Fatalf("acknowledgement page: %d", status)
	}
	status, at, body := c.post(matter+"/do/area-ack", url.Values{"area": {"social_care"}})
	if status != 200 || at != matter || !strings.Contains(body, "Acknowledgement recorded") {
		t.Fatalf("record the acknowledgement: %d at %s\n%s", status, at, between(body, "<main", "</main>"))
	}
	if strings.Contains(body, "/do/area-ack") {
		t.Error("the acknowledgement step is still offered once recorded")
	}
	m, err := a.Service.Store.GetMatter(t.Context(), strings.TrimPrefix(matter, "/ui/matters/"))
	if err != nil || len(m.Work.Areas) != 1 || m.Work.Areas[0].AcknowledgedOn.IsZero() || m.Work.Areas[0].AcknowledgedBy != "s-coord-01" {
		t.Fatalf("stored area: %+v, %v", m.Work.Areas, err)
	}
}
