package dynamostore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/casehold"
)

var _ casehold.LockStore = (*Store)(nil)

// Locks (see doc.go): the lock item LOCK#<id>/META holds the lock as JSON with its version;
// index items, written in the same transaction, make every lookup a Query:
//
//	LOCKPID#<pid>   / LOCK#<id>        every lock the child has had
//	LOCKPID#<pid>   / CURRENT          the child's current lock (one at a time, by condition)
//	LOCKOWNER#<own> / LOCK#<id>        the owner's current locks
//	LOCKREVIEW      / <due>#<id>       active locks by review date (one partition: a council
//	                                   has hundreds, not millions, and they change rarely)
const lockReviewPK = "LOCKREVIEW"

func lockKey(id string) map[string]types.AttributeValue { return key("LOCK#"+id, skMeta) }

// lockIndexKeys are the index items the lock's state calls for, by PK|SK.
func lockIndexKeys(l *casehold.Lock) map[string]map[string]types.AttributeValue {
	out := map[string]map[string]types.AttributeValue{}
	add := func(pk, sk string) { out[pk+"|"+sk] = key(pk, sk) }
	add("LOCKPID#"+l.PID, "LOCK#"+l.ID)
	if l.Current() {
		add("LOCKOWNER#"+l.Owner, "LOCK#"+l.ID)
	}
	if l.Active() && !l.ReviewDue.IsZero() {
		add(lockReviewPK, l.ReviewDue.String()+"#"+l.ID)
	}
	return out
}

func marshalLock(l *casehold.Lock, version int64) (map[string]types.AttributeValue, error) {
	c := *l
	c.Version = version
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encode lock: %w", err)
	}
	return withKey(map[string]types.AttributeValue{
		"lock": str(string(b)), attrVersion: num(version), "pid": str(l.PID),
	}, lockKey(l.ID)), nil
}

func unmarshalLock(item map[string]types.AttributeValue) (*casehold.Lock, error) {
	s, ok := item["lock"].(*types.AttributeValueMemberS)
	if !ok {
		return nil, fmt.Errorf("decode lock: no lock attribute")
	}
	var l casehold.Lock
	if err := json.Unmarshal([]byte(s.Value), &l); err != nil {
		return nil, fmt.Errorf("decode lock: %w", err)
	}
	if n, ok := item[attrVersion].(*types.AttributeValueMemberN); ok {
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("decode lock version: %w", err)
		}
		l.Version = v
	}
	return &l, nil
}

func (s *Store) CreateLock(ctx context.Context, l *casehold.Lock) error {
	if l.ID == "" || l.PID == "" {
		return casehold.Errorf(casehold.EINVALID, "create lock: id and pid are required")
	}
	item, err := marshalLock(l, 1)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: s.table, Item: item,
		ConditionExpression: aws.String("attribute_not_exists(PK)")}}}
	if l.Current() {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: s.table,
			Item:                withKey(map[string]types.AttributeValue{"lock_id": str(l.ID)}, key("LOCKPID#"+l.PID, "CURRENT")),
			ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	for _, k := range lockIndexKeys(l) {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: withKey(map[string]types.AttributeValue{"lock_id": str(l.ID)}, k)}})
	}
	if err := s.transactOnce(ctx, items); err != nil {
		return fmt.Errorf("create lock %s: %w", l.ID, conflict(err, "the lock exists, or the child already has a lock requested or in force"))
	}
	l.Version = 1
	return nil
}

func (s *Store) GetLock(ctx context.Context, id string) (*casehold.Lock, error) {
	item, err := s.get(ctx, lockKey(id))
	if err != nil {
		return nil, fmt.Errorf("get lock %s: %w", id, err)
	}
	if item == nil {
		return nil, fmt.Errorf("get lock %s: %w", id, casehold.Errorf(casehold.ENOTFOUND, "lock %s not found", id))
	}
	return unmarshalLock(item)
}

