// Package httpapi is casehold's HTTP API: one net/http.Handler served by net/http locally
// and by the API Gateway proxy adapter in Lambda. It parses, authenticates and renders;
// the app package decides.
package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/webui"
)

// UploadReceiver takes a presigned PUT on the local server (the stand-in for S3) and
// hands the stored file to the same ingest handler S3 events reach in AWS. Nil in AWS.
type UploadReceiver interface {
	Receive(ctx context.Context, key, expires, signature string, body io.Reader) (*casehold.Document, error)
}

// Server holds the handler's dependencies.
type Server struct {
	App     *app.Service
	Auth    auth.Authenticator
	Log     *slog.Logger
	Uploads UploadReceiver
	// UI is the staff web UI (nil: the JSON API alone). Its pages are served by this
	// handler from their own route table, which the OpenAPI description does not cover.
	UI *webui.UI
}

// maxJSONBody bounds JSON request bodies; documents go through the upload routes.
const maxJSONBody = 1 << 20

// Handler returns the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		h := strictQuery(s, r.handler)
		if !r.public {
			h = s.authenticated(h)
		}
		mux.HandleFunc(r.method+" "+r.path, h)
	}
	for _, p := range s.PageRoutes() {
		mux.HandleFunc(p.Method+" "+p.Path, p.Handler)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, casehold.Errorf(casehold.ENOTFOUND, "no such route: %s %s", r.Method, r.URL.Path))
	})
	return s.logged(mux)
}

type route struct {
	method, path string
	handler      http.HandlerFunc
	public       bool
}

// routes is the API's one route table; the OpenAPI test compares it with docs/openapi.yaml.
func (s *Server) routes() []route {
	return append([]route{
		{"GET", "/healthz", s.health, true},
		{"GET", "/me", s.me, false},
		{"POST", "/matters", s.createMatter, false},
		{"GET", "/matters", s.listMatters, false},
		{"GET", "/matters/{id}", s.getMatter, false},
		{"POST", "/matters/{id}/release", s.releaseMatter, false},
		{"GET", "/matters/{id}/export", s.exportMatter, false},
		{"GET", "/matters/{id}/documents", s.listDocuments, false},
		{"POST", "/matters/{id}/documents", s.uploadDocument, false},
		{"POST", "/matters/{id}/uploads", s.createUpload, false},
		{"PUT", "/matters/{id}/documents/{doc}/hold", s.holdDocument, false},
		{"GET", "/documents/{doc}", s.getDocument, false},
		{"GET", "/documents/{doc}/content", s.downloadDocument, false},
		{"GET", "/documents/{doc}/download-link", s.downloadLink, false},
		{"PUT", "/documents/{doc}/content", s.replaceDocument, false},
		{"DELETE", "/documents/{doc}", s.deleteDocument, false},
		{"GET", "/audit", s.listAudit, false},
		{"GET", "/audit/verify", s.verifyAudit, false},
		{"GET", "/audit/events/{id}/proof", s.proveAuditEvent, false},
		{"GET", "/audit/consistency", s.auditConsistency, false},
		{"GET", "/audit/checkpoint", s.auditCheckpoint, true}, // signed, public by design
		{"GET", "/audit/key", s.auditKey, true},               // the public verifier key
		{"PUT", "/uploads/{key...}", s.receiveUpload, true},   // authorised by its signature
	}, append(append(append(append(s.workRoutes(), s.inboundRoutes()...), s.lockRoutes()...), s.retentionRoutes()...), s.exportJobRoutes()...)...)
}

// Routes lists "METHOD /path" for every route, for documentation tests.
func (s *Server) Routes() []string {
	var out []string
	for _, r := range s.routes() {
		out = append(out, r.method+" "+r.path)
	}
	return out
}

// PageRoutes is the web UI's route table (empty without a UI).
func (s *Server) PageRoutes() []webui.Route {
	if s.UI == nil {
		return nil
	}
	return s.UI.Routes()
}

type ctxKey int

const requestIDKey ctxKey = 0

// RequestID returns the request id in ctx.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newRequestID(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.RequestID != "" {
		return rc.RequestID
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logged gives each request an id and logs one line for it: route pattern, never the
// query string or body, which may hold personal data.
func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID(r)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		sw := &statusWriter{ResponseWriter: w}
		sw.Header().Set("X-Request-Id", id)
		r = r.WithContext(ctx)
		next.ServeHTTP(sw, r)
		actor := "-"
		if a, ok := auth.ActorFrom(r.Context()); ok {
			actor = a.ID
		}
		s.Log.InfoContext(ctx, "request", "request_id", id, "method", r.Method, "route", r.Pattern,
			"status", sw.status, "ms", time.Since(start).Milliseconds(), "actor", actor)
	})
}

// strictQuery refuses a query string that Go would read loosely: url.Values drops a
// malformed pair without a word, and Get keeps the first of two values where the caller may
// have meant the second (decodeJSON refuses a key given twice for the same reason).
func strictQuery(s *Server, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := checkQuery(r.URL.RawQuery); err != nil {
			s.writeError(w, r, err)
			return
		}
		next(w, r)
	}
}

