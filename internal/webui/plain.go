package webui

import (
	"net/http"
	"net/url"
	"strings"
)

// actionWords and roleWords name, in the words staff use, the actions and roles the access
// policy's refusals name by code ("matter.read is not open to your role").
var actionWords = map[string]string{
	"matter.create": "Working on a matter", "matter.read": "Reading this matter", "matter.release": "Releasing a matter",
	"document.upload": "Uploading documents", "document.hold": "Holding a document under another matter",
	"document.read": "Reading this document", "document.delete": "Deleting a document", "audit.read": "Reading the audit log",
	"lock.request": "Asking for a lock", "lock.decide": "Deciding on a lock", "lock.apply": "Applying a lock",
	"lock.review": "Reviewing a lock", "lock.list": "The list of locked cases", "lock.temporary": "Temporary access to a locked case",
	"lock.break": "Break-glass access", "lock.lookup": "Looking up a PID", "staff.import": "Importing the staff directory",
	"retention.classify": "Classifying a record", "disposal.review": "Reviewing what is due for disposal",
	"reminders.preview": "Seeing what the next reminders would send",
}

var roleWords = map[string]string{
	"coordinator": "coordinating officers", "legal": "legal services", "ig": "information governance",
	"head_of_service": "heads of service", "service_manager": "service managers", "team_manager": "team managers",
	"social_worker": "social workers", "edt": "the emergency duty team", "helpdesk": "helpdesk officers", "support": "system support",
}

// plainRefusal rewrites a refusal that names an action and roles by their codes; any other
// message is returned as it is.
func plainRefusal(msg string) string {
	act, rest, _ := strings.Cut(msg, " ")
	act, colon := strings.CutSuffix(act, ":")
	words, ok := actionWords[act]
	if !ok {
		return msg
	}
	switch {
	case colon:
		return words + ": " + rest
	case rest == "is not open to your role":
		return words + " is not open to your role."
	case strings.HasPrefix(rest, "needs one of the roles: "):
		var who []string
		for _, r := range strings.Split(strings.TrimPrefix(rest, "needs one of the roles: "), ", ") {
			if w, ok := roleWords[r]; ok {
				who = append(who, w)
			} else {
				who = append(who, r)
			}
		}
		if n := len(who); n > 1 {
			return words + " is for " + strings.Join(who[:n-1], ", ") + " and " + who[n-1] + "."
		}
		return words + " is for " + strings.Join(who, "") + "."
	}
	return words + " " + rest
}

// backTo is the page the person came from on this site (its path and query), or "".
func backTo(r *http.Request) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || !strings.HasPrefix(ref.Path, "/") || ref.RequestURI() == r.URL.RequestURI() {
		return ""
	}
	return ref.RequestURI()
}
