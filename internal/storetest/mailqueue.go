package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

func mailQueue(t *testing.T, newHarness func(t *testing.T) Harness) casehold.MailQueue {
	t.Helper()
	q, ok := newHarness(t).Store.(casehold.MailQueue)
	if !ok {
		t.Fatal("the store keeps no mail queue (casehold.MailQueue)")
	}
	return q
}

func dueIndex(t *testing.T, newHarness func(t *testing.T) Harness) casehold.DueIndex {
	t.Helper()
	d, ok := newHarness(t).Store.(casehold.DueIndex)
	if !ok {
		t.Fatal("the store keeps no due-date index (casehold.DueIndex)")
	}
	return d
}

// NewQueuedMail returns a valid message for occasion key, due at next.
func NewQueuedMail(key string, next time.Time) *casehold.QueuedMail {
	return &casehold.QueuedMail{Key: key, NextAttempt: next, CreatedAt: next,
		Message: casehold.Message{From: "casehold@council.example", To: []string{"officer@council.example"}, Subject: "casehold: reminder", Text: "body"}}
}

// keysOf lists key(x) for each x, in order.
func keysOf[T any](xs []T, key func(T) string) []string {
	out := []string{}
	for _, x := range xs {
		out = append(out, key(x))
	}
	return out
}

func mailKeys(qs []*casehold.QueuedMail) []string {
	return keysOf(qs, func(q *casehold.QueuedMail) string { return q.Key })
}