// checkQuery names the parameter at fault, never its value.
func checkQuery(raw string) error {
	seen := map[string]bool{}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || strings.Contains(pair, ";") {
			return casehold.Errorf(casehold.EINVALID, "the query string is malformed: a parameter name is not URL-encoded correctly")
		}
		if _, err := url.QueryUnescape(v); err != nil {
			return casehold.Errorf(casehold.EINVALID, "query parameter %q is not URL-encoded correctly (encode each byte as %%XX)", key)
		}
		if seen[key] {
			return casehold.Errorf(casehold.EINVALID, "query parameter %q is given more than once", key)
		}
		seen[key] = true
	}
	return nil
}

// authenticated resolves the actor. It replaces the request in place, so the logging
// middleware, which holds the same *http.Request, can name the actor too.
func (s *Server) authenticated(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := s.Auth.Authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		ctx := auth.WithActor(r.Context(), a)
		*r = *r.WithContext(ctx)
		next(w, r)
	}
}

func actor(r *http.Request) casehold.Actor {
	a, _ := auth.ActorFrom(r.Context())
	return a
}

// statusOf is the one table from error code to HTTP status.
var statusOf = map[string]int{
	casehold.EINVALID:      http.StatusBadRequest,
	casehold.EUNAUTHORIZED: http.StatusUnauthorized,
	casehold.EFORBIDDEN:    http.StatusForbidden,
	casehold.ENOTFOUND:     http.StatusNotFound,
	casehold.ECONFLICT:     http.StatusConflict,
	casehold.EHELD:         http.StatusLocked,
	casehold.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	casehold.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	casehold.EINTERNAL:     http.StatusInternalServerError,
	// The message says what happened (ids only) and that the incident is recorded.
	casehold.EINTEGRITY: http.StatusInternalServerError,
}

type errorBody struct {
	Error struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		RequestID string `json:"request_id"`
	} `json:"error"`
}

