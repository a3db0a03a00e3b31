package webui

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
)

// workItem is one matter on "My work".
type workItem struct {
	Matter      *casehold.Matter
	DaysLeft    *int
	Overdue     bool
	Outstanding []string
}

type workData struct {
	Matters   []workItem
	Locks     []*casehold.Lock
	LocksDue  []*casehold.Lock
	Triage    int
	CanCreate bool
	CanTriage bool
}

// releasedMatters lists the released matters the actor may see, the most recent first: a
// released matter leaves My work but its record, documents and progress stay to be read.
func (u *UI) releasedMatters(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, a := r.Context(), actorOf(r)
	ms, err := u.App.ListMatters(ctx, a, casehold.MatterReleased)
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	sort.SliceStable(ms, func(i, j int) bool { return releasedAt(ms[i]).After(releasedAt(ms[j])) })
	v := u.newView(r, ss, "Released matters", "work")
	v.Data = ms
	u.render(w, r, http.StatusOK, "released.html", v)
}

// releasedAt is when the release finished, or was asked for if it has not yet.
func releasedAt(m *casehold.Matter) time.Time {
	if m.ReleasedAt != nil {
		return *m.ReleasedAt
	}
	if m.ReleaseRequestedAt != nil {
		return *m.ReleaseRequestedAt
	}
	return time.Time{}
}

// myWork is the home page: the matters the policy lets the actor open, with deadline and
// what is outstanding; their locks and reviews due; the triage count. Each list is asked
// of its use case only when the actor's role may ask (the domain's role check), so a
// helpdesk officer's home page leaves no refused reads in the audit trail.
func (u *UI) myWork(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, a := r.Context(), actorOf(r)
	var d workData
	if casehold.AuthorizeRole(a, casehold.ActReadMatter) == nil {
		ms, err := u.App.ListMatters(ctx, a, casehold.MatterOpen)
		if err != nil {
			u.fail(w, r, ss, err)
			return
		}
		for _, m := range ms {
			it := workItem{Matter: m}
			if p, err := u.App.Progress(ctx, a, m.ID); err == nil {
				it.DaysLeft, it.Overdue, it.Outstanding = p.DaysLeft, p.Overdue, p.Outstanding
			}
			d.Matters = append(d.Matters, it)
		}
	}
	d.CanCreate = casehold.Authorize(a, casehold.ActCreateMatter) == nil
	if casehold.Authorize(a, casehold.ActLockList) == nil {
		var err error
		if d.Locks, err = u.App.MyLocks(ctx, a); err != nil {
			u.fail(w, r, ss, err)
			return
		}
		if d.LocksDue, err = u.App.LocksDue(ctx, a, casehold.DateOf(u.App.Clock.Now())); err != nil {
			u.fail(w, r, ss, err)
			return
		}
	}
	if a.Has(casehold.RoleCoordinator) || a.Has(casehold.RoleLegal) {
		d.CanTriage = true
		if list, err := u.App.ListInbound(ctx, a, casehold.InboundTriage); err == nil {
			d.Triage = len(list)
		}
	}
	v := u.newView(r, ss, "My work", "work")
	u.takeNotice(w, ss, v)
	v.Data = d
	u.render(w, r, http.StatusOK, "work.html", v)
}

func newMatterForm(kind string) *form {
	f := &form{Action: "/ui/matters/new", Submit: "Open the matter", Fields: []field{
		{Name: "kind", Label: "Kind of matter", Kind: kSelect, Options: []option{{string(casehold.KindCCRCS17), "CCRC section 17 direction"},
			{string(casehold.KindSeriousCaseReview), "Serious case review"}}},
		{Name: "reference", Label: "Reference", Kind: kText, Hint: "The requester's reference, for example CCRC/00412/2026"},
		{Name: "contact", Label: "Requester's contact", Kind: kText},
		{Name: "contact_email", Label: "Requester's secure email address", Kind: kEmail, Hint: "Optional; you can add it later"},
		{Name: "received_on", Label: "Date received", Kind: kDate, Hint: "In the form YYYY-MM-DD, for example 2026-11-20"},
		{Name: "people", Label: "People named", Kind: kPeople, Hint: "One person a line: PID, then a comma, then their name"},
	}}
	if kind == string(casehold.KindSeriousCaseReview) {
		f.Fields = append(f.Fields,
			field{Name: "secure_up_to", Label: "Secure records up to", Kind: kDate},
			field{Name: "senior_manager", Label: "Senior manager securing the originals", Kind: kText, Hint: "Staff id; not a line manager of the case"},
			field{Name: "senior_manager_email", Label: "Senior manager's email address", Kind: kEmail},
			field{Name: "case_line_managers", Label: "Staff who line-manage the case", Kind: kList, Hint: "Staff ids, separated by commas"},
			field{Name: "board_manager", Label: "Board manager", Kind: kText},
			field{Name: "board_manager_email", Label: "Board manager's email address", Kind: kEmail},
			field{Name: "case_locked", Label: "The case is locked", Kind: kBool})
	}
	return f
}

