package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// NewInbound returns an inbound message record with every field set (invented addresses),
// received at received, with two attachments: one secured, one refused.
func NewInbound(id string, status casehold.InboundStatus, received time.Time) *casehold.InboundMessage {
	return &casehold.InboundMessage{
		ID: id, Source: "s3://inbound-bucket/mail/" + id + "#v1", Status: status, Reason: "no matter matched",
		From: "sender@example.org", To: []string{"records@example.org", "ccrc@example.org"},
		Cc: []string{"copy@example.org"}, Date: received.Add(-time.Minute - 7*time.Nanosecond),
		MessageID: "<" + id + "@mail.example.org>", Subject: "Material for review", MatterID: "m1",
		RawKey: "raw/" + id, RawVersionID: "rv1", RawSHA256: strings.Repeat("ab", 32), RawSize: 48213,
		RawDocument: "d-raw-" + id,
		Attachments: []casehold.InboundAttachment{
			{Index: 1, Filename: "scan.pdf", ContentType: "application/pdf", Size: 1234,
				SHA256: strings.Repeat("cd", 32), Key: "inbound/k" + id + "/1.pdf", VersionID: "v1", Outcome: "secured", DocumentID: "d-" + id,
				ActiveContent: []string{"javascript"}},
			{Index: 2, Filename: "notes.docx", ContentType: "application/msword", Size: 99,
				SHA256: strings.Repeat("ef", 32), Outcome: "not_pdf", DocumentID: "d-none"},
		},
		ReceivedAt: received, AckSent: true, NoticeSent: true,
	}
}

func mustCreateInbound(t *testing.T, s casehold.Store, m *casehold.InboundMessage) {
	t.Helper()
	mustOK(t, s.CreateInbound(ctx(), m))
}

// sameInbound reports how got differs from want: times by instant, the rest exactly.
func sameInbound(got, want *casehold.InboundMessage) string {
	g, w := *got, *want
	if !g.Date.Equal(w.Date) || !g.ReceivedAt.Equal(w.ReceivedAt) {
		return fmt.Sprintf("times: got date %v received %v, want %v and %v", g.Date, g.ReceivedAt, w.Date, w.ReceivedAt)
	}
	g.Date, g.ReceivedAt = w.Date, w.ReceivedAt
	if !reflect.DeepEqual(g, w) {
		return fmt.Sprintf("\n got %+v\nwant %+v", g, w)
	}
	return ""
}

