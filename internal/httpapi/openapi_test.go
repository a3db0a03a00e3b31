package httpapi_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/disposalcert"
	"github.com/casehold/casehold/internal/httpapi"
	"github.com/casehold/casehold/internal/whosaw"
)

// openAPIPath is the API description, relative to this package.
var openAPIPath = filepath.Join("..", "..", "docs", "openapi.yaml")

var httpMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// loadOpenAPI parses the document into plain maps with string keys, so response codes
// written as 200 or "200" read the same.
func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s is not valid YAML: %v", openAPIPath, err)
	}
	m, ok := stringKeys(doc).(map[string]any)
	if !ok {
		t.Fatalf("%s is not a mapping", openAPIPath)
	}
	return m
}

func stringKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = stringKeys(x)
		}
		return v
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = stringKeys(x)
		}
		return out
	case []any:
		for i, x := range v {
			v[i] = stringKeys(x)
		}
		return v
	}
	return v
}

func mapAt(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

func stringList(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// operation is one documented method on one path.
type operation struct {
	method, path string // upper-case method, OpenAPI path template
	item, op     map[string]any
}

func (o operation) String() string { return o.method + " " + o.path }

func operations(t *testing.T, doc map[string]any) []operation {
	t.Helper()
	paths := mapAt(doc, "paths")
	if len(paths) == 0 {
		t.Fatal("the document has no paths")
	}
	var out []operation
	for p, v := range paths {
		item := mapAt(v)
		for _, m := range httpMethods {
			if op := mapAt(item, m); op != nil {
				out = append(out, operation{strings.ToUpper(m), p, item, op})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)\.\.\.\}`)

// serverRoutes is the route table in OpenAPI form: {key...} becomes {key}.
func serverRoutes(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, r := range (&httpapi.Server{}).Routes() {
		out = append(out, wildcard.ReplaceAllString(r, "{$1}"))
	}
	return out
}

func TestOpenAPIRoutesMatchServer(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]bool{}
	for _, o := range operations(t, doc) {
		documented[o.String()] = true
	}
	served := map[string]bool{}
	for _, r := range serverRoutes(t) {
		if served[r] {
			t.Errorf("the server registers %s twice", r)
		}
		served[r] = true
	}
	for _, r := range sortedKeys(served) {
		if !documented[r] {
			t.Errorf("route %s is served but missing from %s", r, openAPIPath)
		}
	}
	for _, r := range sortedKeys(documented) {
		if !served[r] {
			t.Errorf("route %s is documented in %s but the server has no such route", r, openAPIPath)
		}
	}
}

var pathParam = regexp.MustCompile(`\{([^{}]+)\}`)

// resolve follows a local $ref ("#/a/b/c") to what it names; nil if it names nothing.
func resolve(doc map[string]any, ref string) any {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var v any = doc
	for _, part := range strings.Split(rest, "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = m[part]; !ok {
			return nil
		}
	}
	return v
}

func TestOpenAPIOperations(t *testing.T) {
	doc := loadOpenAPI(t)
	known := map[string]bool{}
	for _, r := range casehold.KnownRoles {
		known[string(r)] = true
	}
	for _, o := range operations(t, doc) {
		t.Run(o.method+o.path, func(t *testing.T) {
			if s, _ := o.op["summary"].(string); strings.TrimSpace(s) == "" {
				t.Error("no summary")
			}
			desc, _ := o.op["description"].(string)
			if strings.TrimSpace(desc) == "" {
				t.Error("no description")
			}

			responses := mapAt(o.op, "responses")
			var ok2xx []string
			for code := range responses {
				if len(code) == 3 && code[0] == '2' {
					ok2xx = append(ok2xx, code)
				}
			}
			// Deleting or replacing evidence is always refused: those operations document
			// their refusals and must not promise a success.
			if refused, _ := o.op["x-casehold-always-refused"].(bool); refused {
				if len(ok2xx) > 0 {
					t.Errorf("marked always refused but documents success %v", ok2xx)
				}
				if responses["423"] == nil {
					t.Error("marked always refused but does not document 423 (held)")
				}
			} else if len(ok2xx) == 0 {
				t.Error("no 2xx response")
			}

			// Every {param} in the template is declared, and every declared path parameter
			// is in the template and required.
			declared := map[string]bool{}
			for _, level := range []map[string]any{o.item, o.op} {
				params, _ := level["parameters"].([]any)
				for _, p := range params {
					pm := mapAt(p)
					if ref, ok := pm["$ref"].(string); ok {
						pm = mapAt(resolve(doc, ref))
					}
					if pm["in"] != "path" {
						continue
					}
					name := fmt.Sprint(pm["name"])
					declared[name] = true
					if pm["required"] != true {
						t.Errorf("path parameter %s is not marked required", name)
					}
				}
			}
			inTemplate := map[string]bool{}
			for _, m := range pathParam.FindAllStringSubmatch(o.path, -1) {
				inTemplate[m[1]] = true
				if !declared[m[1]] {
					t.Errorf("path parameter {%s} is not declared", m[1])
				}
			}
			for name := range declared {
				if !inTemplate[name] {
					t.Errorf("path parameter %s is declared but not in the path", name)
				}
			}

			// Authenticated operations say which roles may call them, using real role names.
			sec, hasSec := o.op["security"].([]any)
			public := hasSec && len(sec) == 0
			roles, hasRoles := o.op["x-casehold-roles"]
			switch {
			case public && hasRoles:
				t.Error("a public operation lists x-casehold-roles")
			case !public && !hasRoles:
				t.Error("no x-casehold-roles (use [] for any authenticated caller)")
			case !public && responses["401"] == nil:
				t.Error("an authenticated operation does not document 401")
			}
			for _, r := range stringList(roles) {
				if !known[r] {
					t.Errorf("x-casehold-roles names unknown role %q", r)
				}
				if !strings.Contains(desc, r) {
					t.Errorf("the description does not name role %q", r)
				}
			}
			if !strings.Contains(desc, "Roles") {
				t.Error(`the description does not say who may call it ("Roles: ...")`)
			}
		})
	}
}

func TestOpenAPIRefsResolve(t *testing.T) {
	doc := loadOpenAPI(t)
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"]; ok {
				s, _ := ref.(string)
				if !strings.HasPrefix(s, "#/components/") || resolve(doc, s) == nil {
					t.Errorf("%s: $ref %v does not resolve to a defined component", where, ref)
				}
			}
			for _, k := range sortedKeys(v) {
				walk(where+"/"+k, v[k])
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s/%d", where, i), x)
			}
		}
	}
	walk("#", doc)
}

// denyAll is an Authenticator that refuses everyone and remembers being asked.
type denyAll struct{ asked bool }

func (d *denyAll) Authenticate(*http.Request) (casehold.Actor, error) {
	d.asked = true
	return casehold.Actor{}, casehold.Errorf(casehold.EUNAUTHORIZED, "no token")
}

// TestOpenAPISecurityMatchesServer sends each route a request without credentials: the
// document must declare bearer auth exactly where the server asks for it.
func TestOpenAPISecurityMatchesServer(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]operation{}
	for _, o := range operations(t, doc) {
		documented[o.String()] = o
	}
	global, _ := doc["security"].([]any)
	for _, r := range serverRoutes(t) {
		o, ok := documented[r]
		if !ok {
			continue // TestOpenAPIRoutesMatchServer names it
		}
		t.Run(r, func(t *testing.T) {
			sec, ok := o.op["security"].([]any)
			if !ok {
				sec = global
			}
			wantAuth := len(sec) > 0
			da := &denyAll{}
			srv := &httpapi.Server{Auth: da, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			target := pathParam.ReplaceAllStringFunc(o.path, func(p string) string {
				if p == "{key}" {
					return "a/b.pdf" // a {key...} wildcard spans segments
				}
				return "0"
			})
			req := httptest.NewRequest(o.method, target, nil)
			func() {
				// A public handler runs against a zero Server and may panic; all that
				// matters is that no credentials were asked for first.
				defer func() { _ = recover() }()
				srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
			}()
			if da.asked != wantAuth {
				t.Errorf("server asks for credentials: %v; document declares security: %v", da.asked, wantAuth)
			}
		})
	}
}

// jsonNames lists the JSON member names encoding/json gives a struct, with embedded
// structs flattened.
func jsonNames(t reflect.Type) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			out = append(out, jsonNames(ft)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// TestOpenAPISchemasMatchJSONTags keeps each schema's properties equal to the JSON names
// of the Go type the server reads or writes.
func TestOpenAPISchemasMatchJSONTags(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := mapAt(doc, "components", "schemas")
	cases := []struct {
		schema string
		value  any
		extra  []string // members the handler adds (views)
		omit   []string // members the handler leaves out
	}{
		{"Actor", casehold.Actor{}, nil, nil},
		{"Person", casehold.Person{}, nil, nil},
		{"NewMatterInput", casehold.NewMatterInput{}, nil, nil},
		{"Matter", casehold.Matter{}, []string{"days_left"}, nil},
		{"Work", casehold.Work{}, nil, nil},
		{"RelatedPerson", casehold.RelatedPerson{}, nil, nil},
		{"AreaLead", casehold.AreaLead{}, nil, nil},
		{"ElectronicRecord", casehold.ElectronicRecord{}, nil, nil},
		{"AccessGrant", casehold.AccessGrant{}, nil, nil},
		{"PaperFile", casehold.PaperFile{}, nil, nil},
		{"Receipt", casehold.Receipt{}, nil, nil},
		{"EducationRecord", casehold.EducationRecord{}, nil, nil},
		{"Disclosure", casehold.Disclosure{}, nil, nil},
		{"Visit", casehold.Visit{}, nil, nil},
		{"SCRWork", casehold.SCRWork{}, nil, nil},
		{"PractitionerCopy", casehold.PractitionerCopy{}, nil, nil},
		{"CourtPermission", casehold.CourtPermission{}, nil, nil},
		{"ViewOnly", casehold.ViewOnly{}, nil, nil},
		{"Document", casehold.Document{}, []string{"held"}, nil},
		{"AuditEvent", casehold.AuditEvent{}, nil, nil},
		{"Progress", casehold.Progress{}, nil, nil},
		{"PersonProgress", casehold.PersonProgress{}, nil, nil},
		{"AreaProgress", casehold.AreaProgress{}, nil, nil},
		{"UploadInput", app.UploadInput{}, nil, nil},
		{"UploadSlot", app.UploadSlot{}, nil, nil},
		{"ReleaseInput", app.ReleaseInput{}, nil, nil},
		{"ReleaseResult", app.ReleaseResult{}, nil, nil},
		{"DownloadLink", app.DownloadLink{}, nil, nil},
		{"DisclosureInput", app.DisclosureInput{}, nil, nil},
		{"LegalReviewInput", app.LegalReviewInput{}, nil, nil},
		{"CopyInput", app.CopyInput{}, nil, nil},
		{"CourtPermissionInput", app.CourtPermissionInput{}, nil, nil},
		{"OutcomeInput", app.OutcomeInput{}, nil, nil},
		{"ReceiptInput", app.ReceiptInput{}, nil, nil},
		{"ConfirmInput", app.ConfirmInput{}, nil, nil},
		{"SignOff", casehold.SignOff{}, nil, nil},
		{"AuditReport", app.AuditReport{}, nil, nil},
		// Copies of the handlers' unexported request types.
		{"DateInput", struct {
			On casehold.Date `json:"on"`
		}{}, nil, nil},
		{"ContactEmailInput", struct {
			ContactEmail string `json:"contact_email"`
		}{}, nil, nil},
		{"AssignInboundInput", struct {
			MatterID string `json:"matter_id"`
		}{}, nil, nil},
		{"InboundMessage", casehold.InboundMessage{}, nil, nil},
		{"InboundAttachment", casehold.InboundAttachment{}, nil, nil},
		{"Lock", casehold.Lock{}, nil, nil},
		{"TemporaryAccess", casehold.TemporaryAccess{}, nil, nil},
		{"BreakGlass", casehold.BreakGlass{}, nil, nil},
		{"LockInput", app.LockInput{}, nil, nil},
		{"LockReviewInput", app.LockReviewInput{}, nil, nil},
		{"TemporaryInput", app.TemporaryInput{}, nil, nil},
		{"LockNotice", app.LockNotice{}, nil, nil},
		{"StaffImport", app.StaffImport{}, nil, nil},
		{"ContactInput", app.ContactInput{}, nil, nil},
		{"RevokeInput", app.RevokeInput{}, nil, nil},
		{"AckInput", app.AckInput{}, nil, nil},
		{"WhoSawReport", whosaw.Report{}, nil, nil},
		{"WhoSawRow", whosaw.Row{}, nil, nil},
		{"ContactReceipt", app.ContactReceipt{}, nil, nil},
		{"LockDecisionInput", struct {
			Approve bool `json:"approve"`
		}{}, nil, nil},
		{"Retention", casehold.Retention{}, nil, nil},
		{"RetentionFacts", casehold.RetentionFacts{}, nil, nil},
		{"Disposal", casehold.Disposal{}, nil, nil},
		{"StoredObject", casehold.StoredObject{}, nil, nil},
		{"ClassifyInput", app.ClassifyInput{}, nil, nil},
		{"DisposalDecision", app.DisposalDecision{}, nil, nil},
		{"DisposalQueue", app.DisposalQueue{}, nil, nil},
		{"QueueItem", app.QueueItem{}, nil, nil},
		{"RetentionSchedule", casehold.RetentionSchedule{}, nil, nil},
		{"RetentionRule", casehold.RetentionRule{}, nil, nil},
		{"DisposalCertificate", disposalcert.Certificate{}, nil, nil},
		{"ExportJob", app.ExportJobView{}, nil, nil},
		{"ExportProgress", casehold.ExportProgress{}, nil, nil},
		{"ExportJobResult", app.ExportJobResult{}, nil, nil},
		{"LookupInput", struct {
			PID string `json:"pid"`
		}{}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.schema, func(t *testing.T) {
			s := mapAt(schemas, c.schema)
			if s == nil {
				t.Fatalf("components/schemas/%s is missing", c.schema)
			}
			want := map[string]bool{}
			for _, n := range jsonNames(reflect.TypeOf(c.value)) {
				want[n] = !slices.Contains(c.omit, n)
			}
			for _, n := range c.extra {
				want[n] = true
			}
			props := mapAt(s, "properties")
			for _, n := range sortedKeys(want) {
				if want[n] && props[n] == nil {
					t.Errorf("property %q is missing (%T has it)", n, c.value)
				}
			}
			for _, n := range sortedKeys(props) {
				if !want[n] {
					t.Errorf("property %q is documented but %T does not have it", n, c.value)
				}
			}
			for _, n := range stringList(s["required"]) {
				if props[n] == nil {
					t.Errorf("required %q is not a property", n)
				}
			}
		})
	}
}

func TestOpenAPIEnumsMatchDomain(t *testing.T) {
	doc := loadOpenAPI(t)
	schemas := mapAt(doc, "components", "schemas")
	str := func(xs ...any) []string {
		var out []string
		for _, x := range xs {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	var roles, areas, docTypes []any
	for _, r := range casehold.KnownRoles {
		roles = append(roles, r)
	}
	for _, a := range casehold.ServiceAreas {
		areas = append(areas, a)
	}
	for _, d := range casehold.DocTypes {
		docTypes = append(docTypes, d)
	}
	cases := []struct {
		name string
		got  []string
		want []string
	}{
		{"Role", stringList(mapAt(schemas, "Role")["enum"]), str(roles...)},
		{"ServiceArea", stringList(mapAt(schemas, "ServiceArea")["enum"]), str(areas...)},
		{"DocType", stringList(mapAt(schemas, "DocType")["enum"]), str(docTypes...)},
		{"MatterKind", stringList(mapAt(schemas, "MatterKind")["enum"]), str(casehold.KindCCRCS17, casehold.KindSeriousCaseReview)},
		{"MatterStatus", stringList(mapAt(schemas, "MatterStatus")["enum"]), str(casehold.MatterOpen, casehold.MatterReleasing, casehold.MatterReleased)},
		{"DocumentSource", stringList(mapAt(schemas, "DocumentSource")["enum"]), str(casehold.SourceUpload, casehold.SourceEmail, casehold.SourceExport)},
		{"Outcome", stringList(mapAt(schemas, "Outcome")["enum"]), str(casehold.OutcomeOK, casehold.OutcomeRefused, casehold.OutcomeFailed)},
		{"InboundStatus", stringList(mapAt(schemas, "InboundStatus")["enum"]), str(casehold.InboundTriage, casehold.InboundQuarantined, casehold.InboundSecured)},
		{"Answer", stringList(mapAt(schemas, "Answer")["enum"]), str(casehold.Unanswered, casehold.Yes, casehold.No)},
		{"LockReason", stringList(mapAt(schemas, "LockReason")["enum"]), str(casehold.LockAdoptionRisk, casehold.LockStaffRelated, casehold.LockHighProfile, casehold.LockSeriousCaseReview, casehold.LockUnexplainedDeath, casehold.LockHeadOfService)},
		{"LockStatus", stringList(mapAt(schemas, "LockStatus")["enum"]), str(casehold.LockRequested, casehold.LockApproved,
			casehold.LockActive, casehold.LockRefused, casehold.LockUnlocked)},
		{"ExportState", stringList(mapAt(schemas, "ExportState")["enum"]), str(casehold.ExportQueued, casehold.ExportBuilding, casehold.ExportReady, casehold.ExportFailed)},
		{"Error.code", stringList(mapAt(schemas, "Error", "properties", "error", "properties", "code")["enum"]),
			str(casehold.EINVALID, casehold.EUNAUTHORIZED, casehold.EFORBIDDEN, casehold.ENOTFOUND, casehold.ECONFLICT,
				casehold.ETOOLARGE, casehold.EUNSUPPORTED, casehold.EHELD, casehold.EINTERNAL, casehold.EINTEGRITY)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, w := slices.Sorted(slices.Values(c.got)), slices.Sorted(slices.Values(c.want))
			if !slices.Equal(g, w) {
				t.Errorf("enum = %q, want %q", g, w)
			}
		})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
