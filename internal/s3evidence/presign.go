package s3evidence

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// PresignGet returns a URL that downloads exactly that version for ttl, named filename.
// Lambda responses stop at 6 MB, so in AWS large documents are fetched from S3 directly;
// the caller audits the grant and hands out the recorded SHA-256 for checking.
func (s *Store) PresignGet(ctx context.Context, key, versionID, filename string, ttl time.Duration) (string, error) {
	req, err := s3.NewPresignClient(s.client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), VersionId: aws.String(versionID),
		ResponseContentDisposition: aws.String(fmt.Sprintf(`attachment; filename="%s"`, filename)),
		ResponseCacheControl:       aws.String("no-store"),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", key, err)
	}
	return req.URL, nil
}
