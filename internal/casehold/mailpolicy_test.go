package casehold

import (
	"strings"
	"testing"
)

func TestRouteMail(t *testing.T) {
	const id = "m-zkgg43p2rfmg7mhd"
	const other = "m-aaaabbbbccccdddd"
	cases := []struct {
		name      string
		subject   string
		to, cc    []string
		kind, val string
	}{
		{"IDInSubject", "Records for " + id, nil, nil, RouteID, id},
		{"IDInBrackets", "RE: [" + id + "] records", nil, nil, RouteID, id},
		{"IDUpperCase", "RECORDS M-ZKGG43P2RFMG7MHD", nil, nil, RouteID, id},
		{"IDInsideLongerWord", "xm-zkgg43p2rfmg7mhd and m-zkgg43p2rfmg7mhdx", nil, nil, "", ""},
		{"IDWrongAlphabet", "m-zkgg43p2rfmg7mh1", nil, nil, "", ""}, // 1 is not base32
		{"PlusAddress", "hello", []string{"intake+" + id + "@council.example.org"}, nil, RouteID, id},
		{"PlusAddressCc", "hello", nil, []string{"Intake+" + id + "@council.example.org"}, RouteID, id},
		{"PlusAddressOtherMailbox", "hello", []string{"records+" + id + "@council.example.org"}, nil, "", ""},
		{"PlusAddressNotAnID", "hello", []string{"intake+m-abc123@council.example.org"}, nil, "", ""},
		{"SubjectAndPlusAgree", "[" + id + "]", []string{"intake+" + id + "@council.example.org"}, nil, RouteID, id},
		{"SubjectAndPlusDisagree", "[" + id + "]", []string{"intake+" + other + "@council.example.org"}, nil, "", ""},
		{"TwoIDsInSubject", id + " and " + other, nil, nil, "", ""},
		{"SameIDTwice", id + " " + id, nil, nil, RouteID, id},
		{"ReferenceInBrackets", "RE: [CCRC/00412/2026] Request for records", nil, nil, RouteReference, "CCRC/00412/2026"},
		{"GatewayTagIgnored", "[EXTERNAL] [OFFICIAL-SENSITIVE] RE: [CCRC/00412/2026]", nil, nil, RouteReference, "CCRC/00412/2026"},
		{"RefColon", "Ref: CCRC/00412/2026 consent form", nil, nil, RouteReference, "CCRC/00412/2026"},
		{"RefColonTrailingDot", "our ref:CCRC/00412/2026.", nil, nil, RouteReference, "CCRC/00412/2026"},
		{"ReferenceColon", "Reference : 00412/2026", nil, nil, RouteReference, "00412/2026"},
		{"SameReferenceTwice", "[CCRC/00412/2026] Ref: CCRC/00412/2026", nil, nil, RouteReference, "CCRC/00412/2026"},
		{"TwoReferences", "Your ref: CCRC/00412/2026 Our ref: LA/77/2026", nil, nil, "", ""},
		{"IDBeatsReference", "[CCRC/00412/2026] " + id, nil, nil, RouteID, id},
		{"NoDigitsNotAReference", "[URGENT] Ref: tomorrow", nil, nil, "", ""},
		{"BareReference", "Re: CCRC/02001/2026 further records", nil, nil, RouteReference, "CCRC/02001/2026"},
		{"BareReferenceAtStart", "CCRC/02001/2026: records", nil, nil, RouteReference, "CCRC/02001/2026"},
		{"BareReferenceTrailingDot", "Records for CCRC/02001/2026.", nil, nil, RouteReference, "CCRC/02001/2026"},
		{"BareReferenceInParentheses", "Records (CCRC/02001/2026)", nil, nil, RouteReference, "CCRC/02001/2026"},
		{"BareReferenceWithDate", "Fwd: CCRC/02001/2026 sent 12/05/2026", nil, nil, RouteReference, "CCRC/02001/2026"},
		{"BareAndOr", "records and/or files", nil, nil, "", ""},
		{"BareDateOnly", "Records sent 12/05/2026", nil, nil, "", ""},
		{"TwoBareReferences", "CCRC/02001/2026 and SCB/7/2026", nil, nil, "", ""},
		{"MarkedBeatsBare", "Ref: CCRC/02001/2026 copy to SCB/7/2026", nil, nil, RouteReference, "CCRC/02001/2026"},
		// A lookalike is taken whole, so it matches no matter and goes to triage.
		{"BareLookalikeTakenWhole", "xCCRC/02001/2026", nil, nil, RouteReference, "xCCRC/02001/2026"},
		{"Nothing", "Hello", []string{"intake@council.example.org"}, nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kind, val := RouteMail(MailAddressed{Subject: c.subject, Recipients: append(append([]string(nil), c.to...), c.cc...)}, "intake")
			if kind != c.kind || val != c.val {
				t.Errorf("Route = (%q, %q), want (%q, %q)", kind, val, c.kind, c.val)
			}
		})
	}
}

