package dynamostore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/casehold"
)

// Audit log layout (doc.go has the table of items and access patterns).
const (
	attrGSI2PK   = "GSI2PK"
	attrGSI2SK   = "GSI2SK"
	indexGSI2    = "GSI2"
	skAuditEvent = "EV"
	skAuditHash  = "H"
	pkAuditTree  = "AUDITTREE"
	skAuditTree  = "TREE"

	// pendingShards spreads pending events over that many GSI2 partitions, so that
	// recording has no hot key; the sequencer reads them all.
	pendingShards = 16
	// leavesPerPartition and hashesPerItem spread the leaves and the stored hashes: a
	// partition holds 4096 leaves; an item holds 64 hashes (2 KB).
	leavesPerPartition = 4096
	hashesPerItem      = 64
	maxBatchWrite      = 25
	batchWriteParallel = 8
)

func auditEventKey(id string) map[string]types.AttributeValue {
	return key("AUDITEV#"+id, skAuditEvent)
}
func auditLeafKey(seq uint64) map[string]types.AttributeValue {
	return key(fmt.Sprintf("AUDITLOG#%012d", seq/leavesPerPartition), fmt.Sprintf("%020d", seq))
}
func auditHashKey(chunk int64) map[string]types.AttributeValue {
	return key(fmt.Sprintf("AUDITHASH#%016d", chunk), skAuditHash)
}
func auditTreeKey() map[string]types.AttributeValue { return key(pkAuditTree, skAuditTree) }

func auditByPK(f casehold.AuditFilter) string {
	switch {
	case f.MatterID != "":
		return "AUDITBY#M#" + f.MatterID
	case f.DocumentID != "":
		return "AUDITBY#D#" + f.DocumentID
	default:
		return "AUDITBY#P#" + f.PID
	}
}

func pendingShard(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	return fmt.Sprintf("AUDITPENDING#%02d", h.Sum32()%pendingShards)
}

func eventJSON(e casehold.AuditEvent) (string, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("encode audit event: %w", err)
	}
	return string(b), nil
}

func decodeEvent(item map[string]types.AttributeValue) (casehold.AuditEvent, error) {
	v, ok := item["event"].(*types.AttributeValueMemberS)
	if !ok {
		return casehold.AuditEvent{}, fmt.Errorf("audit item has no event")
	}
	var e casehold.AuditEvent
	if err := json.Unmarshal([]byte(v.Value), &e); err != nil {
		return casehold.AuditEvent{}, fmt.Errorf("decode audit event: %w", err)
	}
	return e, nil
}

func seqNum(n uint64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatUint(n, 10)}
}

// RecordAudit is one conditional PutItem on the event's own key: nothing else is read or
// written, so recorders never contend. A failed condition means the id was recorded
// before (or this very put was retried by the SDK after it landed): success either way.
func (s *Store) RecordAudit(ctx context.Context, e casehold.AuditEvent) error {
	if err := casehold.ValidateAuditEvent(e); err != nil {
		return fmt.Errorf("record audit event: %w", err)
	}
	data, err := eventJSON(e)
	if err != nil {
		return fmt.Errorf("record audit event %s: %w", e.ID, err)
	}
	item := withKey(map[string]types.AttributeValue{
		"event":    str(data),
		attrGSI2PK: str(pendingShard(e.ID)),
		attrGSI2SK: str(e.Time.UTC().Format(sortTime) + "#" + e.ID),
	}, auditEventKey(e.ID))
	_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: s.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("record audit event %s: %w", e.ID, err)
	}
	return nil
}

func (s *Store) GetAuditEvent(ctx context.Context, id string) (casehold.AuditEvent, error) {
	item, err := s.get(ctx, auditEventKey(id))
	if err != nil {
		return casehold.AuditEvent{}, fmt.Errorf("get audit event %s: %w", id, err)
	}
	if item == nil {
		return casehold.AuditEvent{}, fmt.Errorf("get audit event %s: %w", id, casehold.Errorf(casehold.ENOTFOUND, "audit event %s not found", id))
	}
	e, err := decodeEvent(item)
	if err != nil {
		return casehold.AuditEvent{}, fmt.Errorf("get audit event %s: %w", id, err)
	}
	return e, nil
}

