package dynamostore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

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

// TestSequencerWritesEachItemOncePerBatch counts the items one sequencer batch writes:
// every event, leaf, index and hash item once, and the sequencer's own state item only
// to begin and commit the batch (and to take the lease).
func TestSequencerWritesEachItemOncePerBatch(t *testing.T) {
	ctx := context.Background()
	client := mustClient(t)
	table := mustTable(t, client)
	var mu sync.Mutex
	writes := map[string]int{}
	count := func(item map[string]types.AttributeValue) {
		pk, _ := item["PK"].(*types.AttributeValueMemberS)
		sk, _ := item["SK"].(*types.AttributeValueMemberS)
		if pk == nil || sk == nil {
			t.Errorf("a write without a key: %v", item)
			return
		}
		mu.Lock()
		writes[pk.Value+" | "+sk.Value]++
		mu.Unlock()
	}
	counted := dynamodb.New(client.Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countWrites",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					switch p := in.Parameters.(type) {
					case *dynamodb.PutItemInput:
						count(p.Item)
					case *dynamodb.UpdateItemInput:
						count(p.Key)
					case *dynamodb.DeleteItemInput:
						count(p.Key)
					case *dynamodb.BatchWriteItemInput:
						for _, reqs := range p.RequestItems {
							for _, r := range reqs {
								if r.PutRequest != nil {
									count(r.PutRequest.Item)
								}
								if r.DeleteRequest != nil {
									count(r.DeleteRequest.Key)
								}
							}
						}
					case *dynamodb.TransactWriteItemsInput:
						t.Errorf("unexpected TransactWriteItems in the sequencer")
					}
					return next.HandleInitialize(ctx, in)
				}), middleware.After)
		})
	})
	plain := dynamostore.New(client, table)
	const n = 300 // more than 64 hashes, so several hash items
	for i := range n {
		mustOK(t, plain.RecordAudit(ctx, audittest.Event(fmt.Sprintf("e%04d", i))))
	}
	// The pending index is eventually consistent: wait until it shows all n, so that one
	// run is one batch.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		p, err := plain.PendingAudit(ctx, 1000)
		mustOK(t, err)
		if len(p) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pending index shows %d of %d events after 30 s", len(p), n)
		}
	}
	l := audittest.NewLog(t, dynamostore.New(counted, table), nil, nil, "seq-count")
	l.BatchSize = 1000
	got, err := l.Sequence(ctx)
	mustOK(t, err)
	if got != n {
		t.Fatalf("one run integrated %d events, want %d", got, n)
	}
	mu.Lock()
	defer mu.Unlock()
	hashItems := 0
	for k, c := range writes {
		limit := 1
		if k == "AUDITTREE | TREE" {
			limit = 3 // the lease, the batch's begin and its commit
		}
		if strings.HasPrefix(k, "AUDITHASH#") {
			hashItems++
		}
		if c > limit {
			t.Errorf("item %q written %d times in one batch", k, c)
		}
	}
	// Each event: its own item and its leaf (these events touch no matter, so no index).
	if min := 2 * n; len(writes) < min || hashItems < 2 {
		t.Errorf("%d items written (%d hash items) for %d events; counting missed writes", len(writes), hashItems, n)
	}
}
