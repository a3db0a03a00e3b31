package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/mailintake"
)

// IntakeSettings configure email intake.
type IntakeSettings struct {
	// LocalPart is the intake mailbox's local part ("intake" for intake@council...); a
	// plus-address (intake+m-...) routes to a matter.
	LocalPart string
	// AllowedDomains are the sender domains accepted (and their subdomains).
	AllowedDomains []string
	// RequireVerdicts refuses messages without passing SES spam/virus/SPF/DKIM/DMARC
	// verdicts. On in AWS; off for files a member of staff drops in locally.
	RequireVerdicts bool
	// MaxMessageBytes bounds one raw message (SES receiving allows 40 MB).
	MaxMessageBytes int64
}

// inboundID derives the record id from where the message came from, so a redelivered
// event finds the record made the first time.
func inboundID(source string) string {
	sum := sha256.Sum256([]byte("inbound\x00" + source))
	return "in-" + hex.EncodeToString(sum[:10])
}

func inboundDocID(inID, part string) string {
	sum := sha256.Sum256([]byte(inID + "\x00" + part))
	return "d-" + hex.EncodeToString(sum[:10])
}

// outcomes maps the parser's problems to the record's outcome words.
var outcomes = map[string]string{
	mailintake.ProblemNotPDF: "not_pdf", mailintake.ProblemNoHeader: "not_pdf",
	mailintake.ProblemEncrypted: "encrypted_pdf", mailintake.ProblemTruncated: "truncated_pdf",
	mailintake.ProblemTooLarge: "too_large", mailintake.ProblemUndecodable: "undecodable",
	mailintake.ProblemUnknownCTE: "undecodable", mailintake.ProblemNotProcessed: "not_processed",
}

// IngestEmail takes in one raw message from source (s3://bucket/key#version, or local:<sha256>).
// The raw message is kept write-once as evidence first, whatever follows. Then the sender is
// checked (quarantine, with the reason), the matter is found (triage if none), every whole
// PDF attachment is stored write-once, and, for a matter, the raw message and its PDFs are
// filed under it as held documents. It is idempotent: a repeated delivery returns the same
// record, with no second document, audit event or email.
func (s *EmailIntake) IngestEmail(ctx context.Context, source string, open func(context.Context) (io.ReadCloser, error), envelopeTo []string) (*casehold.InboundMessage, error) {
	id := inboundID(source)
	if rec, err := s.Store.GetInbound(ctx, id); err == nil {
		return s.inboundNotices(ctx, rec)
	} else if casehold.ErrorCode(err) != casehold.ENOTFOUND {
		return nil, fmt.Errorf("intake %s: %w", id, err)
	}
	rec := &casehold.InboundMessage{ID: id, Source: source, ReceivedAt: s.now(), Attachments: []casehold.InboundAttachment{}}
	max := s.Intake.MaxMessageBytes
	if max <= 0 {
		max = mailintake.DefaultMaxMessageBytes
	}

	// One read of the source: the raw bytes stream into the evidence store (write-once,
	// unheld) while the same bytes are parsed, so the message is read once and kept whole
	// whatever the parse finds.
	src, err := open(ctx)
	if err != nil {
		return nil, fmt.Errorf("intake %s: open: %w", id, err)
	}
	defer src.Close()
	// Random names, kept for redeliveries: nobody who can read the upload bucket can know
	// where the message or its PDFs will be kept.
	base, err := s.eventEvidenceKey(ctx, id, "inbound/", "")
	if err != nil {
		return nil, fmt.Errorf("intake %s: %w", id, err)
	}
	rawKey := base + ".eml"
	pipe := newBufPipe(4 << 20)
	type putResult struct {
		obj casehold.StoredObject
		err error
	}
	putDone := make(chan putResult, 1)
	go func() {
		obj, err := s.storeEvidence(ctx, rawKey, pipe, false)
		pipe.CloseRead(err) // unblock the parse if the store gave up early
		putDone <- putResult{obj, err}
	}()
	tee := io.TeeReader(&capped{r: src, left: max}, pipe)
	parsed, parseErr := s.parseInbound(ctx, rec, base, tee, envelopeTo)
	_, drainErr := io.Copy(io.Discard, tee) // the raw copy must be whole even if parsing stopped early
	pipe.CloseWrite(drainErr)
	put := <-putDone
	switch casehold.ErrorCode(put.err) {
	case "":
		rec.RawKey, rec.RawVersionID, rec.RawSHA256, rec.RawSize = put.obj.Key, put.obj.VersionID, put.obj.SHA256, put.obj.Size
	case casehold.ETOOLARGE:
		rec.Status, rec.Reason = casehold.InboundQuarantined, fmt.Sprintf("message is larger than the %d MB limit; it stays where it arrived", max>>20)
		return s.recordInbound(ctx, rec)
	case casehold.EINTEGRITY:
		// Something else is stored where this message was to be kept (incident recorded):
		// nothing of it is filed, and the original stays where it arrived.
		rec.Status, rec.Reason = casehold.InboundQuarantined, "integrity incident: the stored copy is not what was received; it stays where it arrived"
		return s.recordInbound(ctx, rec)
	default:
		return nil, fmt.Errorf("intake %s: keep raw message: %w", id, put.err)
	}
	if parseErr != nil {
		return nil, fmt.Errorf("intake %s: %w", id, parseErr)
	}
	m := parsed
	if rec.Status == casehold.InboundQuarantined || m == nil {
		// PDFs are stored unheld and held only when filed, so in quarantine or triage
		// nothing holds them and nothing has to be lifted.
		if rec.Status != casehold.InboundQuarantined {
			rec.Status = casehold.InboundTriage
		}
		return s.recordInbound(ctx, rec)
	}
	// File under the matter.
	if err := s.fileInbound(ctx, SystemActor, rec, m); err != nil {
		return nil, err
	}
	return s.recordInbound(ctx, rec)
}

