package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// Every message casehold sends goes through the mail queue (casehold.MailQueue):
//
//  1. queueMail stores the message under its occasion key, in the one conditional write
//     that claims the occasion. A second attempt at the same occasion (a redelivered
//     event, a request or sweep run again) finds the key taken and adds nothing.
//  2. The first delivery is tried at once, so a notice still leaves with the request that
//     caused it; a failure leaves the message pending, never lost.
//  3. The sender (Sender.DeliverMail, run by every sweep and by `serve` on a ticker) takes
//     each pending message whose time has come: it first moves the message's next attempt
//     on by a lease (a conditional write, so two senders never both take it), sends it,
//     and marks it sent only after the Mailer accepted it. A failure sets the next attempt
//     by exponential backoff.
//
// The duplicate window: if the process stops after the Mailer accepted a message and before
// the write that marks it sent, the lease runs out and the message is sent again. That is
// the only way a message goes twice; the window is the time of one store write after the
// Mailer's answer (milliseconds), and the lease (MailLease) bounds how late the second copy
// comes. A cancelled context does not open the window (the write is finished regardless);
// a hard stop (SIGKILL, a Lambda killed at its timeout) repeats at most the messages in
// flight at that moment (a sweep sends up to sendWorkers at once). Delivery is at least
// once, by design: a lost notice is worse than a repeated one.

// MailLease is how long a sender holds a message it is sending; a sender that stops
// mid-send leaves it to the next after this. Longer than any one SES call.
const MailLease = 2 * time.Minute

// Retry backoff: the first retry after MailRetryBase, doubling, at most MailRetryMax apart.
const (
	MailRetryBase = time.Minute
	MailRetryMax  = time.Hour
)

// mailBatch bounds the messages one DeliverMail call takes per read.
const mailBatch = 100

// mailQueue is the store's queue.
func (s *Deps) mailQueue() (casehold.MailQueue, error) {
	q, ok := s.Store.(casehold.MailQueue)
	if !ok {
		return nil, casehold.Errorf(casehold.EINTERNAL, "the state store keeps no mail queue")
	}
	return q, nil
}

// occasionKey makes a key from its parts (what, for whom, which due date...). Parts are
// ids and dates, never personal data; a long key is hashed so it fits every store.
func occasionKey(parts ...string) string {
	k := ""
	for i, p := range parts {
		if i > 0 {
			k += "/"
		}
		k += p
	}
	if len(k) > 200 {
		sum := sha256.Sum256([]byte(k))
		k = parts[0] + "/" + hex.EncodeToString(sum[:16])
	}
	return k
}

// QueuedNotice is what queueMail reports: the message as stored, and whether this call
// queued it (false: the occasion had its message already).
type QueuedNotice struct {
	Mail    *casehold.QueuedMail
	Created bool
}

// queueMail stores msg for occasion key (once), then tries to deliver it at once. The
// error is about storing only: a failed delivery stays queued for the sender.
func (s *Deps) queueMail(ctx context.Context, key, matterID string, msg casehold.Message, evidence []casehold.EvidenceAttachment) (QueuedNotice, error) {
	mq, err := s.mailQueue()
	if err != nil {
		return QueuedNotice{}, err
	}
	q, created, err := s.claimMailWith(ctx, mq, key, matterID, msg, evidence)
	if err != nil || !created {
		return QueuedNotice{Mail: q}, err
	}
	// The message's own audit events are its delivery (mail.sent) or each refusal
	// (mail.send); the use case that queued it audits itself.
	if _, err := s.send(ctx, mq, q); err != nil {
		s.Log.WarnContext(ctx, "mail queued; first delivery failed, the sender retries it", "occasion", key, "code", casehold.ErrorCode(err))
	}
	return QueuedNotice{Mail: q, Created: true}, nil
}

// claimMail stores msg for occasion key unless the key is taken, and returns the message
// as stored and whether this call stored it. A message it stores is already taken by this
// process for its first attempt (attempt 1, leased), so the first delivery needs no second
// write to take it; if this process stops before sending, the sender takes it when the
// lease ends.
func (s *Deps) claimMail(ctx context.Context, mq casehold.MailQueue, key, matterID string, msg casehold.Message) (*casehold.QueuedMail, bool, error) {
	return s.claimMailWith(ctx, mq, key, matterID, msg, nil)
}

func (s *Deps) claimMailWith(ctx context.Context, mq casehold.MailQueue, key, matterID string, msg casehold.Message, evidence []casehold.EvidenceAttachment) (*casehold.QueuedMail, bool, error) {
	if msg.From == "" {
		msg.From = s.MailFrom
	}
	now := s.now()
	q := &casehold.QueuedMail{Key: key, MatterID: matterID, Message: msg, Evidence: evidence, Attempts: 1, NextAttempt: now.Add(MailLease), CreatedAt: now}
	created, err := mq.EnqueueMail(ctx, q)
	if err != nil {
		return nil, false, fmt.Errorf("queue mail: %w", err)
	}
	if !created {
		if q, err = mq.GetMail(ctx, key); err != nil {
			return nil, false, fmt.Errorf("queue mail: %w", err)
		}
	}
	return q, created, nil
}

func keyHash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

