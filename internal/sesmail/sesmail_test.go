package sesmail_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/casehold/casehold/internal/awsconf"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/emulators"
	"github.com/casehold/casehold/internal/mailtest"
	"github.com/casehold/casehold/internal/sesmail"
)

func newMailer(t *testing.T) (*sesmail.Mailer, string) {
	t.Helper()
	opts := emulators.Options(t, "ses")
	endpoint := opts.SESEndpoint
	cfg, err := awsconf.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return sesmail.New(awsconf.SES(cfg, opts)), endpoint
}

// recorder notes the ids SES returns, so a harness sees only its own messages in the
// emulator's store, which every test (and package) shares.
type recorder struct {
	m   *sesmail.Mailer
	mu  sync.Mutex
	ids []string
}

func (r *recorder) Send(ctx context.Context, msg casehold.Message) (string, error) {
	id, err := r.m.Send(ctx, msg)
	if err == nil {
		r.mu.Lock()
		r.ids = append(r.ids, id)
		r.mu.Unlock()
	}
	return id, err
}

// storedEmail is the part of aws-ses-v2-local's GET /store answer the tests read.
type storedEmail struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Subject     string `json:"subject"`
	Destination struct {
		To []string `json:"to"`
		Cc []string `json:"cc"`
	} `json:"destination"`
	Body struct {
		Text string `json:"text"`
	} `json:"body"`
	Attachments []struct {
		Filename string `json:"filename"`
	} `json:"attachments"`
}

// stored returns every email the emulator has accepted so far.
func stored(t *testing.T, endpoint string) []storedEmail {
	t.Helper()
	resp, err := http.Get(endpoint + "/store")
	if err != nil {
		t.Fatalf("read SES emulator store: %v", err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []storedEmail `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatalf("decode SES emulator store: %v", err)
	}
	return store.Emails
}

func (r *recorder) sent(t *testing.T, endpoint string) []mailtest.Sent {
	t.Helper()
	emails := stored(t, endpoint)
	r.mu.Lock()
	defer r.mu.Unlock()
	var sent []mailtest.Sent
	for _, e := range emails {
		if !slices.Contains(r.ids, e.MessageID) {
			continue
		}
		s := mailtest.Sent{From: e.From, Subject: e.Subject, Text: strings.ReplaceAll(e.Body.Text, "\r\n", "\n")}
		// The emulator keeps each To and Cc header as written ("a@x, b@y"); split them into addresses.
		split := func(headers []string) []string {
			var out []string
			for _, h := range headers {
				list, err := mail.ParseAddressList(h)
				if err != nil {
					t.Fatalf("parse recipients %q: %v", h, err)
				}
				for _, a := range list {
					out = append(out, a.Address)
				}
			}
			return out
		}
		s.To, s.Cc = split(e.Destination.To), split(e.Destination.Cc)
		for _, a := range e.Attachments {
			s.Attachments = append(s.Attachments, a.Filename)
		}
		sent = append(sent, s)
	}
	return sent
}

func TestContract(t *testing.T) {
	mailtest.Run(t, func(t *testing.T) mailtest.Harness {
		m, endpoint := newMailer(t)
		r := &recorder{m: m}
		return mailtest.Harness{
			Mailer: r,
			Sent:   func(t *testing.T) []mailtest.Sent { return r.sent(t, endpoint) },
		}
	})
}

func TestSendReturnsDistinctIDs(t *testing.T) {
	m, _ := newMailer(t)
	msg := casehold.Message{From: "casehold@council.example", To: []string{"a@review.example", "b@review.example"}, Subject: "ids", Text: "x"}
	seen := map[string]bool{}
	for range 3 {
		id, err := m.Send(context.Background(), msg)
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		if id == "" || seen[id] {
			t.Fatalf("Send returned id %q, seen before: %v", id, seen[id])
		}
		seen[id] = true
	}
}

// TestInvalidNeverReachesSES backs up the contract's "nothing delivered" check, which a
// harness that filters by returned message ids cannot make: a refused message carries a
// unique marker in its subject, and no email in the emulator may carry it.
func TestInvalidNeverReachesSES(t *testing.T) {
	m, endpoint := newMailer(t)
	cases := []struct {
		name   string
		modify func(m *casehold.Message)
	}{
		{"NoRecipient", func(m *casehold.Message) { m.To = nil }},
		{"NoSender", func(m *casehold.Message) { m.From = "" }},
		{"SubjectInjection", func(m *casehold.Message) { m.Subject += "\r\nBcc: leak@elsewhere.example" }},
		{"BadAddress", func(m *casehold.Message) { m.To = []string{"not an address"} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			marker := "invalid-" + rand.Text()
			msg := casehold.Message{From: "casehold@council.example", To: []string{"a@review.example"}, Subject: marker, Text: "x"}
			c.modify(&msg)
			if _, err := m.Send(context.Background(), msg); casehold.ErrorCode(err) != casehold.EINVALID {
				t.Fatalf("Send = %v, want %s", err, casehold.EINVALID)
			}
			for _, e := range stored(t, endpoint) {
				if strings.Contains(e.Subject, marker) {
					t.Fatalf("a refused message reached SES: %+v", e)
				}
			}
		})
	}
}
