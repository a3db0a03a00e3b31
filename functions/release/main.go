// Command release finishes recorded releases of matters: it lifts the legal holds that no
// open matter needs any more and sends the release notices. It runs on an EventBridge
// Scheduler rate schedule, and its role is the only one the evidence bucket lets turn a
// legal hold off (template.yaml sets CASEHOLD_LIFTS_HOLDS for it alone).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/casehold/casehold/internal/wire"
)

func main() {
	a := wire.MustFromEnv(context.Background())
	lambda.Start(a.Releases.Handle)
}
