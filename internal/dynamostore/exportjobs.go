package dynamostore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casehold/casehold/internal/casehold"
)

var _ casehold.ExportJobStore = (*Store)(nil)

// Export jobs (see doc.go): one item each, the job as JSON beside its version and state.
// While queued or building the item carries GSI1 keys in the EXPORTS#unfinished partition
// (a council has a handful of exports at a time), so a starting server finds the jobs a
// crash left without reading finished ones. The item's first write (an INSERT whose PK
// begins EXPORT#) is what the DynamoDB stream hands to the export function.
const (
	exportPKPrefix   = "EXPORT#"
	exportsOpenGSIPK = "EXPORTS#unfinished"
	attrExportState  = "export_state"
)

func exportKey(id string) map[string]types.AttributeValue { return key(exportPKPrefix+id, skMeta) }

func marshalExportJob(j *casehold.ExportJob, version int64) (map[string]types.AttributeValue, error) {
	c := *j
	c.Version = version
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encode export job: %w", err)
	}
	item := withKey(map[string]types.AttributeValue{"job": str(string(b)), attrVersion: num(version),
		attrExportState: str(string(j.State)), attrToken: str(rand.Text())}, exportKey(j.ID))
	if !j.State.Finished() {
		item[attrGSI1PK] = str(exportsOpenGSIPK)
		item[attrGSI1SK] = str(j.CreatedAt.UTC().Format(sortTime) + "#" + j.ID)
	}
	return item, nil
}

func unmarshalExportJob(item map[string]types.AttributeValue) (*casehold.ExportJob, error) {
	s, ok := item["job"].(*types.AttributeValueMemberS)
	if !ok {
		return nil, fmt.Errorf("decode export job: no job attribute")
	}
	var j casehold.ExportJob
	if err := json.Unmarshal([]byte(s.Value), &j); err != nil {
		return nil, fmt.Errorf("decode export job: %w", err)
	}
	if n, ok := item[attrVersion].(*types.AttributeValueMemberN); ok {
		v, err := strconv.ParseInt(n.Value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("decode export job version: %w", err)
		}
		j.Version = v
	}
	return &j, nil
}

// CreateExportJob is one PutItem, attribute_not_exists(PK); a failed condition hands back
// the stored job, which is the same request retried (success) or another job (ECONFLICT).
func (s *Store) CreateExportJob(ctx context.Context, j *casehold.ExportJob) (bool, error) {
	if err := j.Validate(); err != nil {
		return false, err
	}
	stored := *j
	stored.State = casehold.ExportQueued
	item, err := marshalExportJob(&stored, 1)
	if err != nil {
		return false, err
	}
	token := item[attrToken].(*types.AttributeValueMemberS).Value
	err = s.withContention(ctx, func() error {
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: item,
			ConditionExpression:                 aws.String("attribute_not_exists(PK)"),
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
		return err
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && ownWrite(ccf.Item, token):
		// Our write landed; only its retry failed.
	case errors.As(err, &ccf):
		old, derr := unmarshalExportJob(ccf.Item)
		if derr != nil {
			return false, fmt.Errorf("create export job: %w", derr)
		}
		if old.MatterID != j.MatterID || old.RequestedBy != j.RequestedBy {
			return false, fmt.Errorf("create export job: %w", casehold.Errorf(casehold.ECONFLICT, "export job %s exists for another request", j.ID))
		}
		return false, nil
	case err != nil:
		return false, fmt.Errorf("create export job: %w", err)
	}
	j.State, j.Version = casehold.ExportQueued, 1
	return true, nil
}

func (s *Store) GetExportJob(ctx context.Context, id string) (*casehold.ExportJob, error) {
	item, err := s.get(ctx, exportKey(id))
	if err != nil {
		return nil, fmt.Errorf("get export job: %w", err)
	}
	if item == nil {
		return nil, fmt.Errorf("get export job: %w", casehold.Errorf(casehold.ENOTFOUND, "export job not found"))
	}
	return unmarshalExportJob(item)
}

// ClaimExportJob reads the job, lets the domain decide, and writes it back conditional on
// the version read: of two builders claiming at once, one wins and the other gets ECONFLICT.
func (s *Store) ClaimExportJob(ctx context.Context, id, owner string, now time.Time, lease time.Duration) (*casehold.ExportJob, error) {
	j, err := s.GetExportJob(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("claim export job: %w", err)
	}
	if err := j.Claim(owner, now, lease); err != nil {
		return nil, fmt.Errorf("claim export job: %w", err)
	}
	if err := s.UpdateExportJob(ctx, j); err != nil {
		return nil, fmt.Errorf("claim export job: %w", err)
	}
	return j, nil
}

// UpdateExportJob replaces the whole item (PutItem, version = :expected), so the GSI1
// keys leave with the job's last unfinished state; the token tells our own retried write
// from another builder's.
func (s *Store) UpdateExportJob(ctx context.Context, j *casehold.ExportJob) error {
	item, err := marshalExportJob(j, j.Version+1)
	if err != nil {
		return err
	}
	token := item[attrToken].(*types.AttributeValueMemberS).Value
	err = s.withContention(ctx, func() error {
		_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.table, Item: item,
			ConditionExpression:                 aws.String("#v = :expected"),
			ExpressionAttributeNames:            map[string]string{"#v": attrVersion},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":expected": num(j.Version)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
		return err
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf) && len(ccf.Item) == 0:
		return fmt.Errorf("update export job: %w", casehold.Errorf(casehold.ENOTFOUND, "export job not found"))
	case errors.As(err, &ccf) && ownWrite(ccf.Item, token):
		// Our write landed; only its retry failed.
	case err != nil:
		return fmt.Errorf("update export job: %w", conflict(err, "export job %s was changed by another builder", j.ID))
	}
	j.Version++
	return nil
}

func (s *Store) UnfinishedExportJobs(ctx context.Context, limit int) ([]*casehold.ExportJob, error) {
	out := []*casehold.ExportJob{}
	if limit <= 0 {
		return out, nil
	}
	pages := dynamodb.NewQueryPaginator(s.client, &dynamodb.QueryInput{TableName: s.table, IndexName: aws.String(indexGSI1),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(exportsOpenGSIPK)},
		Limit:                     aws.Int32(int32(min(limit, 100)))})
	for pages.HasMorePages() && len(out) < limit {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("unfinished export jobs: %w", err)
		}
		for _, it := range page.Items {
			j, err := unmarshalExportJob(it)
			if err != nil {
				return nil, err
			}
			if !j.State.Finished() && len(out) < limit {
				out = append(out, j)
			}
		}
	}
	return out, nil
}
