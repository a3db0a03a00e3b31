// Package emulators hands tests the local AWS emulators that infra/emulators.sh starts
// (Versity S3 Gateway, DynamoDB Local, aws-ses-v2-local), through the same awsconf
// options production uses. One place decides what a missing emulator means: a skip with a
// note, or a failure when CASEHOLD_REQUIRE_EMULATORS=1 (as `make test` sets), so the AWS
// adapters can never be skipped silently in CI.
package emulators

import (
	"os"
	"testing"

	"github.com/casehold/casehold/internal/awsconf"
)

var endpointVars = map[string]string{
	"s3":       "CASEHOLD_TEST_S3_ENDPOINT",
	"dynamodb": "CASEHOLD_TEST_DYNAMODB_ENDPOINT",
	"ses":      "CASEHOLD_TEST_SES_ENDPOINT",
}

// Options returns options for the emulators named in need ("s3", "dynamodb", "ses"). If
// one is not running the test fails when emulators are required, and is skipped otherwise.
func Options(tb testing.TB, need ...string) awsconf.Options {
	tb.Helper()
	return options(tb, os.Getenv("CASEHOLD_REQUIRE_EMULATORS") == "1", need)
}

// OptionsOrSkip is Options that always skips when an emulator is missing: for benchmarks,
// which `make test` does not run.
func OptionsOrSkip(tb testing.TB, need ...string) awsconf.Options {
	tb.Helper()
	return options(tb, false, need)
}

func options(tb testing.TB, required bool, need []string) awsconf.Options {
	tb.Helper()
	region := os.Getenv("CASEHOLD_TEST_REGION")
	if region == "" {
		region = "eu-west-2"
	}
	opts := awsconf.Options{Region: region, AccessKey: os.Getenv("CASEHOLD_TEST_ACCESS_KEY"), SecretKey: os.Getenv("CASEHOLD_TEST_SECRET_KEY")}
	for _, n := range need {
		v, ok := endpointVars[n]
		if !ok {
			tb.Fatalf("emulators: unknown service %q", n)
		}
		endpoint := os.Getenv(v)
		if endpoint == "" {
			if required {
				tb.Fatalf("%s is unset but CASEHOLD_REQUIRE_EMULATORS=1", v)
			}
			tb.Skipf("%s emulator not running: use `infra/emulators.sh run -- go test ./...`", n)
		}
		switch n {
		case "s3":
			opts.S3Endpoint = endpoint
		case "dynamodb":
			opts.DynamoDBEndpoint = endpoint
		case "ses":
			opts.SESEndpoint = endpoint
		}
	}
	return opts
}
