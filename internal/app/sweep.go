package app

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
)

// dueBatch is how many due entries one read takes; the workers bound each phase's
// concurrency.
const (
	dueBatch     = 500
	sweepWorkers = 16  // plan: reads
	claimWorkers = 256 // claim and move: one conditional write each, batched by the store
	dryRunLimit  = 1_000_000
	sendWorkers  = 64 // send: the Mailer's calls; a refused (throttled) send is retried later
)

// Sweep runs the reminders due at `at` (the clock's now when zero). A dry run reads the
// same entries and plans the same messages, and changes nothing.
//
// It works in phases, each over every due subject at once, so that the store's writes
// share transactions and fsyncs (bbolt's batch; the audit journal's group commit) and a
// sweep costs a few commits rather than several per message:
//
//  1. plan: load each due subject, plan it, write its messages (reads only);
//  2. claim: queue every message under its occasion key (the conditional write);
//  3. move: move each subject's entry on, once all its messages are claimed;
//  4. send: deliver the messages this sweep claimed, then any older ones due a retry.
//
// A stop anywhere leaves entries due whose messages may be claimed already: the next sweep
// plans them again and finds those keys taken. Nothing is sent twice, nothing missed.
func (s *Reminders) Sweep(ctx context.Context, at time.Time, dryRun bool) (*SweepReport, error) {
	if at.IsZero() {
		at = s.now()
	}
	rep := &SweepReport{At: at, DryRun: dryRun, Mail: []PlannedMail{}}
	idx, err := s.dueIndex()
	if err != nil {
		return nil, err
	}
	mq, err := s.mailQueue()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var errs []error
	var claimed []*casehold.QueuedMail
	extra, err := s.ensureReports(ctx, idx, at, dryRun)
	if err != nil {
		return rep, err
	}
	// A real sweep reads a batch, moves it on, reads the next; a dry run moves nothing, so it
	// reads everything due in one go (the index has no cursor).
	limit := dueBatch
	if dryRun {
		limit = dryRunLimit
	}
	for {
		items, err := idx.DueBy(ctx, at, limit)
		if err != nil {
			return rep, fmt.Errorf("sweep: %w", err)
		}
		rep.DueRead += len(items)
		items, extra = append(items, extra...), nil
		var todo []casehold.DueItem
		for _, it := range items {
			if !seen[it.Key] { // a dry run leaves entries where they are; so does a lost race
				seen[it.Key] = true
				todo = append(todo, it)
			}
		}
		// 1. plan
		plans := make([]subjectPlan, len(todo))
		parallel(ctx, len(todo), sweepWorkers, func(i int) {
			plans[i] = s.planSubject(ctx, todo[i], at)
		})
		var all []*plannedMessage
		for i := range plans {
			rep.Subjects += plans[i].loaded
			for j := range plans[i].mail {
				m := &plans[i].mail[j]
				if m.planned.Problem == "" && plans[i].err == nil {
					all = append(all, m)
				}
			}
		}
		if !dryRun {
			// 2. claim
			parallel(ctx, len(all), claimWorkers, func(i int) {
				all[i].queued, all[i].created, all[i].err = s.claimMail(ctx, mq, all[i].planned.Key, all[i].matterID, all[i].msg)
			})
			// 3. move
			parallel(ctx, len(plans), claimWorkers, func(i int) {
				p := &plans[i]
				if p.err != nil {
					return
				}
				for _, m := range p.mail {
					if m.err != nil {
						p.err = m.err // the entry stays due: the next sweep claims it again
						return
					}
				}
				// Conditional on the entry as read, so a change to the subject meanwhile
				// (which re-planned it) wins.
				if err := idx.MoveDue(ctx, p.item.Key, p.item.Due, p.next); err != nil && casehold.ErrorCode(err) != casehold.ECONFLICT {
					p.err = fmt.Errorf("move %s on: %w", p.item.Key, err)
				}
			})
			for _, m := range all {
				m.planned.Queued = m.created
				if m.created {
					claimed = append(claimed, m.queued)
				}
			}
		}
		for _, p := range plans {
			for _, m := range p.mail {
				rep.Mail = append(rep.Mail, m.planned)
			}
			if p.err != nil && ctx.Err() == nil {
				s.Log.ErrorContext(ctx, "reminder not handled; the entry stays due", "subject", p.item.Key, "err", p.err)
				errs = append(errs, p.err)
			}
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if dryRun || len(todo) == 0 || len(items) < limit {
			break
		}
	}
	sort.Slice(rep.Mail, func(i, j int) bool { return rep.Mail[i].Key < rep.Mail[j].Key })
	if dryRun {
		return rep, errors.Join(errs...)
	}
	// 4. send: what this sweep claimed (it holds them), then older messages due a retry.
	var mu sync.Mutex
	parallel(ctx, len(claimed), sendWorkers, func(i int) {
		ok, err := s.send(ctx, mq, claimed[i])
		mu.Lock()
		defer mu.Unlock()
		if ok {
			rep.Delivery.Sent++
		} else if err != nil {
			rep.Delivery.Failed++
		}
	})
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	d, err := (&Sender{s.Deps}).DeliverMail(ctx)
	rep.Delivery.Sent += d.Sent
	rep.Delivery.Failed += d.Failed
	rep.Delivery.Skipped += d.Skipped
	return rep, errors.Join(append(errs, err)...)
}

// parallel runs fn(0..n-1) on at most workers goroutines, and stops handing out work when
// ctx ends.
func parallel(ctx context.Context, n, workers int, fn func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

// subjectPlan is what the plan phase makes of one due entry.
type subjectPlan struct {
	item   casehold.DueItem
	next   time.Time
	loaded int
	mail   []plannedMessage
	err    error
}

// plannedMessage is one message of a plan, and what claiming it gave.
type plannedMessage struct {
	planned  PlannedMail
	matterID string
	msg      casehold.Message
	queued   *casehold.QueuedMail
	created  bool
	err      error
}

// planSubject loads and plans one due subject and writes its live occasions' messages
// (reads only).
func (s *Reminders) planSubject(ctx context.Context, it casehold.DueItem, at time.Time) subjectPlan {
	p := subjectPlan{item: it}
	plan, next, subj, err := s.plan(ctx, it, at)
	if err != nil {
		p.err = err
		return p
	}
	p.next, p.loaded = next, 1
	live, _ := reminders.Due(plan, at)
	for _, o := range live {
		if subj.report != "" {
			ms, err := s.reportMessages(ctx, o, at)
			if err != nil {
				p.err = err
				return p
			}
			p.mail = append(p.mail, ms...)
			continue
		}
		pm, msg, err := s.occasionMessage(ctx, o, subj)
		if err != nil {
			p.err = err
			return p
		}
		m := plannedMessage{planned: pm, msg: msg}
		if subj.matter != nil {
			m.matterID = subj.matter.ID
		}
		p.mail = append(p.mail, m)
	}
	return p
}

// occasionMessage works out the recipients of one occasion and writes the message the
// policy lets them read.
func (s *Deps) occasionMessage(ctx context.Context, o reminders.Occasion, subj subject) (PlannedMail, casehold.Message, error) {
	pm := PlannedMail{Key: o.Key(), Kind: o.Kind, Subject: o.Subject}
	var msg casehold.Message
	to, cc, err := s.audience(ctx, o, subj)
	if err != nil {
		return pm, msg, err
	}
	if len(to) == 0 {
		pm.Problem = "no recipient with an email address"
		s.Log.WarnContext(ctx, "reminder has no recipient", "occasion", pm.Key)
		return pm, msg, nil
	}
	// The message is written for the main recipient; copies go only to people the policy
	// lets read it too, so nobody gets more than they may read.
	restricted, err := s.restricted(ctx, to[0], subj)
	if err != nil {
		return pm, msg, err
	}
	var ccOK []recipient
	for _, c := range cc {
		r, err := s.restricted(ctx, c, subj)
		if err != nil {
			return pm, msg, err
		}
		if !r || restricted {
			ccOK = append(ccOK, c)
		}
	}
	pm.Restricted = restricted
	subject, body := reminderText(o, subj, restricted)
	msg = casehold.Message{From: s.MailFrom, Subject: subject, Text: body}
	for _, r := range to {
		pm.To, msg.To = append(pm.To, r.label), append(msg.To, r.email)
	}
	for _, r := range ccOK {
		pm.Cc, msg.Cc = append(pm.Cc, r.label), append(msg.Cc, r.email)
	}
	return pm, msg, nil
}
