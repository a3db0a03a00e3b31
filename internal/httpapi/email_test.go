package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/intake"
	"github.com/casehold/casehold/internal/mailmsg"
)

// rawEmail writes an inbound message (as a sender's mail client would) to a file.
func rawEmail(t *testing.T, from, subject string, atts ...casehold.Attachment) string {
	t.Helper()
	b, err := mailmsg.Build(casehold.Message{From: from, To: []string{"intake@council.example"}, Subject: subject,
		Text: "Please find the records attached.", Attachments: atts}, "msg-"+subject[:min(8, len(subject))]+"@review.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "message.eml")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func pdfAtt(name, body string) casehold.Attachment {
	return casehold.Attachment{Filename: name, ContentType: "application/pdf", Data: pdf(body)}
}

func outboxTo(t *testing.T, e *env, addr string) [][]byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(e.app.Config.DataDir, "outbox", "*.eml"))
	var out [][]byte
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte("To: "+addr)) {
			out = append(out, b)
		}
	}
	return out
}

func TestEmailIntake(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-MAIL-1")
	ctx := context.Background()
	svc := e.app.Service

	t.Run("RoutedByMatterIDAndIdempotent", func(t *testing.T) {
		p := rawEmail(t, "officer@review.example", "Records for "+m.ID,
			pdfAtt("Contact 2013.pdf", "scan one"), pdfAtt("Assessment.pdf", "scan two"),
			casehold.Attachment{Filename: "notes.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Data: []byte("PK\x03\x04docx")},
			casehold.Attachment{Filename: "broken.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4\ntruncated")})
		before := e.auditActions()
		var first *casehold.InboundMessage
		for i := range 3 { // the same message dropped three times
			in, err := intake.IngestFile(ctx, svc, p)
			if err != nil {
				t.Fatalf("ingest %d: %v", i, err)
			}
			if first == nil {
				first = in
			} else if in.ID != first.ID {
				t.Fatalf("redelivery made a new record %s", in.ID)
			}
		}
		if first.Status != casehold.InboundSecured || first.MatterID != m.ID || first.RawDocument == "" {
			t.Fatalf("record = %+v", first)
		}
		got := map[string]string{}
		for _, a := range first.Attachments {
			got[a.Filename] = a.Outcome
			if a.Outcome == "secured" {
				d, err := svc.Store.GetDocument(ctx, a.DocumentID)
				if err != nil || a.SHA256 == "" || d.SHA256 != a.SHA256 {
					t.Errorf("attachment %d: recorded sha %q, document %v %v", a.Index, a.SHA256, d, err)
				}
			}
		}
		want := map[string]string{"Contact 2013.pdf": "secured", "Assessment.pdf": "secured", "notes.docx": "not_pdf", "broken.pdf": "truncated_pdf"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("attachment %s outcome %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
		docs, err := svc.Store.ListMatterDocuments(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 3 {
			t.Fatalf("%d documents filed, want 3 (the raw message and two PDFs)", len(docs))
		}
		for _, d := range docs {
			held, err := svc.Evidence.LegalHold(ctx, d.Key, d.VersionID)
			if err != nil || !held || d.Source != casehold.SourceEmail {
				t.Errorf("document %s: held %v source %s err %v", d.ID, held, d.Source, err)
			}
		}
		after := e.auditActions()[len(before):]
		if count(after, "email.intake:ok") != 1 || count(after, "document.upload:ok") != 3 {
			t.Errorf("audit after three deliveries: %v", after)
		}
		acks := outboxTo(t, e, "officer@review.example")
		if len(acks) != 1 {
			t.Fatalf("%d acknowledgements, want 1", len(acks))
		}
		if !bytes.Contains(acks[0], []byte("Subject: Received: casehold reference "+first.ID)) {
			t.Errorf("acknowledgement subject wrong")
		}
		if len(outboxTo(t, e, "dana.whitlock@council.example")) != 1 {
			t.Error("the coordinator was not told once")
		}
		// Staff can list and open it; the helpdesk cannot.
		var one casehold.InboundMessage
		mustStatus(t, e.do(coord, "GET", "/inbound/"+first.ID, "", nil), 200, "get inbound")
		e.do(coord, "GET", "/inbound/"+first.ID, "", nil).json(t, &one)
		mustStatus(t, e.do(cso, "GET", "/inbound?status=secured", "", nil), 403, "helpdesk list")
	})

	t.Run("NoMatterGoesToTriageThenAssigned", func(t *testing.T) {
		p := rawEmail(t, "officer@review.example", "Further papers", pdfAtt("Letter.pdf", "letter"))
		in, err := intake.IngestFile(ctx, svc, p)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status != casehold.InboundTriage || in.Attachments[0].Outcome != "pending" {
			t.Fatalf("record = %+v", in)
		}
		var list struct{ Messages []casehold.InboundMessage }
		e.do(coord, "GET", "/inbound?status=triage", "", nil).json(t, &list)
		if len(list.Messages) != 1 || list.Messages[0].ID != in.ID {
			t.Fatalf("triage list = %+v", list.Messages)
		}
		mustStatus(t, e.postJSON(coord, "/inbound/"+in.ID+"/assign", map[string]string{"matter_id": "m-nope"}), 404, "assign to unknown matter")
		mustStatus(t, e.postJSON(coord, "/inbound/"+in.ID+"/assign", map[string]string{"matter_id": m.ID}), 200, "assign")
		mustStatus(t, e.postJSON(coord, "/inbound/"+in.ID+"/assign", map[string]string{"matter_id": m.ID}), 409, "assign twice")
		got, _ := svc.Store.GetInbound(ctx, in.ID)
		if got.Status != casehold.InboundSecured || got.Attachments[0].Outcome != "secured" {
			t.Errorf("after assign: %+v", got)
		}
	})

	t.Run("SenderNotAllowedIsQuarantinedAndKept", func(t *testing.T) {
		p := rawEmail(t, "someone@elsewhere.example", "Records for "+m.ID, pdfAtt("x.pdf", "x"))
		in, err := intake.IngestFile(ctx, svc, p)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status != casehold.InboundQuarantined || in.Reason != "sender domain is not allowed" {
			t.Fatalf("record = %+v", in)
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := svc.Evidence.Versions(ctx, in.RawKey)
		if err != nil || len(vs) != 1 || vs[0].VersionID != in.RawVersionID || vs[0].Size != int64(len(raw)) {
			t.Errorf("quarantined raw message not kept: %+v %v", vs, err)
		}
		if len(outboxTo(t, e, "someone@elsewhere.example")) != 0 {
			t.Error("a quarantined sender was sent an acknowledgement")
		}
	})

	// Locally (no SES verdicts) an allowed From with an envelope sender from another domain
	// is not filed under the matter it names: a person looks first.
	t.Run("ReturnPathFromAnotherDomainGoesToTriage", func(t *testing.T) {
		cases := []struct {
			name, returnPath string
			status           casehold.InboundStatus
		}{
			{"OtherDomain", "<bounce@mailer.elsewhere.example>", casehold.InboundTriage},
			{"NullSender", "<>", casehold.InboundTriage},
			{"SameDomain", "<officer@review.example>", casehold.InboundSecured},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				p := rawEmail(t, "officer@review.example", "Records "+c.name+" for "+m.ID, pdfAtt("Letter.pdf", "letter "+c.name))
				raw, _ := os.ReadFile(p)
				os.WriteFile(p, append([]byte("Return-Path: "+c.returnPath+"\r\n"), raw...), 0o600)
				in, err := intake.IngestFile(ctx, svc, p)
				if err != nil {
					t.Fatal(err)
				}
				if in.Status != c.status {
					t.Fatalf("status = %s (%s), want %s", in.Status, in.Reason, c.status)
				}
				if c.status == casehold.InboundTriage && !strings.Contains(in.Reason, "Return-Path") {
					t.Errorf("reason = %q, want it to name the envelope sender", in.Reason)
				}
			})
		}
	})

	t.Run("MalformedIsQuarantinedNotCrashed", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "bad.eml")
		os.WriteFile(p, []byte("From: officer@review.example\r\nSubject: "+m.ID+"\r\nContent-Type: multipart/mixed\r\n\r\nno boundary"), 0o600)
		in, err := intake.IngestFile(ctx, svc, p)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status != casehold.InboundQuarantined || !strings.Contains(in.Reason, "malformed") {
			t.Fatalf("record = %+v", in)
		}
	})

	t.Run("MalformedAfterAPDFLeavesNothingHeld", func(t *testing.T) {
		p := rawEmail(t, "officer@review.example", "Records for "+m.ID, pdfAtt("First.pdf", "first"), pdfAtt("Second.pdf", "second"))
		b, _ := os.ReadFile(p)
		// Cut the message inside its last part: the first PDF is whole and already kept
		// (unheld until filed) before the structure turns out broken.
		cut := bytes.LastIndex(b, []byte("Content-Disposition"))
		os.WriteFile(p, b[:cut], 0o600)
		in, err := intake.IngestFile(ctx, svc, p)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status != casehold.InboundQuarantined {
			t.Fatalf("record = %+v", in)
		}
		kept := 0
		for _, a := range in.Attachments {
			if a.Outcome != "pending" {
				continue
			}
			if a.Key == "" {
				continue
			}
			if strings.Contains(a.Key, in.ID) {
				t.Errorf("attachment key %q is derived from the message id", a.Key)
			}
			kept++
			if held, _ := svc.Evidence.LegalHold(ctx, a.Key, a.VersionID); held {
				t.Errorf("attachment %d of a quarantined message is held by no matter", a.Index)
			}
		}
		if kept == 0 {
			t.Fatalf("the first PDF was not kept: %+v", in.Attachments)
		}
	})

	t.Run("InboxFolder", func(t *testing.T) {
		inbox := filepath.Join(e.app.Config.DataDir, "inbox")
		os.MkdirAll(filepath.Join(inbox, "processed"), 0o700)
		os.MkdirAll(filepath.Join(inbox, "failed"), 0o700)
		src := rawEmail(t, "officer@review.example", "More for "+m.ID, pdfAtt("Review.pdf", "review"))
		b, _ := os.ReadFile(src)
		os.WriteFile(filepath.Join(inbox, "drop.eml"), b, 0o600)
		intake.ScanInbox(ctx, svc, inbox, e.app.Service.Log)
		if _, err := os.Stat(filepath.Join(inbox, "processed", "drop.eml")); err != nil {
			t.Errorf("message not moved to processed: %v", err)
		}
	})
}