// DeliveryReport says what one DeliverMail call did.
type DeliveryReport struct {
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`  // attempts that failed and will be retried
	Skipped int `json:"skipped"` // taken by another sender meanwhile
}

// DeliverMail sends every pending message whose time has come. Safe to run in several
// processes at once: each message is taken by one sender (a conditional write) before it
// is sent.
func (s *Sender) DeliverMail(ctx context.Context) (DeliveryReport, error) {
	var rep DeliveryReport
	mq, err := s.mailQueue()
	if err != nil {
		return rep, err
	}
	seen := map[string]bool{}
	for {
		due, err := mq.DueMail(ctx, s.now(), mailBatch)
		if err != nil {
			return rep, fmt.Errorf("deliver mail: %w", err)
		}
		fresh := 0
		for _, q := range due {
			if seen[q.Key] {
				continue
			}
			seen[q.Key] = true
			fresh++
			sent, err := s.deliver(ctx, mq, q)
			switch {
			case sent:
				rep.Sent++
			case casehold.ErrorCode(err) == casehold.ECONFLICT:
				rep.Skipped++
			case err != nil && ctx.Err() != nil:
				return rep, ctx.Err()
			case err != nil:
				rep.Failed++
			}
		}
		if fresh == 0 || len(due) < mailBatch {
			return rep, nil
		}
	}
}

// deliver takes q (lease), sends it and records the outcome. It reports whether the
// Mailer accepted it; ECONFLICT means another sender has it.
func (s *Deps) deliver(ctx context.Context, mq casehold.MailQueue, q *casehold.QueuedMail) (bool, error) {
	now := s.now()
	if q.Status != casehold.MailPending || now.Before(q.NextAttempt) {
		return false, nil
	}
	q.Attempts++
	q.NextAttempt = now.Add(MailLease)
	if err := mq.UpdateMail(ctx, q); err != nil {
		return false, err // another sender took it (ECONFLICT), or the store failed
	}
	return s.send(ctx, mq, q)
}

// send makes one attempt at q, which this process holds (leased), and records the outcome.
func (s *Deps) send(ctx context.Context, mq casehold.MailQueue, q *casehold.QueuedMail) (bool, error) {
	msg, err := s.withEvidence(ctx, q)
	var id string
	if err == nil {
		id, err = s.Mail.Send(ctx, msg)
	}
	if err != nil {
		code := casehold.ErrorCode(err)
		q.LastError = code
		if code == casehold.EINVALID || code == casehold.EINTEGRITY {
			// No retry cures a malformed message or a missing attachment: a person must act.
			q.Status = casehold.MailFailed
			s.Log.ErrorContext(ctx, "mail refused; not retried", "occasion", q.Key, "code", code)
		} else {
			q.NextAttempt = s.now().Add(retryDelay(q.Attempts))
		}
		if uerr := mq.UpdateMail(ctx, q); uerr != nil {
			s.Log.ErrorContext(ctx, "mail failure not recorded; the lease ends and it is tried again", "occasion", q.Key, "err", uerr)
		}
		_ = s.refuse(ctx, SystemActor, "mail.send", q.MatterID, "", err)
		return false, fmt.Errorf("deliver %s: %w", q.Key, err)
	}
	sentAt := s.now()
	q.Status, q.SentAt, q.TransportID, q.LastError = casehold.MailSent, &sentAt, id, ""
	// This write closes the duplicate window: until it lands, a stop means a resend. The
	// Mailer has accepted, so it is finished even if the caller gave up meanwhile (a
	// cancelled sweep, a request whose client went away).
	ctx = context.WithoutCancel(ctx)
	if err := mq.UpdateMail(ctx, q); err != nil {
		s.Log.ErrorContext(ctx, "mail sent but not marked sent; it may be sent again when the lease ends", "occasion", q.Key, "err", err)
		return true, nil
	}
	if err := s.audit(ctx, casehold.AuditEvent{ID: "ev-mail-" + keyHash(q.Key), Actor: SystemActor.ID, Action: "mail.sent", MatterID: q.MatterID,
		Detail: fmt.Sprintf("occasion=%s attempts=%d message=%s", q.Key, q.Attempts, id)}); err != nil {
		s.Log.ErrorContext(ctx, "audit of a sent message failed", "occasion", q.Key, "err", err)
	}
	return true, nil
}

// retryDelay is the backoff before attempt n+1.
func retryDelay(attempts int) time.Duration {
	d := MailRetryBase
	for i := 1; i < attempts && d < MailRetryMax; i++ {
		d *= 2
	}
	return min(d, MailRetryMax)
}

// withEvidence adds the secured documents the message carries, read and hash-checked now.
func (s *Deps) withEvidence(ctx context.Context, q *casehold.QueuedMail) (casehold.Message, error) {
	msg := q.Message
	if len(q.Evidence) == 0 {
		return msg, nil
	}
	msg.Attachments = append([]casehold.Attachment(nil), msg.Attachments...)
	for _, e := range q.Evidence {
		d, err := s.Store.GetDocument(ctx, e.DocumentID)
		if err != nil {
			if casehold.ErrorCode(err) == casehold.ENOTFOUND {
				return msg, casehold.Errorf(casehold.EINTEGRITY, "an attached document's record is missing")
			}
			return msg, err
		}
		data, err := s.readVerified(ctx, d)
		if err != nil {
			return msg, err
		}
		msg.Attachments = append(msg.Attachments, casehold.Attachment{Filename: e.Filename, ContentType: e.ContentType, Data: data})
	}
	return msg, nil
}
