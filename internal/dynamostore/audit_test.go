package dynamostore_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/casehold/casehold/internal/audittest"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/dynamostore"
)

func TestAuditContract(t *testing.T) {
	client := mustClient(t)
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		table := mustTable(t, client)
		return audittest.Harness{
			Store: dynamostore.New(client, table),
			PutLegacy: func(e casehold.LegacyAuditEvent) error {
				item, err := dynamostore.MarshalLegacyAudit(e)
				if err != nil {
					return err
				}
				_, err = client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item})
				return err
			},
		}
	})
}
