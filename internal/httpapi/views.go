package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

type matterJSON struct {
	*casehold.Matter
	DaysLeft *int `json:"days_left,omitempty"` // to the deadline, while open
}

func matterView(m *casehold.Matter, now time.Time) matterJSON {
	v := matterJSON{Matter: m}
	if m.Status == casehold.MatterOpen && !m.Deadline.IsZero() {
		n := casehold.DateOf(now.UTC()).DaysUntil(m.Deadline)
		v.DaysLeft = &n
	}
	return v
}

type documentJSON struct {
	*casehold.Document
	Held bool `json:"held"`
}

func documentView(d *casehold.Document) documentJSON {
	return documentJSON{Document: d, Held: d.Held()}
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, limit := uint64(0), 100
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "after must be a whole number"))
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "limit must be a whole number from 1 to 1000"))
			return
		}
		limit = n
	}
	events, err := s.App.ListAudit(r.Context(), actor(r), after, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if events == nil {
		events = []casehold.AuditEvent{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": events})
}

func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) {
	rep, err := s.App.VerifyAudit(r.Context(), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
