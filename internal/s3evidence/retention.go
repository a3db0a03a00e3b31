package s3evidence

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// RetainUntil sets Object Lock retention in GOVERNANCE mode on the version until the
// given time, or leaves it when the version is retained that long already: retention is
// only ever extended, never shortened, so S3 itself refuses to delete the version before
// its disposal date (only a role allowed s3:BypassGovernanceRetention could, and the
// bucket policy grants that to the disposal function alone).
func (s *Store) RetainUntil(ctx context.Context, key, versionID string, until time.Time) error {
	until = until.UTC().Truncate(time.Second)
	cur, err := s.RetainedUntil(ctx, key, versionID)
	if err != nil {
		return err
	}
	if !cur.Before(until) {
		return nil
	}
	_, err = s.client.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), VersionId: aws.String(versionID),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(until)},
	})
	if err != nil {
		return fmt.Errorf("retain %s until %s: %w", key, until.Format(time.DateOnly), translate(err, opRead))
	}
	return nil
}

// RetainedUntil returns the version's Object Lock retain-until date (zero if none).
func (s *Store) RetainedUntil(ctx context.Context, key, versionID string) (time.Time, error) {
	out, err := s.client.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), VersionId: aws.String(versionID),
	})
	switch {
	case noLockSetting(err):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("read retention of %s: %w", key, translate(err, opRead))
	case out.Retention == nil || out.Retention.RetainUntilDate == nil:
		return time.Time{}, nil
	}
	return out.Retention.RetainUntilDate.UTC(), nil
}