func (s *Store) GetAuditEvents(ctx context.Context, ids []string) ([]casehold.AuditEvent, error) {
	keys := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		keys[i] = auditEventKey(id)
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("get %d audit events: %w", len(ids), err)
	}
	byID := make(map[string]casehold.AuditEvent, len(items))
	for _, it := range items {
		e, err := decodeEvent(it)
		if err != nil {
			return nil, err
		}
		byID[e.ID] = e
	}
	out := make([]casehold.AuditEvent, len(ids))
	for i, id := range ids {
		e, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("get audit events: %w", casehold.Errorf(casehold.ENOTFOUND, "audit event %s not found", id))
		}
		out[i] = e
	}
	return out, nil
}

// batchGet reads items consistently, 100 keys a call, a few calls at once, asking again
// for what DynamoDB left unprocessed. Absent items are simply not returned.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	chunks := slices.Collect(slices.Chunk(keys, maxBatchGet))
	found := make([][]map[string]types.AttributeValue, len(chunks))
	err := inParallel(ctx, len(chunks), batchGetParallel, func(ctx context.Context, i int) error {
		request := map[string]types.KeysAndAttributes{*s.table: {Keys: chunks[i], ConsistentRead: aws.Bool(true)}}
		return untilProcessed(ctx, "batch get: keys", len(request), func() (int, error) {
			out, err := s.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: request})
			if err != nil {
				return 0, err
			}
			found[i] = append(found[i], out.Responses[*s.table]...)
			request = out.UnprocessedKeys
			return len(request), nil
		})
	})
	if err != nil {
		return nil, err
	}
	var all []map[string]types.AttributeValue
	for _, f := range found {
		all = append(all, f...)
	}
	return all, nil
}

// batchWrite puts items, 25 a call, a few calls at once, sending again what DynamoDB left
// unprocessed. Puts are unconditional: used only for the sequencer's idempotent writes.
func (s *Store) batchWrite(ctx context.Context, items []map[string]types.AttributeValue) error {
	chunks := slices.Collect(slices.Chunk(items, maxBatchWrite))
	return inParallel(ctx, len(chunks), batchWriteParallel, func(ctx context.Context, i int) error {
		reqs := make([]types.WriteRequest, len(chunks[i]))
		for k, it := range chunks[i] {
			reqs[k] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
		}
		request := map[string][]types.WriteRequest{*s.table: reqs}
		return untilProcessed(ctx, "batch write: items", len(request), func() (int, error) {
			out, err := s.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: request})
			if err != nil {
				return 0, err
			}
			request = out.UnprocessedItems
			return len(request), nil
		})
	})
}

// inParallel runs work for 0..n-1, at most parallel at once, and returns the first error;
// the first error cancels the context the others run under.
func inParallel(ctx context.Context, n, parallel int, work func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, parallel)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := work(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	return first
}

// untilProcessed calls call, which sends what is still unprocessed and reports how much is
// left, again with backoff until nothing is left, for at most batchGetAttempts calls.
func untilProcessed(ctx context.Context, what string, left int, call func() (int, error)) error {
	for attempt := 0; left > 0; attempt++ {
		if attempt == batchGetAttempts {
			return fmt.Errorf("%s still unprocessed after %d attempts", what, attempt)
		}
		if attempt > 0 {
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return err
			}
		}
		var err error
		if left, err = call(); err != nil {
			return err
		}
	}
	return nil
}

// auditTreeSize reads the committed tree size, bounding what ListAudit returns.
func (s *Store) auditTreeSize(ctx context.Context) (uint64, error) {
	t, err := s.AuditTree(ctx)
	return t.Size, err
}