func (u *UI) newMatterPage(w http.ResponseWriter, r *http.Request, ss *session) {
	kind := r.URL.Query().Get("kind")
	v := u.newView(r, ss, "Open a matter", "work")
	v.Form = newMatterForm(kind)
	v.Form.Values = url.Values{"kind": {kind}}
	u.render(w, r, http.StatusOK, "newmatter.html", v)
}

func (u *UI) createMatter(w http.ResponseWriter, r *http.Request, ss *session) {
	f := newMatterForm(r.PostFormValue("kind"))
	f.Values = r.PostForm
	var in casehold.NewMatterInput
	err := f.decode(&in)
	var m *casehold.Matter
	if err == nil {
		m, err = u.App.CreateMatter(r.Context(), actorOf(r), in)
	}
	if err == nil {
		u.redirectWith(w, r, ss, "/ui/matters/"+m.ID, "Matter opened: the deadline is "+m.Deadline.Time().Format("2 January 2006"))
		return
	}
	if code := casehold.ErrorCode(err); code != casehold.EINVALID && code != casehold.ECONFLICT {
		u.fail(w, r, ss, err)
		return
	}
	v := u.newView(r, ss, "Error: Open a matter", "work")
	v.Form = f
	v.Errors = f.place(err)
	u.render(w, r, statusOf[casehold.ErrorCode(err)], "newmatter.html", v)
}

type matterData struct {
	Matter    *casehold.Matter
	Progress  *casehold.Progress
	Actions   []*matterAction
	MayUpload bool // the actor's role may upload (casehold decides the matter at the upload)
	Upload    *form
	DocTypes  []string
	MaxUpload int64
	DirectMax int64
	Released  bool
	// CanExport offers the "Export evidence pack" button (exports.go).
	CanExport bool
}

func (u *UI) uploadForm(m *casehold.Matter) *form {
	types := []option{}
	for _, t := range casehold.DocTypes {
		types = append(types, option{t, t})
	}
	return &form{Action: "/ui/matters/" + m.ID + "/documents", Submit: "Upload and secure", Fields: []field{
		pidField(m),
		{Name: "doc_type", Label: "Document type", Kind: kSelect, Options: types},
		{Name: "doc_date", Label: "Document date", Kind: kDate, Hint: "In the form YYYY-MM-DD"},
	}, Values: url.Values{}}
}

func (u *UI) matterPage(w http.ResponseWriter, r *http.Request, ss *session) {
	u.renderMatter(w, r, ss, http.StatusOK, nil, nil)
}

func (u *UI) renderMatter(w http.ResponseWriter, r *http.Request, ss *session, status int, upload *form, errs []fieldError) {
	ctx, a := r.Context(), actorOf(r)
	m, err := u.App.GetMatter(ctx, a, r.PathValue("id"))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	d := matterData{Matter: m, DocTypes: casehold.DocTypes, MaxUpload: u.App.MaxUploadBytes, DirectMax: u.cfg.DirectUploadMax,
		Released: m.Status != casehold.MatterOpen, CanExport: canExport(a)}
	if d.Progress, err = u.App.Progress(ctx, a, m.ID); err != nil {
		u.fail(w, r, ss, err)
		return
	}
	// The page shows the counts from the progress view (one read of the documents); the
	// list itself, and its audited read, is the documents page's.
	for i := range matterActions {
		if matterActions[i].fits(m) && matterActions[i].offeredTo(a, m) {
			d.Actions = append(d.Actions, &matterActions[i])
		}
	}
	d.MayUpload = casehold.Authorize(a, casehold.ActUploadDocument) == nil
	d.Upload = upload
	if d.Upload == nil {
		d.Upload = u.uploadForm(m)
	}
	v := u.newView(r, ss, "Matter", "work")
	if len(errs) > 0 {
		v.Title = "Error: Matter"
	}
	u.takeNotice(w, ss, v)
	v.Errors = errs
	v.Data = d
	u.render(w, r, status, "matter.html", v)
}

