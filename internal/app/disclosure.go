package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
)

// MaxDisclosureBytes bounds one disclosure email's attachments; SES sends at most 10 MB
// through SendRawEmail, and base64 adds a third.
const MaxDisclosureBytes = 7 << 20

// DisclosureInput selects documents to send to the requester.
type DisclosureInput struct {
	DocumentIDs []string `json:"document_ids"`
}

// CreateDisclosure drafts a sending. It goes nowhere until legal services have reviewed it
// for third-party information.
func (s *Disclosures) CreateDisclosure(ctx context.Context, actor casehold.Actor, matterID string, in DisclosureInput) (*casehold.Disclosure, error) {
	var out casehold.Disclosure
	_, err := s.updateWork(ctx, actor, casehold.ActUploadDocument, "disclosure.create", matterID, fmt.Sprintf("documents=%d", len(in.DocumentIDs)), func(m *casehold.Matter) error {
		if len(in.DocumentIDs) == 0 {
			return casehold.Errorf(casehold.EINVALID, "document_ids must name at least one document")
		}
		if err := s.usableDocuments(ctx, m, in.DocumentIDs); err != nil {
			return err
		}
		names, err := s.disclosureNames(ctx, m, in.DocumentIDs)
		if err != nil {
			return err
		}
		out = casehold.Disclosure{ID: "x-" + s.IDs.New(), DocumentIDs: in.DocumentIDs, FileNames: names}
		m.Work.Disclosures = append(m.Work.Disclosures, out)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// disclosureNames names each file by type and date ("Contact 21.12.2013.pdf"), adding the
// person's initials when the matter covers several people, and a counter if two collide.
func (s *Deps) disclosureNames(ctx context.Context, m *casehold.Matter, ids []string) ([]string, error) {
	docs := make([]*casehold.Document, 0, len(ids))
	for _, id := range ids {
		d, err := s.Store.GetDocument(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("name %s: %w", id, err)
		}
		docs = append(docs, d)
	}
	return s.nameDocuments(m, docs), nil
}

// nameDocuments is the disclosure naming of documents already read (evidence packs use
// it too).
func (s *Deps) nameDocuments(m *casehold.Matter, docs []*casehold.Document) []string {
	several := len(m.Subjects()) > 1
	seen := map[string]int{}
	var names []string
	for _, d := range docs {
		initials := ""
		if several && len(d.PIDs) > 0 {
			initials = casehold.Initials(m.PersonName(d.PIDs[0]))
		}
		name := casehold.DisclosureName(d.DocType, d.DocDate, initials)
		seen[name]++
		if n := seen[name]; n > 1 {
			name = strings.TrimSuffix(name, ".pdf") + fmt.Sprintf(" (%d).pdf", n)
		}
		names = append(names, name)
	}
	return names
}

func findDisclosure(m *casehold.Matter, id string) (*casehold.Disclosure, error) {
	for i := range m.Work.Disclosures {
		if m.Work.Disclosures[i].ID == id {
			return &m.Work.Disclosures[i], nil
		}
	}
	return nil, casehold.Errorf(casehold.ENOTFOUND, "no such disclosure on this matter")
}

// LegalReviewInput is legal services' sign-off on third-party information.
type LegalReviewInput struct {
	ThirdPartyChecked bool `json:"third_party_checked"`
}

// ReviewDisclosure records legal services' review. Only legal services may.
func (s *Disclosures) ReviewDisclosure(ctx context.Context, actor casehold.Actor, matterID, discID string, in LegalReviewInput) (*casehold.Matter, error) {
	if !actor.Has(casehold.RoleLegal) {
		return nil, s.refuse(ctx, actor, "disclosure.legal_review", matterID, "", casehold.Errorf(casehold.EFORBIDDEN, "only legal services review a disclosure"))
	}
	return s.updateWork(ctx, actor, casehold.ActReadDocument, "disclosure.legal_review", matterID, "disclosure="+discID, func(m *casehold.Matter) error {
		d, err := findDisclosure(m, discID)
		if err != nil {
			return err
		}
		if !in.ThirdPartyChecked {
			return casehold.Errorf(casehold.EINVALID, "third_party_checked must be true to approve the disclosure")
		}
		d.ThirdPartyChecked, d.LegalReviewBy, d.LegalReviewOn = true, actor.ID, s.today()
		return nil
	})
}

// SendDisclosure emails the reviewed documents to the secure address the requester gave.
// The subject carries the requester's reference only.
func (s *Disclosures) SendDisclosure(ctx context.Context, actor casehold.Actor, matterID, discID string) (*casehold.Disclosure, error) {
	const action = "disclosure.send"
	if err := casehold.Authorize(actor, casehold.ActUploadDocument); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	m, err := s.Store.GetMatter(ctx, matterID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("send disclosure: %w", err))
	}
	d, err := findDisclosure(m, discID)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	switch {
	case !d.SentOn.IsZero():
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT, "this disclosure was sent on %s", d.SentOn))
	case !d.ThirdPartyChecked:
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT, "legal services have not reviewed this disclosure for third-party information"))
	case m.Work.ContactEmail == "":
		return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ECONFLICT, "the requester's secure email address is not recorded (contact_email)"))
	}
	if err := s.usableDocuments(ctx, m, d.DocumentIDs); err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", err)
	}
	// Every document is read and its hash checked now, so a missing or altered file stops
	// the disclosure here; the queue reads each again (checked again) when it sends.
	var atts []casehold.EvidenceAttachment
	var total int64
	for i, id := range d.DocumentIDs {
		doc, err := s.Store.GetDocument(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("send disclosure: %w", err)
		}
		if total += doc.Size; total > MaxDisclosureBytes {
			return nil, s.refuse(ctx, actor, action, matterID, "", casehold.Errorf(casehold.ETOOLARGE, "the documents come to more than %d MB: split them into several disclosures", MaxDisclosureBytes>>20))
		}
		if _, err := s.readVerified(ctx, doc); err != nil {
			return nil, fmt.Errorf("send disclosure: %w", err)
		}
		atts = append(atts, casehold.EvidenceAttachment{Filename: d.FileNames[i], ContentType: "application/pdf", DocumentID: doc.ID})
	}
	queued, err := s.queueMail(ctx, occasionKey("disclosure", matterID, discID), matterID, casehold.Message{From: s.MailFrom, To: []string{m.Work.ContactEmail},
		// The requester files its post under its own reference; casehold's kind and id
		// mean nothing to it. A reference is an outside case number, never a name.
		Subject: "Documents in response to your reference " + m.Reference,
		Text: fmt.Sprintf("Please find attached %d document(s) for your reference %s.\nPlease confirm receipt by reply.\n",
			len(atts), m.Reference)}, atts)
	if err != nil {
		return nil, s.refuse(ctx, actor, action, matterID, "", fmt.Errorf("send disclosure: %w", err))
	}
	msgID := queued.Mail.TransportID
	if msgID == "" {
		msgID = "queued:" + queued.Mail.Key
	}
	var sent casehold.Disclosure
	_, err = s.updateWork(ctx, actor, casehold.ActUploadDocument, action, matterID, fmt.Sprintf("disclosure=%s documents=%d message=%s", discID, len(atts), msgID), func(m *casehold.Matter) error {
		d, err := findDisclosure(m, discID)
		if err != nil {
			return err
		}
		d.SentTo, d.SentOn, d.SentBy, d.MessageID = m.Work.ContactEmail, s.today(), actor.ID, msgID
		sent = *d
		return nil
	})
	if err != nil {
		s.Log.ErrorContext(ctx, "disclosure sent but not recorded", "matter", matterID, "disclosure", discID, "message", msgID, "err", err)
		return nil, err
	}
	return &sent, nil
}

