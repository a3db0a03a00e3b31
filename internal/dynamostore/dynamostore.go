package dynamostore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/casehold"
)

var _ casehold.Store = (*Store)(nil)

// Store is a casehold.Store in one DynamoDB table. doc.go describes the layout.
type Store struct {
	client *dynamodb.Client
	table  *string
	// Now tells the time for claim expiry; tests replace it. Defaults to time.Now.
	Now func() time.Time
}

// New returns a Store on table, which CreateTable (or the deployment template) made.
func New(client *dynamodb.Client, table string) *Store {
	return &Store{client: client, table: aws.String(table), Now: time.Now}
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Bounds on retries after losing a race. A hold change retries after re-reading, so it
// needs about one attempt per concurrent writer of the same document.
const (
	holdAttempts       = 20
	contentionAttempts = 5
	batchGetAttempts   = 10
	maxBatchGet        = 100 // keys per BatchGetItem
	batchGetParallel   = 4
	maxTransactItems   = 100
)

// --- matters ---

func (s *Store) CreateMatter(ctx context.Context, m *casehold.Matter) error {
	item, err := marshalMatter(m, 1)
	if err != nil {
		return fmt.Errorf("create matter %s: %w", m.ID, err)
	}
	ref := withKey(map[string]types.AttributeValue{"matter_id": str(m.ID)}, referenceKey(m.Kind, m.Reference))
	if err := s.indexReaders(ctx, m); err != nil {
		return fmt.Errorf("create matter %s: %w", m.ID, err)
	}
	err = s.transact(ctx, []types.TransactWriteItem{
		{Put: &types.Put{TableName: s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: &types.Put{TableName: s.table, Item: ref, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
	})
	if err != nil {
		var tce *types.TransactionCanceledException
		if errors.As(err, &tce) && failedCondition(tce, 1) && !failedCondition(tce, 0) {
			err = casehold.Errorf(casehold.ECONFLICT, "another matter of this kind has the same reference")
		} else {
			err = conflict(err, "matter %s already exists", m.ID)
		}
		return fmt.Errorf("create matter %s: %w", m.ID, err)
	}
	m.Version = 1
	return nil
}

func (s *Store) GetMatter(ctx context.Context, id string) (*casehold.Matter, error) {
	item, err := s.get(ctx, matterKey(id))
	if err != nil {
		return nil, fmt.Errorf("get matter %s: %w", id, err)
	}
	if item == nil {
		return nil, fmt.Errorf("get matter %s: %w", id, casehold.Errorf(casehold.ENOTFOUND, "matter %s not found", id))
	}
	m, err := unmarshalMatter(item)
	if err != nil {
		return nil, fmt.Errorf("get matter %s: %w", id, err)
	}
	return m, nil
}

// UpdateMatter sets every attribute but the immutable ones, so the stored Kind and
// Reference (and with them the reference item) never change, as in the embedded store.
// Like Claim it writes a token, so that a retried write that had in fact succeeded is
// not reported as a conflict.
func (s *Store) UpdateMatter(ctx context.Context, m *casehold.Matter) error {
	item, err := marshalMatter(m, m.Version+1)
	if err != nil {
		return fmt.Errorf("update matter %s: %w", m.ID, err)
	}
	if err := s.indexReaders(ctx, m); err != nil {
		return fmt.Errorf("update matter %s: %w", m.ID, err)
	}
	token := rand.Text()
	item[attrToken] = str(token)
	err = s.updateAll(ctx, matterKey(m.ID), item, immutableMatterAttrs, m.Version)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && len(ccf.Item) == 0:
		return fmt.Errorf("update matter %s: %w", m.ID, casehold.Errorf(casehold.ENOTFOUND, "matter %s not found", m.ID))
	case errors.As(err, &ccf) && ownWrite(ccf.Item, token):
		// Our write landed; only its retry failed.
	case err != nil:
		return fmt.Errorf("update matter %s: %w", m.ID, conflict(err, "matter %s was changed by someone else", m.ID))
	}
	m.Version++
	return nil
}

func (s *Store) ListMatters(ctx context.Context, status casehold.MatterStatus) ([]*casehold.Matter, error) {
	out := []*casehold.Matter{}
	pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 s.table,
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(statusPK(status))},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s matters: %w", status, err)
		}
		for _, item := range page.Items {
			m, err := unmarshalMatter(item)
			if err != nil {
				return nil, fmt.Errorf("list %s matters: %w", status, err)
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// --- documents ---

func (s *Store) CreateDocument(ctx context.Context, d *casehold.Document) error {
	item, err := marshalDocument(d, 1)
	if err != nil {
		return fmt.Errorf("create document %s: %w", d.ID, err)
	}
	writes := []types.TransactWriteItem{{Put: &types.Put{
		TableName: s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}}
	var filed []string
	for _, mid := range d.MatterIDs {
		if !slices.Contains(filed, mid) {
			filed = append(filed, mid)
			writes = append(writes, types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: marshalFiling(mid, d)}})
		}
	}
	if len(writes) > maxTransactItems {
		return fmt.Errorf("create document %s: %w", d.ID,
			casehold.Errorf(casehold.EINVALID, "a document can be filed under at most %d matters at once", maxTransactItems-1))
	}
	if err := s.transact(ctx, writes); err != nil {
		return fmt.Errorf("create document %s: %w", d.ID, conflict(err, "document %s already exists", d.ID))
	}
	d.Version = 1
	return nil
}

func (s *Store) GetDocument(ctx context.Context, id string) (*casehold.Document, error) {
	d, err := s.getDocument(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get document %s: %w", id, err)
	}
	return d, nil
}

func (s *Store) getDocument(ctx context.Context, id string) (*casehold.Document, error) {
	item, err := s.get(ctx, documentKey(id))
	if err != nil {
		return nil, err
	}
	if item == nil {
		return nil, casehold.Errorf(casehold.ENOTFOUND, "document %s not found", id)
	}
	return unmarshalDocument(item)
}

// ListMatterDocuments reads the matter's filing items in upload order, then the
// documents themselves in batches.
func (s *Store) ListMatterDocuments(ctx context.Context, matterID string) ([]*casehold.Document, error) {
	var ids []string
	pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:              s.table,
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :prefix)"),
		ProjectionExpression:   aws.String("doc_id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(matterPK(matterID)), ":prefix": str(filingPref),
		},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list documents of matter %s: %w", matterID, err)
		}
		for _, item := range page.Items {
			var f filingItem
			if err := attributevalue.UnmarshalMap(item, &f); err != nil {
				return nil, fmt.Errorf("list documents of matter %s: decode filing: %w", matterID, err)
			}
			ids = append(ids, f.DocID)
		}
	}
	byID, err := s.getDocuments(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list documents of matter %s: %w", matterID, err)
	}
	out := make([]*casehold.Document, 0, len(ids))
	for _, id := range ids {
		d, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("list documents of matter %s: filing names missing document %s", matterID, id)
		}
		out = append(out, d)
	}
	return out, nil
}

