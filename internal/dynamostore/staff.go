package dynamostore

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/casehold"
)

var _ casehold.StaffStore = (*Store)(nil)

// The staff directory: each member is STAFF#<id>/META (read on every request for the
// person's teams, so spread over partitions); STAFFIDX/<id> lists the ids for the import
// alone, which must know who left.
const staffIndexPK = "STAFFIDX"

func staffKey(id string) map[string]types.AttributeValue { return key("STAFF#"+id, skMeta) }

func (s *Store) ReplaceStaff(ctx context.Context, members []casehold.StaffMember) ([]string, error) {
	old := map[string]bool{}
	pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{TableName: s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(staffIndexPK)}, ConsistentRead: aws.Bool(true)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("replace staff directory: list: %w", err)
		}
		for _, it := range page.Items {
			if v, ok := it[attrSK].(*types.AttributeValueMemberS); ok {
				old[v.Value] = true
			}
		}
	}
	var writes []types.WriteRequest
	for i := range members {
		m := &members[i]
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode staff member: %w", err)
		}
		writes = append(writes,
			types.WriteRequest{PutRequest: &types.PutRequest{Item: withKey(map[string]types.AttributeValue{"staff": str(string(b))}, staffKey(m.ID))}},
			types.WriteRequest{PutRequest: &types.PutRequest{Item: key(staffIndexPK, m.ID)}})
		delete(old, m.ID)
	}
	leavers := make([]string, 0, len(old))
	for id := range old {
		leavers = append(leavers, id)
		writes = append(writes,
			types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: staffKey(id)}},
			types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(staffIndexPK, id)}})
	}
	sort.Strings(leavers)
	for start := 0; start < len(writes); start += maxBatchWrite {
		if err := s.writeBatch(ctx, writes[start:min(start+maxBatchWrite, len(writes))]); err != nil {
			return nil, fmt.Errorf("replace staff directory: %w", err)
		}
	}
	return leavers, nil
}

// writeBatch writes up to 25 puts and deletes, sending again what DynamoDB left unprocessed.
func (s *Store) writeBatch(ctx context.Context, reqs []types.WriteRequest) error {
	request := map[string][]types.WriteRequest{*s.table: reqs}
	for attempt := 0; len(request) > 0; attempt++ {
		if attempt == batchGetAttempts {
			return fmt.Errorf("batch write: requests still unprocessed after %d attempts", attempt)
		}
		if attempt > 0 {
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return err
			}
		}
		out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: request})
		if err != nil {
			return fmt.Errorf("batch write: %w", err)
		}
		request = out.UnprocessedItems
	}
	return nil
}

func (s *Store) GetStaff(ctx context.Context, id string) (*casehold.StaffMember, error) {
	item, err := s.get(ctx, staffKey(id))
	if err != nil {
		return nil, fmt.Errorf("get staff member: %w", err)
	}
	if item == nil {
		return nil, casehold.Errorf(casehold.ENOTFOUND, "no staff member with that id")
	}
	v, ok := item["staff"].(*types.AttributeValueMemberS)
	if !ok {
		return nil, fmt.Errorf("get staff member: no staff attribute")
	}
	var m casehold.StaffMember
	if err := json.Unmarshal([]byte(v.Value), &m); err != nil {
		return nil, fmt.Errorf("decode staff member: %w", err)
	}
	return &m, nil
}
