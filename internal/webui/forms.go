package webui

import (
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
)

// A form is described once (its fields, named as the JSON API names them) and rendered by
// one template. Submitted values become the same JSON the API takes and are decoded into
// the use case's own input type, so every check is the use case's, and its error message,
// which starts with the field's name, is shown beside that field in the field's own words.

type option struct{ Value, Label string }

// field kinds
const (
	kText     = "text"
	kTextarea = "textarea"
	kDate     = "date"     // YYYY-MM-DD, decoded by casehold.Date
	kBool     = "checkbox" // one checkbox, true when ticked
	kAnswer   = "answer"   // yes / no radios (casehold.Answer)
	kSelect   = "select"
	kList     = "list"   // comma-separated, a JSON array of strings
	kPeople   = "people" // one person a line: "PID, name"
	kChecks   = "checks" // several checkboxes, a JSON array of the ticked values
	kEmail    = "email"
)

type field struct {
	Name, Label, Hint, Kind string
	Options                 []option
	// Path is true when the value goes into the URL path rather than the JSON body.
	Path bool
}

type fieldError struct{ Field, Message string }

type form struct {
	Action string // where it posts
	Submit string
	Fields []field
	Values url.Values
	Errors map[string]string
	Warn   string // a warning shown above the button
}

func (f *form) Value(name string) string { return f.Values.Get(name) }

func (f *form) Checked(name, value string) bool {
	for _, v := range f.Values[name] {
		if v == value {
			return true
		}
	}
	return false
}

func (f *form) Error(name string) string { return f.Errors[name] }

// body turns submitted values into the JSON object of the use case's input. Empty values
// are left out, so the use case sees "missing", as it would from the API.
func (f *form) body() ([]byte, error) {
	out := map[string]any{}
	for _, fl := range f.Fields {
		if fl.Path {
			continue
		}
		v := strings.TrimSpace(f.Values.Get(fl.Name))
		switch fl.Kind {
		case kDate:
			if v != "" {
				// The domain's own date check, so the message names this field.
				if _, err := casehold.ParseDate(fl.Name, v); err != nil {
					return nil, err
				}
				out[fl.Name] = v
			}
		case kBool:
			out[fl.Name] = v != ""
		case kList:
			var items []string
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					items = append(items, s)
				}
			}
			if len(items) > 0 {
				out[fl.Name] = items
			}
		case kChecks:
			if vs := f.Values[fl.Name]; len(vs) > 0 {
				out[fl.Name] = vs
			}
		case kPeople:
			var people []map[string]string
			for _, line := range strings.Split(v, "\n") {
				line = strings.TrimSpace(line)
				if line == "" {
					continue
				}
				pid, name, ok := strings.Cut(line, ",")
				if !ok {
					return nil, casehold.Errorf(casehold.EINVALID, "%s line %d has no comma: put a comma between the PID and the name (for example, P100234, Jordan Example)", fl.Name, len(people)+1)
				}
				people = append(people, map[string]string{"pid": strings.TrimSpace(pid), "name": strings.TrimSpace(name)})
			}
			if len(people) > 0 {
				out[fl.Name] = people
			}
		default:
			if v != "" {
				out[fl.Name] = v
			}
		}
	}
	return json.Marshal(out)
}

// decode fills in (the use case's input type) from the form, as the API would from JSON.
// A value of the wrong shape (a date typed wrongly) comes back as the type's own error.
func (f *form) decode(in any) error {
	b, err := f.body()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, in); err != nil {
		var ce *casehold.Error
		if errors.As(err, &ce) {
			return ce
		}
		return casehold.Errorf(casehold.EINVALID, "a value could not be read")
	}
	return nil
}

// place puts an EINVALID message beside the field it names: the message starts with the
// field's JSON name (or "people[0].pid"). The name is replaced by the field's label, so the
// user reads "Date received must not be in the future". A message naming no field of the
// form goes to the summary alone.
func (f *form) place(err error) []fieldError {
	msg := casehold.ErrorMessage(err)
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	fields := append([]field(nil), f.Fields...)
	sort.SliceStable(fields, func(i, j int) bool { return len(fields[i].Name) > len(fields[j].Name) })
	for _, fl := range fields {
		rest, ok := strings.CutPrefix(msg, fl.Name)
		if !ok || (rest != "" && !strings.ContainsAny(rest[:1], " :[.(")) {
			continue
		}
		text := fl.Label + rest
		if fl.Kind == kPeople && strings.HasPrefix(rest, "[") {
			// people[1].pid: ... -> "People, line 2: pid ..."
			text = fl.Label + ": " + peopleLine(rest)
		}
		f.Errors[fl.Name] = text
		return []fieldError{{Field: fl.Name, Message: text}}
	}
	first := ""
	if len(f.Fields) > 0 {
		first = f.Fields[0].Name
	}
	return []fieldError{{Field: first, Message: upperFirst(msg)}}
}

func peopleLine(rest string) string {
	// rest is "[N].pid: message" or "[N].name ..." or "[N].pid is a duplicate"
	idx, tail, ok := strings.Cut(strings.TrimPrefix(rest, "["), "]")
	if !ok {
		return rest
	}
	n := 0
	for _, c := range idx {
		if c < '0' || c > '9' {
			return rest
		}
		n = n*10 + int(c-'0')
	}
	tail = strings.TrimPrefix(tail, ".")
	tail = strings.Replace(tail, "pid", "the PID", 1)
	tail = strings.Replace(tail, "name", "the name", 1)
	return "line " + itoa(n+1) + ": " + strings.TrimPrefix(strings.Replace(tail, ": ", " ", 1), " ")
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func yesNo() []option { return []option{{"yes", "Yes"}, {"no", "No"}} }

func pidOptions(m *casehold.Matter) []option {
	var out []option
	for _, p := range m.People {
		out = append(out, option{p.PID, p.PID + " – " + p.Name})
	}
	for _, r := range m.Work.Related {
		out = append(out, option{r.PID, r.PID + " – " + r.Name + " (related)"})
	}
	return out
}
