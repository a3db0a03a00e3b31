package s3staging

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/casehold/casehold/internal/casehold"
)

// Bucket names the upload bucket.
func (s *Staging) Bucket() string { return s.bucket }

// Latest lists the current version of every object under prefix. In AWS, S3 announces each
// upload by event notification; a local server on the emulators has no notifications and
// asks with this instead. Deleted objects (a delete marker on top) are left out.
func (s *Staging) Latest(ctx context.Context, prefix string) ([]casehold.StoredObject, error) {
	var out []casehold.StoredObject
	p := s3.NewListObjectVersionsPaginator(s.client, &s3.ListObjectVersionsInput{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list staged under %s: %w", prefix, err)
		}
		for _, v := range page.Versions {
			if aws.ToBool(v.IsLatest) {
				out = append(out, casehold.StoredObject{Key: aws.ToString(v.Key), VersionID: aws.ToString(v.VersionId), Size: aws.ToInt64(v.Size)})
			}
		}
	}
	return out, nil
}
