package httpapi

import (
	"io"
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
	f := casehold.AuditFilter{MatterID: q.Get("matter_id"), DocumentID: q.Get("document_id"), PID: q.Get("pid")}
	if f != (casehold.AuditFilter{}) {
		if err := f.Validate(); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	events, err := s.App.ListAudit(r.Context(), actor(r), f, after, limit)
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
	var from uint64
	limit := 0
	q := r.URL.Query()
	if v := q.Get("from"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "from must be a position from 1"))
			return
		}
		from = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "limit must be a whole number from 1"))
			return
		}
		limit = n
	}
	rep, err := s.App.VerifyAuditFrom(r.Context(), actor(r), from, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (s *Server) proveAuditEvent(w http.ResponseWriter, r *http.Request) {
	p, err := s.App.ProveAuditEvent(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) auditConsistency(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var from, to int64
	for _, v := range []struct {
		name string
		dst  *int64
	}{{"from", &from}, {"to", &to}} {
		raw := q.Get(v.name)
		if raw == "" {
			continue
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < 1 {
			s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "%s must be a whole number from 1", v.name))
			return
		}
		*v.dst = n
	}
	p, err := s.App.AuditConsistency(r.Context(), actor(r), from, to)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) auditCheckpoint(w http.ResponseWriter, r *http.Request) {
	text, err := s.App.AuditCheckpoint(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, text)
}

func (s *Server) auditKey(w http.ResponseWriter, r *http.Request) {
	key, err := s.App.AuditPublicKey()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, key+"\n")
}