func testMailQueue(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("EnqueueOnce", func(t *testing.T) {
		mq := mailQueue(t, newHarness)
		first := NewQueuedMail("ccrc.warn/m-1/2026-03-20", base)
		created, err := mq.EnqueueMail(ctx(), first)
		mustOK(t, err)
		if !created || first.Version != 1 || first.Status != casehold.MailPending {
			t.Fatalf("first enqueue: created=%v version=%d status=%s", created, first.Version, first.Status)
		}
		again := NewQueuedMail("ccrc.warn/m-1/2026-03-20", base.Add(time.Hour))
		again.Message.Text = "another body"
		created, err = mq.EnqueueMail(ctx(), again)
		mustOK(t, err)
		if created {
			t.Fatal("a second enqueue of the same occasion stored a message")
		}
		got, err := mq.GetMail(ctx(), first.Key)
		mustOK(t, err)
		if got.Message.Text != "body" || !got.NextAttempt.Equal(base) || got.Version != 1 {
			t.Fatalf("stored = %+v, want the first message unchanged", got)
		}
	})
	t.Run("EnqueueConcurrent", func(t *testing.T) {
		mq := mailQueue(t, newHarness)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				created, err := mq.EnqueueMail(ctx(), NewQueuedMail("race", base))
				if err != nil {
					t.Error(err)
				}
				if created {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d enqueues of one occasion reported created, want 1", wins)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		mq := mailQueue(t, newHarness)
		bad := NewQueuedMail("k", base)
		bad.Message.To = nil
		_, err := mq.EnqueueMail(ctx(), bad)
		mustCode(t, err, casehold.EINVALID)
		_, err = mq.GetMail(ctx(), "k")
		mustCode(t, err, casehold.ENOTFOUND)
	})
	t.Run("DueAndUpdate", func(t *testing.T) {
		mq := mailQueue(t, newHarness)
		for i, off := range []time.Duration{2 * time.Minute, 0, time.Minute, time.Hour} {
			_, err := mq.EnqueueMail(ctx(), NewQueuedMail(fmt.Sprintf("k%d", i), base.Add(off)))
			mustOK(t, err)
		}
		due, err := mq.DueMail(ctx(), base.Add(2*time.Minute), 10)
		mustOK(t, err)
		if got := fmt.Sprint(mailKeys(due)); got != "[k1 k2 k0]" {
			t.Fatalf("due = %s, want [k1 k2 k0] (earliest first, k3 not yet)", got)
		}
		due, err = mq.DueMail(ctx(), base.Add(2*time.Minute), 2)
		mustOK(t, err)
		if len(due) != 2 {
			t.Fatalf("limit 2 gave %d", len(due))
		}
		// A sender takes k1 (moves it on by its lease); a second with the old version loses.
		k1, err := mq.GetMail(ctx(), "k1")
		mustOK(t, err)
		stale := *k1
		k1.NextAttempt, k1.Attempts = base.Add(10*time.Minute), 1
		mustOK(t, mq.UpdateMail(ctx(), k1))
		if k1.Version != 2 {
			t.Fatalf("version after update = %d, want 2", k1.Version)
		}
		mustCode(t, mq.UpdateMail(ctx(), &stale), casehold.ECONFLICT)
		due, _ = mq.DueMail(ctx(), base.Add(2*time.Minute), 10)
		if got := fmt.Sprint(mailKeys(due)); got != "[k2 k0]" {
			t.Fatalf("after the lease due = %s, want [k2 k0]", got)
		}
		// Sent leaves the index for good.
		sent := base.Add(11 * time.Minute)
		k1.Status, k1.SentAt, k1.TransportID = casehold.MailSent, &sent, "msg-1"
		mustOK(t, mq.UpdateMail(ctx(), k1))
		due, _ = mq.DueMail(ctx(), base.Add(24*time.Hour), 10)
		if got := fmt.Sprint(mailKeys(due)); got != "[k2 k0 k3]" {
			t.Fatalf("after sending k1 due = %s, want [k2 k0 k3]", got)
		}
		got, err := mq.GetMail(ctx(), "k1")
		mustOK(t, err)
		if got.Status != casehold.MailSent || got.TransportID != "msg-1" || got.Version != 3 {
			t.Fatalf("k1 = %+v", got)
		}
		mustCode(t, mq.UpdateMail(ctx(), NewQueuedMail("absent", base)), casehold.ENOTFOUND)
	})
}

func dueKeys(ds []casehold.DueItem) []string {
	return keysOf(ds, func(d casehold.DueItem) string { return d.Key })
}

func testDueIndex(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("SetMoveList", func(t *testing.T) {
		di := dueIndex(t, newHarness)
		mustOK(t, di.SetDue(ctx(), "matter:m-2", base.Add(2*time.Hour)))
		mustOK(t, di.SetDue(ctx(), "matter:m-1", base.Add(time.Hour)))
		mustOK(t, di.SetDue(ctx(), "lock:l-1", base.Add(48*time.Hour)))
		// Replacing moves the entry: the old time is no longer listed.
		mustOK(t, di.SetDue(ctx(), "matter:m-2", base.Add(30*time.Minute)))
		got, err := di.DueBy(ctx(), base.Add(2*time.Hour), 10)
		mustOK(t, err)
		if fmt.Sprint(dueKeys(got)) != "[matter:m-2 matter:m-1]" || !got[0].Due.Equal(base.Add(30*time.Minute)) {
			t.Fatalf("due by = %+v", got)
		}
		got, _ = di.DueBy(ctx(), base.Add(2*time.Hour), 1)
		if len(got) != 1 {
			t.Fatalf("limit 1 gave %d", len(got))
		}
		// MoveDue is conditional on the time it was due at.
		mustCode(t, di.MoveDue(ctx(), "matter:m-1", base, base.Add(72*time.Hour)), casehold.ECONFLICT)
		mustOK(t, di.MoveDue(ctx(), "matter:m-1", base.Add(time.Hour), base.Add(72*time.Hour)))
		mustCode(t, di.MoveDue(ctx(), "matter:m-1", base.Add(time.Hour), base.Add(73*time.Hour)), casehold.ECONFLICT)
		d, err := di.GetDue(ctx(), "matter:m-1")
		mustOK(t, err)
		if !d.Due.Equal(base.Add(72 * time.Hour)) {
			t.Fatalf("get due = %v", d.Due)
		}
		// Moving to zero removes it; so does setting zero.
		mustOK(t, di.MoveDue(ctx(), "matter:m-1", base.Add(72*time.Hour), time.Time{}))
		_, err = di.GetDue(ctx(), "matter:m-1")
		mustCode(t, err, casehold.ENOTFOUND)
		mustOK(t, di.SetDue(ctx(), "lock:l-1", time.Time{}))
		mustOK(t, di.SetDue(ctx(), "absent", time.Time{}))
		got, _ = di.DueBy(ctx(), base.Add(1000*time.Hour), 10)
		if fmt.Sprint(dueKeys(got)) != "[matter:m-2]" {
			t.Fatalf("after removals due by = %v", dueKeys(got))
		}
		mustCode(t, di.MoveDue(ctx(), "absent", base, base), casehold.ECONFLICT)
	})
	t.Run("ConcurrentMoveOneWins", func(t *testing.T) {
		di := dueIndex(t, newHarness)
		mustOK(t, di.SetDue(ctx(), "k", base))
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := di.MoveDue(ctx(), "k", base, base.Add(time.Duration(i+1)*time.Hour)); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if casehold.ErrorCode(err) != casehold.ECONFLICT {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ := di.DueBy(ctx(), base.Add(100*time.Hour), 10)
		if wins != 1 || len(got) != 1 {
			t.Fatalf("wins = %d, entries = %v; want one winner and one entry", wins, got)
		}
	})
}
