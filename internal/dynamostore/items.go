package dynamostore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/casehold"
)

// Attribute and index names; doc.go describes the layout.
const (
	attrPK      = "PK"
	attrSK      = "SK"
	attrGSI1PK  = "GSI1PK"
	attrGSI1SK  = "GSI1SK"
	attrVersion = "version"
	attrExpires = "expires_at"  // TTL attribute, epoch seconds
	attrToken   = "write_token" // random per write: tells a retried write of ours from another's
	indexGSI1   = "GSI1"

	skMeta     = "META"
	skRef      = "REF"
	skClaim    = "CLAIM"
	pkAudit    = "AUDIT" // the legacy hash chain's partition
	filingPref = "DOC#"
	seqPref    = "SEQ#"
)

// sortTime is RFC 3339 with a fixed nine fractional digits, so that string order is time
// order in sort keys.
const sortTime = "2006-01-02T15:04:05.000000000Z07:00"

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

func matterPK(id string) string                           { return "MATTER#" + id }
func matterKey(id string) map[string]types.AttributeValue { return key(matterPK(id), skMeta) }
func documentKey(id string) map[string]types.AttributeValue {
	return key("DOC#"+id, skMeta)
}
func referenceKey(kind casehold.MatterKind, ref string) map[string]types.AttributeValue {
	return key("REF#"+string(kind)+"#"+ref, skRef)
}
func claimKey(k string) map[string]types.AttributeValue { return key("CLAIM#"+k, skClaim) }
func reserveKey(k string) map[string]types.AttributeValue {
	return key("RESERVE#"+k, skClaim)
}
func statusPK(s casehold.MatterStatus) string { return "MATTERS#" + string(s) }
func seqSK(seq uint64) string                 { return fmt.Sprintf("%s%020d", seqPref, seq) }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// withKey returns item with its primary key added.
func withKey(item, k map[string]types.AttributeValue) map[string]types.AttributeValue {
	for n, v := range k {
		item[n] = v
	}
	return item
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time is malformed: %w", err)
	}
	return t, nil
}

func parseDate(s string) (casehold.Date, error) {
	if s == "" {
		return casehold.Date{}, nil
	}
	t, err := time.Parse(casehold.DateLayout, s)
	if err != nil {
		return casehold.Date{}, fmt.Errorf("stored date is malformed: %w", err)
	}
	return casehold.DateOf(t), nil
}

// matterItem is a matter as stored. Domain types keep no storage tags, so the mapping
// (dates as strings, times in UTC) is spelled out here.
type matterItem struct {
	GSI1PK           string       `dynamodbav:"GSI1PK"`
	GSI1SK           string       `dynamodbav:"GSI1SK"`
	ID               string       `dynamodbav:"id"`
	Kind             string       `dynamodbav:"kind"`
	Reference        string       `dynamodbav:"reference"`
	Contact          string       `dynamodbav:"contact"`
	ReceivedOn       string       `dynamodbav:"received_on"`
	Deadline         string       `dynamodbav:"deadline"`
	Coordinator      string       `dynamodbav:"coordinator"`
	CoordinatorEmail string       `dynamodbav:"coordinator_email"`
	People           []personItem `dynamodbav:"people"`
	Status           string       `dynamodbav:"status"`
	CreatedAt        string       `dynamodbav:"created_at"`
	CreatedBy        string       `dynamodbav:"created_by"`
	ReleaseRequested string       `dynamodbav:"release_requested_at"` // "" until a release is recorded
	ReleasedAt       string       `dynamodbav:"released_at"`          // "" while not released
	ReleasedBy       string       `dynamodbav:"released_by"`
	ReleaseReason    string       `dynamodbav:"release_reason"`
	ReleaseNotice    bool         `dynamodbav:"release_notice_sent"`
	// Work is the matter's recorded work as JSON: one attribute, so a matter stays one item
	// and one conditional write (a 50-person matter's work is tens of KB, far under 400 KB).
	Work    string `dynamodbav:"work"`
	Version int64  `dynamodbav:"version"`
}

