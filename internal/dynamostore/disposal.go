package dynamostore

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/casehold"
)

// UpdateDisposal rewrites the document conditional on the version the caller read; the
// item's disposal index keys follow from the new state (marshalDocument).
func (s *Store) UpdateDisposal(ctx context.Context, d *casehold.Document) error {
	stored, err := s.getDocument(ctx, d.ID)
	if err != nil {
		return fmt.Errorf("update disposal of document %s: %w", d.ID, err)
	}
	if stored.Version != d.Version {
		return fmt.Errorf("update disposal of document %s: %w", d.ID, casehold.Errorf(casehold.ECONFLICT, "document %s changed since it was read", d.ID))
	}
	read := stored.Version
	stored.Retention, stored.Disposal = d.Retention, d.Disposal
	stored.Version = read + 1
	if err := s.putDocument(ctx, stored, read, ""); err != nil {
		return fmt.Errorf("update disposal of document %s: %w", d.ID, conflict(err, "document %s changed since it was read", d.ID))
	}
	*d = *stored
	return nil
}

// ListDisposalDue queries the sparse disposal index (GSI1, one partition) up to the day,
// oldest first, stopping at limit: the items read are the due ones and no others.
func (s *Store) ListDisposalDue(ctx context.Context, day casehold.Date, after string, limit int) ([]*casehold.Document, error) {
	out := []*casehold.Document{}
	var start map[string]types.AttributeValue
	if _, id, ok := strings.Cut(after, "#"); ok {
		// The index item's whole key: the base table's key with the index's.
		start = withKey(map[string]types.AttributeValue{attrGSI1PK: str(disposalPK), attrGSI1SK: str(after)}, documentKey(id))
	}
	for len(out) < limit {
		page, err := s.client.Query(ctx, &dynamodb.QueryInput{
			TableName:              s.table,
			IndexName:              aws.String(indexGSI1),
			KeyConditionExpression: aws.String("GSI1PK = :pk AND GSI1SK <= :last"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": str(disposalPK), ":last": str(day.String() + "#\uffff"),
			},
			Limit:             aws.Int32(int32(min(limit-len(out), 1000))),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return nil, fmt.Errorf("list documents due for disposal: %w", err)
		}
		for _, item := range page.Items {
			d, err := unmarshalDocument(item)
			if err != nil {
				return nil, fmt.Errorf("list documents due for disposal: %w", err)
			}
			out = append(out, d)
		}
		if page.LastEvaluatedKey == nil {
			break
		}
		start = page.LastEvaluatedKey
	}
	return out, nil
}
