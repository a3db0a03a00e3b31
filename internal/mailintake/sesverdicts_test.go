package mailintake

import (
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/casehold"
)

func TestSESVerdicts(t *testing.T) {
	cases := []struct {
		name, header string
		want         casehold.MailVerdicts
	}{
		{"AllPass", "X-SES-Spam-Verdict: PASS\r\nX-SES-Virus-Verdict: PASS\r\n" +
			"Authentication-Results: amazonses.com;\r\n spf=pass (spf: domain of sender@review.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=sender@review.example;\r\n dkim=pass header.i=@review.example;\r\n dmarc=pass header.from=review.example;\r\n",
			casehold.MailVerdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}},
		{"ForgedBelowSES", "X-SES-Virus-Verdict: FAIL\r\nAuthentication-Results: amazonses.com; spf=fail; dkim=none; dmarc=fail\r\n" +
			"X-SES-Virus-Verdict: PASS\r\nAuthentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=pass\r\n",
			casehold.MailVerdicts{Virus: "FAIL", SPF: "FAIL", DKIM: "NONE", DMARC: "FAIL"}},
		{"OtherServerIgnored", "Authentication-Results: mx.elsewhere.example; spf=pass; dkim=pass; dmarc=pass\r\n", casehold.MailVerdicts{}},
		{"NoHeaders", "", casehold.MailVerdicts{}},
		{"OneOfTwoSignaturesPasses", "Authentication-Results: amazonses.com; dkim=fail header.i=@a.example; dkim=pass header.i=@review.example; dmarc=pass\r\n",
			casehold.MailVerdicts{DKIM: "PASS", DMARC: "PASS"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := c.header + "From: a@review.example\r\nTo: intake@council.example\r\nSubject: x\r\n\r\nbody\r\n"
			m, err := Read(strings.NewReader(raw), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := m.SESVerdicts(); got != c.want {
				t.Fatalf("SESVerdicts = %+v, want %+v", got, c.want)
			}
		})
	}
}
