package dynamostore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/casehold"
)

var (
	_ casehold.MailQueue = (*Store)(nil)
	_ casehold.DueIndex  = (*Store)(nil)
)

// The mail queue and the due-date index (see doc.go): the record item holds the state, and
// an index item in one partition, written in the same transaction, orders it by time, so
// the sender and the sweep read only what is due, with a consistent Query:
//
//	MAIL#<key>  / META                     the queued message as JSON, with its version
//	MAILDUE     / <next attempt>#<key>     pending messages by next attempt
//	DUE#<key>   / DUE                      a subject's due time
//	DUEAT       / <due>#<key>              subjects by due time
//
// One partition each: a council's pending mail is tens of messages, and its due entries a
// few per open matter and locked case; a Query reads a range of one partition however many
// items the partition holds.
const (
	mailDuePK = "MAILDUE"
	dueAtPK   = "DUEAT"
	skDue     = "DUE"
)

func mailKey(k string) map[string]types.AttributeValue { return key("MAIL#"+k, skMeta) }
func dueKey(k string) map[string]types.AttributeValue  { return key("DUE#"+k, skDue) }

func mailIndexKey(q *casehold.QueuedMail) map[string]types.AttributeValue {
	return key(mailDuePK, q.NextAttempt.UTC().Format(sortTime)+"#"+q.Key)
}

func marshalMail(q *casehold.QueuedMail, version int64) (map[string]types.AttributeValue, error) {
	c := *q
	c.Version = version
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encode queued mail: %w", err)
	}
	return withKey(map[string]types.AttributeValue{"mail": str(string(b)), attrVersion: num(version)}, mailKey(q.Key)), nil
}

func unmarshalMail(item map[string]types.AttributeValue) (*casehold.QueuedMail, error) {
	s, ok := item["mail"].(*types.AttributeValueMemberS)
	if !ok {
		return nil, fmt.Errorf("decode queued mail: no mail attribute")
	}
	var q casehold.QueuedMail
	if err := json.Unmarshal([]byte(s.Value), &q); err != nil {
		return nil, fmt.Errorf("decode queued mail: %w", err)
	}
	if n, ok := item[attrVersion].(*types.AttributeValueMemberN); ok {
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("decode queued mail version: %w", err)
		}
		q.Version = v
	}
	return &q, nil
}

func (s *Store) EnqueueMail(ctx context.Context, q *casehold.QueuedMail) (bool, error) {
	if err := q.Validate(); err != nil {
		return false, err
	}
	stored := *q
	stored.Status = casehold.MailPending
	item, err := marshalMail(&stored, 1)
	if err != nil {
		return false, err
	}
	idx := withKey(map[string]types.AttributeValue{"mail_key": str(q.Key)}, mailIndexKey(&stored))
	// The request token makes an SDK retry of a transaction that succeeded succeed again,
	// rather than fail its own condition and look like a claim made before.
	err = s.transactOnce(ctx, []types.TransactWriteItem{
		{Put: &types.Put{TableName: s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: &types.Put{TableName: s.table, Item: idx}},
	})
	if err != nil {
		if isConflict(err) {
			return false, nil
		}
		return false, fmt.Errorf("enqueue mail: %w", err)
	}
	q.Status, q.Version = casehold.MailPending, 1
	return true, nil
}

func (s *Store) GetMail(ctx context.Context, k string) (*casehold.QueuedMail, error) {
	item, err := s.get(ctx, mailKey(k))
	if err != nil {
		return nil, fmt.Errorf("get mail: %w", err)
	}
	if item == nil {
		return nil, fmt.Errorf("get mail: %w", casehold.Errorf(casehold.ENOTFOUND, "queued mail not found"))
	}
	return unmarshalMail(item)
}

func (s *Store) UpdateMail(ctx context.Context, q *casehold.QueuedMail) error {
	old, err := s.GetMail(ctx, q.Key)
	if err != nil {
		return fmt.Errorf("update mail: %w", err)
	}
	if old.Version != q.Version {
		return fmt.Errorf("update mail: %w", casehold.Errorf(casehold.ECONFLICT, "queued mail was changed by another sender"))
	}
	item, err := marshalMail(q, old.Version+1)
	if err != nil {
		return err
	}
	items := []types.TransactWriteItem{{Put: &types.Put{TableName: s.table, Item: item,
		ConditionExpression:       aws.String("#v = :expected"),
		ExpressionAttributeNames:  map[string]string{"#v": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":expected": num(old.Version)}}}}
	wasKey, nowKey := mailIndexKey(old), mailIndexKey(q)
	same := old.Status == casehold.MailPending && q.Status == casehold.MailPending && old.NextAttempt.Equal(q.NextAttempt)
	if old.Status == casehold.MailPending && !same {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: s.table, Key: wasKey}})
	}
	if q.Status == casehold.MailPending && !same {
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: withKey(map[string]types.AttributeValue{"mail_key": str(q.Key)}, nowKey)}})
	}
	if err := s.transactOnce(ctx, items); err != nil {
		return fmt.Errorf("update mail: %w", conflict(err, "queued mail was changed by another sender"))
	}
	q.Version = old.Version + 1
	return nil
}

func (s *Store) DueMail(ctx context.Context, now time.Time, limit int) ([]*casehold.QueuedMail, error) {
	keys, err := s.indexRange(ctx, mailDuePK, now, limit, "mail_key")
	if err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	out := []*casehold.QueuedMail{}
	if len(keys) == 0 {
		return out, nil
	}
	ks := make([]map[string]types.AttributeValue, len(keys))
	for i, k := range keys {
		ks[i] = mailKey(k.Key)
	}
	items, err := s.batchGet(ctx, ks)
	if err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	byKey := map[string]*casehold.QueuedMail{}
	for _, it := range items {
		q, err := unmarshalMail(it)
		if err != nil {
			return nil, err
		}
		byKey[q.Key] = q
	}
	for _, k := range keys {
		if q, ok := byKey[k.Key]; ok && q.Status == casehold.MailPending {
			out = append(out, q)
		}
	}
	return out, nil
}

