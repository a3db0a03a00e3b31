package httpapi

import (
	"net/http"
	"strconv"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// retentionRoutes are retention and disposal: the schedule, classification, IG's review
// queue and decisions, and certificates of disposal.
func (s *Server) retentionRoutes() []route {
	return []route{
		{"GET", "/retention/schedule", s.retentionSchedule, false},
		{"PUT", "/documents/{doc}/retention", s.classifyDocument, false},
		{"GET", "/disposals", s.disposalQueue, false},
		{"POST", "/documents/{doc}/disposal", s.decideDisposal, false},
		{"GET", "/documents/{doc}/disposal-certificate", s.disposalCertificate, false},
	}
}

func (s *Server) retentionSchedule(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, casehold.Schedule())
}

func (s *Server) classifyDocument(w http.ResponseWriter, r *http.Request) {
	var in app.ClassifyInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.App.ClassifyDocument(r.Context(), actor(r), r.PathValue("doc"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, documentView(d))
}

func (s *Server) disposalQueue(w http.ResponseWriter, r *http.Request) {
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "limit must be a positive whole number"))
			return
		}
		limit = n
	}
	q, err := s.App.DisposalQueue(r.Context(), actor(r), r.URL.Query().Get("after"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

func (s *Server) decideDisposal(w http.ResponseWriter, r *http.Request) {
	var in app.DisposalDecision
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.App.DecideDisposal(r.Context(), actor(r), r.PathValue("doc"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, documentView(d))
}

func (s *Server) disposalCertificate(w http.ResponseWriter, r *http.Request) {
	pdf := r.URL.Query().Get("format") == "pdf"
	b, err := s.App.DisposalCertificate(r.Context(), actor(r), r.PathValue("doc"), pdf)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if pdf {
		w.Header().Set("Content-Type", "application/pdf")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