// parseInbound reads the message from r: it checks the sender (quarantining with the
// reason), finds the matter, and stores every whole PDF attachment write-once and unheld.
// It returns the matter (nil for triage, with rec.Reason saying why) or an error that a
// retry might cure; outcomes that are the message's fault are set on rec instead.
func (s *Deps) parseInbound(ctx context.Context, rec *casehold.InboundMessage, base string, r io.Reader, envelopeTo []string) (*casehold.Matter, error) {
	lim := mailintake.Limits{MaxMessageBytes: s.Intake.MaxMessageBytes, MaxAttachmentBytes: s.MaxUploadBytes, SkipMessageHash: true, SkipPDFHash: true}
	msg, err := mailintake.Read(r, lim)
	if err != nil {
		rec.Status, rec.Reason = casehold.InboundQuarantined, "message could not be read: "+casehold.ErrorMessage(err)
		return nil, nil
	}
	env := msg.Envelope
	rec.From, rec.To, rec.Cc, rec.Date, rec.MessageID, rec.Subject = env.From, env.To, env.Cc, env.Date, env.MessageID, env.Subject
	verdicts := msg.SESVerdicts()
	if !s.Intake.RequireVerdicts {
		verdicts = casehold.MailVerdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}
	}
	if reason := casehold.CheckSender(verdicts, env.From, s.Intake.AllowedDomains); reason != "" {
		rec.Status, rec.Reason = casehold.InboundQuarantined, reason
		res, _ := msg.Walk(nil) // list the attachments; extract nothing from a refused message
		rec.Attachments = listAttachments(res, "quarantined")
		return nil, nil
	}
	routeEnv := env // a Bcc'd intake address is only in the SMTP envelope
	routeEnv.To = append(append([]string(nil), env.To...), envelopeTo...)
	m, why := s.routeMatter(ctx, routeEnv)
	if !s.Intake.RequireVerdicts {
		// Without SES's checks nothing ties the allowed From to the server that sent it;
		// an envelope sender from another domain puts the message before a person.
		if reason := casehold.CheckEnvelopeSender(env.From, env.ReturnPath); reason != "" {
			m, why = nil, reason
		}
	}
	// Stored unheld: a PDF is held when it is filed under a matter, so a message that turns
	// out malformed or unrouted leaves no hold that only the release function could lift.
	stored := map[int]casehold.StoredObject{}
	res, werr := msg.Walk(func(a *mailintake.Attachment, body io.Reader) error {
		obj, err := s.storeAttachment(ctx, fmt.Sprintf("%s/%d.pdf", base, a.Index), body)
		if err == nil {
			stored[a.Index] = obj
		}
		return err
	})
	rec.Attachments = listAttachments(res, "pending")
	for i, a := range rec.Attachments {
		if obj, ok := stored[a.Index]; ok && a.Outcome == "pending" {
			// What casehold hashed as it kept the PDF; the store's metadata is never asked.
			rec.Attachments[i].Key, rec.Attachments[i].VersionID = obj.Key, obj.VersionID
			rec.Attachments[i].SHA256, rec.Attachments[i].Size = obj.SHA256, obj.Size
		}
	}
	if werr != nil {
		switch casehold.ErrorCode(werr) {
		case casehold.EINVALID, casehold.ETOOLARGE:
			rec.Status, rec.Reason = casehold.InboundQuarantined, "message is malformed: "+casehold.ErrorMessage(werr)
		case casehold.EINTEGRITY:
			rec.Status, rec.Reason = casehold.InboundQuarantined, "integrity incident: "+casehold.ErrorMessage(werr)
		default:
			return nil, werr
		}
		return nil, nil
	}
	rec.Reason = why
	return m, nil
}