type personItem struct {
	PID  string `dynamodbav:"pid"`
	Name string `dynamodbav:"name"`
}

// immutableMatterAttrs are left alone by UpdateMatter.
var immutableMatterAttrs = map[string]bool{"id": true, "kind": true, "reference": true}

func marshalMatter(m *casehold.Matter, version int64) (map[string]types.AttributeValue, error) {
	work, err := json.Marshal(m.Work)
	if err != nil {
		return nil, fmt.Errorf("encode matter %s work: %w", m.ID, err)
	}
	it := matterItem{
		GSI1PK:           statusPK(m.Status),
		GSI1SK:           m.CreatedAt.UTC().Format(sortTime) + "#" + m.ID,
		ID:               m.ID,
		Kind:             string(m.Kind),
		Reference:        m.Reference,
		Contact:          m.Contact,
		ReceivedOn:       m.ReceivedOn.String(),
		Deadline:         m.Deadline.String(),
		Coordinator:      m.Coordinator,
		CoordinatorEmail: m.CoordinatorEmail,
		Status:           string(m.Status),
		CreatedAt:        formatTime(m.CreatedAt),
		CreatedBy:        m.CreatedBy,
		ReleasedBy:       m.ReleasedBy,
		ReleaseReason:    m.ReleaseReason,
		ReleaseNotice:    m.ReleaseNoticeSent,
		Work:             string(work),
		Version:          version,
	}
	for _, p := range m.People {
		it.People = append(it.People, personItem{PID: p.PID, Name: p.Name})
	}
	if m.ReleasedAt != nil {
		it.ReleasedAt = formatTime(*m.ReleasedAt)
	}
	if m.ReleaseRequestedAt != nil {
		it.ReleaseRequested = formatTime(*m.ReleaseRequestedAt)
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, fmt.Errorf("encode matter: %w", err)
	}
	return withKey(av, matterKey(m.ID)), nil
}

func unmarshalMatter(av map[string]types.AttributeValue) (*casehold.Matter, error) {
	var it matterItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("decode matter: %w", err)
	}
	m := &casehold.Matter{
		ID:               it.ID,
		Kind:             casehold.MatterKind(it.Kind),
		Reference:        it.Reference,
		Contact:          it.Contact,
		Coordinator:      it.Coordinator,
		Status:           casehold.MatterStatus(it.Status),
		CreatedBy:        it.CreatedBy,
		ReleasedBy:       it.ReleasedBy,
		Version:          it.Version,
		CoordinatorEmail: it.CoordinatorEmail,
		ReleaseReason:    it.ReleaseReason,

		ReleaseNoticeSent: it.ReleaseNotice,
	}
	if it.Work != "" {
		if err := json.Unmarshal([]byte(it.Work), &m.Work); err != nil {
			return nil, fmt.Errorf("decode matter %s work: %w", it.ID, err)
		}
	}
	for _, p := range it.People {
		m.People = append(m.People, casehold.Person{PID: p.PID, Name: p.Name})
	}
	var err error
	if m.ReceivedOn, err = parseDate(it.ReceivedOn); err != nil {
		return nil, fmt.Errorf("decode matter %s: %w", it.ID, err)
	}
	if m.Deadline, err = parseDate(it.Deadline); err != nil {
		return nil, fmt.Errorf("decode matter %s: %w", it.ID, err)
	}
	if m.CreatedAt, err = parseTime(it.CreatedAt); err != nil {
		return nil, fmt.Errorf("decode matter %s: %w", it.ID, err)
	}
	if it.ReleasedAt != "" {
		t, err := parseTime(it.ReleasedAt)
		if err != nil {
			return nil, fmt.Errorf("decode matter %s: %w", it.ID, err)
		}
		m.ReleasedAt = &t
	}
	if it.ReleaseRequested != "" {
		t, err := parseTime(it.ReleaseRequested)
		if err != nil {
			return nil, fmt.Errorf("decode matter %s: %w", it.ID, err)
		}
		m.ReleaseRequestedAt = &t
	}
	return m, nil
}

