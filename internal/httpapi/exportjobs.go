package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// Evidence packs built as background jobs: the way a pack of any size leaves in AWS,
// where a response is capped at 6 MB and 30 s. GET /matters/{id}/export still streams a
// pack directly (local use, the CLI).
func (s *Server) exportJobRoutes() []route {
	return []route{
		{"POST", "/matters/{id}/exports", s.requestExport, false},
		{"GET", "/exports/{id}", s.exportStatus, false},
		{"GET", "/exports/{id}/download", s.downloadExport, false},
	}
}

func (s *Server) requestExport(w http.ResponseWriter, r *http.Request) {
	v, err := s.App.RequestExport(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/exports/"+v.ID)
	writeJSON(w, http.StatusAccepted, v)
}

func (s *Server) exportStatus(w http.ResponseWriter, r *http.Request) {
	v, err := s.App.ExportStatus(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, v)
}

// downloadExport streams a ready pack to its requester: the download link where the pack
// store has no presigned URLs (locally).
func (s *Server) downloadExport(w http.ResponseWriter, r *http.Request) {
	rc, size, name, err := s.App.OpenExportPack(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, rc); err != nil {
		s.Log.ErrorContext(r.Context(), "pack download cut", "request_id", RequestID(r.Context()), "err", err)
		panic(http.ErrAbortHandler)
	}
}