// uploadDocuments takes one or more PDFs from a multipart form, streamed part by part
// straight into the same use case the API's upload calls (nothing is held whole in
// memory). The fields (person, type, date) come before the files in the form, as the
// browser sends them in order. The upload script sends one file a request and reads the
// JSON answer; the plain form sends them all and gets the matter page back.
func (u *UI) uploadDocuments(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, a := r.Context(), actorOf(r)
	wantJSON := r.Header.Get("Accept") == "application/json"
	m, err := u.App.GetMatter(ctx, a, r.PathValue("id"))
	if err != nil {
		u.uploadFail(w, r, ss, wantJSON, nil, err)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		u.uploadFail(w, r, ss, wantJSON, u.uploadForm(m), casehold.Errorf(casehold.EINVALID, "file must be chosen"))
		return
	}
	f := u.uploadForm(m)
	var secured []*casehold.Document
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			u.uploadFail(w, r, ss, wantJSON, f, casehold.Errorf(casehold.EINVALID, "the upload was cut short: try again"))
			return
		}
		name := part.FormName()
		if name != "file" {
			b, _ := io.ReadAll(io.LimitReader(part, 4096))
			f.Values.Set(name, string(b))
			continue
		}
		if part.FileName() == "" {
			continue // the plain form with no file chosen
		}
		in := app.UploadInput{PID: f.Value("pid"), DocType: f.Value("doc_type"), DocDate: f.Value("doc_date"), Filename: baseName(part)}
		if in.DocDate != "" {
			if _, err := casehold.ParseDate("doc_date", in.DocDate); err != nil {
				u.uploadFail(w, r, ss, wantJSON, f, err)
				return
			}
		}
		d, err := u.App.UploadDocument(ctx, a, m.ID, in, part)
		if err != nil {
			if len(secured) > 0 {
				err = casehold.Errorf(casehold.ErrorCode(err), "%s (the %d file(s) before it were secured)", casehold.ErrorMessage(err), len(secured))
			}
			u.uploadFail(w, r, ss, wantJSON, f, err)
			return
		}
		secured = append(secured, d)
	}
	if len(secured) == 0 {
		u.uploadFail(w, r, ss, wantJSON, f, casehold.Errorf(casehold.EINVALID, "file must be chosen: select one or more PDF files"))
		return
	}
	if wantJSON {
		d := secured[0]
		writeJSON(w, http.StatusCreated, map[string]any{"id": d.ID, "sha256": d.SHA256, "size": d.Size, "held": d.Held(), "filename": d.Filename})
		return
	}
	var names []string
	for _, d := range secured {
		names = append(names, fmt.Sprintf("%s (SHA-256 %s…, under legal hold: %v)", d.ID, d.SHA256[:16], yes(d.Held())))
	}
	u.redirectWith(w, r, ss, "/ui/matters/"+m.ID+"#documents", fmt.Sprintf("%d document(s) secured: %s", len(secured), strings.Join(names, "; ")))
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func baseName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return ""
	}
	n := params["filename"]
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	return n
}

func (u *UI) uploadFail(w http.ResponseWriter, r *http.Request, ss *session, wantJSON bool, f *form, err error) {
	code := casehold.ErrorCode(err)
	if wantJSON {
		status, ok := statusOf[code]
		msg := casehold.ErrorMessage(err)
		if !ok {
			status, msg = http.StatusInternalServerError, "internal error"
			u.Log.ErrorContext(r.Context(), "web UI: upload", "err", err)
		}
		if code == casehold.EINVALID || code == casehold.ETOOLARGE {
			// The field's label, as the page without script says it ("Document date",
			// not "doc_date").
			lf := u.uploadForm(&casehold.Matter{})
			lf.Fields = append(lf.Fields, field{Name: "file", Label: "File", Kind: "file"}, field{Name: "filename", Label: "File name"})
			if errs := lf.place(err); len(errs) > 0 {
				msg = errs[0].Message
			}
		}
		writeJSON(w, status, map[string]string{"error": upperFirst(msg)})
		return
	}
	if f == nil || (code != casehold.EINVALID && code != casehold.ETOOLARGE) {
		u.fail(w, r, ss, err)
		return
	}
	f.Fields = append(f.Fields, field{Name: "file", Label: "File", Kind: "file"})
	errs := f.place(err)
	u.renderMatter(w, r, ss, statusOf[code], f, errs)
}