// wantInbound polls ListInbound until it names exactly want, in order: the index may be
// eventually consistent (DynamoDB GSI).
func wantInbound(t *testing.T, s casehold.Store, status casehold.InboundStatus, want ...string) []*casehold.InboundMessage {
	t.Helper()
	var got []string
	var ms []*casehold.InboundMessage
	for range 50 {
		var err error
		ms, err = s.ListInbound(ctx(), status)
		mustOK(t, err)
		got = got[:0]
		for _, m := range ms {
			got = append(got, m.ID)
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return ms
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("ListInbound(%s) = %v, want %v", status, got, want)
	return ms
}

func testInbound(t *testing.T, newHarness func(t *testing.T) Harness) {
	// Nanoseconds, so that an adapter that rounds times fails.
	received := base.Add(123456789 * time.Nanosecond)
	t.Run("CreateGet", func(t *testing.T) {
		s := newHarness(t).Store
		m := NewInbound("in1", casehold.InboundTriage, received)
		v := reflect.ValueOf(*m)
		for i := range v.NumField() {
			if v.Field(i).IsZero() && v.Type().Field(i).Name != "Version" {
				t.Fatalf("NewInbound leaves %s unset: set it, so that the round trip checks it", v.Type().Field(i).Name)
			}
		}
		mustCreateInbound(t, s, m)
		if m.Version != 1 {
			t.Errorf("Version after create = %d, want 1", m.Version)
		}
		got, err := s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		if diff := sameInbound(got, m); diff != "" {
			t.Errorf("GetInbound: %s", diff)
		}
		// The record returned is a copy: changing it changes nothing stored.
		got.To[0], got.Attachments[0].Outcome = "changed@example.org", "changed"
		again, err := s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		if again.To[0] != "records@example.org" || again.Attachments[0].Outcome != "secured" {
			t.Errorf("changing a returned record changed the store: %+v", again)
		}
	})
	t.Run("CreateGetZeroValues", func(t *testing.T) {
		s := newHarness(t).Store
		m := &casehold.InboundMessage{ID: "in1", Status: casehold.InboundQuarantined, ReceivedAt: received,
			To: []string{}, Attachments: []casehold.InboundAttachment{{}}}
		mustCreateInbound(t, s, m)
		got, err := s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		if got.Version != 1 || got.From != "" || len(got.To) != 0 || len(got.Cc) != 0 || !got.Date.IsZero() ||
			got.AckSent || got.RawSize != 0 || len(got.Attachments) != 1 || !reflect.DeepEqual(got.Attachments[0], casehold.InboundAttachment{}) ||
			!got.ReceivedAt.Equal(received) || got.Status != casehold.InboundQuarantined {
			t.Errorf("GetInbound of a sparse record = %+v", got)
		}
	})
	t.Run("ManyAttachments", func(t *testing.T) {
		s := newHarness(t).Store
		m := NewInbound("in1", casehold.InboundSecured, received)
		m.Attachments = nil
		// Long but plausible values: a large message must still fit one record.
		for i := range 200 {
			m.Attachments = append(m.Attachments, casehold.InboundAttachment{
				Index: i, Filename: fmt.Sprintf("%03d-%s.pdf", i, strings.Repeat("f", 240)),
				ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
				Size:        25 << 20, SHA256: strings.Repeat("0a", 32), Outcome: "truncated_pdf",
				DocumentID: fmt.Sprintf("01JNV8K1Q6WZ3X4Y5Z6A7B8C%03d", i),
			})
		}
		mustCreateInbound(t, s, m)
		got, err := s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		if diff := sameInbound(got, m); diff != "" {
			t.Errorf("GetInbound with 200 attachments: %s", diff)
		}
		m.Attachments[199].Outcome = "secured"
		mustOK(t, s.UpdateInbound(ctx(), m))
		got, err = s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		if got.Attachments[199].Outcome != "secured" || got.Version != 2 {
			t.Errorf("after update: outcome %q version %d", got.Attachments[199].Outcome, got.Version)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		s := newHarness(t).Store
		_, err := s.GetInbound(ctx(), "nope")
		mustCode(t, err, casehold.ENOTFOUND)
		m := NewInbound("nope", casehold.InboundTriage, received)
		m.Version = 1
		mustCode(t, s.UpdateInbound(ctx(), m), casehold.ENOTFOUND)
		_, err = s.GetInbound(ctx(), "nope")
		mustCode(t, err, casehold.ENOTFOUND)
	})
	t.Run("ErrConflictDuplicate", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateInbound(t, s, NewInbound("in1", casehold.InboundTriage, received))
		dup := NewInbound("in1", casehold.InboundQuarantined, received.Add(time.Hour))
		dup.Subject = "second delivery"
		mustCode(t, s.CreateInbound(ctx(), dup), casehold.ECONFLICT)
		got, err := s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		if got.Subject != "Material for review" || got.Status != casehold.InboundTriage || got.Version != 1 {
			t.Errorf("duplicate create changed the record: subject %q status %s version %d", got.Subject, got.Status, got.Version)
		}
		wantInbound(t, s, casehold.InboundTriage, "in1")
		wantInbound(t, s, casehold.InboundQuarantined)
	})
	t.Run("UpdateOK", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateInbound(t, s, NewInbound("in1", casehold.InboundTriage, received))
		m, err := s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		m.Status, m.Reason, m.MatterID = casehold.InboundSecured, "", "m2"
		m.Attachments[1].Outcome, m.Attachments[1].DocumentID = "secured", "d-new"
		m.Cc = nil
		m.AckSent = false
		mustOK(t, s.UpdateInbound(ctx(), m))
		if m.Version != 2 {
			t.Errorf("Version after update = %d, want 2", m.Version)
		}
		got, err := s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		if got.Status != casehold.InboundSecured || got.Reason != "" || got.MatterID != "m2" ||
			got.Attachments[1].Outcome != "secured" || got.Attachments[1].DocumentID != "d-new" ||
			len(got.Cc) != 0 || got.AckSent || got.Version != 2 {
			t.Errorf("after update got %+v", got)
		}
		mustOK(t, s.UpdateInbound(ctx(), got))
		if got.Version != 3 {
			t.Errorf("Version after second update = %d, want 3", got.Version)
		}
	})
	t.Run("UpdateErrConflictStaleVersion", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateInbound(t, s, NewInbound("in1", casehold.InboundTriage, received))
		a, _ := s.GetInbound(ctx(), "in1")
		b, _ := s.GetInbound(ctx(), "in1")
		a.MatterID = "first writer"
		mustOK(t, s.UpdateInbound(ctx(), a))
		b.MatterID, b.Status = "second writer", casehold.InboundQuarantined
		mustCode(t, s.UpdateInbound(ctx(), b), casehold.ECONFLICT)
		if b.Version != 1 {
			t.Errorf("a refused update changed the caller's Version to %d", b.Version)
		}
		got, _ := s.GetInbound(ctx(), "in1")
		if got.MatterID != "first writer" || got.Status != casehold.InboundTriage || got.Version != 2 {
			t.Errorf("stale update overwrote: matter %q status %s version %d", got.MatterID, got.Status, got.Version)
		}
		wantInbound(t, s, casehold.InboundQuarantined)
	})
	t.Run("ConcurrentUpdatesOneWins", func(t *testing.T) {
		s := newHarness(t).Store
		mustCreateInbound(t, s, NewInbound("in1", casehold.InboundTriage, received))
		const n = 8
		// Every writer reads version 1 before any writes, so exactly one may win.
		copies := make([]*casehold.InboundMessage, n)
		for i := range n {
			m, err := s.GetInbound(ctx(), "in1")
			mustOK(t, err)
			copies[i] = m
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i, m := range copies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m.MatterID = fmt.Sprintf("writer %d", i)
				errs[i] = s.UpdateInbound(ctx(), m)
			}()
		}
		wg.Wait()
		wins, winner := 0, ""
		for i, err := range errs {
			if err == nil {
				wins++
				winner = fmt.Sprintf("writer %d", i)
			} else {
				mustCode(t, err, casehold.ECONFLICT)
			}
		}
		if wins != 1 {
			t.Fatalf("%d concurrent updates of version 1 succeeded, want exactly 1", wins)
		}
		got, err := s.GetInbound(ctx(), "in1")
		mustOK(t, err)
		if got.MatterID != winner || got.Version != 2 {
			t.Errorf("stored matter %q version %d, want the winner's %q at version 2", got.MatterID, got.Version, winner)
		}
	})
	t.Run("ListByStatus", func(t *testing.T) {
		s := newHarness(t).Store
		// Created out of order, so that the order must come from ReceivedAt; t-b and
		// t-a arrive at the same instant and are ordered by id.
		mustCreateInbound(t, s, NewInbound("t-late", casehold.InboundTriage, received.Add(time.Hour)))
		mustCreateInbound(t, s, NewInbound("t-b", casehold.InboundTriage, received.Add(time.Minute)))
		mustCreateInbound(t, s, NewInbound("t-a", casehold.InboundTriage, received.Add(time.Minute)))
		mustCreateInbound(t, s, NewInbound("t-early", casehold.InboundTriage, received.Add(time.Nanosecond)))
		mustCreateInbound(t, s, NewInbound("q-1", casehold.InboundQuarantined, received.Add(30*time.Minute)))
		mustCreateInbound(t, s, NewInbound("s-1", casehold.InboundSecured, received))

		listed := wantInbound(t, s, casehold.InboundTriage, "t-early", "t-a", "t-b", "t-late")
		if len(listed) == 4 {
			want := NewInbound("t-a", casehold.InboundTriage, received.Add(time.Minute))
			want.Version = 1
			if diff := sameInbound(listed[1], want); diff != "" {
				t.Errorf("listed record: %s", diff)
			}
		}
		wantInbound(t, s, casehold.InboundQuarantined, "q-1")
		wantInbound(t, s, casehold.InboundSecured, "s-1")

		// A coordinator refuses one triaged message: it moves to quarantine, in
		// ReceivedAt order there too.
		m, err := s.GetInbound(ctx(), "t-a")
		mustOK(t, err)
		m.Status, m.Reason = casehold.InboundQuarantined, "refused by coordinator"
		mustOK(t, s.UpdateInbound(ctx(), m))
		wantInbound(t, s, casehold.InboundTriage, "t-early", "t-b", "t-late")
		moved := wantInbound(t, s, casehold.InboundQuarantined, "t-a", "q-1")
		if len(moved) == 2 && (moved[0].Version != 2 || moved[0].Reason != "refused by coordinator") {
			t.Errorf("listed moved record: version %d reason %q, want the updated one", moved[0].Version, moved[0].Reason)
		}
		// An update that keeps the status keeps the record listed once.
		m.AckSent = false
		mustOK(t, s.UpdateInbound(ctx(), m))
		wantInbound(t, s, casehold.InboundQuarantined, "t-a", "q-1")

		none, err := s.ListInbound(ctx(), casehold.InboundStatus("unknown"))
		mustOK(t, err)
		if len(none) != 0 {
			t.Errorf("an unused status lists %d records, want 0", len(none))
		}
	})
}