// TestActiveContentFlagged: a PDF with JavaScript or a launch action is kept (it is
// evidence as received) and its document says so, by upload and by email alike.
func TestActiveContentFlagged(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC-FLAGS-1")
	active := func(body string) []byte { return []byte("%PDF-1.7\n" + body + "\ntrailer\n%%EOF\n") }

	r := e.do(coord, "POST", "/matters/"+m.ID+"/documents?pid=P7700123&doc_type=Contact&doc_date=2013-12-21", "application/pdf",
		bytes.NewReader(active("<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>")))
	mustStatus(t, r, 201, "upload with JavaScript")
	var up struct {
		ActiveContent []string `json:"active_content"`
	}
	r.json(t, &up)
	if fmt.Sprint(up.ActiveContent) != "[javascript]" {
		t.Errorf("uploaded document active_content = %v", up.ActiveContent)
	}
	if d := e.mustUpload(m.ID, pdf("plain scan")); len(d.ActiveContent) != 0 {
		t.Errorf("a plain PDF was flagged: %v", d.ActiveContent)
	}

	p := rawEmail(t, "officer@review.example", "Records for "+m.ID,
		casehold.Attachment{Filename: "run.pdf", ContentType: "application/pdf", Data: active("<</A<</S/Launch/F(cmd.exe)>>>>")})
	in, err := intake.IngestFile(context.Background(), e.app.Service, p)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != casehold.InboundSecured || fmt.Sprint(in.Attachments[0].ActiveContent) != "[launch_action]" {
		t.Fatalf("inbound = %s, attachment %+v", in.Status, in.Attachments[0])
	}
	d, err := e.app.Service.Store.GetDocument(context.Background(), in.Attachments[0].DocumentID)
	if err != nil || fmt.Sprint(d.ActiveContent) != "[launch_action]" {
		t.Errorf("filed document = %+v, %v; want it flagged launch_action", d, err)
	}
}
