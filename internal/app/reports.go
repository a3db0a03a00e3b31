package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/ccrcform"
	"github.com/casehold/casehold/internal/reminders"
	"github.com/casehold/casehold/internal/workdays"
)

// The locked-cases reports. Every two months each manager's locked cases, with their
// current access, go as PDF and CSV to the manager's service manager (the line manager in
// the staff directory), the manager copied; twice a year the numbers and status go to the
// senior leadership address. Each report is one subject of the due-date index, put there
// by the first sweep.

// ensureReports puts the report subjects in the due-date index if they are not there. A
// dry run changes nothing: it returns them as entries to plan instead.
func (s *Reminders) ensureReports(ctx context.Context, idx casehold.DueIndex, at time.Time, dryRun bool) ([]casehold.DueItem, error) {
	if s.Locks == nil {
		return nil, nil
	}
	var extra []casehold.DueItem
	for _, key := range []string{reminders.LockedReportKey, reminders.LockedSummaryKey} {
		_, err := idx.GetDue(ctx, key)
		if casehold.ErrorCode(err) != casehold.ENOTFOUND {
			if err != nil {
				return nil, fmt.Errorf("sweep: %w", err)
			}
			continue
		}
		// First time: due at the start of the period in force, so the first report goes
		// now if its period's day has come, else on that day.
		plan := reminders.Report(key, s.Remind, at)
		live, next := reminders.Due(plan, at)
		due := next
		if len(live) > 0 {
			due = live[0].At
		}
		if dryRun {
			if !due.After(at) {
				extra = append(extra, casehold.DueItem{Key: key, Due: due})
			}
			continue
		}
		if err := idx.SetDue(ctx, key, due); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}
	return extra, nil
}

// periodName says which months a report covers, e.g. "January and February 2027".
func periodName(o reminders.Occasion) string {
	start := o.Due.Time()
	months := 2
	if o.Kind == reminders.LockedSummary {
		months = 6
	}
	end := start.AddDate(0, months-1, 0)
	if start.Year() != end.Year() {
		return start.Format("January 2006") + " to " + end.Format("January 2006")
	}
	if months == 2 {
		return start.Format("January") + " and " + end.Format("January 2006")
	}
	return start.Format("January") + " to " + end.Format("January 2006")
}