func (s *Store) UpdateLock(ctx context.Context, l *casehold.Lock) error {
	old, err := s.GetLock(ctx, l.ID)
	if err != nil {
		return fmt.Errorf("update lock: %w", err)
	}
	if old.Version != l.Version {
		return fmt.Errorf("update lock %s: %w", l.ID, casehold.Errorf(casehold.ECONFLICT, "lock %s was changed by someone else", l.ID))
	}
	next := *l
	next.PID = old.PID
	if !old.Current() && next.Current() {
		return fmt.Errorf("update lock %s: %w", l.ID, casehold.Errorf(casehold.ECONFLICT, "a lock that ended cannot start again: request a new one"))
	}
	item, err := marshalLock(&next, old.Version+1)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: s.table, Item: item,
		ConditionExpression:       aws.String("#v = :expected"),
		ExpressionAttributeNames:  map[string]string{"#v": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":expected": num(old.Version)}}}}
	if old.Current() && !next.Current() {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: s.table, Key: key("LOCKPID#"+old.PID, "CURRENT"),
			ConditionExpression:       aws.String("lock_id = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(l.ID)}}})
	}
	was, now := lockIndexKeys(old), lockIndexKeys(&next)
	for k, v := range was {
		if _, keep := now[k]; !keep {
			items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: s.table, Key: v}})
		}
	}
	for k, v := range now {
		if _, had := was[k]; !had {
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: withKey(map[string]types.AttributeValue{"lock_id": str(l.ID)}, v)}})
		}
	}
	if err := s.transactOnce(ctx, items); err != nil {
		return fmt.Errorf("update lock %s: %w", l.ID, conflict(err, "lock %s was changed by someone else", l.ID))
	}
	l.PID, l.Version = old.PID, old.Version+1
	return nil
}

// transactOnce writes items in one transaction with a request token, so a retry by the SDK
// of a transaction that had in fact succeeded is not refused by its own conditions.
func (s *Store) transactOnce(ctx context.Context, items []types.TransactWriteItem) error {
	token := rand.Text()
	return s.withContention(ctx, func() error {
		_, err := s.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items, ClientRequestToken: aws.String(token)})
		return err
	})
}

// lockIDsUnder queries the index partition pk (SK condition optional) for lock ids, in SK
// order.
func (s *Store) lockIDsUnder(ctx context.Context, pk, skCond string, values map[string]types.AttributeValue) ([]string, error) {
	if values == nil {
		values = map[string]types.AttributeValue{}
	}
	values[":pk"] = str(pk)
	cond := "PK = :pk"
	if skCond != "" {
		cond += " AND " + skCond
	}
	var ids []string
	pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{TableName: s.table, KeyConditionExpression: aws.String(cond),
		ExpressionAttributeValues: values, ConsistentRead: aws.Bool(true)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			if v, ok := it["lock_id"].(*types.AttributeValueMemberS); ok {
				ids = append(ids, v.Value)
			}
		}
	}
	return ids, nil
}

// getLocks reads the locks by id, in the order given.
func (s *Store) getLocks(ctx context.Context, ids []string) ([]*casehold.Lock, error) {
	keys := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		keys[i] = lockKey(id)
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("batch get locks: %w", err)
	}
	byID := make(map[string]*casehold.Lock, len(items))
	for _, item := range items {
		l, err := unmarshalLock(item)
		if err != nil {
			return nil, err
		}
		byID[l.ID] = l
	}
	out := make([]*casehold.Lock, 0, len(ids))
	for _, id := range ids {
		if l, ok := byID[id]; ok {
			out = append(out, l)
		}
	}
	return out, nil
}

func (s *Store) LocksForPID(ctx context.Context, pid string) ([]*casehold.Lock, error) {
	ids, err := s.lockIDsUnder(ctx, "LOCKPID#"+pid, "begins_with(SK, :lk)", map[string]types.AttributeValue{":lk": str("LOCK#")})
	if err != nil {
		return nil, fmt.Errorf("locks for a child: %w", err)
	}
	out, err := s.getLocks(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("locks for a child: %w", err)
	}
	casehold.SortLocks(out)
	return out, nil
}

func (s *Store) LocksByOwner(ctx context.Context, owner string) ([]*casehold.Lock, error) {
	ids, err := s.lockIDsUnder(ctx, "LOCKOWNER#"+owner, "", nil)
	if err != nil {
		return nil, fmt.Errorf("locks of an owner: %w", err)
	}
	out, err := s.getLocks(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("locks of an owner: %w", err)
	}
	casehold.SortLocks(out)
	return out, nil
}

func (s *Store) LocksDueBy(ctx context.Context, day casehold.Date) ([]*casehold.Lock, error) {
	// U+FFFF sorts after every character an id holds, so <day>#U+FFFF bounds the whole day.
	ids, err := s.lockIDsUnder(ctx, lockReviewPK, "SK <= :last", map[string]types.AttributeValue{":last": str(day.String() + "#\uffff")})
	if err != nil {
		return nil, fmt.Errorf("locks due for review: %w", err)
	}
	out, err := s.getLocks(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("locks due for review: %w", err)
	}
	return out, nil
}
