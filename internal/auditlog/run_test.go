package auditlog_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/audittest"
)

func TestRunFor(t *testing.T) {
	ctx := context.Background()
	t.Run("IntegratesAndCheckpoints", func(t *testing.T) {
		s := openBolt(t)
		for i := range 5 {
			if err := s.RecordAudit(ctx, audittest.Event(fmt.Sprintf("e%d", i))); err != nil {
				t.Fatal(err)
			}
		}
		l := audittest.NewLog(t, s, nil, nil, "lambda-1")
		l.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		// A run whose time is up at once still integrates, checkpoints and returns.
		if err := l.RunFor(ctx, 0, time.Millisecond); err != nil {
			t.Fatal(err)
		}
		tree, err := s.AuditTree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tree.Size != 5 || tree.Checkpoint.Size != 5 {
			t.Errorf("after a run: tree %d, checkpoint %d; want 5 and 5", tree.Size, tree.Checkpoint.Size)
		}
	})
	t.Run("AnotherRunHoldsTheLease", func(t *testing.T) {
		s := openBolt(t)
		clock := &audittest.Clock{}
		if err := s.AcquireAuditLease(ctx, "lambda-1", clock.Now(), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordAudit(ctx, audittest.Event("e1")); err != nil {
			t.Fatal(err)
		}
		l := audittest.NewLog(t, s, nil, clock, "lambda-2")
		l.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		if err := l.RunFor(ctx, time.Hour, time.Millisecond); err != nil {
			t.Fatalf("a run finding the lease taken: %v, want a quiet return", err)
		}
		if tree, _ := s.AuditTree(ctx); tree.Size != 0 {
			t.Errorf("the second run integrated %d events under another's lease", tree.Size)
		}
	})
}

func TestRun(t *testing.T) {
	s := openBolt(t)
	l := audittest.NewLog(t, s, nil, nil, "local")
	l.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); l.Run(ctx, time.Millisecond) }()
	for i := range 20 {
		if err := s.RecordAudit(context.Background(), audittest.Event(fmt.Sprintf("e%02d", i))); err != nil {
			t.Fatal(err)
		}
		l.Notify()
	}
	cancel()
	<-done
	// Stopping flushes: everything recorded is integrated and in a checkpoint.
	tree, err := s.AuditTree(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tree.Size != 20 || tree.Checkpoint.Size != 20 {
		t.Errorf("after Run stopped: tree %d, checkpoint %d; want 20 and 20", tree.Size, tree.Checkpoint.Size)
	}
	if _, err := l.Prove(context.Background(), "e07"); err != nil {
		t.Errorf("prove after Run: %v", err)
	}
}