// storeAttachment stores one decoded PDF write-once and unheld. Decoding (this goroutine)
// and storing (another) overlap through a small bounded pipe. A stream that ends in an
// error (the parser found the PDF truncated or encrypted) reaches the store as a read error,
// so nothing is kept, and that error goes back to the parser to record.
func (s *Deps) storeAttachment(ctx context.Context, key string, body io.Reader) (casehold.StoredObject, error) {
	pipe := newBufPipe(1 << 20)
	type result struct {
		obj casehold.StoredObject
		err error
	}
	stored := make(chan result, 1)
	go func() {
		obj, err := s.storeEvidence(ctx, key, &capped{r: pipe, left: s.MaxUploadBytes}, false)
		pipe.CloseRead(err)
		stored <- result{obj, err}
	}()
	_, copyErr := io.Copy(pipe, body)
	pipe.CloseWrite(copyErr)
	put := <-stored
	if copyErr != nil && !errors.Is(put.err, copyErr) {
		return casehold.StoredObject{}, copyErr // the parser's own verdict on the stream
	}
	return put.obj, put.err
}

func listAttachments(res *mailintake.Result, accepted string) []casehold.InboundAttachment {
	out := []casehold.InboundAttachment{}
	if res == nil {
		return out
	}
	for _, a := range res.Attachments {
		o := accepted
		if a.Problem != "" {
			o = outcomes[a.Problem]
			if o == "" {
				o = "not_pdf"
			}
			if accepted == "quarantined" {
				o = "quarantined"
			}
		}
		out = append(out, casehold.InboundAttachment{Index: a.Index, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256, Outcome: o,
			ActiveContent: a.Flags})
	}
	return out
}

// capped fails with ETOOLARGE once more than left bytes are read.
type capped struct {
	r    io.Reader
	left int64
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, casehold.Errorf(casehold.ETOOLARGE, "larger than the limit")
	}
	return n, err
}

// routeMatter finds the open matter a message concerns, or says why it goes to triage.
func (s *Deps) routeMatter(ctx context.Context, env mailintake.Envelope) (*casehold.Matter, string) {
	kind, value := casehold.RouteMail(casehold.MailAddressed{Subject: env.Subject, Recipients: append(append([]string(nil), env.To...), env.Cc...)}, s.Intake.LocalPart)
	switch kind {
	case casehold.RouteID:
		m, err := s.Store.GetMatter(ctx, value)
		if err != nil {
			return nil, "no matter has the id in the message"
		}
		if m.Status != casehold.MatterOpen {
			return nil, "the matter named is " + string(m.Status)
		}
		return m, ""
	case casehold.RouteReference:
		ms, err := s.Store.ListMatters(ctx, casehold.MatterOpen)
		if err != nil {
			return nil, "matters could not be listed"
		}
		var found []*casehold.Matter
		for _, m := range ms {
			if strings.EqualFold(m.Reference, value) {
				found = append(found, m)
			}
		}
		if len(found) == 1 {
			return found[0], ""
		}
		if len(found) > 1 {
			return nil, "the reference matches more than one open matter"
		}
		return nil, "no open matter has the reference in the message"
	}
	return nil, "the message names no matter"
}

