package webui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// Retention and disposal pages: IG's review of what is due (the same use cases as GET
// /disposals and POST /documents/{doc}/disposal), a disposed document's certificate, and
// a records officer's classification of a document under the retention schedule.

// disposalPage is how many due documents one page of the review lists.
const disposalPage = 50

func (u *UI) retentionRoutes() []Route {
	ig := []casehold.Role{casehold.RoleIG}
	records := []casehold.Role{casehold.RoleIG, casehold.RoleSupport}
	return []Route{
		{"GET", "/ui/disposals", u.page(u.need(casehold.ActDisposalReview, u.disposalsPage)), false, ig},
		{"GET", "/ui/disposals/{doc}", u.page(u.need(casehold.ActDisposalReview, u.disposalDecisionPage)), false, ig},
		{"POST", "/ui/disposals/{doc}", u.page(u.need(casehold.ActDisposalReview, u.decideDisposal)), false, ig},
		{"GET", "/ui/documents/{doc}/disposal-certificate", u.page(u.need(casehold.ActDisposalReview, u.disposalCertificate)), false, ig},
		{"GET", "/ui/disposal-certificate", u.page(u.need(casehold.ActDisposalReview, u.disposalCertificate)), false, ig},
		{"GET", "/ui/documents/{doc}/classify", u.page(u.need(casehold.ActClassifyRecord, u.classifyPage)), false, records},
		{"POST", "/ui/documents/{doc}/classify", u.page(u.need(casehold.ActClassifyRecord, u.classifyDocument)), false, records},
	}
}

type disposalsData struct {
	Queue *app.DisposalQueue
	After string
}

func (u *UI) disposalsPage(w http.ResponseWriter, r *http.Request, ss *session) {
	after := strings.TrimSpace(r.URL.Query().Get("after"))
	q, err := u.App.DisposalQueue(r.Context(), actorOf(r), after, disposalPage)
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	v := u.newView(r, ss, "Disposal review", "disposals")
	u.takeNotice(w, ss, v)
	v.Data = disposalsData{Queue: q, After: after}
	u.render(w, r, http.StatusOK, "disposals.html", v)
}

func disposalForm(docID string) *form {
	return &form{Action: "/ui/disposals/" + url.PathEscape(docID), Submit: "Record the decision", Values: url.Values{}, Fields: []field{
		{Name: "decision", Label: "Decision", Kind: kAnswer, Options: []option{{"approve", "Approve disposal"}, {"defer", "Defer"}}},
		{Name: "reason", Label: "Reason", Kind: kTextarea, Hint: "Recorded with the decision. Ids and dates only: no names."},
		{Name: "defer_to", Label: "Defer to", Kind: kDate, Hint: "Only when deferring: the day to offer it again, for example 2031-04-01"},
	}}
}

type disposalData struct{ DocumentID string }

func (u *UI) disposalDecisionPage(w http.ResponseWriter, r *http.Request, ss *session) {
	doc := r.PathValue("doc")
	v := u.newView(r, ss, "Decide on disposal", "disposals")
	v.Form = disposalForm(doc)
	v.Data = disposalData{doc}
	u.render(w, r, http.StatusOK, "disposal.html", v)
}

// decideDisposal records IG's approval or deferral through DecideDisposal, which checks
// the reason, the hold and the due date; a mistake shows the form again with the input.
func (u *UI) decideDisposal(w http.ResponseWriter, r *http.Request, ss *session) {
	doc := r.PathValue("doc")
	f := disposalForm(doc)
	f.Values = r.PostForm
	var in app.DisposalDecision
	err := f.decode(&in)
	notice := "Disposal of " + doc + " approved"
	if err == nil {
		if in.Decision == "defer" {
			notice = "Disposal of " + doc + " deferred to " + in.DeferTo
		}
		_, err = u.App.DecideDisposal(r.Context(), actorOf(r), doc, in)
	}
	u.answerForm(w, r, ss, f, err, formPage{next: "/ui/disposals", notice: notice, title: "Decide on disposal",
		nav: "disposals", template: "disposal.html", data: disposalData{doc}})
}