// readVerified reads a whole document and checks it against its recorded hash.
func (s *Deps) readVerified(ctx context.Context, d *casehold.Document) ([]byte, error) {
	if d.Disposed() {
		return nil, errDisposed(d)
	}
	rc, err := s.Evidence.Open(ctx, d.Key, d.VersionID)
	if casehold.ErrorCode(err) == casehold.ENOTFOUND {
		s.incident(ctx, "", d.ID, "reason=version_missing during=disclosure")
		return nil, casehold.Errorf(casehold.EINTEGRITY, "the stored file of document %s is missing; the incident is recorded", d.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d.ID, err)
	}
	defer rc.Close()
	vr := &verifyingReader{ctx: ctx, rc: rc, h: newHash(), want: d.SHA256, size: d.Size, onFail: func(reason string) {
		s.incident(ctx, "", d.ID, "reason="+reason+" during=disclosure")
	}}
	data, err := io.ReadAll(vr)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", d.ID, err)
	}
	return data, nil
}

// ConfirmReceipt records that the requester confirmed receipt of a disclosure.
func (s *Disclosures) ConfirmReceipt(ctx context.Context, actor casehold.Actor, matterID, discID string, on casehold.Date) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActUploadDocument, "disclosure.receipt", matterID, "disclosure="+discID, func(m *casehold.Matter) error {
		d, err := findDisclosure(m, discID)
		if err != nil {
			return err
		}
		if d.SentOn.IsZero() {
			return casehold.Errorf(casehold.ECONFLICT, "the disclosure has not been sent")
		}
		if on.IsZero() {
			return casehold.Errorf(casehold.EINVALID, "on is required (the date receipt was confirmed)")
		}
		if err := s.notFuture("on", on); err != nil {
			return err
		}
		d.ReceiptOn = on
		return nil
	})
}
