package casehold

import "time"

// InboundStatus is where an inbound email stands.
type InboundStatus string

const (
	// InboundSecured: routed to a matter; its PDFs and the raw message are held evidence.
	InboundSecured InboundStatus = "secured"
	// InboundTriage: passed the checks but matched no matter; waits for a coordinator.
	InboundTriage InboundStatus = "triage"
	// InboundQuarantined: refused (failed SES verdicts, sender not allowed, unreadable);
	// kept with the reason, never dropped.
	InboundQuarantined InboundStatus = "quarantined"
)

// InboundAttachment is what became of one attachment of an inbound email.
type InboundAttachment struct {
	Index       int    `json:"index"`
	Filename    string `json:"filename"` // sanitised; may be personal data: never logged
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256,omitempty"` // as casehold hashed it while storing
	// Key and VersionID name the stored version of an accepted PDF.
	Key       string `json:"key,omitempty"`
	VersionID string `json:"version_id,omitempty"`
	// Outcome: "secured", "not_pdf", "encrypted_pdf", "truncated_pdf", "too_large", "pending" (triage).
	Outcome    string `json:"outcome"`
	DocumentID string `json:"document_id,omitempty"`
	// ActiveContent is what the PDF check flagged (see Document.ActiveContent).
	ActiveContent []string `json:"active_content,omitempty"`
}

// InboundMessage records one email taken in (from SES via S3, or a local .eml file) and
// what casehold did with it. Subject, addresses and file names may hold personal data:
// they are stored for authorised staff and never logged or put in an email subject.
type InboundMessage struct {
	ID        string        `json:"id"`     // deterministic from Source, so redelivery finds it
	Source    string        `json:"source"` // e.g. s3://bucket/key#version, or local:<sha256>
	Status    InboundStatus `json:"status"`
	Reason    string        `json:"reason,omitempty"` // why quarantined or in triage (safe text)
	From      string        `json:"from"`
	To        []string      `json:"to"`
	Cc        []string      `json:"cc,omitempty"`
	Date      time.Time     `json:"date"`
	MessageID string        `json:"message_id"`
	Subject   string        `json:"subject"`
	MatterID  string        `json:"matter_id,omitempty"`
	// RawKey/RawVersionID locate the raw message in the evidence store (empty if it could
	// not be copied, e.g. over the size limit: then Source still holds it).
	RawKey       string              `json:"raw_key,omitempty"`
	RawVersionID string              `json:"raw_version_id,omitempty"`
	RawSHA256    string              `json:"raw_sha256,omitempty"`
	RawSize      int64               `json:"raw_size"`
	RawDocument  string              `json:"raw_document_id,omitempty"` // the raw message as a held document
	Attachments  []InboundAttachment `json:"attachments"`
	ReceivedAt   time.Time           `json:"received_at"`
	AckSent      bool                `json:"ack_sent"`
	NoticeSent   bool                `json:"notice_sent"` // the matter's coordinator was told
	// Version is the optimistic-concurrency counter kept by the Store.
	Version int64 `json:"version"`
}
