package casehold

import (
	"net/mail"
	"strings"
)

// MailVerdicts are the SES receipt verdicts of a message, each "PASS", "FAIL", "GRAY",
// "PROCESSING_FAILED" or "DISABLED" (receipt.spamVerdict.status and so on). The parser
// reads them (mailintake.Message.SESVerdicts); this file decides what they mean.
type MailVerdicts struct {
	Spam, Virus, SPF, DKIM, DMARC string
}

// CheckSender decides whether a message may be taken in, and returns the reason to refuse
// it or "". from is the header From address (mailintake.Envelope.From). The rules fail closed, since
// whatever passes is filed as evidence under a child's matter:
//   - the virus scan must have passed: a scan that was off or failed proves nothing;
//   - a message SES calls spam is refused (a gray or failed spam check alone is not);
//   - DMARC must pass, because only DMARC ties the From domain to SPF or DKIM; a domain
//     with no DMARC policy (GRAY) can be spoofed, and SPF or DKIM passing on their own may
//     be for the sender's own domain. One of SPF and DKIM must pass too, as DMARC implies;
//   - the From domain must be one of allowedDomains or a subdomain of one. An empty list
//     allows no one.
//
// Reasons never include the address.
func CheckSender(v MailVerdicts, from string, allowedDomains []string) (reason string) {
	switch virus := verdict(v.Virus); virus {
	case "PASS":
	case "FAIL":
		return "virus scan found a virus"
	default:
		return "virus scan did not pass (" + virus + ")"
	}
	if verdict(v.Spam) == "FAIL" {
		return "message was classed as spam"
	}
	if dmarc := verdict(v.DMARC); dmarc != "PASS" {
		return "sender not authenticated: DMARC " + dmarc
	}
	if verdict(v.SPF) != "PASS" && verdict(v.DKIM) != "PASS" {
		return "sender not authenticated: neither SPF nor DKIM passed"
	}
	domain := senderDomain(from)
	if domain == "" {
		return "sender address is missing or invalid"
	}
	for _, d := range allowedDomains {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if d != "" && (domain == d || strings.HasSuffix(domain, "."+d)) {
			return ""
		}
	}
	return "sender domain is not allowed"
}

// verdict normalises a status; anything not an SES status becomes UNKNOWN, so only known
// words reach a reason string.
func verdict(s string) string {
	switch s = strings.ToUpper(strings.TrimSpace(s)); s {
	case "PASS", "FAIL", "GRAY", "PROCESSING_FAILED", "DISABLED":
		return s
	case "":
		return "MISSING"
	}
	return "UNKNOWN"
}

// senderDomain returns the lower-case domain of an address, or "".
func senderDomain(from string) string {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return ""
	}
	at := strings.LastIndexByte(a.Address, '@')
	if at < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(a.Address[at+1:]), ".")
}

// CheckEnvelopeSender compares the envelope sender (the Return-Path the delivering server
// recorded) with the From domain, for mail taken in without SES verdicts (the local inbox):
// there nothing has checked that a message claiming an allowed From really came from that
// domain, and a different envelope domain is the usual mark of a forged From. It returns
// the reason a person should look first, or "". The two agree when one domain is the other
// or a subdomain of it (bounces.council.example for council.example), as DMARC's relaxed
// alignment allows. returnPath "" means the message has no Return-Path: nothing to compare.
// "<>" (a null sender, as bounces have) or an unusable address does not agree.
func CheckEnvelopeSender(from, returnPath string) (reason string) {
	if returnPath == "" {
		return ""
	}
	fd, rd := senderDomain(from), senderDomain(returnPath)
	if rd == "" {
		return "envelope sender (Return-Path) is empty or invalid"
	}
	if fd == "" || fd == rd || strings.HasSuffix(fd, "."+rd) || strings.HasSuffix(rd, "."+fd) {
		return ""
	}
	return "envelope sender (Return-Path) is from another domain than the From address"
}
