// Package awsconf builds AWS SDK clients from casehold configuration. The same constructors
// serve AWS (no endpoint: the SDK's default resolution and credential chain) and the local
// emulators (an endpoint on 127.0.0.1 and static credentials), so tests and production
// assemble clients the same way.
package awsconf

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/ses"
)

// Options says where and as whom to talk to AWS. Empty endpoints mean AWS itself.
type Options struct {
	Region           string
	S3Endpoint       string
	DynamoDBEndpoint string
	SESEndpoint      string
	// AccessKey and SecretKey, when set, replace the default credential chain (emulators).
	AccessKey string
	SecretKey string
}

// Load returns the SDK configuration for opts.
func Load(ctx context.Context, opts Options) (aws.Config, error) {
	var lo []func(*config.LoadOptions) error
	if opts.Region != "" {
		lo = append(lo, config.WithRegion(opts.Region))
	}
	if opts.AccessKey != "" {
		lo = append(lo, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(opts.AccessKey, opts.SecretKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load aws config: %w", err)
	}
	return cfg, nil
}

// S3 returns an S3 client. With an endpoint it uses path-style addressing, which the local
// gateway needs; AWS accepts both, so the choice depends only on configuration.
func S3(cfg aws.Config, opts Options) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.S3Endpoint)
			o.UsePathStyle = true
		}
	})
}

// DynamoDB returns a DynamoDB client.
func DynamoDB(cfg aws.Config, opts Options) *dynamodb.Client {
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		if opts.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(opts.DynamoDBEndpoint)
		}
	})
}

// SES returns an SES (v1 API) client.
func SES(cfg aws.Config, opts Options) *ses.Client {
	return ses.NewFromConfig(cfg, func(o *ses.Options) {
		if opts.SESEndpoint != "" {
			o.BaseEndpoint = aws.String(opts.SESEndpoint)
		}
	})
}