// getDocuments reads the documents a few batches at a time: one batch after another
// would make listing a large matter as slow as twenty round trips.
func (s *Store) getDocuments(ctx context.Context, ids []string) (map[string]*casehold.Document, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := slices.Collect(slices.Chunk(ids, maxBatchGet))
	found := make([][]*casehold.Document, len(chunks))
	sem := make(chan struct{}, batchGetParallel)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error // the failure that cancelled the others, not their context.Canceled
	)
	for i, chunk := range chunks {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			docs, err := s.batchGetDocuments(ctx, chunk)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
			found[i] = docs
		})
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	byID := make(map[string]*casehold.Document, len(ids))
	for _, docs := range found {
		for _, d := range docs {
			byID[d.ID] = d
		}
	}
	return byID, nil
}

// batchGetDocuments reads up to 100 documents, asking again for the keys DynamoDB left
// unprocessed (throttling, or the 16 MB response limit).
func (s *Store) batchGetDocuments(ctx context.Context, ids []string) ([]*casehold.Document, error) {
	keys := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		keys[i] = documentKey(id)
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("batch get documents: %w", err)
	}
	docs := make([]*casehold.Document, 0, len(items))
	for _, item := range items {
		d, err := unmarshalDocument(item)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func (s *Store) AddHold(ctx context.Context, docID, matterID string) (*casehold.Document, error) {
	d, err := s.changeDocument(ctx, docID, func(d *casehold.Document) (bool, string) {
		filed := slices.Contains(d.MatterIDs, matterID)
		switch {
		case !d.AddHold(matterID):
			return false, ""
		case filed:
			return true, ""
		default:
			return true, matterID
		}
	})
	if err != nil {
		return nil, fmt.Errorf("add hold of matter %s on document %s: %w", matterID, docID, err)
	}
	return d, nil
}

func (s *Store) RemoveHold(ctx context.Context, docID, matterID string) (*casehold.Document, error) {
	d, err := s.changeDocument(ctx, docID, func(d *casehold.Document) (bool, string) {
		return d.RemoveHold(matterID), ""
	})
	if err != nil {
		return nil, fmt.Errorf("remove hold of matter %s on document %s: %w", matterID, docID, err)
	}
	return d, nil
}

// changeDocument applies change to the stored document and writes it back conditional on
// the version it read, re-reading and retrying when another writer got there first.
// change reports whether it changed anything and the matter, if any, the document must
// now be filed under; the filing is written in the same transaction.
func (s *Store) changeDocument(ctx context.Context, docID string, change func(*casehold.Document) (changed bool, fileUnder string)) (*casehold.Document, error) {
	for attempt := 0; ; attempt++ {
		d, err := s.getDocument(ctx, docID)
		if err != nil {
			return nil, err
		}
		read := d.Version
		changed, fileUnder := change(d)
		if !changed {
			return d, nil
		}
		d.Version = read + 1
		err = s.putDocument(ctx, d, read, fileUnder)
		if err == nil {
			return d, nil
		}
		if !isConflict(err) {
			return nil, err
		}
		if attempt+1 == holdAttempts {
			return nil, casehold.Errorf(casehold.ECONFLICT, "document %s is changing too often; try again", docID)
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return nil, err
		}
	}
}

// putDocument writes d if the stored version is still read, filing it under fileUnder
// too unless that is empty.
func (s *Store) putDocument(ctx context.Context, d *casehold.Document, read int64, fileUnder string) error {
	item, err := marshalDocument(d, d.Version)
	if err != nil {
		return err
	}
	put := types.Put{
		TableName:                 s.table,
		Item:                      item,
		ConditionExpression:       aws.String("#v = :read"),
		ExpressionAttributeNames:  map[string]string{"#v": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":read": num(read)},
	}
	if fileUnder != "" {
		// Errors pass through unwrapped so that the caller's retry can classify them.
		return s.transact(ctx, []types.TransactWriteItem{
			{Put: &put},
			{Put: &types.Put{TableName: s.table, Item: marshalFiling(fileUnder, d)}},
		})
	}
	return s.withContention(ctx, func() error {
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName: put.TableName, Item: put.Item, ConditionExpression: put.ConditionExpression,
			ExpressionAttributeNames: put.ExpressionAttributeNames, ExpressionAttributeValues: put.ExpressionAttributeValues,
		})
		return err
	})
}

