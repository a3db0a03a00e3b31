package webui

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// Evidence packs from the matter page: a button asks for the pack (the same decision as
// the API's export), and the job's page shows its progress, refreshing itself with a
// <meta refresh> (no script, so the CSP stays as it is) until the pack is ready, then
// offers the download link.

// exportRefreshSeconds is how often the job's page reloads while the pack is built.
const exportRefreshSeconds = 3

func (u *UI) exportRoutes() []Route {
	// Whoever may read documents (the API's export roles); the policy decides each matter.
	roles := []casehold.Role{casehold.RoleCoordinator, casehold.RoleLegal, casehold.RoleIG, casehold.RoleTeamManager,
		casehold.RoleHeadOfService, casehold.RoleServiceManager, casehold.RoleSocialWorker, casehold.RoleEDT, casehold.RoleSupport}
	return []Route{
		{"POST", "/ui/matters/{id}/exports", u.page(u.requestExport), false, roles},
		{"GET", "/ui/exports/{id}", u.page(u.exportPage), false, roles},
		{"GET", "/ui/exports/{id}/download", u.page(u.downloadExport), false, roles},
	}
}

// canExport says whether the matter page offers the export button: the role may read
// documents (the policy decides the matter when the button is pressed).
func canExport(a casehold.Actor) bool {
	return casehold.AuthorizeRole(a, casehold.ActReadDocument) == nil
}

func (u *UI) requestExport(w http.ResponseWriter, r *http.Request, ss *session) {
	v, err := u.App.RequestExport(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	u.redirectWith(w, r, ss, "/ui/exports/"+v.ID, "You asked for the evidence pack: this page shows how it is going")
}

type exportData struct {
	Job *app.ExportJobView
	// Download is where the browser fetches the pack: the presigned link, or this UI's
	// own download route where the pack store has none.
	Download string
	Expires  time.Time
	Percent  int
	MBDone   string
	MBTotal  string
}

func megabytes(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) }

func (u *UI) exportPage(w http.ResponseWriter, r *http.Request, ss *session) {
	job, err := u.App.ExportStatus(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	d := exportData{Job: job, MBDone: megabytes(job.Progress.BytesDone), MBTotal: megabytes(job.Progress.BytesTotal)}
	if job.Progress.BytesTotal > 0 {
		d.Percent = int(job.Progress.BytesDone * 100 / job.Progress.BytesTotal)
	}
	d.Download = job.DownloadURL
	if job.DownloadExpiresAt != nil {
		d.Expires = *job.DownloadExpiresAt
	}
	if strings.HasPrefix(d.Download, "/exports/") {
		d.Download = "/ui" + d.Download
	}
	v := u.newView(r, ss, "Evidence pack", "work")
	if !job.State.Finished() && !job.Stalled {
		v.Refresh = exportRefreshSeconds
	}
	u.takeNotice(w, ss, v)
	v.Data = d
	u.render(w, r, http.StatusOK, "export.html", v)
}

func (u *UI) downloadExport(w http.ResponseWriter, r *http.Request, ss *session) {
	rc, size, name, err := u.App.OpenExportPack(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	if _, err := io.Copy(w, rc); err != nil {
		u.Log.ErrorContext(r.Context(), "web UI: pack download aborted", "job", r.PathValue("id"), "err", err)
		panic(http.ErrAbortHandler)
	}
}
