package httpapi

import (
	"fmt"
	"net/http"
)

// exportMatter streams the matter's evidence pack. Refusals answer in JSON; once the zip
// has begun, a failure (altered evidence, a store error) aborts the connection, so the
// client never holds a complete-looking pack.
func (s *Server) exportMatter(w http.ResponseWriter, r *http.Request) {
	ex, err := s.App.PrepareExport(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, ex.FileName()))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := ex.WriteTo(r.Context(), w); err != nil {
		s.Log.ErrorContext(r.Context(), "export aborted", "request_id", RequestID(r.Context()), "matter", r.PathValue("id"), "err", err)
		panic(http.ErrAbortHandler)
	}
}