// --- inbound messages ---

// CreateInbound writes a token like Claim, so that a retried put that had in fact
// succeeded is not reported as a duplicate of itself.
func (s *Store) CreateInbound(ctx context.Context, m *casehold.InboundMessage) error {
	item, err := marshalInbound(m, 1)
	if err != nil {
		return fmt.Errorf("create inbound message %s: %w", m.ID, err)
	}
	token := rand.Text()
	item[attrToken] = str(token)
	err = s.withContention(ctx, func() error {
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                           s.table,
			Item:                                item,
			ConditionExpression:                 aws.String("attribute_not_exists(PK)"),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		return err
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && ownWrite(ccf.Item, token):
		// Our write landed; only its retry failed.
	case err != nil:
		return fmt.Errorf("create inbound message %s: %w", m.ID, conflict(err, "inbound message %s already exists", m.ID))
	}
	m.Version = 1
	return nil
}

func (s *Store) GetInbound(ctx context.Context, id string) (*casehold.InboundMessage, error) {
	item, err := s.get(ctx, inboundKey(id))
	if err != nil {
		return nil, fmt.Errorf("get inbound message %s: %w", id, err)
	}
	if item == nil {
		return nil, fmt.Errorf("get inbound message %s: %w", id, casehold.Errorf(casehold.ENOTFOUND, "inbound message %s not found", id))
	}
	m, err := unmarshalInbound(item)
	if err != nil {
		return nil, fmt.Errorf("get inbound message %s: %w", id, err)
	}
	return m, nil
}

// UpdateInbound sets every attribute, GSI1PK/GSI1SK among them, so the index follows a
// change of status; the token works as in UpdateMatter.
func (s *Store) UpdateInbound(ctx context.Context, m *casehold.InboundMessage) error {
	item, err := marshalInbound(m, m.Version+1)
	if err != nil {
		return fmt.Errorf("update inbound message %s: %w", m.ID, err)
	}
	token := rand.Text()
	item[attrToken] = str(token)
	err = s.updateAll(ctx, inboundKey(m.ID), item, immutableInboundAttrs, m.Version)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && len(ccf.Item) == 0:
		return fmt.Errorf("update inbound message %s: %w", m.ID, casehold.Errorf(casehold.ENOTFOUND, "inbound message %s not found", m.ID))
	case errors.As(err, &ccf) && ownWrite(ccf.Item, token):
		// Our write landed; only its retry failed.
	case err != nil:
		return fmt.Errorf("update inbound message %s: %w", m.ID, conflict(err, "inbound message %s was changed by someone else", m.ID))
	}
	m.Version++
	return nil
}

