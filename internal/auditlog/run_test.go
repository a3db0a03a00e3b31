package auditlog_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/audittest"
	"github.com/casehold/casehold/internal/casehold"
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

func TestReleaseLease(t *testing.T) {
	ctx := context.Background()
	s := openBolt(t)
	clock := &audittest.Clock{}
	a := audittest.NewLog(t, s, nil, clock, "cli")
	b := audittest.NewLog(t, s, nil, clock, "server")
	// A Log that never took the lease writes nothing when it lets go.
	if err := b.ReleaseLease(ctx); err != nil {
		t.Fatal(err)
	}
	if tree, _ := s.AuditTree(ctx); tree.LeaseOwner != "" {
		t.Fatalf("releasing a lease never held wrote owner %q", tree.LeaseOwner)
	}
	if err := s.RecordAudit(ctx, audittest.Event("e1")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAudit(ctx, audittest.Event("e2")); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Sequence(ctx); casehold.ErrorCode(err) != casehold.ECONFLICT {
		t.Fatalf("while the command holds the lease: %v, want a conflict", err)
	}
	if err := a.ReleaseLease(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Sequence(ctx); err != nil || n != 1 {
		t.Fatalf("after the command let go: integrated %d, %v; want 1 at once", n, err)
	}
	// The lease is the server's now: the command letting go again leaves it alone.
	if err := a.ReleaseLease(ctx); err != nil {
		t.Fatal(err)
	}
	if tree, _ := s.AuditTree(ctx); tree.LeaseOwner != "server" || !tree.LeaseExpires.After(clock.Now()) {
		t.Fatalf("lease = %q until %v, want the server's, running", tree.LeaseOwner, tree.LeaseExpires)
	}
}

// A server finding another process's lease says so once, at info, and integrates once the
// lease is free.
func TestRunWhileAnotherHoldsTheLease(t *testing.T) {
	s := openBolt(t)
	clock := &audittest.Clock{}
	if err := s.AcquireAuditLease(context.Background(), "cli", clock.Now(), time.Minute); err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	l := audittest.NewLog(t, s, nil, clock, "server")
	l.Log = slog.New(slog.NewTextHandler(&logged, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); l.Run(ctx, time.Millisecond) }()
	for i := range 5 {
		if err := s.RecordAudit(context.Background(), audittest.Event(fmt.Sprintf("e%d", i))); err != nil {
			t.Fatal(err)
		}
		l.Notify()
		time.Sleep(5 * time.Millisecond)
	}
	clock.Add(2 * time.Minute) // the command's lease runs out
	cancel()
	<-done
	if n := strings.Count(logged.String(), "another process holds the audit lease"); n != 1 || strings.Contains(logged.String(), "level=ERROR") {
		t.Errorf("logged the lease %d times (want once, at info):\n%s", n, logged.String())
	}
	if tree, _ := s.AuditTree(context.Background()); tree.Size != 5 {
		t.Errorf("after the lease was free: %d events integrated, want 5", tree.Size)
	}
}
