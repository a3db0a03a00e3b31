// Command sequencer integrates recorded audit events into the Merkle log and publishes
// signed checkpoints. EventBridge Scheduler starts it every minute; each run works for
// 50 s (a batch every 2 s, a checkpoint at least every 30 s) and then flushes, so an
// event is in a signed checkpoint well within a minute. One run at a time holds the lease.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/casehold/casehold/internal/wire"
)

func main() {
	a := wire.MustFromEnv(context.Background())
	l := a.Service.AuditLog
	if l == nil || l.Keys.Signer == nil {
		slog.Error("the sequencer needs CASEHOLD_AUDIT_SIGNING_KEY")
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context) error {
		return l.RunFor(ctx, 50*time.Second, 2*time.Second)
	})
}