func (s *Store) ListInbound(ctx context.Context, status casehold.InboundStatus) ([]*casehold.InboundMessage, error) {
	out := []*casehold.InboundMessage{}
	pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{
		TableName:                 s.table,
		IndexName:                 aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(inboundStatusPK(status))},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s inbound messages: %w", status, err)
		}
		for _, item := range page.Items {
			m, err := unmarshalInbound(item)
			if err != nil {
				return nil, fmt.Errorf("list %s inbound messages: %w", status, err)
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// --- claims ---

// Claim keeps the expiry to the nanosecond for the decision and in whole seconds, rounded
// up, for DynamoDB's TTL, which deletes expired claims some time later. Each call writes
// a fresh token: if the SDK retries a put that had in fact succeeded, the condition fails
// on our own claim, and the token tells that apart from someone else's, so an event is
// never dropped as a duplicate of itself.
func (s *Store) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	now := s.now()
	expires := now.Add(ttl)
	ttlSeconds := expires.Unix()
	if expires.Nanosecond() > 0 {
		ttlSeconds++
	}
	token := rand.Text()
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: s.table,
		Item: withKey(map[string]types.AttributeValue{
			attrExpires:  num(ttlSeconds),
			"expires_ns": num(expires.UnixNano()),
			attrToken:    str(token),
		}, claimKey(key)),
		ConditionExpression:                 aws.String("attribute_not_exists(PK) OR expires_ns <= :now"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":now": num(now.UnixNano())},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ownWrite(ccf.Item, token), nil
	}
	if err != nil {
		// The key can name an uploaded file, so it stays out of the error.
		return false, fmt.Errorf("claim: %w", err)
	}
	return true, nil
}

func (s *Store) Claimed(ctx context.Context, key string) (bool, error) {
	item, err := s.get(ctx, claimKey(key))
	if err != nil {
		return false, fmt.Errorf("read claim: %w", err)
	}
	ns, ok := item["expires_ns"].(*types.AttributeValueMemberN)
	if !ok {
		return false, nil
	}
	expires, err := strconv.ParseInt(ns.Value, 10, 64)
	if err != nil {
		return false, fmt.Errorf("read claim: expiry %q: %w", ns.Value, err)
	}
	return s.now().UnixNano() < expires, nil
}

