// Command disposal destroys the stored versions of documents IG approved for disposal,
// keeping their records, audit trail and a write-once certificate of disposal. It runs on
// an EventBridge Scheduler rate schedule, and its role is the only one the evidence
// bucket lets delete a version (template.yaml's bucket policy).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/casehold/casehold/internal/wire"
)

func main() {
	a := wire.MustFromEnv(context.Background())
	lambda.Start(a.Disposals.Handle)
}