// reportMessages writes the messages of one report occasion.
func (s *Deps) reportMessages(ctx context.Context, o reminders.Occasion, at time.Time) ([]plannedMessage, error) {
	if s.Locks == nil {
		return nil, nil
	}
	// Every active lock, from the review-date index: what a locked-cases report is about,
	// and nothing else.
	locks, err := s.Locks.LocksDueBy(ctx, casehold.LatestDate)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if len(locks) == 0 {
		return nil, nil // no locked case: nothing to report, to anyone
	}
	if o.Kind == reminders.LockedSummary {
		return s.summaryMessage(o, locks, at), nil
	}
	byOwner := map[string][]*casehold.Lock{}
	for _, l := range locks {
		byOwner[l.Owner] = append(byOwner[l.Owner], l)
	}
	owners := make([]string, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	var out []plannedMessage
	for _, owner := range owners {
		m, err := s.lockReport(ctx, o, owner, byOwner[owner], at)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// lockReport is one manager's report, to their service manager with them copied. Rows are
// written as the policy lets the service manager read them.
func (s *Deps) lockReport(ctx context.Context, o reminders.Occasion, owner string, locks []*casehold.Lock, at time.Time) (plannedMessage, error) {
	period := periodName(o)
	pm := PlannedMail{Key: strings.Join([]string{string(o.Kind), owner, o.Due.String()}, "/"), Kind: o.Kind, Subject: owner}
	m := plannedMessage{planned: pm}
	to, cc, err := s.audience(ctx, reminders.Occasion{Kind: o.Kind, To: reminders.ToLockOwnerManager}, subject{lock: locks[0]})
	if err != nil {
		return m, err
	}
	if len(to) == 0 {
		m.planned.Problem = "no recipient with an email address"
		return m, nil
	}
	rows, restricted, err := s.lockRows(ctx, to[0], locks, at)
	if err != nil {
		return m, err
	}
	var csvBuf, pdfBuf bytes.Buffer
	cw := csv.NewWriter(&csvBuf)
	_ = cw.Write(ccrcform.LockReportColumns)
	_ = cw.WriteAll(rows) // writes to memory; WriteAll flushes
	generated := at.In(workdays.London()).Format("2 January 2006 15:04")
	if err := ccrcform.RenderLockReport(&pdfBuf, ccrcform.LockReport{Council: s.Council, Manager: owner, Period: period, GeneratedAt: generated, Rows: rows}); err != nil {
		return m, err
	}
	name := "Locked cases " + owner + " " + o.Due.String()
	atts := []casehold.Attachment{{Filename: name + ".pdf", ContentType: "application/pdf", Data: pdfBuf.Bytes()},
		{Filename: name + ".csv", ContentType: "text/csv", Data: csvBuf.Bytes()}}
	formats := "PDF and CSV"
	if pdfBuf.Len()+csvBuf.Len() > casehold.MaxInlineAttachmentBytes {
		// About a thousand cases for one manager: the queue record would be too large, so
		// the CSV alone goes (the same rows).
		atts, formats = atts[1:], "CSV (too many cases for the PDF copy)"
	}
	m.msg = casehold.Message{From: s.MailFrom, Subject: "casehold: locked cases report for " + owner + " (" + period + ")",
		Text: fmt.Sprintf("The bi-monthly locked-cases report of %s for %s: %d locked case(s), each with its current access, attached as %s.\n"+
			"Cases you may not open show the lock id and dates only (%d here).\n", owner, period, len(locks), formats, restricted),
		Attachments: atts}
	for _, r := range to {
		m.planned.To, m.msg.To = append(m.planned.To, r.label), append(m.msg.To, r.email)
	}
	for _, r := range cc {
		m.planned.Cc, m.msg.Cc = append(m.planned.Cc, r.label), append(m.msg.Cc, r.email)
	}
	m.planned.Restricted = restricted > 0
	return m, nil
}

// lockRows are the report's rows for reader r: a lock the policy keeps from them shows its
// id, status and dates only (no PID, reason or names of access). It returns how many were
// kept back.
func (s *Deps) lockRows(ctx context.Context, r recipient, locks []*casehold.Lock, at time.Time) ([][]string, int, error) {
	rows := make([][]string, 0, len(locks))
	kept := 0
	for _, l := range locks {
		hidden, err := s.restricted(ctx, r, subject{lock: l})
		if err != nil {
			return nil, 0, err
		}
		live, glass := 0, 0
		for _, t := range l.Temporary {
			if t.Live(at) {
				live++
			}
		}
		for _, b := range l.BreakGlass {
			if !b.Reviewed {
				glass++
			}
		}
		row := []string{l.ID, "", "", string(l.Status), l.ReviewDue.String(), "", "", "", "", fmt.Sprint(live), fmt.Sprint(glass)}
		if hidden {
			kept++
		} else {
			row[1], row[2] = l.PID, string(l.Reason)
			row[5], row[6] = strings.Join(l.AllowStaff, ";"), strings.Join(l.AllowTeams, ";")
			row[7], row[8] = strings.Join(l.DenyStaff, ";"), strings.Join(l.DenyTeams, ";")
		}
		rows = append(rows, row)
	}
	return rows, kept, nil
}

// summaryMessage is the twice-yearly summary: numbers and status only, no case.
func (s *Deps) summaryMessage(o reminders.Occasion, locks []*casehold.Lock, at time.Time) []plannedMessage {
	pm := PlannedMail{Key: strings.Join([]string{string(o.Kind), o.Due.String()}, "/"), Kind: o.Kind, Subject: "summary"}
	if s.SeniorLeadershipEmail == "" {
		pm.Problem = "no senior leadership address (CASEHOLD_SLT_EMAIL)"
		return []plannedMessage{{planned: pm}}
	}
	pm.To = []string{"senior-leadership"}
	today := workdays.Today(at)
	byReason := map[casehold.LockReason]int{}
	overdue, unconfirmed, temporary, glass, suppressed := 0, 0, 0, 0, 0
	owners := map[string]bool{}
	for _, l := range locks {
		byReason[l.Reason]++
		owners[l.Owner] = true
		if l.ReviewDue.Before(today) {
			overdue++
		}
		if !l.OwnerConfirmed {
			unconfirmed++
		}
		if l.SuppressNotice {
			suppressed++
		}
		for _, t := range l.Temporary {
			if t.Live(at) {
				temporary++
			}
		}
		for _, b := range l.BreakGlass {
			if !b.Reviewed {
				glass++
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Locked cases: summary for %s (as at %s).\n\n", periodName(o), at.In(workdays.London()).Format("2 January 2006"))
	fmt.Fprintf(&b, "Cases locked: %d, held by %d manager(s).\n", len(locks), len(owners))
	reasons := slices.Clone(casehold.LockReasons)
	for _, r := range reasons {
		fmt.Fprintf(&b, "  %-26s %d\n", strings.ReplaceAll(string(r), "_", " ")+":", byReason[r])
	}
	fmt.Fprintf(&b, "Monthly reviews overdue: %d.\nLocks whose owner is not yet confirmed: %d.\nNotices suppressed: %d.\n", overdue, unconfirmed, suppressed)
	fmt.Fprintf(&b, "Temporary accesses in force: %d. Break-glass accesses awaiting the owner's review: %d.\n", temporary, glass)
	msg := casehold.Message{From: s.MailFrom, To: []string{s.SeniorLeadershipEmail}, Subject: "casehold: locked cases summary (" + periodName(o) + ")", Text: b.String()}
	return []plannedMessage{{planned: pm, msg: msg}}
}

// lateReviewRecord tells a serious case review's senior manager that a record was added
// after the review's confirmation was sent (records found later are added as soon as
// found, and the confirmation no longer covers them). Queued once per document; ids only.
func (s *Deps) lateReviewRecord(ctx context.Context, m *casehold.Matter, d *casehold.Document) {
	if m.Kind != casehold.KindSeriousCaseReview || m.Work.SCR == nil || m.Work.SCR.ConfirmationSentOn.IsZero() || m.Work.SCR.SeniorManagerEmail == "" {
		return
	}
	msg := casehold.Message{From: s.MailFrom, To: []string{m.Work.SCR.SeniorManagerEmail},
		Subject: "casehold: a record was added to serious case review " + m.ID + " after its confirmation",
		Text: fmt.Sprintf("Document %s was secured under serious case review %s on %s, after the confirmation of %s was sent.\n"+
			"Please consider whether the board manager should be told.\n", d.ID, m.ID, s.today(), m.Work.SCR.ConfirmationSentOn)}
	if _, err := s.queueMail(ctx, occasionKey("scr.late_record", m.ID, d.ID), m.ID, msg, nil); err != nil {
		s.Log.ErrorContext(ctx, "late-record notice not queued", "matter", m.ID, "document", d.ID, "err", err)
	}
}