// writeError renders err. Internal errors are logged with their detail; the caller sees
// only "internal error" and the request id to quote.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := casehold.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var body errorBody
	body.Error.Code = code
	body.Error.Message = casehold.ErrorMessage(err)
	body.Error.RequestID = RequestID(r.Context())
	if code == casehold.EINTERNAL {
		body.Error.Message = "internal error"
		s.Log.ErrorContext(r.Context(), "internal error", "request_id", body.Error.RequestID, "err", err)
	}
	if code == casehold.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="casehold"`)
	}
	writeJSON(w, status, body)
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Answers are read by people and scripts, not pasted into HTML: an upload URL with
	// "&" must print as "&", not "\u0026", or it cannot be copied into curl.
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// decodeJSON reads one JSON object into v strictly. Its errors name the problem (field,
// offset), never the submitted values. The body must say it is JSON (a missing
// Content-Type is refused too: a form post or a file sent to the wrong route would
// otherwise be read as if the caller meant it), and a key given twice is refused, because
// encoding/json would silently keep the last and the caller may have meant the first.
func decodeJSON(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); ct == "" || err != nil || mt != "application/json" {
		return casehold.Errorf(casehold.EUNSUPPORTED, "Content-Type must be application/json (send the header -H 'Content-Type: application/json' with a JSON object)")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxJSONBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return casehold.Errorf(casehold.ETOOLARGE, "request body is larger than %d bytes", maxJSONBody)
	}
	if err != nil {
		return casehold.Errorf(casehold.EINVALID, "request body could not be read")
	}
	// encoding/json would turn invalid UTF-8 into U+FFFD without a word: a name garbled
	// that way must be refused, not stored.
	if !utf8.Valid(body) {
		return casehold.Errorf(casehold.EINVALID, "request body is not valid UTF-8 text (at byte %d)", firstInvalidUTF8(body))
	}
	if err := noDuplicateKeys(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var ce *casehold.Error
	switch {
	case err == nil:
		if dec.More() {
			return casehold.Errorf(casehold.EINVALID, "request body must hold one JSON object")
		}
		return nil
	case errors.Is(err, io.EOF):
		return casehold.Errorf(casehold.EINVALID, "request body is empty: a JSON object is required")
	case errors.As(err, &syn):
		return casehold.Errorf(casehold.EINVALID, "request body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return casehold.Errorf(casehold.EINVALID, "field %s must be a %s", typ.Field, typ.Type)
	case errors.As(err, &ce):
		return ce
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return casehold.Errorf(casehold.EINVALID, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return casehold.Errorf(casehold.EINVALID, "request body is truncated JSON")
	default:
		return casehold.Errorf(casehold.EINVALID, "request body could not be read as JSON")
	}
}

// noDuplicateKeys refuses a body in which any object, at any depth, names a key twice. It
// walks the tokens once; malformed JSON is left for the decoder to describe.
func noDuplicateKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	// One frame per open object or array: the keys seen so far (nil for an array) and
	// whether the next token of an object is a key.
	type frame struct {
		keys    map[string]bool
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // end of input, or a syntax error the decoder reports better
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.keys != nil && top.wantKey {
			if key, ok := tok.(string); ok {
				if top.keys[key] {
					return casehold.Errorf(casehold.EINVALID, "field %s is given more than once", strconv.Quote(key))
				}
				top.keys[key] = true
				top.wantKey = false
				continue
			}
		}
		// tok is a value (or the end of the current container).
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].keys != nil {
			stack[len(stack)-1].wantKey = true // a value ended: a key comes next
		}
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, actor(r))
}

func (s *Server) createMatter(w http.ResponseWriter, r *http.Request) {
	var in casehold.NewMatterInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.App.CreateMatter(r.Context(), actor(r), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/matters/"+m.ID)
	writeJSON(w, http.StatusCreated, matterView(m, s.App.Clock.Now()))
}

func (s *Server) listMatters(w http.ResponseWriter, r *http.Request) {
	ms, err := s.App.ListMatters(r.Context(), actor(r), casehold.MatterStatus(r.URL.Query().Get("status")))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]matterJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, matterView(m, s.App.Clock.Now()))
	}
	writeJSON(w, http.StatusOK, map[string]any{"matters": out})
}

func (s *Server) getMatter(w http.ResponseWriter, r *http.Request) {
	m, err := s.App.GetMatter(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, matterView(m, s.App.Clock.Now()))
}

func (s *Server) releaseMatter(w http.ResponseWriter, r *http.Request) {
	var in app.ReleaseInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.App.ReleaseMatter(r.Context(), actor(r), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Pending || res.Matter.Status != casehold.MatterReleased {
		// Recorded; the release function (or a retry of this request) finishes it.
		status = http.StatusAccepted
	}
	writeJSON(w, status, map[string]any{
		"matter": matterView(res.Matter, s.App.Clock.Now()), "pending": res.Pending, "released": res.Released,
		"still_held": res.StillHeld, "incidents": res.Incidents, "notified_edt": res.NotifiedEDT, "notice_errors": res.NoticeErrors,
	})
}

// uploadInput reads document metadata from the query string, so the body can be the raw
// PDF streamed straight through.
func uploadInput(r *http.Request) app.UploadInput {
	q := r.URL.Query()
	return app.UploadInput{PID: q.Get("pid"), DocType: q.Get("doc_type"), DocDate: q.Get("doc_date"), Filename: q.Get("filename")}
}

func (s *Server) uploadDocument(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
		s.writeError(w, r, casehold.Errorf(casehold.EINVALID, "Content-Type must be application/pdf (send the file as the raw request body)"))
		return
	}
	d, err := s.App.UploadDocument(r.Context(), actor(r), r.PathValue("id"), uploadInput(r), r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/documents/"+d.ID)
	writeJSON(w, http.StatusCreated, documentView(d))
}

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request) {
	var in app.UploadInput
	if err := decodeJSON(r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	slot, err := s.App.CreateUpload(r.Context(), actor(r), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, slot)
}

func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request) {
	if s.Uploads == nil {
		s.writeError(w, r, casehold.Errorf(casehold.ENOTFOUND, "uploads go to the presigned S3 URL in this deployment"))
		return
	}
	q := r.URL.Query()
	d, err := s.Uploads.Receive(r.Context(), app.UploadPrefix+r.PathValue("key"), q.Get("expires"), q.Get("signature"), r.Body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, documentView(d))
}

func (s *Server) holdDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.App.HoldDocument(r.Context(), actor(r), r.PathValue("id"), r.PathValue("doc"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, documentView(d))
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request) {
	docs, err := s.App.ListDocuments(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]documentJSON, 0, len(docs))
	for _, d := range docs {
		out = append(out, documentView(d))
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": out})
}

func (s *Server) getDocument(w http.ResponseWriter, r *http.Request) {
	d, err := s.App.GetDocument(r.Context(), actor(r), r.PathValue("doc"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, documentView(d))
}

func (s *Server) downloadDocument(w http.ResponseWriter, r *http.Request) {
	d, rc, err := s.App.OpenDocument(r.Context(), actor(r), r.PathValue("doc"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer rc.Close()
	ctype, ext := "application/pdf", ".pdf"
	if d.DocType == "Email" { // a kept raw message
		ctype, ext = "message/rfc822", ".eml"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", fmt.Sprint(d.Size))
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s%s"`, d.ID, ext))
	w.Header().Set("X-Casehold-Sha256", d.SHA256)
	w.Header().Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, rc); err != nil {
		// Headers are gone: abort the connection so the client sees a failed download,
		// never a complete-looking file with the wrong bytes.
		s.Log.ErrorContext(r.Context(), "download aborted", "request_id", RequestID(r.Context()), "document", d.ID, "err", err)
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) replaceDocument(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, s.App.ReplaceDocument(r.Context(), actor(r), r.PathValue("doc")))
}

func (s *Server) deleteDocument(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, s.App.DeleteDocument(r.Context(), actor(r), r.PathValue("doc")))
}

func (s *Server) downloadLink(w http.ResponseWriter, r *http.Request) {
	link, err := s.App.DownloadDocumentLink(r.Context(), actor(r), r.PathValue("doc"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, link)
}