type documentItem struct {
	ID         string   `dynamodbav:"id"`
	MatterIDs  []string `dynamodbav:"matter_ids"`
	HeldBy     []string `dynamodbav:"held_by"`
	PIDs       []string `dynamodbav:"pids"`
	DocType    string   `dynamodbav:"doc_type"`
	DocDate    string   `dynamodbav:"doc_date"`
	Filename   string   `dynamodbav:"filename"`
	SHA256     string   `dynamodbav:"sha256"`
	Size       int64    `dynamodbav:"size"`
	Source     string   `dynamodbav:"source"`
	Key        string   `dynamodbav:"key"`
	VersionID  string   `dynamodbav:"version_id"`
	UploadedBy string   `dynamodbav:"uploaded_by"`
	UploadedAt string   `dynamodbav:"uploaded_at"`
	Version    int64    `dynamodbav:"version"`
	// ActiveContent: absent when nothing was flagged.
	ActiveContent []string `dynamodbav:"active_content,omitempty"`
}

// nonNil keeps empty lists as empty lists: a nil slice would be stored as NULL.
func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func marshalDocument(d *casehold.Document, version int64) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(documentItem{
		ID:         d.ID,
		MatterIDs:  nonNil(d.MatterIDs),
		HeldBy:     nonNil(d.HeldBy),
		PIDs:       nonNil(d.PIDs),
		DocType:    d.DocType,
		DocDate:    d.DocDate.String(),
		Filename:   d.Filename,
		SHA256:     d.SHA256,
		Size:       d.Size,
		Source:     string(d.Source),
		Key:        d.Key,
		VersionID:  d.VersionID,
		UploadedBy: d.UploadedBy,
		UploadedAt: formatTime(d.UploadedAt),
		Version:    version,

		ActiveContent: d.ActiveContent,
	})
	if err != nil {
		return nil, fmt.Errorf("encode document: %w", err)
	}
	return withKey(av, documentKey(d.ID)), nil
}

func unmarshalDocument(av map[string]types.AttributeValue) (*casehold.Document, error) {
	var it documentItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	d := &casehold.Document{
		ID:         it.ID,
		MatterIDs:  it.MatterIDs,
		HeldBy:     it.HeldBy,
		PIDs:       it.PIDs,
		DocType:    it.DocType,
		Filename:   it.Filename,
		SHA256:     it.SHA256,
		Size:       it.Size,
		Source:     casehold.DocumentSource(it.Source),
		Key:        it.Key,
		VersionID:  it.VersionID,
		UploadedBy: it.UploadedBy,

		ActiveContent: it.ActiveContent,
		Version:       it.Version,
	}
	var err error
	if d.DocDate, err = parseDate(it.DocDate); err != nil {
		return nil, fmt.Errorf("decode document %s: %w", it.ID, err)
	}
	if d.UploadedAt, err = parseTime(it.UploadedAt); err != nil {
		return nil, fmt.Errorf("decode document %s: %w", it.ID, err)
	}
	return d, nil
}

// filingItem files a document under a matter. Its sort key orders a matter's documents
// by upload time; doc_id saves parsing it back out.
type filingItem struct {
	DocID string `dynamodbav:"doc_id"`
}

func filingKey(matterID string, d *casehold.Document) map[string]types.AttributeValue {
	return key(matterPK(matterID), filingPref+d.UploadedAt.UTC().Format(sortTime)+"#"+d.ID)
}

func marshalFiling(matterID string, d *casehold.Document) map[string]types.AttributeValue {
	return withKey(map[string]types.AttributeValue{"doc_id": str(d.ID)}, filingKey(matterID, d))
}

