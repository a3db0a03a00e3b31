package webui

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// matterAction is one step of carrying out a matter: a form page and the use case it calls.
// The same use cases as the API's routes, with the same input types.
type matterAction struct {
	Name, Title, Submit string
	SCR, CCRC           bool // which kinds of matter it belongs to
	Warn                string
	// when, if set, says whether the step has anything to do on this matter now.
	when func(m *casehold.Matter) bool
	// legal marks the steps only legal services sign off (casehold refuses anyone else).
	legal  bool
	fields func(m *casehold.Matter, docs []*casehold.Document) []field
	run    func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error)
}

func docOptions(docs []*casehold.Document) []option {
	var out []option
	for _, d := range docs {
		out = append(out, option{d.ID, fmt.Sprintf("%s %s (%s)", d.DocType, d.DocDate, d.ID)})
	}
	return out
}

func roleOptions(roles ...casehold.Role) []option {
	var out []option
	for _, r := range roles {
		out = append(out, option{string(r), human(string(r))})
	}
	return out
}

func human(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == '_' {
			b[i] = ' '
		}
	}
	return upperFirst(string(b))
}

var areaOptions = func() []option {
	var out []option
	for _, a := range casehold.ServiceAreas {
		out = append(out, option{string(a), human(string(a))})
	}
	return out
}()

func pidField(m *casehold.Matter) field {
	return field{Name: "pid", Label: "Person", Kind: kSelect, Options: pidOptions(m)}
}

// decodeRun decodes the form into T and calls the use case.
func decodeRun[T any](f *form, call func(T) error) error {
	var in T
	if err := f.decode(&in); err != nil {
		return err
	}
	return call(in)
}

// awaitingAckOptions lists the areas whose lead officer was sent the notice and has not
// acknowledged it (the confirmation waits for them).
func awaitingAckOptions(m *casehold.Matter) []option {
	var out []option
	for _, a := range m.Work.Areas {
		if a.LeadEmail != "" && !a.NoticeOn.IsZero() && a.AcknowledgedOn.IsZero() {
			out = append(out, option{string(a.Area), fmt.Sprintf("%s (%s, notice sent %s)", human(string(a.Area)), a.LeadOfficer, a.NoticeOn)})
		}
	}
	return out
}

func disclosureOptions(m *casehold.Matter) []option {
	var out []option
	for _, d := range m.Work.Disclosures {
		state := "prepared, awaiting legal review"
		switch {
		case !d.ReceiptOn.IsZero():
			state = "receipt confirmed " + d.ReceiptOn.Time().Format("2 January 2006")
		case !d.SentOn.IsZero():
			state = "sent " + d.SentOn.Time().Format("2 January 2006")
		case !d.LegalReviewOn.IsZero():
			state = "reviewed by legal services, not yet sent"
		}
		names := strings.Join(d.FileNames, ", ")
		if len(d.FileNames) > 3 {
			names = fmt.Sprintf("%s and %d more", strings.Join(d.FileNames[:3], ", "), len(d.FileNames)-3)
		}
		out = append(out, option{d.ID, fmt.Sprintf("%s (%s)", names, state)})
	}
	return out
}