// disposalCertificate serves a disposed document's certificate of disposal as the PDF
// kept write-once in the evidence store (?format=json: the signed JSON it was made from).
// The review page asks for it by id (?doc=), since IG may not read the document itself.
func (u *UI) disposalCertificate(w http.ResponseWriter, r *http.Request, ss *session) {
	doc := r.PathValue("doc")
	if doc == "" {
		if doc = strings.TrimSpace(r.URL.Query().Get("doc")); doc == "" {
			u.fail(w, r, ss, casehold.Errorf(casehold.EINVALID, "Enter the id of a disposed document, for example d-0123456789abcdef."))
			return
		}
	}
	pdf := r.URL.Query().Get("format") != "json"
	b, err := u.App.DisposalCertificate(r.Context(), actorOf(r), doc, pdf)
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	ctype, ext := "application/pdf", ".pdf"
	if !pdf {
		ctype, ext = "application/json", ".json"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="disposal-certificate-`+doc+ext+`"`)
	_, _ = w.Write(b)
}

func classifyForm(docID string) *form {
	cats := []option{{"", "Choose a category"}}
	for _, rule := range casehold.Schedule().Rules {
		label := rule.Title
		if rule.Permanent() {
			label += " (kept permanently)"
		} else {
			label += " (" + itoa(rule.Years) + " years from " + strings.ReplaceAll(string(rule.Trigger), "_", " ") + ")"
		}
		cats = append(cats, option{rule.Category, label})
	}
	return &form{Action: "/ui/documents/" + url.PathEscape(docID) + "/classify", Submit: "Classify", Values: url.Values{}, Fields: []field{
		{Name: "category", Label: "Category", Kind: kSelect, Options: cats, Hint: "From the retention schedule " + casehold.Schedule().Version},
		{Name: "date_of_birth", Label: "Child's date of birth", Kind: kDate, Hint: "When the period runs from the 18th birthday, for example 2009-03-27"},
		{Name: "date_of_death", Label: "Date of death", Kind: kDate, Hint: "When the period runs from a death"},
		{Name: "closure_date", Label: "Case closure date", Kind: kDate, Hint: "When the period runs from the case's closure"},
		{Name: "ceased_fostering_on", Label: "Ceased fostering on", Kind: kDate, Hint: "When the period runs from the end of fostering"},
		{Name: "notified_on", Label: "Notified on", Kind: kDate, Hint: "When the period runs from a notification"},
	}}
}

func (u *UI) classifyPage(w http.ResponseWriter, r *http.Request, ss *session) {
	doc := r.PathValue("doc")
	v := u.newView(r, ss, "Classify for retention", "work")
	u.takeNotice(w, ss, v)
	v.Form = classifyForm(doc)
	v.Data = disposalData{doc}
	u.render(w, r, http.StatusOK, "classify.html", v)
}

// classifyDocument calls ClassifyDocument, which checks the category and the fact its
// trigger needs. The answer is the form again with the notice: records support classify
// documents they may not read, so the document page is no place to send everyone.
func (u *UI) classifyDocument(w http.ResponseWriter, r *http.Request, ss *session) {
	doc, a := r.PathValue("doc"), actorOf(r)
	f := classifyForm(doc)
	f.Values = r.PostForm
	var in app.ClassifyInput
	err := f.decode(&in)
	notice := ""
	if err == nil {
		var d *casehold.Document
		if d, err = u.App.ClassifyDocument(r.Context(), a, doc, in); err == nil {
			notice = "Classified as " + funcs["category"].(func(string) string)(d.Retention.Category)
			if d.Retention.Permanent {
				notice += ": kept permanently"
			} else {
				notice += ": due for disposal review from " + d.Retention.DisposeOn.String()
			}
		}
	}
	u.answerForm(w, r, ss, f, err, formPage{next: "/ui/documents/" + url.PathEscape(doc) + "/classify", notice: notice, title: "Classify for retention",
		nav: "work", template: "classify.html", data: disposalData{doc}})
}