// legacyAuditItem is an event of the legacy hash chain (PK AUDIT, SK SEQ#<seq>), read
// only by the migration.
type legacyAuditItem struct {
	Seq        uint64 `dynamodbav:"seq"`
	ID         string `dynamodbav:"id"`
	Time       string `dynamodbav:"time"`
	Actor      string `dynamodbav:"actor"`
	Action     string `dynamodbav:"action"`
	MatterID   string `dynamodbav:"matter_id"`
	DocumentID string `dynamodbav:"document_id"`
	Outcome    string `dynamodbav:"outcome"`
	Code       string `dynamodbav:"code"`
	Detail     string `dynamodbav:"detail"`
	PrevHash   string `dynamodbav:"prev_hash"`
	Hash       string `dynamodbav:"hash"`
}

// MarshalLegacyAudit encodes an event as the legacy chain stored it; only the migration
// tests use it, to build a chain to migrate.
func MarshalLegacyAudit(e casehold.LegacyAuditEvent) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(legacyAuditItem{
		Seq: e.Seq, ID: e.ID, Time: formatTime(e.Time), Actor: e.Actor, Action: e.Action,
		MatterID: e.MatterID, DocumentID: e.DocumentID, Outcome: string(e.Outcome), Code: e.Code,
		Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash,
	})
	if err != nil {
		return nil, fmt.Errorf("encode legacy audit event: %w", err)
	}
	return withKey(av, key(pkAudit, seqSK(e.Seq))), nil
}

func unmarshalLegacyAudit(av map[string]types.AttributeValue) (casehold.LegacyAuditEvent, error) {
	var it legacyAuditItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return casehold.LegacyAuditEvent{}, fmt.Errorf("decode legacy audit event: %w", err)
	}
	t, err := parseTime(it.Time)
	if err != nil {
		return casehold.LegacyAuditEvent{}, fmt.Errorf("decode legacy audit event %d: %w", it.Seq, err)
	}
	return casehold.LegacyAuditEvent{AuditEvent: casehold.AuditEvent{
		Seq: it.Seq, ID: it.ID, Time: t, Actor: it.Actor, Action: it.Action, MatterID: it.MatterID,
		DocumentID: it.DocumentID, Outcome: casehold.Outcome(it.Outcome), Code: it.Code,
		Detail: it.Detail}, PrevHash: it.PrevHash, Hash: it.Hash,
	}, nil
}

func inboundKey(id string) map[string]types.AttributeValue { return key("INBOUND#"+id, skMeta) }
func inboundStatusPK(s casehold.InboundStatus) string      { return "INBOUND#" + string(s) }

// inboundItem is an inbound message as stored. Slices keep nil apart from empty (NULL
// against an empty list), so a record reads back exactly as it was written.
type inboundItem struct {
	GSI1PK       string                  `dynamodbav:"GSI1PK"`
	GSI1SK       string                  `dynamodbav:"GSI1SK"`
	ID           string                  `dynamodbav:"id"`
	Source       string                  `dynamodbav:"source"`
	Status       string                  `dynamodbav:"status"`
	Reason       string                  `dynamodbav:"reason"`
	From         string                  `dynamodbav:"from"`
	To           []string                `dynamodbav:"to"`
	Cc           []string                `dynamodbav:"cc"`
	Date         string                  `dynamodbav:"date"`
	MessageID    string                  `dynamodbav:"message_id"`
	Subject      string                  `dynamodbav:"subject"`
	MatterID     string                  `dynamodbav:"matter_id"`
	RawKey       string                  `dynamodbav:"raw_key"`
	RawVersionID string                  `dynamodbav:"raw_version_id"`
	RawSHA256    string                  `dynamodbav:"raw_sha256"`
	RawSize      int64                   `dynamodbav:"raw_size"`
	RawDocument  string                  `dynamodbav:"raw_document_id"`
	Attachments  []inboundAttachmentItem `dynamodbav:"attachments"`
	ReceivedAt   string                  `dynamodbav:"received_at"`
	AckSent      bool                    `dynamodbav:"ack_sent"`
	NoticeSent   bool                    `dynamodbav:"notice_sent"`
	Version      int64                   `dynamodbav:"version"`
}

