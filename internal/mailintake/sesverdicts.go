package mailintake

import (
	"strings"

	"github.com/casehold/casehold/internal/casehold"
)

// SESVerdicts reads the verdicts Amazon SES writes into a received message before storing
// it in S3: X-SES-Spam-Verdict, X-SES-Virus-Verdict, and the spf=, dkim= and dmarc= results
// of the first Authentication-Results header whose authserv-id is amazonses.com. A sender
// can write its own headers of these names below SES's, so only the topmost of each counts,
// and Authentication-Results from any other server is ignored. Absent values stay "",
// which casehold.CheckSender treats as not passed.
func (m *Message) SESVerdicts() casehold.MailVerdicts {
	v := casehold.MailVerdicts{Spam: m.h.Get("X-Ses-Spam-Verdict"), Virus: m.h.Get("X-Ses-Virus-Verdict")}
	for _, ar := range m.h.Values("Authentication-Results") {
		parts := strings.Split(ar, ";")
		if strings.ToLower(strings.TrimSpace(parts[0])) != "amazonses.com" {
			continue
		}
		for _, p := range parts[1:] {
			method, rest, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok {
				continue
			}
			result := strings.ToUpper(strings.Fields(rest + " ")[0])
			switch strings.ToLower(method) {
			case "spf":
				v.SPF = result
			case "dkim":
				if v.DKIM != "PASS" { // any passing signature is enough
					v.DKIM = result
				}
			case "dmarc":
				v.DMARC = result
			}
		}
		break
	}
	return v
}