// Reserve puts value under the claim key unless an unexpired value is there, and returns
// what is stored. The failed condition hands back the stored item, so no second read.
func (s *Store) Reserve(ctx context.Context, key, value string, ttl time.Duration) (string, error) {
	if key == "" || value == "" {
		return "", casehold.Errorf(casehold.EINVALID, "reserve: key and value are required")
	}
	now := s.now()
	expires := now.Add(ttl)
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: s.table,
		Item: withKey(map[string]types.AttributeValue{
			attrExpires:  num(expires.Unix() + 1),
			"expires_ns": num(expires.UnixNano()),
			"value":      str(value),
		}, reserveKey(key)),
		ConditionExpression:                 aws.String("attribute_not_exists(PK) OR expires_ns <= :now"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":now": num(now.UnixNano())},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if v, ok := ccf.Item["value"].(*types.AttributeValueMemberS); ok && v.Value != "" {
			return v.Value, nil
		}
		return "", fmt.Errorf("reserve: stored item has no value")
	}
	if err != nil {
		return "", fmt.Errorf("reserve: %w", err)
	}
	return value, nil
}

// --- helpers ---

// updateAll sets every attribute of item but the key and the immutable ones, if the
// stored version is expected. A failed condition returns the stored item, so the caller
// can tell absent (no item) from stale, and its own retried write (its token) from both.
func (s *Store) updateAll(ctx context.Context, k, item map[string]types.AttributeValue, immutable map[string]bool, expected int64) error {
	names := map[string]string{"#v": attrVersion}
	values := map[string]types.AttributeValue{":expected": num(expected)}
	var sets []string
	for n, v := range item {
		if n == attrPK || n == attrSK || immutable[n] {
			continue
		}
		i := strconv.Itoa(len(sets))
		names["#a"+i], values[":a"+i] = n, v
		sets = append(sets, "#a"+i+" = :a"+i)
	}
	return s.withContention(ctx, func() error {
		_, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                           s.table,
			Key:                                 k,
			UpdateExpression:                    aws.String("SET " + strings.Join(sets, ", ")),
			ConditionExpression:                 aws.String("#v = :expected"),
			ExpressionAttributeNames:            names,
			ExpressionAttributeValues:           values,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		return err
	})
}

// ownWrite reports whether the stored item, returned by a failed condition, carries the
// token of this very write.
func ownWrite(stored map[string]types.AttributeValue, token string) bool {
	t, ok := stored[attrToken].(*types.AttributeValueMemberS)
	return ok && t.Value == token
}

// get reads one item consistently; a missing item is nil.
func (s *Store) get(ctx context.Context, k map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.table, Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	return out.Item, nil
}

func (s *Store) transact(ctx context.Context, items []types.TransactWriteItem) error {
	return s.withContention(ctx, func() error {
		_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		return err
	})
}

// withContention runs a write again, briefly, while it loses only to a transaction in
// progress on the same items: that says nothing about the write's conditions, so
// reporting a conflict at once would fail writes that can succeed.
func (s *Store) withContention(ctx context.Context, write func() error) error {
	for attempt := 0; ; attempt++ {
		err := write()
		if err == nil || !isContention(err) || attempt+1 == contentionAttempts {
			return err
		}
		if err := sleep(ctx, backoff(attempt)); err != nil {
			return err
		}
	}
}

// isContention reports a write refused only because a transaction held its items.
func isContention(err error) bool {
	var tc *types.TransactionConflictException
	if errors.As(err, &tc) {
		return true
	}
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		return false
	}
	contended := false
	for _, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "", "None":
		case "TransactionConflict":
			contended = true
		default:
			return false
		}
	}
	return contended
}

// isConflict reports a write refused by a condition or by contention: the write lost a race.
func isConflict(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) || isContention(err) {
		return true
	}
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) {
		for i := range tce.CancellationReasons {
			if failedCondition(tce, i) {
				return true
			}
		}
	}
	return false
}

// failedCondition reports whether the i-th write of the transaction failed its condition.
func failedCondition(tce *types.TransactionCanceledException, i int) bool {
	return i < len(tce.CancellationReasons) && aws.ToString(tce.CancellationReasons[i].Code) == "ConditionalCheckFailed"
}

// conflict turns a lost race into ECONFLICT with a user-safe message and leaves other
// errors, internal ones, as they are.
func conflict(err error, format string, args ...any) error {
	if isConflict(err) {
		return casehold.Errorf(casehold.ECONFLICT, format, args...)
	}
	return err
}

// backoff is a jittered, capped exponential delay, so that writers that collided do not
// collide again in step.
func backoff(attempt int) time.Duration {
	d := min(5*time.Millisecond<<min(attempt, 7), 500*time.Millisecond)
	return d/2 + mrand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
