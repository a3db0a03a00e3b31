// Command ingest-upload secures scans uploaded by presigned URL: S3 ObjectCreated events on
// the upload prefix, handled by the same code the local server runs.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/casehold/casehold/internal/wire"
)

func main() {
	a := wire.MustFromEnv(context.Background())
	lambda.Start(a.Uploads.Handle)
}
