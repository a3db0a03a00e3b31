package httpapi

import (
	"net/http"
	"strconv"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// workRoutes are the steps of carrying out a matter: recording what was found, secured,
// handed over and sent.
func (s *Server) workRoutes() []route {
	return []route{
		{"GET", "/matters/{id}/progress", s.progress, false},
		{"PUT", "/matters/{id}/contact-email", s.contactEmail, false},
		{"PUT", "/matters/{id}/related/{pid}", s.putRelated, false},
		{"PUT", "/matters/{id}/areas/{area}", s.putArea, false},
		{"POST", "/matters/{id}/areas/{area}/acknowledge", s.acknowledgeArea, false},
		{"PUT", "/matters/{id}/electronic/{pid}", s.putElectronic, false},
		{"POST", "/matters/{id}/access", s.addAccess, false},
		{"POST", "/matters/{id}/access/revoke", s.revokeAccess, false},
		{"PUT", "/matters/{id}/paper/{pid}", s.putPaper, false},
		{"PUT", "/matters/{id}/education/{pid}", s.putEducation, false},
		{"POST", "/matters/{id}/visits", s.addVisit, false},
		{"POST", "/matters/{id}/visits/{vid}/legal-review", s.reviewVisit, false},
		{"POST", "/matters/{id}/legal-confirmation", s.legalConfirmation, false},
		{"POST", "/matters/{id}/disclosures", s.createDisclosure, false},
		{"POST", "/matters/{id}/disclosures/{did}/legal-review", s.reviewDisclosure, false},
		{"POST", "/matters/{id}/disclosures/{did}/send", s.sendDisclosure, false},
		{"POST", "/matters/{id}/disclosures/{did}/receipt", s.confirmReceipt, false},
		{"POST", "/matters/{id}/scr/copies", s.addCopy, false},
		{"POST", "/matters/{id}/scr/copies/{n}/provided", s.provideCopy, false},
		{"PUT", "/matters/{id}/scr/court-permissions/{doc}", s.courtPermission, false},
		{"POST", "/matters/{id}/scr/view-only", s.viewOnly, false},
		{"POST", "/matters/{id}/scr/confirmation", s.scrConfirmation, false},
		{"PUT", "/matters/{id}/scr/outcome", s.scrOutcome, false},
		{"POST", "/matters/{id}/receipts", s.addReceipt, false},
		{"POST", "/matters/{id}/receipts/{rid}/signed", s.attachSignedReceipt, false},
		{"GET", "/matters/{id}/confirmation-form", s.previewForm, false},
		{"POST", "/matters/{id}/confirm", s.confirm, false},
	}
}

// mutate decodes a JSON body into a T, runs the use case and renders the matter.
func mutate[T any](s *Server, w http.ResponseWriter, r *http.Request, prepare func(*T), call func(*T) (*casehold.Matter, error)) {
	var in T
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if prepare != nil {
		prepare(&in)
	}
	m, err := call(&in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, matterView(m, s.App.Clock.Now()))
}

func (s *Server) progress(w http.ResponseWriter, r *http.Request) {
	p, err := s.App.Progress(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) contactEmail(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *struct {
		ContactEmail string `json:"contact_email"`
	}) (*casehold.Matter, error) {
		return s.App.SetContactEmail(r.Context(), actor(r), r.PathValue("id"), in.ContactEmail)
	})
}