func (s *Store) ListAudit(ctx context.Context, after uint64, limit int) ([]casehold.AuditEvent, error) {
	out := []casehold.AuditEvent{}
	if limit <= 0 || after == ^uint64(0) {
		return out, nil
	}
	size, err := s.auditTreeSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("list audit after %d: %w", after, err)
	}
	for next := after + 1; next <= size && len(out) < limit; {
		part := auditLeafKey(next)[attrPK]
		last := min(size, (next/leavesPerPartition+1)*leavesPerPartition-1)
		in := &dynamodb.QueryInput{
			TableName:              s.table,
			ConsistentRead:         aws.Bool(true),
			KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": part, ":from": str(fmt.Sprintf("%020d", next)), ":to": str(fmt.Sprintf("%020d", last)),
			},
		}
		for len(out) < limit {
			in.Limit = aws.Int32(int32(min(limit-len(out), 1000)))
			page, err := s.client.Query(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("list audit after %d: %w", after, err)
			}
			for _, item := range page.Items {
				e, err := decodeEvent(item)
				if err != nil {
					return nil, fmt.Errorf("list audit after %d: %w", after, err)
				}
				out = append(out, e)
			}
			if len(page.LastEvaluatedKey) == 0 {
				break
			}
			in.ExclusiveStartKey = page.LastEvaluatedKey
		}
		next = last + 1
	}
	return out, nil
}

func (s *Store) ListAuditBy(ctx context.Context, f casehold.AuditFilter, after uint64, limit int) ([]casehold.AuditEvent, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("list audit by filter: %w", err)
	}
	out := []casehold.AuditEvent{}
	if limit <= 0 || after == ^uint64(0) {
		return out, nil
	}
	in := &dynamodb.QueryInput{
		TableName:              s.table,
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND SK > :after"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(auditByPK(f)), ":after": str(fmt.Sprintf("%020d", after)),
		},
	}
	for len(out) < limit {
		in.Limit = aws.Int32(int32(min(limit-len(out), 1000)))
		page, err := s.client.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list audit by filter: %w", err)
		}
		for _, item := range page.Items {
			e, err := decodeEvent(item)
			if err != nil {
				return nil, fmt.Errorf("list audit by filter: %w", err)
			}
			out = append(out, e)
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return out, nil
}