var matterActions = []matterAction{
	{Name: "contact-email", Title: "Record the requester's secure email address", Submit: "Save address", CCRC: true, SCR: true,
		fields: func(*casehold.Matter, []*casehold.Document) []field {
			return []field{{Name: "contact_email", Label: "Secure email address", Kind: kEmail, Hint: "The address the requester gave for secure email."}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			_, err := s.SetContactEmail(ctx, a, m.ID, f.Value("contact_email"))
			return "Secure email address saved", err
		}},
	{Name: "area", Title: "Record a service area's lead officer", Submit: "Save service area", CCRC: true,
		fields: func(*casehold.Matter, []*casehold.Document) []field {
			return []field{{Name: "area", Label: "Service area", Kind: kSelect, Options: areaOptions},
				{Name: "lead_officer", Label: "Lead officer", Kind: kText},
				{Name: "lead_email", Label: "Lead officer's email (optional)", Kind: kEmail, Hint: "casehold sends them the notice and chases their acknowledgement."},
				{Name: "notified_on", Label: "Date notified", Kind: kDate, Hint: "For example, 2026-11-20"}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Service area saved", decodeRun(f, func(in casehold.AreaLead) error { _, err := s.PutArea(ctx, a, m.ID, in); return err })
		}},
	{Name: "area-ack", Title: "Record a lead officer's acknowledgement", Submit: "Record acknowledgement", CCRC: true,
		when: func(m *casehold.Matter) bool { return len(awaitingAckOptions(m)) > 0 },
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{{Name: "area", Label: "Service area", Kind: kSelect, Options: awaitingAckOptions(m),
				Hint: "Areas whose lead officer was sent the notice and has not yet acknowledged it."},
				{Name: "acknowledged_on", Label: "Date they acknowledged", Kind: kDate, Hint: "Leave blank for today"}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Acknowledgement recorded", decodeRun(f, func(in app.AckInput) error {
				_, err := s.AcknowledgeArea(ctx, a, m.ID, casehold.ServiceArea(f.Value("area")), in)
				return err
			})
		}},
	{Name: "related", Title: "Add a related person", Submit: "Save related person", CCRC: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{{Name: "pid", Label: "PID", Kind: kText}, {Name: "name", Label: "Name", Kind: kText},
				{Name: "related_to", Label: "Related to", Kind: kSelect, Options: pidOptions(m)},
				{Name: "relationship", Label: "Relationship", Kind: kText, Hint: "For example, sibling"},
				{Name: "ccrc_wants", Label: "Does the CCRC want their records?", Kind: kAnswer, Options: append(yesNo(), option{"", "Not asked yet"})}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Related person saved", decodeRun(f, func(in casehold.RelatedPerson) error { _, err := s.PutRelated(ctx, a, m.ID, in); return err })
		}},
	{Name: "electronic", Title: "Record an electronic record", Submit: "Save electronic record", CCRC: true,
		fields: func(m *casehold.Matter, docs []*casehold.Document) []field {
			return []field{pidField(m), {Name: "system", Label: "Case system", Kind: kText, Hint: "For example, CCM"},
				{Name: "open_case", Label: "The case is open", Kind: kBool},
				{Name: "authorised_by", Label: "Authorised by", Kind: kText, Hint: "The head of service or service manager who authorised securing it"},
				{Name: "authorised_role", Label: "Their role", Kind: kSelect, Options: roleOptions(casehold.RoleHeadOfService, casehold.RoleServiceManager)},
				{Name: "authorised_on", Label: "Date authorised", Kind: kDate},
				{Name: "secured_on", Label: "Date secured (made view-only)", Kind: kDate},
				{Name: "edt_told_on", Label: "Date EDT told", Kind: kDate},
				{Name: "full_copy_on", Label: "Open case: date the full copy was taken", Kind: kDate},
				{Name: "full_copy_document", Label: "Open case: the full copy", Kind: kSelect, Options: append([]option{{"", "None"}}, docOptions(docs)...)}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Electronic record saved", decodeRun(f, func(in casehold.ElectronicRecord) error { _, err := s.PutElectronic(ctx, a, m.ID, in); return err })
		}},
	{Name: "access", Title: "Give access to a secured record", Submit: "Give access", CCRC: true, SCR: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{pidField(m), {Name: "staff_id", Label: "Staff id", Kind: kText, Hint: "Leave blank to cover the whole team"},
				{Name: "team", Label: "Team", Kind: kText}, {Name: "role", Label: "Role", Kind: kText},
				{Name: "name", Label: "Name", Kind: kText}, {Name: "approved_by", Label: "Approved by", Kind: kText}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Access given", decodeRun(f, func(in casehold.AccessGrant) error { _, err := s.AddAccess(ctx, a, m.ID, in); return err })
		}},
	{Name: "revoke-access", Title: "End a member of staff's access", Submit: "End access", CCRC: true, SCR: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{{Name: "staff_id", Label: "Staff id", Kind: kText}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Access ended", decodeRun(f, func(in app.RevokeInput) error { _, err := s.RevokeAccess(ctx, a, m.ID, in); return err })
		}},
	{Name: "paper", Title: "Record a paper file", Submit: "Save paper file", CCRC: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{pidField(m), {Name: "exists", Label: "Is there a paper file?", Kind: kAnswer, Options: yesNo()},
				{Name: "location", Label: "Where is it?", Kind: kText, Hint: "archive, or the team that holds it"},
				{Name: "retrieval_requested_on", Label: "Date retrieval requested", Kind: kDate},
				{Name: "retrieved_by", Label: "Retrieved by", Kind: kText},
				{Name: "stored_on", Label: "Date stored securely", Kind: kDate},
				{Name: "stored_at", Label: "Stored at", Kind: kText, Hint: "legal services, or the agreed alternative location"},
				{Name: "returned_on", Label: "Date returned", Kind: kDate}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Paper file saved", decodeRun(f, func(in casehold.PaperFile) error { _, err := s.PutPaper(ctx, a, m.ID, in); return err })
		}},
	{Name: "education", Title: "Record education records", Submit: "Save education records", CCRC: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{pidField(m), {Name: "details", Label: "Details", Kind: kTextarea},
				{Name: "schools", Label: "Schools", Kind: kList, Hint: "Separate schools with commas"},
				{Name: "ccrc_wants", Label: "Does the CCRC want them?", Kind: kAnswer, Options: append(yesNo(), option{"", "Not asked yet"})},
				{Name: "retrieval_requested_on", Label: "Date retrieval requested", Kind: kDate},
				{Name: "received_on", Label: "Date received", Kind: kDate},
				{Name: "stored_on", Label: "Date stored securely", Kind: kDate},
				{Name: "stored_at", Label: "Stored at", Kind: kText}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Education records saved", decodeRun(f, func(in casehold.EducationRecord) error { _, err := s.PutEducation(ctx, a, m.ID, in); return err })
		}},
	{Name: "receipt", Title: "Record a receipt for paper handed over", Submit: "Make the receipt", CCRC: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{pidField(m), {Name: "giver", Label: "Handed over by", Kind: kText}, {Name: "giver_role", Label: "Their role", Kind: kText},
				{Name: "giver_email", Label: "Their email address", Kind: kEmail, Hint: "A copy of the receipt is sent here"},
				{Name: "receiver", Label: "Received by", Kind: kText}, {Name: "receiver_role", Label: "Their role", Kind: kText},
				{Name: "received_from", Label: "Files came from", Kind: kText}, {Name: "return_to", Label: "Files go back to", Kind: kText},
				{Name: "on", Label: "Date", Kind: kDate}, {Name: "items", Label: "Items", Kind: kText, Hint: "For example, 1 archive box"},
				{Name: "return", Label: "This hands files back", Kind: kBool}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Receipt made and kept as held evidence", decodeRun(f, func(in app.ReceiptInput) error { _, err := s.AddReceipt(ctx, a, m.ID, in); return err })
		}},
	{Name: "legal-officer", Title: "Assign a legal officer", Submit: "Assign", CCRC: true, SCR: true,
		fields: func(*casehold.Matter, []*casehold.Document) []field {
			return []field{{Name: "staff_id", Label: "Staff id of the legal officer", Kind: kText}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			_, err := s.AssignLegalOfficer(ctx, a, m.ID, f.Value("staff_id"))
			return "Legal officer assigned", err
		}},
	{Name: "legal-confirmation", Title: "Confirm the files legal services hold are secured", Submit: "Confirm", CCRC: true,
		legal: true,
		fields: func(*casehold.Matter, []*casehold.Document) []field {
			return []field{{Name: "on", Label: "Date confirmed", Kind: kDate}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Legal services' confirmation recorded", decodeRun(f, func(in app.LegalConfirmationInput) error {
				_, err := s.ConfirmLegalStorage(ctx, a, m.ID, in)
				return err
			})
		}},
	{Name: "visit", Title: "Record a visit", Submit: "Save visit", CCRC: true,
		fields: func(*casehold.Matter, []*casehold.Document) []field {
			return []field{{Name: "on", Label: "Date of the visit", Kind: kDate}, {Name: "room", Label: "Room", Kind: kText},
				{Name: "officer_present", Label: "Officer present", Kind: kText}, {Name: "network_access", Label: "Network access given", Kind: kBool},
				{Name: "viewed", Label: "What was viewed", Kind: kTextarea}, {Name: "copies", Label: "Copies taken", Kind: kTextarea}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Visit saved", decodeRun(f, func(in casehold.Visit) error { _, err := s.AddVisit(ctx, a, m.ID, in); return err })
		}},
	{Name: "visit-review", Title: "Legal review before a visit", Submit: "Record review", CCRC: true,
		legal: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			var vs []option
			for _, v := range m.Work.Visits {
				vs = append(vs, option{v.ID, v.On.String() + " " + v.Room})
			}
			return []field{{Name: "visit", Label: "Visit", Kind: kSelect, Options: vs, Path: true},
				{Name: "third_party_checked", Label: "Third-party information checked", Kind: kBool}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Legal review recorded", decodeRun(f, func(in app.LegalReviewInput) error {
				_, err := s.ReviewVisit(ctx, a, m.ID, f.Value("visit"), in)
				return err
			})
		}},
	{Name: "disclosure", Title: "Prepare documents to send", Submit: "Prepare", CCRC: true,
		Warn: "Nothing is sent until legal services have reviewed it for third-party information.",
		fields: func(_ *casehold.Matter, docs []*casehold.Document) []field {
			return []field{{Name: "document_ids", Label: "Documents", Kind: kChecks, Options: docOptions(docs)}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Disclosure prepared: legal services review it next", decodeRun(f, func(in app.DisclosureInput) error { _, err := s.CreateDisclosure(ctx, a, m.ID, in); return err })
		}},
	{Name: "disclosure-review", Title: "Legal review of a disclosure", Submit: "Record review", CCRC: true,
		legal: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{{Name: "disclosure", Label: "Disclosure", Kind: kSelect, Options: disclosureOptions(m), Path: true},
				{Name: "third_party_checked", Label: "Third-party information checked with legal services", Kind: kBool}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Legal review recorded", decodeRun(f, func(in app.LegalReviewInput) error {
				_, err := s.ReviewDisclosure(ctx, a, m.ID, f.Value("disclosure"), in)
				return err
			})
		}},
	{Name: "disclosure-send", Title: "Send a disclosure by secure email", Submit: "Send", CCRC: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{{Name: "disclosure", Label: "Disclosure", Kind: kSelect, Options: disclosureOptions(m), Path: true}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			_, err := s.SendDisclosure(ctx, a, m.ID, f.Value("disclosure"))
			return "Sent to the requester's secure address", err
		}},
	{Name: "disclosure-receipt", Title: "Record that the requester confirmed receipt", Submit: "Record receipt", CCRC: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{{Name: "disclosure", Label: "Disclosure", Kind: kSelect, Options: disclosureOptions(m), Path: true},
				{Name: "on", Label: "Date confirmed", Kind: kDate}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Receipt recorded", decodeRun(f, func(in struct {
				On casehold.Date `json:"on"`
			}) error {
				_, err := s.ConfirmReceipt(ctx, a, m.ID, f.Value("disclosure"), in.On)
				return err
			})
		}},
	{Name: "confirm", Title: "Confirm to the CCRC that everything is secured", Submit: "Confirm and send the form", CCRC: true,
		Warn: "This keeps the completed form as held evidence, sends it to the CCRC and tells legal services. Preview the draft first.",
		fields: func(*casehold.Matter, []*casehold.Document) []field {
			return []field{{Name: "approved_by", Label: "Approved by", Kind: kText, Hint: "The head of service or service manager who approved the form"},
				{Name: "approver_role", Label: "Their role", Kind: kSelect, Options: roleOptions(casehold.RoleHeadOfService, casehold.RoleServiceManager)},
				{Name: "approved_on", Label: "Date approved", Kind: kDate},
				{Name: "officer_phone", Label: "Your telephone number", Kind: kText}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Confirmed: the form is kept as held evidence and sent to the CCRC", decodeRun(f, func(in app.ConfirmInput) error { _, err := s.Confirm(ctx, a, m.ID, in); return err })
		}},
	{Name: "release", Title: "Release the matter", Submit: "Release", CCRC: true, SCR: true,
		Warn: "Legal holds are lifted on documents no other open matter holds, and EDT and the teams are told.",
		fields: func(*casehold.Matter, []*casehold.Document) []field {
			return []field{{Name: "reason", Label: "Reason", Kind: kText, Hint: "For example, direction withdrawn by the CCRC"},
				{Name: "teams_told_on", Label: "Date the teams were told", Kind: kDate}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			var res *app.ReleaseResult
			err := decodeRun(f, func(in app.ReleaseInput) error {
				var err error
				res, err = s.ReleaseMatter(ctx, a, m.ID, in)
				return err
			})
			if err != nil {
				return "", err
			}
			if res.Pending {
				return "Release recorded: the holds are lifted within minutes", nil
			}
			return fmt.Sprintf("Released: %d document(s) no longer held, %d still held by another matter", len(res.Released), len(res.StillHeld)), nil
		}},
	// Serious case reviews.
	{Name: "scr-view-only", Title: "Record a record set to view-only", Submit: "Save", SCR: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			return []field{pidField(m), {Name: "system", Label: "Case system", Kind: kText}, {Name: "set_on", Label: "Date set to view-only", Kind: kDate}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "View-only recorded", decodeRun(f, func(in casehold.ViewOnly) error { _, err := s.SetViewOnly(ctx, a, m.ID, in); return err })
		}},
	{Name: "scr-copy", Title: "Add a practitioner copy", Submit: "Add copy", SCR: true,
		fields: func(_ *casehold.Matter, docs []*casehold.Document) []field {
			return []field{{Name: "practitioner", Label: "Practitioner", Kind: kText}, {Name: "due_on", Label: "Due by", Kind: kDate},
				{Name: "document_ids", Label: "Documents to copy", Kind: kChecks, Options: docOptions(docs)}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Practitioner copy added", decodeRun(f, func(in app.CopyInput) error { _, err := s.AddPractitionerCopy(ctx, a, m.ID, in); return err })
		}},
	{Name: "scr-copy-provided", Title: "Record a copy as provided", Submit: "Record", SCR: true,
		fields: func(m *casehold.Matter, _ []*casehold.Document) []field {
			var cs []option
			if m.Work.SCR != nil {
				for i, c := range m.Work.SCR.Copies {
					cs = append(cs, option{strconv.Itoa(i), fmt.Sprintf("%d: %s, due %s", i+1, c.Practitioner, c.DueOn)})
				}
			}
			return []field{{Name: "copy", Label: "Copy", Kind: kSelect, Options: cs, Path: true}, {Name: "on", Label: "Date provided", Kind: kDate}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			n, err := strconv.Atoi(f.Value("copy"))
			if err != nil {
				return "", casehold.Errorf(casehold.EINVALID, "copy must be chosen")
			}
			return "Copy recorded as provided", decodeRun(f, func(in struct {
				On casehold.Date `json:"on"`
			}) error {
				_, err := s.ProvideCopy(ctx, a, m.ID, n, in.On)
				return err
			})
		}},
	{Name: "scr-court-permission", Title: "Record the court's permission", Submit: "Record permission", SCR: true,
		fields: func(_ *casehold.Matter, docs []*casehold.Document) []field {
			return []field{{Name: "document", Label: "Court document", Kind: kSelect, Options: docOptions(docs), Path: true},
				{Name: "permission_on", Label: "Date of permission", Kind: kDate}, {Name: "reference", Label: "Court reference", Kind: kText}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Court permission recorded", decodeRun(f, func(in app.CourtPermissionInput) error {
				_, err := s.RecordCourtPermission(ctx, a, m.ID, f.Value("document"), in)
				return err
			})
		}},
	{Name: "scr-confirmation", Title: "Send the securing confirmation", Submit: "Send confirmation", SCR: true,
		Warn:   "The confirmation goes to the senior manager, with a copy to the board manager for the review file.",
		fields: func(*casehold.Matter, []*casehold.Document) []field { return nil },
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			_, err := s.SendSCRConfirmation(ctx, a, m.ID)
			return "Confirmation sent", err
		}},
	{Name: "scr-outcome", Title: "Record the review's outcome", Submit: "Save outcome", SCR: true,
		fields: func(*casehold.Matter, []*casehold.Document) []field {
			return []field{{Name: "completed_on", Label: "Date completed", Kind: kDate}, {Name: "ratified_on", Label: "Date ratified", Kind: kDate},
				{Name: "criminal_proceedings_ended_on", Label: "Date criminal proceedings ended", Kind: kDate, Hint: "Leave blank if there were none"}}
		},
		run: func(ctx context.Context, s *app.Service, a casehold.Actor, m *casehold.Matter, f *form) (string, error) {
			return "Outcome recorded", decodeRun(f, func(in app.OutcomeInput) error { _, err := s.RecordReviewOutcome(ctx, a, m.ID, in); return err })
		}},
}

func findAction(name string) (*matterAction, bool) {
	for i := range matterActions {
		if matterActions[i].Name == name {
			return &matterActions[i], true
		}
	}
	return nil, false
}

// offeredTo says whether the page offers the step to the actor: the matter's coordinator
// and legal officers carry a matter out (legal services alone sign off the legal steps), so
// anyone else on it, by a grant, is not shown forms they would only be refused at the end.
func (a *matterAction) offeredTo(actor casehold.Actor, m *casehold.Matter) bool {
	legalOfficer := actor.Has(casehold.RoleLegal) && slices.Contains(m.Work.LegalOfficers, actor.ID)
	if a.legal {
		return legalOfficer
	}
	return legalOfficer || actor.ID == m.Coordinator
}

func (a *matterAction) fits(m *casehold.Matter) bool {
	if a.when != nil && !a.when(m) {
		return false
	}
	if m.Kind == casehold.KindSeriousCaseReview {
		return a.SCR
	}
	return a.CCRC
}

// loadMatter reads the matter and, where the actor may see them, its documents.
func (u *UI) loadMatter(r *http.Request) (*casehold.Matter, []*casehold.Document, error) {
	m, err := u.App.GetMatter(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	docs, err := u.App.ListDocuments(r.Context(), actorOf(r), m.ID)
	if err != nil && casehold.ErrorCode(err) != casehold.EFORBIDDEN {
		return nil, nil, err
	}
	return m, docs, nil
}

func (u *UI) actionForm(m *casehold.Matter, docs []*casehold.Document, act *matterAction) *form {
	return &form{Action: "/ui/matters/" + m.ID + "/do/" + act.Name, Submit: act.Submit, Fields: act.fields(m, docs), Warn: act.Warn}
}

type actionData struct {
	Matter *casehold.Matter
	Action *matterAction
}

// loadAction finds the step named in the path and the matter it is for; it answers the
// request itself (not found, refused) when it returns false.
func (u *UI) loadAction(w http.ResponseWriter, r *http.Request, ss *session) (*matterAction, *casehold.Matter, []*casehold.Document, bool) {
	act, ok := findAction(r.PathValue("action"))
	if !ok {
		u.notFound(w, r, ss)
		return nil, nil, nil, false
	}
	m, docs, err := u.loadMatter(r)
	if err != nil {
		u.fail(w, r, ss, err)
		return nil, nil, nil, false
	}
	if !act.fits(m) {
		u.notFound(w, r, ss)
		return nil, nil, nil, false
	}
	if !act.offeredTo(actorOf(r), m) {
		// Said before the form is filled in, not after.
		who := "the matter's coordinator and its legal officers"
		if act.legal {
			who = "the matter's legal officers (legal services)"
		}
		u.fail(w, r, ss, casehold.Errorf(casehold.EFORBIDDEN, "This step is taken by %s.", who))
		return nil, nil, nil, false
	}
	return act, m, docs, true
}

func (u *UI) actionPage(w http.ResponseWriter, r *http.Request, ss *session) {
	act, m, docs, ok := u.loadAction(w, r, ss)
	if !ok {
		return
	}
	v := u.newView(r, ss, act.Title, "work")
	v.Form = u.actionForm(m, docs, act)
	v.Form.Values = r.URL.Query()
	v.Form.Values.Del("csrf")
	v.Data = actionData{m, act}
	u.render(w, r, http.StatusOK, "action.html", v)
}

func (u *UI) doAction(w http.ResponseWriter, r *http.Request, ss *session) {
	act, m, docs, ok := u.loadAction(w, r, ss)
	if !ok {
		return
	}
	f := u.actionForm(m, docs, act)
	f.Values = r.PostForm
	notice, err := act.run(r.Context(), u.App, actorOf(r), m, f)
	if casehold.ErrorCode(err) == casehold.ENOTFOUND {
		// The matter was found above, so what is missing is something the form named (a
		// grant, a staff member, a document): the form again, saying so, not "Page not found".
		err = casehold.Errorf(casehold.EINVALID, "%s", upperFirst(casehold.ErrorMessage(err)))
	}
	u.answerForm(w, r, ss, f, err, formPage{next: "/ui/matters/" + m.ID, notice: notice, title: act.Title, nav: "work",
		template: "action.html", data: actionData{m, act}})
}

// formPage says where a form's answer goes: on success a redirect with a notice; on a
// mistake the same page again, with the errors placed and the input kept.
type formPage struct {
	next, notice, title, nav, template string
	data                               any
}

func (u *UI) answerForm(w http.ResponseWriter, r *http.Request, ss *session, f *form, err error, p formPage) {
	if err == nil {
		u.redirectWith(w, r, ss, p.next, p.notice)
		return
	}
	// A mistake in the input, or a step that cannot be taken yet (a conflict, such as a
	// review that cannot close while proceedings run): the form again, saying why.
	code := casehold.ErrorCode(err)
	if code != casehold.EINVALID && code != casehold.ECONFLICT {
		u.fail(w, r, ss, err)
		return
	}
	v := u.newView(r, ss, "Error: "+p.title, p.nav)
	v.Form = f
	v.Errors = f.place(err)
	v.Data = p.data
	u.render(w, r, statusOf[code], p.template, v)
}