// fileInbound files the raw message and its stored PDFs under the matter as held
// documents. Document ids are derived from the message, so a retry finds what it made.
func (s *Deps) fileInbound(ctx context.Context, actor casehold.Actor, rec *casehold.InboundMessage, m *casehold.Matter) error {
	when := casehold.DateOf(rec.Date.UTC())
	if rec.Date.IsZero() || s.today().Before(when) {
		when = s.today()
	}
	file := func(docID string, obj casehold.StoredObject, docType, filename string, flags []string) error {
		d := &casehold.Document{ID: docID, MatterIDs: []string{m.ID}, HeldBy: []string{m.ID}, DocType: docType, DocDate: when,
			Filename: filename, SHA256: obj.SHA256, Size: obj.Size, Source: casehold.SourceEmail, Key: obj.Key, VersionID: obj.VersionID,
			UploadedBy: actor.ID, UploadedAt: s.now(), ActiveContent: flags}
		if err := s.Store.CreateDocument(ctx, d); err != nil && casehold.ErrorCode(err) != casehold.ECONFLICT {
			return fmt.Errorf("file %s: %w", docID, err)
		}
		// Recorded as held before the object is: a crash between leaves a hold that
		// `verify --repair` puts on, never an object unheld while a matter holds it.
		if err := s.Evidence.SetLegalHold(ctx, obj.Key, obj.VersionID, true); err != nil {
			if casehold.ErrorCode(err) == casehold.ENOTFOUND {
				s.incident(ctx, m.ID, docID, "reason=version_missing during=email_filing")
			}
			return fmt.Errorf("hold %s: %w", docID, err)
		}
		if err := s.recheckOpen(ctx, actor, docID, m.ID); err != nil {
			return err
		}
		return s.audit(ctx, casehold.AuditEvent{ID: "ev-" + docID, Actor: actor.ID, Action: "document.upload", MatterID: m.ID,
			DocumentID: docID, Detail: fmt.Sprintf("source=email inbound=%s sha256=%s size=%d", rec.ID, obj.SHA256, obj.Size)})
	}
	rec.RawDocument = inboundDocID(rec.ID, "raw")
	raw := casehold.StoredObject{Key: rec.RawKey, VersionID: rec.RawVersionID, SHA256: rec.RawSHA256, Size: rec.RawSize}
	if err := file(rec.RawDocument, raw, "Email", "message.eml", nil); err != nil {
		return err
	}
	for i, a := range rec.Attachments {
		if a.Outcome != "pending" {
			continue
		}
		if a.Key == "" || a.VersionID == "" {
			// A record from before versions were kept on it: its hash came from the store's
			// metadata, so it is not filed on that word.
			rec.Attachments[i].Outcome = "not_processed"
			continue
		}
		docID := inboundDocID(rec.ID, fmt.Sprint(a.Index))
		obj := casehold.StoredObject{Key: a.Key, VersionID: a.VersionID, SHA256: a.SHA256, Size: a.Size}
		if err := file(docID, obj, "Correspondence", a.Filename, a.ActiveContent); err != nil {
			return err
		}
		rec.Attachments[i].Outcome, rec.Attachments[i].DocumentID = "secured", docID
	}
	rec.Status, rec.Reason, rec.MatterID = casehold.InboundSecured, "", m.ID
	return nil
}

// recordInbound stores the record, audits it once, and sends the notices.
func (s *Deps) recordInbound(ctx context.Context, rec *casehold.InboundMessage) (*casehold.InboundMessage, error) {
	if err := s.Store.CreateInbound(ctx, rec); err != nil {
		if casehold.ErrorCode(err) != casehold.ECONFLICT {
			return nil, fmt.Errorf("record inbound %s: %w", rec.ID, err)
		}
		// Another delivery of the same message got there first: use its record.
		if rec, err = s.Store.GetInbound(ctx, rec.ID); err != nil {
			return nil, fmt.Errorf("record inbound: %w", err)
		}
	} else {
		rec.Version = 1
	}
	outcome := casehold.OutcomeOK
	if rec.Status == casehold.InboundQuarantined {
		outcome = casehold.OutcomeRefused
	}
	secured := 0
	for _, a := range rec.Attachments {
		if a.Outcome == "secured" {
			secured++
		}
	}
	if err := s.audit(ctx, casehold.AuditEvent{ID: "ev-" + rec.ID, Actor: SystemActor.ID, Action: "email.intake", MatterID: rec.MatterID,
		Outcome: outcome, Detail: fmt.Sprintf("inbound=%s status=%s attachments=%d secured=%d", rec.ID, rec.Status, len(rec.Attachments), secured)}); err != nil {
		return nil, err
	}
	if rec.Status == casehold.InboundQuarantined {
		s.Log.WarnContext(ctx, "email quarantined", "inbound", rec.ID, "reason", rec.Reason)
	}
	return s.inboundNotices(ctx, rec)
}

