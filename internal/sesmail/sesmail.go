// Package sesmail sends casehold's email through Amazon SES as raw MIME, so attachments
// travel in the same message format the local outbox writes.
package sesmail

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/ses/types"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/mailmsg"
)

var _ casehold.Mailer = (*Mailer)(nil)

// Mailer is a casehold.Mailer on SES.
type Mailer struct {
	client *ses.Client
}

// New returns a Mailer that sends with client.
func New(client *ses.Client) *Mailer {
	return &Mailer{client: client}
}

// Send validates and renders msg and hands it to SES, returning SES's message id.
func (m *Mailer) Send(ctx context.Context, msg casehold.Message) (string, error) {
	raw, err := mailmsg.Build(msg, strings.ToLower(rand.Text())+"@casehold.local", time.Now())
	if err != nil {
		return "", fmt.Errorf("send mail: %w", err)
	}
	out, err := m.client.SendRawEmail(ctx, &ses.SendRawEmailInput{
		RawMessage: &types.RawMessage{Data: raw},
	})
	if err != nil {
		return "", fmt.Errorf("send mail: %w", err)
	}
	return aws.ToString(out.MessageId), nil
}
