// Command ingest-email takes in email: SES writes each received message to the upload
// bucket under inbound/, and the S3 event runs the same handler the local server runs on
// its inbox folder.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/casehold/casehold/internal/wire"
)

func main() {
	a := wire.MustFromEnv(context.Background())
	lambda.Start(a.Emails.Handle)
}