// inboundNotices queues, once each, the acknowledgement to the sender and the notice to the
// matter's coordinator (the mail queue delivers and retries them). Subjects carry ids only.
func (s *Deps) inboundNotices(ctx context.Context, rec *casehold.InboundMessage) (*casehold.InboundMessage, error) {
	if rec.Status != casehold.InboundSecured || (rec.AckSent && rec.NoticeSent) {
		return rec, nil
	}
	m, err := s.Store.GetMatter(ctx, rec.MatterID)
	if err != nil {
		return nil, fmt.Errorf("notices for %s: %w", rec.ID, err)
	}
	var lines []string
	for _, a := range rec.Attachments {
		lines = append(lines, fmt.Sprintf("  attachment %d: %s (%s)", a.Index, a.Filename, strings.ReplaceAll(a.Outcome, "_", " ")))
	}
	body := fmt.Sprintf("Your message (casehold reference %s) was received and kept as a record.\n%s\n", rec.ID, strings.Join(lines, "\n"))
	// Queued under the message's id: the queue's record is the claim, so a notice whose
	// first send fails is retried by the sender, never taken as sent.
	send := func(kind string, sent *bool, msg casehold.Message) {
		if *sent || len(msg.To) == 0 || msg.To[0] == "" {
			*sent = true
			return
		}
		if _, err := s.queueMail(ctx, occasionKey("intake."+kind, rec.ID), m.ID, msg, nil); err != nil {
			s.Log.ErrorContext(ctx, "notice not queued", "inbound", rec.ID, "kind", kind, "err", err)
			return
		}
		*sent = true
	}
	send("ack", &rec.AckSent, casehold.Message{From: s.MailFrom, To: []string{rec.From}, Subject: "Received: casehold reference " + rec.ID, Text: body})
	send("notice", &rec.NoticeSent, casehold.Message{From: s.MailFrom, To: []string{m.CoordinatorEmail},
		Subject: "casehold: email filed under matter " + m.ID, Text: fmt.Sprintf("An email (%s) was filed under matter %s.\n%s\n", rec.ID, m.ID, strings.Join(lines, "\n"))})
	if err := s.Store.UpdateInbound(ctx, rec); err != nil && !errors.Is(err, context.Canceled) {
		// A lost race only means another delivery recorded the same thing.
		if casehold.ErrorCode(err) != casehold.ECONFLICT {
			return nil, fmt.Errorf("record notices for %s: %w", rec.ID, err)
		}
	}
	return rec, nil
}

// ListInbound returns the triage or quarantine list (or secured messages).
func (s *EmailIntake) ListInbound(ctx context.Context, actor casehold.Actor, status casehold.InboundStatus) ([]*casehold.InboundMessage, error) {
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, "email.list", "", "", err)
	}
	switch status {
	case casehold.InboundTriage, casehold.InboundQuarantined, casehold.InboundSecured:
	case "":
		status = casehold.InboundTriage
	default:
		return nil, casehold.Errorf(casehold.EINVALID, "status must be triage, quarantined or secured")
	}
	out, err := s.Store.ListInbound(ctx, status)
	if err != nil {
		return nil, fmt.Errorf("list inbound: %w", err)
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "email.list", Detail: fmt.Sprintf("status=%s count=%d", status, len(out))}); err != nil {
		return nil, err
	}
	return out, nil
}

// GetInbound returns one inbound record.
func (s *EmailIntake) GetInbound(ctx context.Context, actor casehold.Actor, id string) (*casehold.InboundMessage, error) {
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, "email.read", "", "", err)
	}
	rec, err := s.Store.GetInbound(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get inbound: %w", err)
	}
	if rec.MatterID != "" {
		// Filed: the message is the matter's material, read under the matter's access.
		m, err := s.Store.GetMatter(ctx, rec.MatterID)
		if err != nil {
			return nil, fmt.Errorf("get inbound: %w", err)
		}
		if _, err := s.allow(ctx, actor, casehold.ActReadMatter, m, nil); err != nil {
			return nil, s.refuse(ctx, actor, "email.read", rec.MatterID, "", err)
		}
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: "email.read", MatterID: rec.MatterID, Detail: "inbound=" + id}); err != nil {
		return nil, err
	}
	return rec, nil
}

// AssignInbound files a triaged message under the matter a coordinator chose.
func (s *EmailIntake) AssignInbound(ctx context.Context, actor casehold.Actor, id, matterID string) (*casehold.InboundMessage, error) {
	const action = "email.assign"
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	if matterID == "" {
		return nil, s.refuse(ctx, actor, action, "", "", casehold.Errorf(casehold.EINVALID, "matter_id is required"))
	}
	rec, err := s.Store.GetInbound(ctx, id)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("assign: %w", err))
	}
	if rec.Status != casehold.InboundTriage {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT, "the message is %s, not in triage", rec.Status))
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("assign: %w", err))
	}
	if m.Status != casehold.MatterOpen {
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT, "matter is %s", m.Status))
	}
	if _, err := s.allow(ctx, actor, casehold.ActUploadDocument, m, nil); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	if err := s.fileInbound(ctx, actor, rec, m); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateInbound(ctx, rec); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("assign: %w", err))
	}
	if err := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: matterID, Detail: "inbound=" + id}); err != nil {
		return nil, err
	}
	return s.inboundNotices(ctx, rec)
}