// inboundAttachmentItem has short attribute names: they are repeated in every one of up
// to hundreds of attachments and count towards the 400 KB item limit.
type inboundAttachmentItem struct {
	Index       int    `dynamodbav:"i"`
	Filename    string `dynamodbav:"fn"`
	ContentType string `dynamodbav:"ct"`
	Size        int64  `dynamodbav:"sz"`
	SHA256      string `dynamodbav:"sha"`
	Key         string `dynamodbav:"key,omitempty"`
	VersionID   string `dynamodbav:"ver,omitempty"`
	Outcome     string `dynamodbav:"out"`
	DocumentID  string `dynamodbav:"doc"`
	// ActiveContent: absent when nothing was flagged.
	ActiveContent []string `dynamodbav:"ac,omitempty"`
}

// immutableInboundAttrs are left alone by UpdateInbound.
var immutableInboundAttrs = map[string]bool{"id": true}

func marshalInbound(m *casehold.InboundMessage, version int64) (map[string]types.AttributeValue, error) {
	it := inboundItem{
		GSI1PK:       inboundStatusPK(m.Status),
		GSI1SK:       m.ReceivedAt.UTC().Format(sortTime) + "#" + m.ID,
		ID:           m.ID,
		Source:       m.Source,
		Status:       string(m.Status),
		Reason:       m.Reason,
		From:         m.From,
		To:           m.To,
		Cc:           m.Cc,
		Date:         formatTime(m.Date),
		MessageID:    m.MessageID,
		Subject:      m.Subject,
		MatterID:     m.MatterID,
		RawKey:       m.RawKey,
		RawVersionID: m.RawVersionID,
		RawSHA256:    m.RawSHA256,
		RawSize:      m.RawSize,
		RawDocument:  m.RawDocument,
		ReceivedAt:   formatTime(m.ReceivedAt),
		AckSent:      m.AckSent,
		NoticeSent:   m.NoticeSent,
		Version:      version,
	}
	if m.Attachments != nil {
		it.Attachments = make([]inboundAttachmentItem, len(m.Attachments))
		for i, a := range m.Attachments {
			it.Attachments[i] = inboundAttachmentItem(a)
		}
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return nil, fmt.Errorf("encode inbound message: %w", err)
	}
	return withKey(av, inboundKey(m.ID)), nil
}

func unmarshalInbound(av map[string]types.AttributeValue) (*casehold.InboundMessage, error) {
	var it inboundItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return nil, fmt.Errorf("decode inbound message: %w", err)
	}
	m := &casehold.InboundMessage{
		ID:           it.ID,
		Source:       it.Source,
		Status:       casehold.InboundStatus(it.Status),
		Reason:       it.Reason,
		From:         it.From,
		To:           it.To,
		Cc:           it.Cc,
		MessageID:    it.MessageID,
		Subject:      it.Subject,
		MatterID:     it.MatterID,
		RawKey:       it.RawKey,
		RawVersionID: it.RawVersionID,
		RawSHA256:    it.RawSHA256,
		RawSize:      it.RawSize,
		RawDocument:  it.RawDocument,
		AckSent:      it.AckSent,
		NoticeSent:   it.NoticeSent,
		Version:      it.Version,
	}
	if it.Attachments != nil {
		m.Attachments = make([]casehold.InboundAttachment, len(it.Attachments))
		for i, a := range it.Attachments {
			m.Attachments[i] = casehold.InboundAttachment(a)
		}
	}
	var err error
	if m.Date, err = parseTime(it.Date); err != nil {
		return nil, fmt.Errorf("decode inbound message %s: %w", it.ID, err)
	}
	if m.ReceivedAt, err = parseTime(it.ReceivedAt); err != nil {
		return nil, fmt.Errorf("decode inbound message %s: %w", it.ID, err)
	}
	return m, nil
}

func unmarshalTree(item map[string]types.AttributeValue, it *treeItem) error {
	if err := attributevalue.UnmarshalMap(item, it); err != nil {
		return fmt.Errorf("decode audit tree: %w", err)
	}
	return nil
}
