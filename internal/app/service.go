// Package app holds casehold's use cases: each loads state, lets the domain decide, stores
// the outcome, appends an audit event and sends any notice. Authorisation is decided here,
// so every host (HTTP, S3 event, CLI) gets the same answer.
package app

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
)

// Deps is what every capability of the application uses: the ports, the clock and ids, and
// the council's settings. The helpers every use case shares (audit, refuse, the access
// policy, securing evidence) are its methods. All fields are required except where noted.
type Deps struct {
	Store    casehold.Store
	Evidence casehold.Evidence
	Mail     casehold.Mailer
	Staging  casehold.Staging
	Clock    casehold.Clock
	IDs      casehold.IDs
	Log      *slog.Logger

	// MaxUploadBytes bounds one document.
	MaxUploadBytes int64
	// MailFrom is the sender of every notice.
	MailFrom string
	// EDTEmail is the Emergency Duty Team's mailbox, told when holds are lifted.
	EDTEmail string
	// AssessmentEmail is the assessment team's mailbox, copied on contacts for locked cases.
	AssessmentEmail string
	// LegalEmail is legal services' mailbox, told when a matter is confirmed.
	LegalEmail string
	// Council names the council on forms and receipts.
	Council string
	// Intake configures email intake.
	Intake IntakeSettings
	// LiftsHolds says this process's credentials may turn legal holds off. In AWS only the
	// release function's role may (the bucket policy refuses everyone else); the API then
	// records a release and leaves the lifting to that function. Locally it is true.
	LiftsHolds bool
	// Locks and Staff keep locked cases and the staff directory (the same store adapters).
	Locks casehold.LockStore
	Staff casehold.StaffStore
	// SeniorLeadershipEmail receives the twice-yearly locked-cases summary.
	SeniorLeadershipEmail string
	// Remind holds the reminder intervals (zero values take reminders.DefaultSettings).
	Remind reminders.Settings
	// AuditLog proves and verifies the audit log (and, where this process sequences it, is
	// told of new events). Required for the audit routes; recording needs only Store.
	AuditLog *auditlog.Log

	// Export jobs (exportjobs.go): where jobs are kept and built packs wait for download.
	// StartExport, where set, is told of each new job (the local server builds it in a
	// goroutine); in AWS it is nil and the table's stream starts the export function.
	ExportJobs  casehold.ExportJobStore
	Packs       casehold.PackStore
	StartExport func(jobID string)
}

// SystemActor is who acts for outside events (S3, SES, schedules).
var SystemActor = casehold.Actor{ID: "system", Name: "casehold"}

func (s *Deps) now() time.Time { return s.Clock.Now().UTC() }

func (s *Deps) today() casehold.Date { return casehold.DateOf(s.now()) }

// audit records one event before the request answers: one idempotent write keyed by the
// event id, which waits on no other request (the sequencer integrates it into the Merkle
// log afterwards, in a batch). An event whose id was recorded before came from an earlier
// delivery of the same outside event: that is success, not a duplicate.
func (s *Deps) audit(ctx context.Context, e casehold.AuditEvent) error {
	if auditOff {
		return nil
	}
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	if e.ID == "" {
		e.ID = eventID(e.Time, s.IDs.New())
	}
	if e.Outcome == "" {
		e.Outcome = casehold.OutcomeOK
	}
	if err := s.Store.RecordAudit(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	if s.AuditLog != nil {
		s.AuditLog.Notify()
	}
	return nil
}

// eventID begins with the time, so the log's id index grows at its end (the embedded
// store then rewrites a few pages per batch, not one page per event) and stays random
// after it, so that ids cannot be guessed.
func eventID(t time.Time, random string) string {
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(t.UnixMilli()))
	return "ev-" + timeIDEncoding.EncodeToString(ms[2:]) + random
}