// createUploadSlot gives the upload script a presigned PUT for one large file: the same
// use case as the API's POST /matters/{id}/uploads, which checks the metadata first. The
// file then goes from the browser to the staging store, and the ingest handler secures it.
func (u *UI) createUploadSlot(w http.ResponseWriter, r *http.Request, ss *session) {
	in := app.UploadInput{PID: r.PostFormValue("pid"), DocType: r.PostFormValue("doc_type"), DocDate: r.PostFormValue("doc_date"),
		Filename: r.PostFormValue("filename")}
	slot, err := u.App.CreateUpload(r.Context(), actorOf(r), r.PathValue("id"), in)
	if err != nil {
		u.uploadFail(w, r, ss, true, nil, err)
		return
	}
	writeJSON(w, http.StatusCreated, slot)
}

type documentsData struct {
	Matter    *casehold.Matter
	Documents []*casehold.Document
	Person    string
	Type      string
	DocTypes  []string
}

// documentsPage lists the matter's documents the policy shows the actor, filtered by
// person (by position in the matter's list, so no PID enters the URL) and type.
func (u *UI) documentsPage(w http.ResponseWriter, r *http.Request, ss *session) {
	m, docs, err := u.loadMatter(r)
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	q := r.URL.Query()
	d := documentsData{Matter: m, Type: q.Get("type"), Person: q.Get("person"), DocTypes: casehold.DocTypes}
	pids := m.PIDs()
	pid := ""
	if n, err := strconv.Atoi(d.Person); err == nil && n >= 0 && n < len(pids) {
		pid = pids[n]
	}
	for _, doc := range docs {
		if (pid == "" || slices.Contains(doc.PIDs, pid)) && (d.Type == "" || doc.DocType == d.Type) {
			d.Documents = append(d.Documents, doc)
		}
	}
	v := u.newView(r, ss, "Documents", "work")
	v.Data = d
	u.render(w, r, http.StatusOK, "documents.html", v)
}

type documentData struct {
	Document *casehold.Document
	Custody  any
}

// documentPage shows one document: its hash, holds and, for information governance, its
// custody history (every audited read and change, from the who-saw report).
func (u *UI) documentPage(w http.ResponseWriter, r *http.Request, ss *session) {
	ctx, a := r.Context(), actorOf(r)
	doc, err := u.App.GetDocument(ctx, a, r.PathValue("doc"))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	d := documentData{Document: doc}
	if casehold.Authorize(a, casehold.ActReadAudit) == nil {
		rep, err := u.App.WhoSaw(ctx, a, casehold.AuditFilter{DocumentID: doc.ID})
		if err != nil {
			u.fail(w, r, ss, err)
			return
		}
		d.Custody = rep
	}
	v := u.newView(r, ss, "Document", "work")
	v.Data = d
	u.render(w, r, http.StatusOK, "document.html", v)
}

// downloadDocument serves the bytes as the API does: through OpenDocument, which checks
// them against the recorded SHA-256 as they stream and audits the read.
func (u *UI) downloadDocument(w http.ResponseWriter, r *http.Request, ss *session) {
	d, rc, err := u.App.OpenDocument(r.Context(), actorOf(r), r.PathValue("doc"))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	defer rc.Close()
	ctype, ext := "application/pdf", ".pdf"
	if d.DocType == "Email" {
		ctype, ext = "message/rfc822", ".eml"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.FormatInt(d.Size, 10))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s"`, d.ID, ext))
	w.Header().Set("X-Casehold-Sha256", d.SHA256)
	if _, err := io.Copy(w, rc); err != nil {
		u.Log.ErrorContext(r.Context(), "web UI: download aborted", "document", d.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// previewForm serves the confirmation form marked DRAFT.
func (u *UI) previewForm(w http.ResponseWriter, r *http.Request, ss *session) {
	b, err := u.App.PreviewConfirmationForm(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		u.fail(w, r, ss, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="confirmation-form-draft.pdf"`)
	_, _ = w.Write(b)
}
