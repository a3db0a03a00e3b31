package dynamostore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/casehold"
)

// Matters by reader: READER#<key> / <status>#<created>#<id>, one item per key of
// casehold.MatterReaderKeys. They are written (idempotent puts) before the matter's own
// write, so a committed grant is always indexed; an entry left by a revoked grant or an
// earlier status stays, and MattersFor's callers decide with the policy on what it
// finds. Puts, not BatchWriteItem, so every function that writes matters may write them.

func readerPK(key string) string { return "READER#" + key }

func readerSK(status casehold.MatterStatus, m *casehold.Matter) string {
	return string(status) + "#" + m.CreatedAt.UTC().Format(sortTime) + "#" + m.ID
}

// indexReaders writes m's reader entries for its current status.
func (s *Store) indexReaders(ctx context.Context, m *casehold.Matter) error {
	var items []types.TransactWriteItem
	for _, k := range casehold.MatterReaderKeys(m) {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: s.table,
			Item: withKey(map[string]types.AttributeValue{"matter_id": str(m.ID)}, key(readerPK(k), readerSK(m.Status, m)))}})
	}
	for chunk := range slices.Chunk(items, 100) {
		if err := s.transact(ctx, chunk); err != nil {
			return fmt.Errorf("index matter %s by reader: %w", m.ID, err)
		}
	}
	return nil
}

func (s *Store) MattersFor(ctx context.Context, status casehold.MatterStatus, keys []string) ([]*casehold.Matter, error) {
	type hit struct{ order, id string }
	var hits []hit
	seen := map[string]bool{}
	for _, k := range keys {
		pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
			TableName:              s.table,
			KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :status)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": str(readerPK(k)), ":status": str(string(status) + "#"),
			},
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list %s matters by reader: %w", status, err)
			}
			for _, item := range page.Items {
				sk, _ := item[attrSK].(*types.AttributeValueMemberS)
				if sk == nil {
					continue
				}
				id := sk.Value[strings.LastIndexByte(sk.Value, '#')+1:]
				if !seen[id] {
					seen[id] = true
					hits = append(hits, hit{order: sk.Value, id: id})
				}
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return strings.Compare(a.order, b.order) })
	mkeys := make([]map[string]types.AttributeValue, len(hits))
	for i, h := range hits {
		mkeys[i] = matterKey(h.id)
	}
	items, err := s.batchGet(ctx, mkeys)
	if err != nil {
		return nil, fmt.Errorf("list %s matters by reader: %w", status, err)
	}
	byID := map[string]*casehold.Matter{}
	for _, item := range items {
		m, err := unmarshalMatter(item)
		if err != nil {
			return nil, fmt.Errorf("list %s matters by reader: %w", status, err)
		}
		byID[m.ID] = m
	}
	out := []*casehold.Matter{}
	for _, h := range hits {
		// An entry of an earlier status, or of a create that lost its race, is passed over.
		if m, ok := byID[h.id]; ok && m.Status == status {
			out = append(out, m)
		}
	}
	return out, nil
}