// timeIDEncoding sorts like the bytes it encodes (base32hex, RFC 4648).
var timeIDEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// refuse audits a refused or failed action and returns err unchanged, so callers can write
// `return s.refuse(ctx, ...)`. An audit failure is logged, never hidden behind err.
func (s *Deps) refuse(ctx context.Context, actor casehold.Actor, action, matterID, docID string, err error) error {
	return s.refuseFor(ctx, actor, action, matterID, docID, nil, err)
}

// refuseFor is refuse naming the children the refused action touched, so "who tried to see
// this child" finds it too.
func (s *Deps) refuseFor(ctx context.Context, actor casehold.Actor, action, matterID, docID string, pids []string, err error) error {
	outcome := casehold.OutcomeRefused
	code := casehold.ErrorCode(err)
	if code == casehold.EINTERNAL {
		outcome = casehold.OutcomeFailed
	}
	if aerr := s.audit(ctx, casehold.AuditEvent{Actor: actor.ID, Action: action, MatterID: matterID,
		DocumentID: docID, PIDs: pids, Outcome: outcome, Code: code}); aerr != nil {
		s.Log.ErrorContext(ctx, "audit of a refusal failed", "action", action, "err", aerr)
	}
	return err
}

// RandomIDs makes ids of 16 base32 characters (80 bits) from crypto/rand.
type RandomIDs struct{}

// New returns a fresh id.
func (RandomIDs) New() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err)) // the platform is broken; nothing safe to do
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns the current time.
func (SystemClock) Now() time.Time { return time.Now() }

// The application's capabilities: each is a small service over the same Deps, with the use
// cases of one part of the procedures.
type (
	// Matters opens, lists and reads preservation matters, assigns their legal officers and
	// releases them (the release run included).
	Matters struct{ *Deps }
	// Documents secures, lists, serves, holds and verifies evidence, and takes in uploads.
	Documents struct{ *Deps }
	// CaseWork records the CCRC work: areas, records, access, paper files, receipts,
	// education, visits, progress and the confirmation form.
	CaseWork struct{ *Deps }
	// Reviews carries out serious case reviews.
	Reviews struct{ *Deps }
	// Disclosures prepares, reviews and sends material to outside parties.
	Disclosures struct{ *Deps }
	// EmailIntake takes in, routes, triages and files inbound email.
	EmailIntake struct{ *Deps }
	// AuditTrail lists, proves and verifies the audit log, and answers "who saw this child".
	AuditTrail struct{ *Deps }
	// LockedCases locks children's records, reviews and lifts locks, handles temporary and
	// break-glass access, the helpdesk lookup and contacts, and the staff directory.
	LockedCases struct{ *Deps }
	// Exports makes evidence packs of matters (export.go).
	Exports struct{ *Deps }
	// Disposals classifies documents under the retention schedule, keeps IG's disposal
	// review and runs disposals (disposal.go).
	Disposals struct{ *Deps }
	// Sender delivers the queued mail (mailqueue.go).
	Sender struct{ *Deps }
	// Reminders runs the scheduled sweep: reminders, escalations and reports (reminders.go).
	Reminders struct{ *Deps }
)

// Service is every capability over one Deps, for the hosts (HTTP, events, CLI) that offer
// them all. Its fields are the Deps' (promoted), so one assignment changes every capability.
type Service struct {
	*Deps
	Matters
	Documents
	CaseWork
	Reviews
	Disclosures
	EmailIntake
	AuditTrail
	LockedCases
	Exports
	Disposals
	Sender
	Reminders
}

// New assembles the capabilities over d.
func New(d *Deps) *Service {
	return &Service{Deps: d, Matters: Matters{d}, Documents: Documents{d}, CaseWork: CaseWork{d}, Reviews: Reviews{d},
		Disclosures: Disclosures{d}, EmailIntake: EmailIntake{d}, AuditTrail: AuditTrail{d}, LockedCases: LockedCases{d},
		Exports: Exports{d}, Disposals: Disposals{d}, Sender: Sender{d}, Reminders: Reminders{d}}
}
