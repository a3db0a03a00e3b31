package httpapi

import (
	"net/http"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/whosaw"
)

// Locked cases and the staff directory. PIDs go in request bodies, never in URLs, so they
// stay out of access logs and browser history.
func (s *Server) lockRoutes() []route {
	return []route{
		{"POST", "/locks", s.requestLock, false},
		{"GET", "/locks/mine", s.myLocks, false},
		{"GET", "/locks/due", s.locksDue, false},
		{"POST", "/locks/{lock}/decision", s.decideLock, false},
		{"POST", "/locks/{lock}/apply", s.applyLock, false},
		{"POST", "/locks/{lock}/confirm-owner", s.confirmLockOwner, false},
		{"POST", "/locks/{lock}/reviews", s.reviewLock, false},
		{"POST", "/locks/{lock}/unlock", s.unlockCase, false},
		{"POST", "/locks/{lock}/temporary", s.requestTemporary, false},
		{"POST", "/locks/{lock}/temporary/{staff}/agree", s.agreeTemporary, false},
		{"POST", "/locks/{lock}/temporary/give-back", s.giveBackTemporary, false},
		{"POST", "/locks/{lock}/break-glass", s.breakGlass, false},
		{"POST", "/lookup", s.lookupPID, false},
		{"POST", "/contacts", s.recordContact, false},
		{"POST", "/reports/who-saw", s.whoSaw, false},
		{"POST", "/staff/import", s.importStaff, false},
		{"POST", "/matters/{id}/legal-officers", s.assignLegalOfficer, false},
	}
}

// lockAnswer writes a lock or the error.
func (s *Server) lockAnswer(w http.ResponseWriter, r *http.Request, status int, l *casehold.Lock, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, l)
}

func (s *Server) requestLock(w http.ResponseWriter, r *http.Request) {
	var in app.LockInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.App.RequestLock(r.Context(), actor(r), in)
	s.lockAnswer(w, r, http.StatusCreated, l, err)
}

func (s *Server) myLocks(w http.ResponseWriter, r *http.Request) {
	ls, err := s.App.MyLocks(r.Context(), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"locks": ls})
}

func (s *Server) locksDue(w http.ResponseWriter, r *http.Request) {
	day := casehold.DateOf(s.App.Clock.Now())
	if v := r.URL.Query().Get("by"); v != "" {
		d, err := casehold.ParseDate("by", v)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		day = d
	}
	ls, err := s.App.LocksDue(r.Context(), actor(r), day)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"locks": ls})
}

func (s *Server) decideLock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Approve bool `json:"approve"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.App.DecideLock(r.Context(), actor(r), r.PathValue("lock"), in.Approve)
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) applyLock(w http.ResponseWriter, r *http.Request) {
	l, err := s.App.ApplyLock(r.Context(), actor(r), r.PathValue("lock"))
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) confirmLockOwner(w http.ResponseWriter, r *http.Request) {
	l, err := s.App.ConfirmLockOwner(r.Context(), actor(r), r.PathValue("lock"))
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) reviewLock(w http.ResponseWriter, r *http.Request) {
	var in app.LockReviewInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.App.ReviewLock(r.Context(), actor(r), r.PathValue("lock"), in)
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) unlockCase(w http.ResponseWriter, r *http.Request) {
	l, err := s.App.UnlockCase(r.Context(), actor(r), r.PathValue("lock"))
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) requestTemporary(w http.ResponseWriter, r *http.Request) {
	var in app.TemporaryInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.App.RequestTemporaryAccess(r.Context(), actor(r), r.PathValue("lock"), in)
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) agreeTemporary(w http.ResponseWriter, r *http.Request) {
	l, err := s.App.AgreeTemporaryAccess(r.Context(), actor(r), r.PathValue("lock"), r.PathValue("staff"))
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) giveBackTemporary(w http.ResponseWriter, r *http.Request) {
	l, err := s.App.GiveBackTemporaryAccess(r.Context(), actor(r), r.PathValue("lock"))
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) breakGlass(w http.ResponseWriter, r *http.Request) {
	var in app.TemporaryInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.App.BreakGlass(r.Context(), actor(r), r.PathValue("lock"), in)
	s.lockAnswer(w, r, http.StatusOK, l, err)
}

func (s *Server) lookupPID(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PID string `json:"pid"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.App.LookupPID(r.Context(), actor(r), in.PID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, n)
}

// importStaff takes the council's directory export as text/csv.
func (s *Server) importStaff(w http.ResponseWriter, r *http.Request) {
	res, err := s.App.ImportStaff(r.Context(), actor(r), http.MaxBytesReader(w, r.Body, 32<<20))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) recordContact(w http.ResponseWriter, r *http.Request) {
	var in app.ContactInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.App.RecordContact(r.Context(), actor(r), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (s *Server) assignLegalOfficer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		StaffID string `json:"staff_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.App.AssignLegalOfficer(r.Context(), actor(r), r.PathValue("id"), in.StaffID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, matterView(m, s.App.Clock.Now()))
}

// whoSaw is the "who saw this child" report: JSON, or CSV or PDF to download. The PID is
// in the body, never the URL.
func (s *Server) whoSaw(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PID        string `json:"pid"`
		DocumentID string `json:"document_id"`
		Format     string `json:"format"`
	}
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Format != "" && in.Format != "json" && in.Format != "csv" && in.Format != "pdf" {
		s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "format must be json, csv or pdf"))
		return
	}
	rep, err := s.App.WhoSaw(r.Context(), actor(r), casehold.AuditFilter{PID: in.PID, DocumentID: in.DocumentID})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	switch in.Format {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="who-saw.csv"`)
		if err := whosaw.CSV(w, rep); err != nil {
			s.Log.ErrorContext(r.Context(), "who-saw csv not written", "err", err)
		}
	case "pdf":
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `attachment; filename="who-saw.pdf"`)
		if err := whosaw.PDF(w, rep, s.App.Council); err != nil {
			s.Log.ErrorContext(r.Context(), "who-saw pdf not written", "err", err)
		}
	default:
		writeJSON(w, http.StatusOK, rep)
	}
}
