package casehold

// Mail routing is policy, not parsing: which matter an inbound message concerns is decided
// here, from what the parser (internal/mailintake) read out of it.

import (
	"regexp"
	"strings"
)

// Route kinds.
const (
	RouteID        = "id"
	RouteReference = "reference"
)

// MailAddressed is what routing reads of a message: its subject and every recipient (To,
// Cc, and the SMTP envelope's, where a Bcc'd intake address only is).
type MailAddressed struct {
	Subject    string
	Recipients []string
}

var (
	// A matter id is "m-" and 16 base32 characters (app.RandomIDs); matterIDs checks that
	// it stands alone.
	matterIDRe = regexp.MustCompile(`(?i)m-[a-z2-7]{16}`)
	// A reference in square brackets: "[CCRC/00412/2026]".
	bracketRe = regexp.MustCompile(`\[\s*([^\[\]\s]{1,64})\s*\]`)
	// A reference after "Ref:" or "Reference:"; it ends at a space or at trailing punctuation.
	refRe = regexp.MustCompile(`(?i)\bref(?:erence)?\s*:\s*([A-Za-z0-9][A-Za-z0-9/._-]{0,62}[A-Za-z0-9])`)
	// A reference standing alone anywhere in the subject ("Re: CCRC/02001/2026 further
	// records"): letters, then one or more "/" parts, as outside bodies number their cases.
	// Starting with letters and needing a "/" keeps dates (12/05/2026), times and ordinary
	// words out; the digit check below keeps "and/or" out.
	bareRe = regexp.MustCompile(`(?:^|[\s(\[:;,])([A-Za-z][A-Za-z0-9._-]*(?:/[A-Za-z0-9._-]+)+)`)
	// What a reference may look like once found. It needs a digit, so the "[EXTERNAL]" and
	// "[OFFICIAL-SENSITIVE]" tags that mail gateways prepend are not taken for one.
	referenceRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/._-]*[A-Za-z0-9]$`)
)

// Route finds the matter a message concerns. It looks for a matter id in the subject and
// in a plus-address of any To or Cc recipient whose local part is intakeLocalPart
// (intake+m-zkgg43p2rfmg7mhd@council.example), then for a reference in the subject: in
// [brackets] or after "Ref:" first, else one standing anywhere ("Re: CCRC/02001/2026 ...").
// An id wins over a reference because it names one matter exactly, and a marked reference
// over a bare one because the sender said which it was. If the message names more than one distinct id, or (with no id) more than one
// distinct reference, it returns "" so that a person decides: guessing would file evidence
// under the wrong child's matter. kind is RouteID, RouteReference or "".
//
// A Bcc'd intake address is in no header; callers holding the SMTP envelope recipients
// (the SES receipt's) include them in Recipients.
func RouteMail(env MailAddressed, intakeLocalPart string) (kind, value string) {
	ids := map[string]bool{}
	for _, id := range matterIDs(env.Subject) {
		ids[id] = true
	}
	for _, addr := range env.Recipients {
		if id := plusID(addr, intakeLocalPart); id != "" {
			ids[id] = true
		}
	}
	if id, ok := onlyOne(ids); ok {
		return RouteID, id
	}
	if len(ids) > 1 {
		return "", ""
	}

	refs := map[string]bool{}
	for _, m := range bracketRe.FindAllStringSubmatch(env.Subject, -1) {
		if isReference(m[1]) {
			refs[m[1]] = true
		}
	}
	for _, m := range refRe.FindAllStringSubmatch(env.Subject, -1) {
		if isReference(m[1]) {
			refs[m[1]] = true
		}
	}
	if len(refs) == 0 {
		for _, m := range bareRe.FindAllStringSubmatch(env.Subject, -1) {
			if ref := strings.TrimRight(m[1], "._-"); isReference(ref) {
				refs[ref] = true
			}
		}
	}
	if ref, ok := onlyOne(refs); ok {
		return RouteReference, ref
	}
	return "", ""
}

// plusID returns the matter id in addr's plus tag if addr is local+tag@domain with local
// equal to intake (case-insensitively).
func plusID(addr, intake string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || intake == "" {
		return ""
	}
	local, tag, ok := strings.Cut(addr[:at], "+")
	if !ok || !strings.EqualFold(local, intake) {
		return ""
	}
	if ids := matterIDs(tag); len(ids) == 1 && len(tag) == len(ids[0]) {
		return ids[0]
	}
	return ""
}

// matterIDs returns, in lower case, the matter ids in s that are not part of a longer word.
func matterIDs(s string) []string {
	var out []string
	for _, loc := range matterIDRe.FindAllStringIndex(s, -1) {
		if loc[0] > 0 && isWordByte(s[loc[0]-1]) || loc[1] < len(s) && isWordByte(s[loc[1]]) {
			continue
		}
		out = append(out, strings.ToLower(s[loc[0]:loc[1]]))
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isReference(s string) bool {
	return referenceRe.MatchString(s) && strings.ContainsAny(s, "0123456789")
}

func onlyOne(set map[string]bool) (string, bool) {
	if len(set) != 1 {
		return "", false
	}
	for v := range set {
		return v, true
	}
	return "", false
}
