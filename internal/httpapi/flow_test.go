package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/pdftext"
)

func (e *env) putJSON(who, path string, v any) resp {
	e.t.Helper()
	b, _ := json.Marshal(v)
	return e.do(who, "PUT", path, "application/json", bytes.NewReader(b))
}

const legal = "s-legal-01"

// pdfText is the text drawn in one of casehold's own PDFs.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	d, err := pdftext.Read(b)
	if err != nil {
		t.Fatalf("read PDF text: %v", err)
	}
	return d.Text()
}

// formDay prints a YYYY-MM-DD date as the forms do (DD.MM.YYYY).
func formDay(iso string) string {
	t, _ := time.Parse("2006-01-02", iso)
	return t.Format("02.01.2006")
}

// header returns the first header called name in a raw message.
func header(msg []byte, name string) string {
	m, err := mail.ReadMessage(bytes.NewReader(msg))
	if err != nil {
		return ""
	}
	v, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get(name))
	return v
}

func mustStatus(t *testing.T, r resp, want int, what string) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: %d %s, want %d", what, r.status, r.body, want)
	}
}

type progress struct {
	Stage       string
	DaysLeft    *int `json:"days_left"`
	Complete    bool
	Outstanding []string
	People      []struct {
		PID         string
		Secured     []string
		Outstanding []string
	}
}

func (e *env) progress(id string) progress {
	e.t.Helper()
	var p progress
	r := e.do(coord, "GET", "/matters/"+id+"/progress", "", nil)
	mustStatus(e.t.(*testing.T), r, 200, "progress")
	r.json(e.t, &p)
	return p
}

func hasPrefix(xs []string, prefix string) bool {
	for _, x := range xs {
		if strings.HasPrefix(x, prefix) {
			return true
		}
	}
	return false
}

