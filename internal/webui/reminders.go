package webui

import (
	"net/http"
	"strings"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// The reminders page shows what the next reminder sweep would send: the dry run of
// `casehold remind --dry-run`, through app.SweepPreview, which sends and changes nothing.
// Recipients are staff ids and subjects case or lock ids: never a child's name.

func (u *UI) reminderRoutes() []Route {
	roles := []casehold.Role{casehold.RoleIG, casehold.RoleCoordinator}
	return []Route{
		{"GET", "/ui/reminders", u.page(u.need(casehold.ActRemindersPreview, u.remindersPage)), false, roles},
	}
}

// plannedRow is one message of the dry run as the page shows it.
type plannedRow struct {
	app.PlannedMail
	Due casehold.Date
}

type remindersData struct {
	Report *app.SweepReport
	Rows   []plannedRow
}

func (u *UI) remindersPage(w http.ResponseWriter, r *http.Request, ss *session) {
	rep, err := u.App.SweepPreview(r.Context(), actorOf(r), u.App.Clock.Now())
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	d := remindersData{Report: rep}
	for _, m := range rep.Mail {
		d.Rows = append(d.Rows, plannedRow{PlannedMail: m, Due: occasionDue(m.Key)})
	}
	v := u.newView(r, ss, "Next reminder sweep", "reminders")
	v.Data = d
	u.render(w, r, http.StatusOK, "reminders.html", v)
}

// occasionDue reads the date an occasion is about from its key ("kind/subject/due/seq",
// or a report's "kind/owner/due"): the first part that is a date; zero if none is.
func occasionDue(key string) casehold.Date {
	for _, part := range strings.Split(key, "/") {
		if d, err := casehold.ParseDate("due", part); err == nil {
			return d
		}
	}
	return casehold.Date{}
}