// PendingAudit reads the oldest entries of every pending shard of GSI2 (eventually
// consistent), then re-reads those events consistently and drops any already integrated:
// the index may still list an event the sequencer has just integrated.
func (s *Store) PendingAudit(ctx context.Context, limit int) ([]casehold.AuditEvent, error) {
	type cand struct{ sk, id string }
	var (
		mu    sync.Mutex
		cands []cand
		wg    sync.WaitGroup
		errs  = make([]error, pendingShards)
	)
	for i := range pendingShards {
		wg.Go(func() {
			out, err := s.client.Query(ctx, &dynamodb.QueryInput{
				TableName:                 s.table,
				IndexName:                 aws.String(indexGSI2),
				KeyConditionExpression:    aws.String("GSI2PK = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(fmt.Sprintf("AUDITPENDING#%02d", i))},
				ProjectionExpression:      aws.String("GSI2SK"),
				Limit:                     aws.Int32(int32(limit)),
			})
			if err != nil {
				errs[i] = err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, it := range out.Items {
				sk := it[attrGSI2SK].(*types.AttributeValueMemberS).Value
				cands = append(cands, cand{sk: sk, id: sk[strings.IndexByte(sk, '#')+1:]})
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("pending audit events: %w", err)
	}
	sort.Slice(cands, func(a, b int) bool { return cands[a].sk < cands[b].sk })
	if len(cands) > limit {
		cands = cands[:limit]
	}
	keys := make([]map[string]types.AttributeValue, len(cands))
	for i, c := range cands {
		keys[i] = auditEventKey(c.id)
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("pending audit events: %w", err)
	}
	byID := map[string]casehold.AuditEvent{}
	for _, it := range items {
		if _, integrated := it["seq"]; integrated {
			continue
		}
		e, err := decodeEvent(it)
		if err != nil {
			return nil, fmt.Errorf("pending audit events: %w", err)
		}
		byID[e.ID] = e
	}
	out := []casehold.AuditEvent{}
	for _, c := range cands {
		if e, ok := byID[c.id]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

// treeItem is the sequencer's state item.
type treeItem struct {
	Size         uint64   `dynamodbav:"tree_size"`
	Root         []byte   `dynamodbav:"root"`
	Batch        []string `dynamodbav:"batch"`
	LeaseOwner   string   `dynamodbav:"lease_owner"`
	LeaseExpires int64    `dynamodbav:"lease_expires_ns"`
	Checkpoint   string   `dynamodbav:"checkpoint"`
}

func (s *Store) AuditTree(ctx context.Context) (casehold.AuditTree, error) {
	item, err := s.get(ctx, auditTreeKey())
	if err != nil {
		return casehold.AuditTree{}, fmt.Errorf("audit tree: %w", err)
	}
	return decodeTree(item)
}

func decodeTree(item map[string]types.AttributeValue) (casehold.AuditTree, error) {
	var t casehold.AuditTree
	if item == nil {
		return t, nil
	}
	var it treeItem
	if err := unmarshalTree(item, &it); err != nil {
		return t, err
	}
	t.Size, t.Batch, t.LeaseOwner = it.Size, it.Batch, it.LeaseOwner
	copy(t.Root[:], it.Root)
	if it.LeaseExpires != 0 {
		t.LeaseExpires = time.Unix(0, it.LeaseExpires).UTC()
	}
	if it.Checkpoint != "" {
		if err := json.Unmarshal([]byte(it.Checkpoint), &t.Checkpoint); err != nil {
			return t, fmt.Errorf("decode audit checkpoint: %w", err)
		}
	}
	return t, nil
}

// updateTree runs one conditional UpdateItem on the tree item. On a failed condition it
// returns the stored item, so the caller can tell its own retried write from a conflict.
// treeNames are the tree item's attributes as expression names: several (batch, size)
// are DynamoDB reserved words.
var treeNames = map[string]string{
	"#size": "tree_size", "#root": "root", "#batch": "batch", "#owner": "lease_owner",
	"#expires": "lease_expires_ns", "#cp": "checkpoint", "#cpn": "cp_number",
}

func (s *Store) updateTree(ctx context.Context, update, cond string, values map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	names := map[string]string{}
	for n, a := range treeNames {
		if strings.Contains(update, n) || strings.Contains(cond, n) {
			names[n] = a
		}
	}
	in := &dynamodb.UpdateItemInput{
		TableName:                           s.table,
		Key:                                 auditTreeKey(),
		UpdateExpression:                    aws.String(update),
		ConditionExpression:                 aws.String(cond),
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	if len(names) > 0 {
		in.ExpressionAttributeNames = names
	}
	_, err := s.client.UpdateItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		if ccf.Item == nil {
			return map[string]types.AttributeValue{}, err
		}
		return ccf.Item, err
	}
	return nil, err
}

func (s *Store) AcquireAuditLease(ctx context.Context, owner string, now time.Time, ttl time.Duration) error {
	if owner == "" {
		return casehold.Errorf(casehold.EINVALID, "acquire audit lease: owner is empty")
	}
	_, err := s.updateTree(ctx, "SET #owner = :o, #expires = :exp",
		"attribute_not_exists(#owner) OR #owner = :o OR #expires <= :now",
		map[string]types.AttributeValue{":o": str(owner), ":exp": num(now.Add(ttl).UnixNano()), ":now": num(now.UnixNano())})
	if err != nil {
		return fmt.Errorf("acquire audit lease: %w", conflict(err, "another sequencer holds the audit lease"))
	}
	return nil
}

// sizeIs is the condition "the tree has exactly size leaves" (no attribute when empty).
func sizeIs(size uint64) string {
	if size == 0 {
		return "(attribute_not_exists(#size) OR #size = :size)"
	}
	return "#size = :size"
}

func (s *Store) BeginAuditBatch(ctx context.Context, owner string, size uint64, ids []string) error {
	if len(ids) == 0 {
		return casehold.Errorf(casehold.EINVALID, "begin audit batch: no events")
	}
	batch := make([]types.AttributeValue, len(ids))
	for i, id := range ids {
		batch[i] = str(id)
	}
	stored, err := s.updateTree(ctx, "SET #batch = :batch",
		"#owner = :o AND "+sizeIs(size)+" AND (attribute_not_exists(#batch) OR size(#batch) = :zero)",
		map[string]types.AttributeValue{":o": str(owner), ":size": seqNum(size), ":zero": num(0),
			":batch": &types.AttributeValueMemberL{Value: batch}})
	if stored != nil {
		if t, derr := decodeTree(stored); derr == nil && t.Size == size && slices.Equal(t.Batch, ids) && t.LeaseOwner == owner {
			return nil // our own write, retried by the SDK after it landed
		}
	}
	if err != nil {
		return fmt.Errorf("begin audit batch at %d: %w", size, conflict(err, "the audit tree moved on or the lease was lost"))
	}
	return nil
}

func (s *Store) WriteAuditLeaves(ctx context.Context, events []casehold.AuditEvent) error {
	var items []map[string]types.AttributeValue
	for _, e := range events {
		if e.Seq == 0 {
			return casehold.Errorf(casehold.EINVALID, "audit leaf %s has no seq", e.ID)
		}
		data, err := eventJSON(e)
		if err != nil {
			return err
		}
		attrs := func() map[string]types.AttributeValue {
			return map[string]types.AttributeValue{"event": str(data), "seq": seqNum(e.Seq)}
		}
		// The event item loses its GSI2 keys: it is no longer pending.
		items = append(items, withKey(attrs(), auditEventKey(e.ID)), withKey(attrs(), auditLeafKey(e.Seq)))
		var filters []casehold.AuditFilter
		if e.MatterID != "" {
			filters = append(filters, casehold.AuditFilter{MatterID: e.MatterID})
		}
		if e.DocumentID != "" {
			filters = append(filters, casehold.AuditFilter{DocumentID: e.DocumentID})
		}
		for _, p := range e.PIDs {
			filters = append(filters, casehold.AuditFilter{PID: p})
		}
		for _, f := range filters {
			items = append(items, withKey(attrs(), key(auditByPK(f), fmt.Sprintf("%020d", e.Seq))))
		}
	}
	// One event may name the same person twice; BatchWriteItem refuses duplicate keys.
	items = dedupeKeys(items)
	if err := s.batchWrite(ctx, items); err != nil {
		return fmt.Errorf("write %d audit leaves: %w", len(events), err)
	}
	return nil
}

func dedupeKeys(items []map[string]types.AttributeValue) []map[string]types.AttributeValue {
	seen := map[string]bool{}
	out := items[:0]
	for _, it := range items {
		k := it[attrPK].(*types.AttributeValueMemberS).Value + "\x00" + it[attrSK].(*types.AttributeValueMemberS).Value
		if !seen[k] {
			seen[k] = true
			out = append(out, it)
		}
	}
	return out
}

// WriteAuditHashes merges the hashes into their 64-hash items. Each item is written only
// if it grows (or stays): a stale writer can never cut off hashes written beyond its own.
func (s *Store) WriteAuditHashes(ctx context.Context, start int64, hashes []tlog.Hash) error {
	for i := 0; i < len(hashes); {
		idx := start + int64(i)
		chunk, off := idx/hashesPerItem, int(idx%hashesPerItem)
		n := min(hashesPerItem-off, len(hashes)-i)
		if err := s.mergeHashes(ctx, chunk, off, hashes[i:i+n]); err != nil {
			return fmt.Errorf("write audit hashes from %d: %w", start, err)
		}
		i += n
	}
	return nil
}

func (s *Store) mergeHashes(ctx context.Context, chunk int64, off int, hs []tlog.Hash) error {
	for attempt := 0; ; attempt++ {
		item, err := s.get(ctx, auditHashKey(chunk))
		if err != nil {
			return err
		}
		var have []byte
		if b, ok := item["h"].(*types.AttributeValueMemberB); ok {
			have = b.Value
		}
		if len(have) < off*tlog.HashSize {
			return casehold.Errorf(casehold.EINTERNAL, "audit hash item %d has a gap before %d", chunk, off)
		}
		merged := make([]byte, max(len(have), (off+len(hs))*tlog.HashSize))
		copy(merged, have)
		for i, h := range hs {
			copy(merged[(off+i)*tlog.HashSize:], h[:])
		}
		count := len(merged) / tlog.HashSize
		_, err = s.client.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                 s.table,
			Item:                      withKey(map[string]types.AttributeValue{"h": &types.AttributeValueMemberB{Value: merged}, "n": num(int64(count))}, auditHashKey(chunk)),
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR n <= :n"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": num(int64(count))},
		})
		var ccf *types.ConditionalCheckFailedException
		if errors.As(err, &ccf) && attempt < contentionAttempts {
			continue // grown meanwhile: merge into the longer item
		}
		return err
	}
}

func (s *Store) ReadAuditHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	var keys []map[string]types.AttributeValue
	seen := map[int64]bool{}
	for _, x := range indexes {
		if c := x / hashesPerItem; !seen[c] {
			seen[c] = true
			keys = append(keys, auditHashKey(c))
		}
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read audit hashes: %w", err)
	}
	chunks := map[int64][]byte{}
	for _, it := range items {
		pk := it[attrPK].(*types.AttributeValueMemberS).Value
		c, err := strconv.ParseInt(strings.TrimPrefix(pk, "AUDITHASH#"), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("read audit hashes: malformed key")
		}
		if b, ok := it["h"].(*types.AttributeValueMemberB); ok {
			chunks[c] = b.Value
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		b := chunks[x/hashesPerItem]
		o := int(x%hashesPerItem) * tlog.HashSize
		if len(b) < o+tlog.HashSize {
			return nil, fmt.Errorf("read audit hashes: %w", casehold.Errorf(casehold.ENOTFOUND, "audit hash %d not stored", x))
		}
		copy(out[i][:], b[o:])
	}
	return out, nil
}

func (s *Store) CommitAuditBatch(ctx context.Context, owner string, size, newSize uint64, root tlog.Hash) error {
	if newSize <= size {
		return casehold.Errorf(casehold.EINVALID, "commit audit batch: new size %d is not above %d", newSize, size)
	}
	stored, err := s.updateTree(ctx, "SET #size = :new, #root = :root REMOVE #batch",
		"#owner = :o AND "+sizeIs(size)+" AND size(#batch) = :k",
		map[string]types.AttributeValue{":o": str(owner), ":size": seqNum(size), ":new": seqNum(newSize),
			":k": num(int64(newSize - size)), ":root": &types.AttributeValueMemberB{Value: root[:]}})
	if stored != nil {
		if t, derr := decodeTree(stored); derr == nil && t.Size == newSize && t.Root == root && len(t.Batch) == 0 {
			return nil // our own write, retried by the SDK after it landed
		}
	}
	if err != nil {
		return fmt.Errorf("commit audit batch at %d: %w", size, conflict(err, "no audit batch from %d to %d in progress for this sequencer", size, newSize))
	}
	return nil
}

func (s *Store) SetAuditCheckpoint(ctx context.Context, cp casehold.Checkpoint) error {
	data, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("set audit checkpoint: %w", err)
	}
	_, err = s.updateTree(ctx, "SET #cp = :cp, #cpn = :n",
		"attribute_not_exists(#cpn) OR #cpn < :n",
		map[string]types.AttributeValue{":cp": str(string(data)), ":n": seqNum(cp.Number)})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("set audit checkpoint %d: %w", cp.Number, err)
	}
	return nil
}

func (s *Store) LegacyAudit(ctx context.Context, after uint64, limit int) ([]casehold.LegacyAuditEvent, error) {
	out := []casehold.LegacyAuditEvent{}
	if limit <= 0 || after == ^uint64(0) {
		return out, nil
	}
	in := &dynamodb.QueryInput{
		TableName:              s.table,
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": str(pkAudit), ":from": str(seqSK(after + 1)), ":to": str(seqSK(^uint64(0))),
		},
	}
	for len(out) < limit {
		in.Limit = aws.Int32(int32(min(limit-len(out), 1000)))
		page, err := s.client.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list legacy audit after %d: %w", after, err)
		}
		for _, item := range page.Items {
			e, err := unmarshalLegacyAudit(item)
			if err != nil {
				return nil, fmt.Errorf("list legacy audit after %d: %w", after, err)
			}
			out = append(out, e)
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return out, nil
}