// TestCCRCMatterEndToEnd drives a whole section 17 direction through the API: search,
// securing, progress, disclosure with legal review, and release.
func TestCCRCMatterEndToEnd(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-E2E-1")
	base := "/matters/" + m.ID
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")

	p := e.progress(m.ID)
	if p.Complete || p.Stage != "securing" || p.DaysLeft == nil || len(p.People) != 2 {
		t.Fatalf("fresh progress = %+v", p)
	}
	r := e.postJSON(coord, base+"/confirm", nil)
	if r.status != 409 || !strings.Contains(string(r.body), "not everything is secured yet") || !strings.Contains(string(r.body), "P7700123: electronic record not yet recorded") {
		t.Fatalf("confirm before securing: %d %s", r.status, r.body)
	}
	if !hasPrefix(p.Outstanding, "P7700123: electronic record not yet recorded") || !hasPrefix(p.Outstanding, "social_care:") {
		t.Errorf("fresh outstanding = %v", p.Outstanding)
	}

	// A related person found in the search; the CCRC has not yet answered.
	mustStatus(t, e.putJSON(coord, base+"/related/P7700999", map[string]any{"name": "Morgan Testfield", "related_to": "P7700123", "relationship": "sibling"}), 200, "related")
	if p := e.progress(m.ID); !hasPrefix(p.Outstanding, "ask the CCRC whether it wants the records of related person P7700999") {
		t.Errorf("related person not in outstanding: %v", p.Outstanding)
	}
	mustStatus(t, e.putJSON(coord, base+"/related/P7700999", map[string]any{"name": "Morgan Testfield", "related_to": "P7700123", "relationship": "sibling", "ccrc_wants": "no"}), 200, "related answered")

	mustStatus(t, e.putJSON(coord, base+"/areas/social_care", map[string]any{"lead_officer": "Avery Lead", "notified_on": yesterday}), 200, "area")
	mustStatus(t, e.putJSON(coord, base+"/areas/education", map[string]any{"lead_officer": "Quinn Lead", "notified_on": yesterday}), 200, "area")

	// Refusals that name what is wrong.
	cases := []struct {
		name, path string
		body       any
		status     int
		contains   string
	}{
		{"UnknownArea", base + "/areas/housing", map[string]any{"lead_officer": "x", "notified_on": yesterday}, 400, "area must be one of"},
		{"SecuredWithoutAuthorisation", base + "/electronic/P7700123", map[string]any{"system": "CCM", "secured_on": yesterday}, 400, "authorised_by"},
		{"WrongAuthoriser", base + "/electronic/P7700123", map[string]any{"system": "CCM", "authorised_by": "Sam Boss", "authorised_role": "team_manager"}, 400, "head_of_service or service_manager"},
		{"UnknownPID", base + "/electronic/P000", map[string]any{"system": "CCM"}, 400, "not one of the matter's people"},
		{"FutureDate", base + "/paper/P7700123", map[string]any{"exists": "yes", "location": "archive", "retrieval_requested_on": "2999-01-01"}, 400, "must not be in the future"},
		{"BadAnswer", base + "/paper/P7700123", map[string]any{"exists": "maybe"}, 400, "exists must be"},
		{"SocialWorker", base + "/paper/P7700123", map[string]any{"exists": "no"}, 403, "needs one of the roles"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			who := coord
			if c.name == "SocialWorker" {
				who = sw
			}
			r := e.putJSON(who, c.path, c.body)
			if r.status != c.status || !strings.Contains(string(r.body), c.contains) {
				t.Fatalf("got %d %s, want %d containing %q", r.status, r.body, c.status, c.contains)
			}
		})
	}

	// Person 1: an open case, so a full copy is taken and secured as evidence.
	copyDoc := e.mustUpload(m.ID, pdf("full copy of the open case record"))
	mustStatus(t, e.putJSON(coord, base+"/electronic/P7700123", map[string]any{"system": "CCM", "open_case": true,
		"authorised_by": "Harper Head", "authorised_role": "head_of_service", "authorised_on": yesterday,
		"secured_on": yesterday, "edt_told_on": yesterday, "full_copy_on": yesterday, "full_copy_document": copyDoc.ID}), 200, "electronic 1")
	mustStatus(t, e.putJSON(coord, base+"/paper/P7700123", map[string]any{"exists": "yes", "location": "archive",
		"retrieval_requested_on": yesterday, "retrieved_by": "Rory Runner", "stored_on": yesterday, "stored_at": "legal services"}), 200, "paper 1")
	mustStatus(t, e.postJSON(coord, base+"/access", map[string]any{"pid": "P7700123", "team": "Assessment Team", "role": "team manager", "name": "Owen Farrier", "approved_by": "Harper Head"}), 200, "access")

	p = e.progress(m.ID)
	if p.Complete || hasPrefix(p.Outstanding, "P7700123:") {
		t.Errorf("after securing person 1: complete=%v outstanding=%v", p.Complete, p.Outstanding)
	}
	// Person 2: a closed case with no paper file; education records the CCRC wants.
	mustStatus(t, e.putJSON(coord, base+"/electronic/P7700456", map[string]any{"system": "CCM", "authorised_by": "Harper Head",
		"authorised_role": "service_manager", "secured_on": yesterday, "edt_told_on": yesterday}), 200, "electronic 2")
	mustStatus(t, e.putJSON(coord, base+"/paper/P7700456", map[string]any{"exists": "no"}), 200, "paper 2")
	// A full copy filed for another person cannot stand as this record's copy.
	r = e.putJSON(coord, base+"/electronic/P7700456", map[string]any{"system": "CCM", "open_case": true, "authorised_by": "Harper Head",
		"authorised_role": "service_manager", "secured_on": yesterday, "edt_told_on": yesterday, "full_copy_on": yesterday, "full_copy_document": copyDoc.ID})
	if r.status != 400 || r.code(t) != "invalid" || !strings.Contains(string(r.body), "full copy must concern this record's pid") {
		t.Errorf("full copy of another person's record: %d %s", r.status, r.body)
	}
	mustStatus(t, e.putJSON(coord, base+"/education/P7700456", map[string]any{"details": "pupil file", "schools": []string{"Example Primary"}, "ccrc_wants": "yes"}), 200, "education")
	if p := e.progress(m.ID); p.Complete || !hasPrefix(p.Outstanding, "P7700456: education records not yet stored securely") {
		t.Errorf("education outstanding missing: %v", p.Outstanding)
	}
	mustStatus(t, e.putJSON(coord, base+"/education/P7700456", map[string]any{"details": "pupil file", "schools": []string{"Example Primary"},
		"ccrc_wants": "yes", "received_on": yesterday, "stored_on": yesterday, "stored_at": "legal services"}), 200, "education stored")
	// Files stored at legal services are secured once legal services confirm it.
	if p := e.progress(m.ID); p.Complete || !hasPrefix(p.Outstanding, "legal: legal services have not yet confirmed") {
		t.Fatalf("legal confirmation not outstanding: %+v", p)
	}
	mustStatus(t, e.postJSON(coord, base+"/legal-confirmation", map[string]any{"on": yesterday}), 403, "coordinator confirms for legal services")
	mustStatus(t, e.postJSON(legal, base+"/legal-confirmation", map[string]any{"on": yesterday}), 403, "legal officer not assigned to the matter")
	mustStatus(t, e.postJSON(coord, base+"/legal-officers", map[string]any{"staff_id": legal}), 200, "assign legal officer")
	mustStatus(t, e.postJSON(legal, base+"/legal-confirmation", map[string]any{"on": "2020-01-01"}), 400, "legal confirmation before the files were stored")
	mustStatus(t, e.postJSON(legal, base+"/legal-confirmation", map[string]any{"on": yesterday}), 200, "legal confirmation")
	p = e.progress(m.ID)
	if !p.Complete || len(p.Outstanding) != 0 {
		t.Fatalf("everything recorded but progress = %+v", p)
	}

	// Disclosure: draft, legal review, send to the CCRC's secure address, receipt.
	scan := e.mustUpload(m.ID, pdf("contact record"))
	var disc struct {
		ID        string
		FileNames []string `json:"file_names"`
	}
	r = e.postJSON(coord, base+"/disclosures", map[string]any{"document_ids": []string{scan.ID}})
	mustStatus(t, r, 201, "create disclosure")
	r.json(t, &disc)
	if fmt.Sprint(disc.FileNames) != "[Contact 21.12.2013 RT.pdf]" {
		t.Errorf("file names = %v, want type, date and initials", disc.FileNames)
	}
	mustStatus(t, e.postJSON(coord, base+"/disclosures/"+disc.ID+"/send", nil), 409, "send before legal review")
	mustStatus(t, e.postJSON(coord, base+"/disclosures/"+disc.ID+"/legal-review", map[string]any{"third_party_checked": true}), 403, "coordinator cannot do legal review")
	mustStatus(t, e.postJSON(legal, base+"/disclosures/"+disc.ID+"/legal-review", map[string]any{"third_party_checked": true}), 200, "legal review")
	mustStatus(t, e.postJSON(coord, base+"/disclosures/"+disc.ID+"/send", nil), 409, "send without contact email")
	mustStatus(t, e.putJSON(coord, base+"/contact-email", map[string]any{"contact_email": "secure-inbox@review.example"}), 200, "contact email")
	mustStatus(t, e.postJSON(coord, base+"/disclosures/"+disc.ID+"/send", nil), 200, "send")
	mustStatus(t, e.postJSON(coord, base+"/disclosures/"+disc.ID+"/send", nil), 409, "send twice")
	mustStatus(t, e.postJSON(coord, base+"/disclosures/"+disc.ID+"/receipt", map[string]any{"on": time.Now().UTC().Format("2006-01-02")}), 200, "receipt")
	mails, _ := filepath.Glob(filepath.Join(e.app.Config.DataDir, "outbox", "*.eml"))
	var sent []byte
	for _, f := range mails {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("secure-inbox@review.example")) {
			sent = b
		}
	}
	if sent == nil || !bytes.Contains(sent, []byte("Contact 21.12.2013 RT.pdf")) || bytes.Contains(sent, []byte("Subject: Rowan")) {
		t.Errorf("disclosure email missing or wrong")
	}
	// The CCRC files its post under its own reference, not casehold's kind and id.
	if subj := header(sent, "Subject"); !strings.Contains(subj, "CCRC-E2E-1") || strings.Contains(subj, m.ID) || strings.Contains(subj, "ccrc_s17") {
		t.Errorf("disclosure subject = %q, want the CCRC's reference only", subj)
	}

	// A hand-over of paper with its receipt kept as evidence.
	var rc struct {
		ID         string
		DocumentID string `json:"document_id"`
	}
	handOver := map[string]any{"pid": "P7700123", "giver": "Rory Runner", "giver_role": "Business support officer", "giver_email": "rory.runner@council.example",
		"receiver": "Imran Castell", "receiver_role": "Solicitor, legal services", "received_from": "Records archive", "return_to": "Assessment Team",
		"on": yesterday, "items": "1 archive box"}
	without := func(k string) map[string]any {
		out := map[string]any{}
		for key, v := range handOver {
			if key != k {
				out[key] = v
			}
		}
		return out
	}
	for _, k := range []string{"giver_role", "receiver_role", "received_from", "return_to"} {
		if r := e.postJSON(coord, base+"/receipts", without(k)); r.status != 400 || !strings.Contains(string(r.body), k) {
			t.Errorf("receipt without %s: %d %s", k, r.status, r.body)
		}
	}
	early := without("")
	early["return"] = true
	if r := e.postJSON(coord, base+"/receipts", early); r.status != 409 || !strings.Contains(string(r.body), "still open") {
		t.Errorf("return receipt while the matter is open: %d %s", r.status, r.body)
	}
	r = e.postJSON(coord, base+"/receipts", handOver)
	mustStatus(t, r, 201, "receipt")
	r.json(t, &rc)
	got := e.do(coord, "GET", "/documents/"+rc.DocumentID+"/content", "", nil)
	if got.status != 200 {
		t.Fatalf("receipt document: %d", got.status)
	}
	for _, want := range []string{"Receipt for files handed over", "Rory Runner", "Business support officer", "Imran Castell", "Solicitor, legal services",
		"Records archive", "Assessment Team", "Rowan Testfield", "P7700123", "CCRC-E2E-1", formDay(yesterday)} {
		if !strings.Contains(pdfText(t, got.body), want) {
			t.Errorf("receipt lacks %q", want)
		}
	}
	// The paper receipt both people signed, scanned and attached: held like any evidence.
	signedURL := base + "/receipts/" + rc.ID + "/signed"
	mustStatus(t, e.do(coord, "POST", signedURL, "", bytes.NewReader(pdf("signed receipt"))), 415, "signed receipt without Content-Type")
	mustStatus(t, e.do(coord, "POST", signedURL, "application/pdf", strings.NewReader("not a pdf")), 400, "signed receipt that is not a PDF")
	mustStatus(t, e.do(coord, "POST", base+"/receipts/r-nosuch/signed", "application/pdf", bytes.NewReader(pdf("signed receipt"))), 404, "unknown receipt")
	r = e.do(coord, "POST", signedURL, "application/pdf", bytes.NewReader(pdf("signed receipt")))
	mustStatus(t, r, 200, "signed receipt")
	var signed struct {
		SignedDocumentID string `json:"signed_document_id"`
	}
	r.json(t, &signed)
	var signedDoc document
	e.do(coord, "GET", "/documents/"+signed.SignedDocumentID, "", nil).json(t, &signedDoc)
	if !signedDoc.Held || signedDoc.DocType != "Receipt" {
		t.Errorf("signed receipt document = %+v, want a held Receipt", signedDoc)
	}
	mustStatus(t, e.do(coord, "POST", signedURL, "application/pdf", bytes.NewReader(pdf("signed again"))), 409, "second signed copy")

	// The confirmation form: previewed, then confirmed, kept and sent.
	preview := e.do(coord, "GET", base+"/confirmation-form", "", nil)
	if preview.status != 200 || !bytes.HasPrefix(preview.body, []byte("%PDF-")) {
		t.Fatalf("form preview: %d", preview.status)
	}
	if text := pdfText(t, preview.body); !strings.Contains(text, "DRAFT") || !strings.Contains(text, "CCRC reference: CCRC-E2E-1") {
		t.Errorf("preview is not marked DRAFT or lacks the CCRC's reference headline:\n%s", text)
	}
	approval := map[string]any{"approved_by": "Harper Head", "approver_role": "head_of_service", "approved_on": yesterday, "officer_phone": "01632 960123"}
	for _, c := range []struct {
		name string
		drop string
		set  map[string]any
	}{
		{"NoApprover", "approved_by", nil},
		{"NoDate", "approved_on", nil},
		{"TeamManagerApproves", "", map[string]any{"approver_role": "team_manager"}},
		{"ApprovedTomorrow", "", map[string]any{"approved_on": time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")}},
	} {
		body := map[string]any{}
		for k, v := range approval {
			if k != c.drop {
				body[k] = v
			}
		}
		for k, v := range c.set {
			body[k] = v
		}
		if r := e.postJSON(coord, base+"/confirm", body); r.status != 400 || r.code(t) != "invalid" {
			t.Errorf("%s: confirm = %d %s, want 400", c.name, r.status, r.body)
		}
	}
	r = e.postJSON(coord, base+"/confirm", approval)
	mustStatus(t, r, 200, "confirm")
	var confirmed struct {
		Work struct {
			ConfirmationDoc string `json:"confirmation_document"`
			ConfirmedOn     string `json:"confirmed_on"`
			LegalToldOn     string `json:"legal_told_on"`
			SignOff         *struct {
				ApprovedBy  string `json:"approved_by"`
				OfficerName string `json:"officer_name"`
			} `json:"sign_off"`
		}
	}
	r.json(t, &confirmed)
	if confirmed.Work.ConfirmationDoc == "" || confirmed.Work.ConfirmedOn == "" || confirmed.Work.LegalToldOn == "" {
		t.Errorf("confirmation not recorded: %s", r.body)
	}
	var formDoc document
	e.do(coord, "GET", "/documents/"+confirmed.Work.ConfirmationDoc, "", nil).json(t, &formDoc)
	if !formDoc.Held {
		t.Error("the returned form is not held evidence")
	}
	if confirmed.Work.SignOff == nil || confirmed.Work.SignOff.ApprovedBy != "Harper Head" || confirmed.Work.SignOff.OfficerName != "Dana Whitlock" {
		t.Errorf("sign-off not recorded: %s", r.body)
	}
	form := pdfText(t, e.do(coord, "GET", "/documents/"+confirmed.Work.ConfirmationDoc+"/content", "", nil).body)
	for _, want := range []string{"CCRC reference: CCRC-E2E-1", "Dana Whitlock", "dana.whitlock@council.example", "01632 960123",
		"Harper Head", "Head of service", formDay(yesterday), "Legal services", "Other"} {
		if !strings.Contains(form, want) {
			t.Errorf("returned form lacks %q", want)
		}
	}
	if strings.Contains(form, "DRAFT") {
		t.Error("the returned form is marked DRAFT")
	}
	mustStatus(t, e.postJSON(coord, base+"/confirm", nil), 409, "confirm twice")
	if p := e.progress(m.ID); p.Stage != "confirmed" {
		t.Errorf("stage after confirming = %s", p.Stage)
	}

	// A visit's legal review is legal services' to sign off, not the coordinator's to tick.
	visit := map[string]any{"on": yesterday, "room": "Room 2", "officer_present": "Dana Whitlock", "legal_reviewed": true, "viewed": "paper files"}
	mustStatus(t, e.postJSON(coord, base+"/visits", visit), 403, "coordinator ticks the legal review")
	delete(visit, "legal_reviewed")
	r = e.postJSON(coord, base+"/visits", visit)
	mustStatus(t, r, 200, "visit")
	var visited struct {
		Work struct {
			Visits []struct {
				ID            string
				LegalReviewed bool   `json:"legal_reviewed"`
				LegalReviewBy string `json:"legal_review_by"`
			}
		}
	}
	r.json(t, &visited)
	if len(visited.Work.Visits) != 1 || visited.Work.Visits[0].LegalReviewed || visited.Work.Visits[0].ID == "" {
		t.Fatalf("visit = %+v", visited.Work.Visits)
	}
	review := base + "/visits/" + visited.Work.Visits[0].ID + "/legal-review"
	mustStatus(t, e.postJSON(coord, review, map[string]any{"third_party_checked": true}), 403, "coordinator signs off a visit")
	mustStatus(t, e.postJSON(legal, review, map[string]any{"third_party_checked": false}), 400, "legal review unchecked")
	r = e.postJSON(legal, review, map[string]any{"third_party_checked": true})
	mustStatus(t, r, 200, "legal review of a visit")
	r.json(t, &visited)
	if v := visited.Work.Visits[0]; !v.LegalReviewed || v.LegalReviewBy != legal {
		t.Errorf("visit after review = %+v", v)
	}
	mustStatus(t, e.postJSON(legal, review, map[string]any{"third_party_checked": true}), 409, "visit reviewed twice")

	// Release; afterwards the matter can no longer be changed.
	r = e.postJSON(coord, base+"/release", map[string]string{"reason": "direction withdrawn", "teams_told_on": yesterday})
	mustStatus(t, r, 200, "release")
	var released struct {
		Matter struct {
			Work struct {
				TeamsToldOn string `json:"teams_told_on"`
				EDTToldOn   string `json:"edt_told_on"`
			}
		}
	}
	r.json(t, &released)
	if released.Matter.Work.TeamsToldOn != yesterday || released.Matter.Work.EDTToldOn == "" {
		t.Errorf("release did not record who was told: %+v", released.Matter.Work)
	}
	mustStatus(t, e.putJSON(coord, base+"/areas/legal", map[string]any{"lead_officer": "x", "notified_on": yesterday}), 409, "change after release")
	// The release notice says what to unlock and what paper must come back: PIDs in the body,
	// never in the subject, and no names anywhere.
	var notice []byte
	mails, _ = filepath.Glob(filepath.Join(e.app.Config.DataDir, "outbox", "*.eml"))
	for _, f := range mails {
		b, _ := os.ReadFile(f)
		if strings.Contains(header(b, "Subject"), "released") {
			notice = b
		}
	}
	if notice == nil {
		t.Fatal("no release notice in the outbox")
	}
	body := strings.ReplaceAll(string(notice), "=\r\n", "") // undo quoted-printable soft breaks
	for _, want := range []string{"CCM: P7700123, P7700456", "P7700123: held at legal services since " + yesterday + " (from archive)"} {
		if !strings.Contains(body, want) {
			t.Errorf("release notice lacks %q:\n%s", want, notice)
		}
	}
	if subj := header(notice, "Subject"); strings.Contains(subj, "P77") {
		t.Errorf("release notice subject names a PID: %q", subj)
	}
	if strings.Contains(body, "Rowan") || strings.Contains(body, "Ellis") {
		t.Error("release notice names a person")
	}
	// After the release, progress lists the paper still to come back.
	if p := e.progress(m.ID); p.Stage != "released" || !hasPrefix(p.Outstanding, "P7700123: paper file not yet returned") {
		t.Errorf("progress after release = %+v, want the paper file still out", p)
	}
	// Paper files go back with a receipt, which records the file as returned.
	today := time.Now().UTC().Format("2006-01-02")
	giveBack := map[string]any{"pid": "P7700123", "giver": "Imran Castell", "giver_role": "Solicitor, legal services", "receiver": "Archie Vist",
		"receiver_role": "Archive officer", "received_from": "Legal services", "return_to": "Records archive", "on": today, "items": "1 archive box", "return": true}
	mustStatus(t, e.postJSON(coord, base+"/receipts", giveBack), 201, "return receipt")
	if p := e.progress(m.ID); len(p.Outstanding) != 0 || !hasPrefix(p.People[0].Secured, "paper file returned") {
		t.Errorf("progress after the return = %+v", p)
	}
	mustStatus(t, e.postJSON(coord, base+"/receipts", giveBack), 409, "the same file returned twice")
	giveBack["pid"] = "P7700456" // no paper file
	mustStatus(t, e.postJSON(coord, base+"/receipts", giveBack), 409, "return of a file that was never stored")
	mustStatus(t, e.postJSON(coord, base+"/receipts", handOver), 409, "new hand-over after release")
	acts := e.auditActions()
	for _, want := range []string{"matter.confirm:ok", "record.receipt:ok", "record.receipt_signed:ok", "record.legal_confirmation:ok", "disclosure.visit_legal_review:ok", "record.receipt:refused", "matter.related:ok", "record.electronic:ok", "record.paper:ok", "record.education:ok", "disclosure.legal_review:ok", "disclosure.send:ok", "disclosure.receipt:ok", "matter.release:ok"} {
		if count(acts, want) == 0 {
			t.Errorf("no audit event %s", want)
		}
	}
}

// TestSeriousCaseReviewEndToEnd drives a review from the board's letter to closing.
func TestSeriousCaseReviewEndToEnd(t *testing.T) {
	e := newEnv(t, nil)
	today := time.Now().UTC().Format("2006-01-02")
	review := map[string]any{"kind": "serious_case_review", "reference": "SCB-2026-07", "contact": "Example Safeguarding Children Board",
		"received_on": today, "people": people, "secure_up_to": today, "senior_manager": "Sasha Senior",
		"senior_manager_email": "sasha.senior@council.example", "case_line_managers": []string{"Owen Farrier", "Sasha Senior"},
		"board_manager": "Blake Board", "board_manager_email": "blake.board@board.example", "case_locked": true}
	r := e.postJSON(coord, "/matters", review)
	if r.status != 400 || !strings.Contains(string(r.body), "line-manages the case") {
		t.Fatalf("senior manager who line-manages the case: %d %s", r.status, r.body)
	}
	review["case_line_managers"] = []string{"Owen Farrier"}
	r = e.postJSON(coord, "/matters", review)
	mustStatus(t, r, 201, "create review")
	var m matter
	r.json(t, &m)
	base := "/matters/" + m.ID

	orig := e.mustUpload(m.ID, pdf("original case file"))
	court := e.do(coord, "POST", base+"/documents?pid=P7700456&doc_type=Court%20Document&doc_date=2020-05-01", "application/pdf", bytes.NewReader(pdf("court bundle")))
	mustStatus(t, court, 201, "court document")
	var courtDoc document
	court.json(t, &courtDoc)

	mustStatus(t, e.postJSON(coord, base+"/scr/confirmation", nil), 409, "confirm before view-only")
	mustStatus(t, e.postJSON(coord, base+"/scr/view-only", map[string]any{"system": "CCM", "pid": "P7700123"}), 200, "view-only 1")
	mustStatus(t, e.postJSON(coord, base+"/scr/view-only", map[string]any{"system": "CCM", "pid": "P7700456"}), 200, "view-only 2")
	mustStatus(t, e.postJSON(coord, base+"/scr/confirmation", nil), 200, "confirmation")
	mustStatus(t, e.postJSON(coord, base+"/scr/confirmation", nil), 409, "confirmation twice")

	// Copies for a practitioner: court documents need the court's permission first.
	due := time.Now().UTC().AddDate(0, 0, 5).Format("2006-01-02")
	r = e.postJSON(coord, base+"/scr/copies", map[string]any{"practitioner": "Jamie Worker", "due_on": due, "document_ids": []string{orig.ID, courtDoc.ID}})
	if r.status != 403 || !strings.Contains(string(r.body), "court's written permission") {
		t.Fatalf("copy of a court document without permission: %d %s", r.status, r.body)
	}
	mustStatus(t, e.putJSON(coord, base+"/scr/court-permissions/"+courtDoc.ID, map[string]any{"permission_on": today, "reference": "Order 12/2026"}), 200, "court permission")
	mustStatus(t, e.postJSON(coord, base+"/scr/copies", map[string]any{"practitioner": "Jamie Worker", "due_on": due, "document_ids": []string{orig.ID, courtDoc.ID}}), 200, "copy")
	if p := e.progress(m.ID); !hasPrefix(p.Outstanding, "copy for Jamie Worker") {
		t.Errorf("copy not outstanding: %v", p.Outstanding)
	}
	mustStatus(t, e.postJSON(coord, base+"/scr/copies/0/provided", map[string]any{"on": today}), 200, "copy provided")

	// Records found later are added at once and held like the rest.
	late := e.mustUpload(m.ID, pdf("found later"))
	if !late.Held {
		t.Error("late record not held")
	}

	// Closing needs completion, ratification and (locked case) the end of proceedings.
	r = e.postJSON(coord, base+"/release", map[string]string{"reason": "review closed"})
	if r.status != 409 || !strings.Contains(string(r.body), "completion is not recorded") {
		t.Fatalf("release of an unratified review: %d %s", r.status, r.body)
	}
	mustStatus(t, e.putJSON(coord, base+"/scr/outcome", map[string]any{"ratified_on": today}), 400, "ratified before completed")
	mustStatus(t, e.putJSON(coord, base+"/scr/outcome", map[string]any{"completed_on": today, "ratified_on": today}), 200, "outcome")
	r = e.postJSON(coord, base+"/release", map[string]string{"reason": "review closed"})
	if r.status != 409 || !strings.Contains(string(r.body), "criminal proceedings") {
		t.Fatalf("release before proceedings end: %d %s", r.status, r.body)
	}
	mustStatus(t, e.putJSON(coord, base+"/scr/outcome", map[string]any{"criminal_proceedings_ended_on": today}), 200, "proceedings ended")
	mustStatus(t, e.postJSON(coord, base+"/release", map[string]string{"reason": "review closed"}), 200, "release")

	mails, _ := filepath.Glob(filepath.Join(e.app.Config.DataDir, "outbox", "*.eml"))
	found := false
	for _, f := range mails {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("sasha.senior@council.example")) && bytes.Contains(b, []byte("Cc: blake.board@board.example")) {
			found = true
		}
	}
	if !found {
		t.Error("confirmation to the senior manager with a copy to the board manager not sent")
	}
}
