// Command reminders runs the scheduled sweep: CCRC deadline warnings and escalations, lock
// reviews, temporary and break-glass access notices, idle matters, and the delivery (with
// retries) of every queued message. It runs on an EventBridge Scheduler rate schedule.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/casehold/casehold/internal/wire"
)

func main() {
	a := wire.MustFromEnv(context.Background())
	lambda.Start(a.Reminders.Handle)
}