// indexRange reads up to limit entries of the time-ordered index partition pk at or before
// t, earliest first, with the id kept in attribute attr.
func (s *Store) indexRange(ctx context.Context, pk string, t time.Time, limit int, attr string) ([]casehold.DueItem, error) {
	out := []casehold.DueItem{}
	if limit <= 0 {
		return out, nil
	}
	pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{TableName: s.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK <= :last"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk),
			":last": str(t.UTC().Format(sortTime) + "#\uffff")},
		ConsistentRead: aws.Bool(true), Limit: aws.Int32(int32(min(limit, 1000)))})
	for pages.HasMorePages() && len(out) < limit {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			sk, _ := it[attrSK].(*types.AttributeValueMemberS)
			id, _ := it[attr].(*types.AttributeValueMemberS)
			if sk == nil || id == nil || len(out) == limit {
				continue
			}
			when, _, _ := strings.Cut(sk.Value, "#")
			due, err := time.Parse(sortTime, when)
			if err != nil {
				return nil, fmt.Errorf("index holds a malformed time: %w", err)
			}
			out = append(out, casehold.DueItem{Key: id.Value, Due: due})
		}
	}
	return out, nil
}

// --- due-date index ---

func dueAtKey(k string, due time.Time) map[string]types.AttributeValue {
	return key(dueAtPK, due.UTC().Format(sortTime)+"#"+k)
}

func (s *Store) GetDue(ctx context.Context, k string) (casehold.DueItem, error) {
	item, err := s.get(ctx, dueKey(k))
	if err != nil {
		return casehold.DueItem{}, fmt.Errorf("get due: %w", err)
	}
	if item == nil {
		return casehold.DueItem{}, fmt.Errorf("get due: %w", casehold.Errorf(casehold.ENOTFOUND, "no due entry"))
	}
	v, ok := item["due"].(*types.AttributeValueMemberS)
	if !ok {
		return casehold.DueItem{}, fmt.Errorf("get due: no due attribute")
	}
	t, err := time.Parse(sortTime, v.Value)
	if err != nil {
		return casehold.DueItem{}, fmt.Errorf("get due: %w", err)
	}
	return casehold.DueItem{Key: k, Due: t}, nil
}

func (s *Store) SetDue(ctx context.Context, k string, due time.Time) error {
	if k == "" {
		return casehold.Errorf(casehold.EINVALID, "set due: key is empty")
	}
	// Read the entry, then replace it conditional on what was read: a concurrent change
	// makes this write try again from the new entry, so the index never keeps a stale row.
	for attempt := 0; attempt < holdAttempts; attempt++ {
		old, err := s.GetDue(ctx, k)
		switch casehold.ErrorCode(err) {
		case "":
			err = s.MoveDue(ctx, k, old.Due, due)
		case casehold.ENOTFOUND:
			if due.IsZero() {
				return nil
			}
			err = s.writeDue(ctx, k, time.Time{}, due)
		default:
			return fmt.Errorf("set due: %w", err)
		}
		if casehold.ErrorCode(err) != casehold.ECONFLICT {
			return err
		}
	}
	return fmt.Errorf("set due: %w", casehold.Errorf(casehold.ECONFLICT, "the due entry kept changing"))
}

func (s *Store) MoveDue(ctx context.Context, k string, from, to time.Time) error {
	if from.IsZero() {
		return casehold.Errorf(casehold.EINVALID, "move due: from is zero")
	}
	return s.writeDue(ctx, k, from, to)
}

// writeDue replaces the entry due at from (absent when from is zero) by one due at to
// (none when to is zero), in one transaction.
func (s *Store) writeDue(ctx context.Context, k string, from, to time.Time) error {
	var items []types.TransactWriteItem
	if !to.IsZero() {
		put := &types.Put{TableName: s.table, Item: withKey(map[string]types.AttributeValue{"due": str(to.UTC().Format(sortTime))}, dueKey(k))}
		if from.IsZero() {
			put.ConditionExpression = aws.String("attribute_not_exists(PK)")
		} else {
			put.ConditionExpression = aws.String("due = :from")
			put.ExpressionAttributeValues = map[string]types.AttributeValue{":from": str(from.UTC().Format(sortTime))}
		}
		items = append(items, types.TransactWriteItem{Put: put},
			types.TransactWriteItem{Put: &types.Put{TableName: s.table, Item: withKey(map[string]types.AttributeValue{"due_key": str(k)}, dueAtKey(k, to))}})
	} else {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: s.table, Key: dueKey(k),
			ConditionExpression:       aws.String("due = :from"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":from": str(from.UTC().Format(sortTime))}}})
	}
	if !from.IsZero() && !from.Equal(to) {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: s.table, Key: dueAtKey(k, from)}})
	}
	if err := s.transactOnce(ctx, items); err != nil {
		return fmt.Errorf("move due: %w", conflict(err, "the due entry changed"))
	}
	return nil
}

func (s *Store) DueBy(ctx context.Context, t time.Time, limit int) ([]casehold.DueItem, error) {
	out, err := s.indexRange(ctx, dueAtPK, t, limit, "due_key")
	if err != nil {
		return nil, fmt.Errorf("due by: %w", err)
	}
	return out, nil
}