func (s *Server) putRelated(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, func(in *casehold.RelatedPerson) { in.PID = r.PathValue("pid") }, func(in *casehold.RelatedPerson) (*casehold.Matter, error) {
		return s.App.PutRelated(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) putArea(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, func(in *casehold.AreaLead) { in.Area = casehold.ServiceArea(r.PathValue("area")) }, func(in *casehold.AreaLead) (*casehold.Matter, error) {
		return s.App.PutArea(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

// acknowledgeArea records a lead officer's acknowledgement of the notice (app/leads.go).
func (s *Server) acknowledgeArea(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.AckInput) (*casehold.Matter, error) {
		return s.App.AcknowledgeArea(r.Context(), actor(r), r.PathValue("id"), casehold.ServiceArea(r.PathValue("area")), *in)
	})
}

func (s *Server) putElectronic(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, func(in *casehold.ElectronicRecord) { in.PID = r.PathValue("pid") }, func(in *casehold.ElectronicRecord) (*casehold.Matter, error) {
		return s.App.PutElectronic(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) addAccess(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *casehold.AccessGrant) (*casehold.Matter, error) {
		return s.App.AddAccess(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) revokeAccess(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.RevokeInput) (*casehold.Matter, error) {
		return s.App.RevokeAccess(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) putPaper(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, func(in *casehold.PaperFile) { in.PID = r.PathValue("pid") }, func(in *casehold.PaperFile) (*casehold.Matter, error) {
		return s.App.PutPaper(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) putEducation(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, func(in *casehold.EducationRecord) { in.PID = r.PathValue("pid") }, func(in *casehold.EducationRecord) (*casehold.Matter, error) {
		return s.App.PutEducation(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) addVisit(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *casehold.Visit) (*casehold.Matter, error) {
		return s.App.AddVisit(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) reviewVisit(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.LegalReviewInput) (*casehold.Matter, error) {
		return s.App.ReviewVisit(r.Context(), actor(r), r.PathValue("id"), r.PathValue("vid"), *in)
	})
}

func (s *Server) legalConfirmation(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.LegalConfirmationInput) (*casehold.Matter, error) {
		return s.App.ConfirmLegalStorage(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) createDisclosure(w http.ResponseWriter, r *http.Request) {
	var in app.DisclosureInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.App.CreateDisclosure(r.Context(), actor(r), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

func (s *Server) reviewDisclosure(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.LegalReviewInput) (*casehold.Matter, error) {
		return s.App.ReviewDisclosure(r.Context(), actor(r), r.PathValue("id"), r.PathValue("did"), *in)
	})
}

func (s *Server) sendDisclosure(w http.ResponseWriter, r *http.Request) {
	d, err := s.App.SendDisclosure(r.Context(), actor(r), r.PathValue("id"), r.PathValue("did"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

type onInput struct {
	On casehold.Date `json:"on"`
}

func (s *Server) confirmReceipt(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *onInput) (*casehold.Matter, error) {
		return s.App.ConfirmReceipt(r.Context(), actor(r), r.PathValue("id"), r.PathValue("did"), in.On)
	})
}

func (s *Server) addCopy(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.CopyInput) (*casehold.Matter, error) {
		return s.App.AddPractitionerCopy(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) provideCopy(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "copy number must be a whole number"))
		return
	}
	mutate(s, w, r, nil, func(in *onInput) (*casehold.Matter, error) {
		return s.App.ProvideCopy(r.Context(), actor(r), r.PathValue("id"), n, in.On)
	})
}

func (s *Server) courtPermission(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.CourtPermissionInput) (*casehold.Matter, error) {
		return s.App.RecordCourtPermission(r.Context(), actor(r), r.PathValue("id"), r.PathValue("doc"), *in)
	})
}

func (s *Server) viewOnly(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *casehold.ViewOnly) (*casehold.Matter, error) {
		return s.App.SetViewOnly(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) scrConfirmation(w http.ResponseWriter, r *http.Request) {
	m, err := s.App.SendSCRConfirmation(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, matterView(m, s.App.Clock.Now()))
}

func (s *Server) scrOutcome(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.OutcomeInput) (*casehold.Matter, error) {
		return s.App.RecordReviewOutcome(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}

func (s *Server) addReceipt(w http.ResponseWriter, r *http.Request) {
	var in app.ReceiptInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	rc, err := s.App.AddReceipt(r.Context(), actor(r), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rc)
}

// attachSignedReceipt takes the scan of a signed paper receipt as the raw request body, as
// document uploads do, so it streams straight into the evidence store.
func (s *Server) attachSignedReceipt(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		s.writeError(w, r, casehold.Errorf(casehold.EUNSUPPORTED, "Content-Type must be application/pdf (send the scan as the raw request body)"))
		return
	}
	rc, err := s.App.AttachSignedReceipt(r.Context(), actor(r), r.PathValue("id"), r.PathValue("rid"), r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rc)
}

func (s *Server) previewForm(w http.ResponseWriter, r *http.Request) {
	b, err := s.App.PreviewConfirmationForm(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="confirmation-form.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	mutate(s, w, r, nil, func(in *app.ConfirmInput) (*casehold.Matter, error) {
		return s.App.Confirm(r.Context(), actor(r), r.PathValue("id"), *in)
	})
}
