// Command export builds evidence packs requested through the API (POST
// /matters/{id}/exports). The table's stream invokes it with the INSERT of each new export
// job; it builds the pack into the staging bucket under exports/, recording progress on the
// job, and the requester fetches it by a presigned link.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/casehold/casehold/internal/wire"
)

func main() {
	a := wire.MustFromEnv(context.Background())
	lambda.Start(a.Exports.Handle)
}
