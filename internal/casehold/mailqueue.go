package casehold

import (
	"context"
	"time"
)

// The mail queue is casehold's one outgoing-mail path. Every notice, acknowledgement,
// reminder and report is first stored as a QueuedMail under the key of its occasion (what,
// for whom, which due date), in the one conditional write that also claims the occasion: a
// second attempt at the same occasion finds the key taken and stores nothing. A sender then
// delivers pending messages, retries failures with backoff, and marks a message sent only
// after the Mailer accepted it. A message can be sent twice only if the process stops
// between the Mailer's acceptance and the update that marks it sent (see app.MailSender).

// MailStatus is where a queued message is.
type MailStatus string

const (
	MailPending MailStatus = "pending" // waiting for (another) delivery attempt
	MailSent    MailStatus = "sent"    // the Mailer accepted it
	// MailFailed: the Mailer refused the message as malformed (EINVALID), which no retry
	// cures; it is logged and audited for a person to act on.
	MailFailed MailStatus = "failed"
)

// EvidenceAttachment is a secured document sent as an attachment: read from the evidence
// store (and its hash checked) when the message is delivered, so the queue record stays
// small whatever the size of the PDF.
type EvidenceAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	DocumentID  string `json:"document_id"`
}

// MaxInlineAttachmentBytes bounds the attachments a queued message carries itself; larger
// files go by EvidenceAttachment (a DynamoDB item is at most 400 KB, base64 adds a third).
const MaxInlineAttachmentBytes = 192 << 10

// QueuedMail is one outgoing message in the queue.
type QueuedMail struct {
	// Key is the occasion key: deterministic, so every retry of the same occasion (a
	// redelivered event, a sweep run again) finds the same record.
	Key     string  `json:"key"`
	Message Message `json:"message"`
	// MatterID links the message's audit events to its matter (empty for none).
	MatterID string `json:"matter_id,omitempty"`
	// Evidence are attachments read from the evidence store at delivery.
	Evidence []EvidenceAttachment `json:"evidence,omitempty"`
	Status   MailStatus           `json:"status"`
	// Attempts counts deliveries tried; NextAttempt is when the sender may try (again): a
	// sender taking the message moves it on by its lease, so a second sender leaves it.
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	// LastError is the error code of the last failed attempt (never the message text,
	// which could quote an address).
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
	TransportID string     `json:"transport_id,omitempty"`
	Version     int64      `json:"version"`
}

// Validate checks a message before it is queued: a key, a sender, a recipient, no line
// break in a header, inline attachments within bounds.
func (q *QueuedMail) Validate() error {
	if q.Key == "" || len(q.Key) > 512 {
		return Errorf(EINVALID, "queued mail: the occasion key is empty or longer than 512 characters")
	}
	m := q.Message
	if m.From == "" || len(m.To) == 0 {
		return Errorf(EINVALID, "queued mail: a sender and at least one recipient are required")
	}
	for _, h := range append(append([]string{m.From, m.Subject}, m.To...), m.Cc...) {
		for _, r := range h {
			if r == '\r' || r == '\n' {
				return Errorf(EINVALID, "queued mail: a header holds a line break")
			}
		}
	}
	n := 0
	for _, a := range m.Attachments {
		n += len(a.Data)
	}
	if n > MaxInlineAttachmentBytes {
		return Errorf(ETOOLARGE, "queued mail: inline attachments over %d KB must be kept as evidence and referenced", MaxInlineAttachmentBytes>>10)
	}
	return nil
}

// MailQueue keeps the outgoing-mail queue. Adapters: internal/boltstore,
// internal/dynamostore; contract: internal/storetest.
type MailQueue interface {
	// EnqueueMail stores q as pending with Version 1, due at q.NextAttempt, in one
	// conditional write on q.Key, and reports true; if the key exists already it changes
	// nothing and reports false (the occasion was claimed before).
	EnqueueMail(ctx context.Context, q *QueuedMail) (bool, error)
	// GetMail returns the message or ENOTFOUND.
	GetMail(ctx context.Context, key string) (*QueuedMail, error)
	// UpdateMail replaces the message if the stored Version equals q.Version, then sets
	// q.Version to the stored Version+1. ECONFLICT if the versions differ, ENOTFOUND if
	// absent. The index follows Status and NextAttempt.
	UpdateMail(ctx context.Context, q *QueuedMail) error
	// DueMail returns up to limit pending messages with NextAttempt at or before now,
	// earliest first, from an index (never reading sent messages).
	DueMail(ctx context.Context, now time.Time, limit int) ([]*QueuedMail, error)
}

// DueItem is one entry of the due-date index: a subject (a matter, a lock) to look at
// again at Due.
type DueItem struct {
	Key string    `json:"key"`
	Due time.Time `json:"due"`
}

// DueIndex is the due-date index the scheduled sweep reads, so its cost follows what is
// due, never the number of matters or locks. Adapters: internal/boltstore,
// internal/dynamostore; contract: internal/storetest.
type DueIndex interface {
	// SetDue makes key due at due (replacing any earlier entry), or removes it when due is
	// zero.
	SetDue(ctx context.Context, key string, due time.Time) error
	// MoveDue changes key's entry from `from` to `to` (removing it when to is zero), only
	// if it is still due at `from`. ECONFLICT if it changed or is absent.
	MoveDue(ctx context.Context, key string, from, to time.Time) error
	// GetDue returns the entry or ENOTFOUND.
	GetDue(ctx context.Context, key string) (DueItem, error)
	// DueBy returns up to limit entries due at or before t, earliest first, reading only
	// those entries.
	DueBy(ctx context.Context, t time.Time, limit int) ([]DueItem, error)
}
