// Command api is the HTTP API Lambda: API Gateway HTTP API (v2) events through the same
// net/http handler the local server uses.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/casehold/casehold/internal/wire"
)

func main() {
	a := wire.MustFromEnv(context.Background())
	lambda.Start(httpadapter.NewV2(a.Handler).ProxyWithContext)
}
