package httpapi

import (
	"net/http"

	"github.com/casehold/casehold/internal/casehold"
)

func (s *Server) inboundRoutes() []route {
	return []route{
		{"GET", "/inbound", s.listInbound, false},
		{"GET", "/inbound/{in}", s.getInbound, false},
		{"POST", "/inbound/{in}/assign", s.assignInbound, false},
	}
}

func (s *Server) listInbound(w http.ResponseWriter, r *http.Request) {
	list, err := s.App.ListInbound(r.Context(), actor(r), casehold.InboundStatus(r.URL.Query().Get("status")))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []*casehold.InboundMessage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": list})
}

func (s *Server) getInbound(w http.ResponseWriter, r *http.Request) {
	in, err := s.App.GetInbound(r.Context(), actor(r), r.PathValue("in"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

func (s *Server) assignInbound(w http.ResponseWriter, r *http.Request) {
	var body struct {
		MatterID string `json:"matter_id"`
	}
	if err := decodeJSON(r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.App.AssignInbound(r.Context(), actor(r), r.PathValue("in"), body.MatterID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}