func TestCheckSender(t *testing.T) {
	pass := MailVerdicts{Spam: "PASS", Virus: "PASS", SPF: "PASS", DKIM: "PASS", DMARC: "PASS"}
	allowed := []string{"ccrc.example.org", "Council.Example.org."}
	mod := func(f func(*MailVerdicts)) MailVerdicts { v := pass; f(&v); return v }
	cases := []struct {
		name   string
		v      MailVerdicts
		from   string
		reason string
	}{
		{"OK", pass, "alex.example@ccrc.example.org", ""},
		{"OKSubdomain", pass, "a@mail.ccrc.example.org", ""},
		{"OKCaseAndDisplayName", pass, "Alex <Alex@CCRC.Example.Org>", ""},
		{"OKSecondDomain", pass, "a@council.example.org", ""},
		{"OKOnlyDKIM", mod(func(v *MailVerdicts) { v.SPF = "FAIL" }), "a@ccrc.example.org", ""},
		{"OKSpamGray", mod(func(v *MailVerdicts) { v.Spam = "GRAY" }), "a@ccrc.example.org", ""},
		{"Virus", mod(func(v *MailVerdicts) { v.Virus = "FAIL" }), "a@ccrc.example.org", "virus scan found a virus"},
		{"VirusGray", mod(func(v *MailVerdicts) { v.Virus = "GRAY" }), "a@ccrc.example.org", "virus scan did not pass (GRAY)"},
		{"VirusDisabled", mod(func(v *MailVerdicts) { v.Virus = "disabled" }), "a@ccrc.example.org", "virus scan did not pass (DISABLED)"},
		{"VirusMissing", mod(func(v *MailVerdicts) { v.Virus = "" }), "a@ccrc.example.org", "virus scan did not pass (MISSING)"},
		{"VirusOdd", mod(func(v *MailVerdicts) { v.Virus = "PASS\r\nX" }), "a@ccrc.example.org", "virus scan did not pass (UNKNOWN)"},
		{"Spam", mod(func(v *MailVerdicts) { v.Spam = "FAIL" }), "a@ccrc.example.org", "message was classed as spam"},
		{"DMARCFail", mod(func(v *MailVerdicts) { v.DMARC = "FAIL" }), "a@ccrc.example.org", "sender not authenticated: DMARC FAIL"},
		{"DMARCGray", mod(func(v *MailVerdicts) { v.DMARC = "GRAY" }), "a@ccrc.example.org", "sender not authenticated: DMARC GRAY"},
		{"DMARCProcessingFailed", mod(func(v *MailVerdicts) { v.DMARC = "PROCESSING_FAILED" }), "a@ccrc.example.org", "sender not authenticated: DMARC PROCESSING_FAILED"},
		{"NeitherSPFNorDKIM", mod(func(v *MailVerdicts) { v.SPF, v.DKIM = "FAIL", "GRAY" }), "a@ccrc.example.org", "sender not authenticated: neither SPF nor DKIM passed"},
		{"NoFrom", pass, "", "sender address is missing or invalid"},
		{"BadFrom", pass, "not an address", "sender address is missing or invalid"},
		{"DomainNotAllowed", pass, "a@example.net", "sender domain is not allowed"},
		{"LookalikeDomain", pass, "a@evilccrc.example.org", "sender domain is not allowed"},
		{"AllowedAsPrefixOnly", pass, "a@ccrc.example.org.evil.example", "sender domain is not allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := CheckSender(c.v, c.from, allowed); got != c.reason {
				t.Errorf("CheckVerdicts = %q, want %q", got, c.reason)
			}
		})
	}
	if got := CheckSender(pass, "a@ccrc.example.org", nil); got != "sender domain is not allowed" {
		t.Errorf("empty allow-list: %q, want a refusal", got)
	}
}

func TestCheckEnvelopeSender(t *testing.T) {
	cases := []struct {
		name, from, returnPath string
		ok                     bool
	}{
		{"NoReturnPath", "a@council.example", "", true},
		{"SameDomain", "a@council.example", "a@council.example", true},
		{"BounceSubdomain", "a@council.example", "bounce-123@bounces.council.example", true},
		{"FromSubdomain", "a@mail.council.example", "b@council.example", true},
		{"CaseAndDisplayName", "Alex <a@Council.Example>", "<A@COUNCIL.EXAMPLE>", true},
		{"OtherDomain", "a@council.example", "x@mailer.elsewhere.example", false},
		{"LookalikeSuffix", "a@council.example", "x@evilcouncil.example", false},
		{"NullSender", "a@council.example", "<>", false},
		{"Garbage", "a@council.example", "not an address", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reason := CheckEnvelopeSender(c.from, c.returnPath)
			if (reason == "") != c.ok {
				t.Errorf("CheckEnvelopeSender = %q, want ok=%v", reason, c.ok)
			}
			if strings.Contains(reason, "@") {
				t.Errorf("reason names an address: %q", reason)
			}
		})
	}
}
