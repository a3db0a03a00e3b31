package httpapi_test

import (
	"strings"
	"testing"
)

// TestAcknowledgeRoute: a lead officer named with an email is awaiting acknowledgement
// until the coordinator records it; a bad address and an area with no notice are refused
// with plain words.
func TestAcknowledgeRoute(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/LEAD/1")
	base := "/matters/" + m.ID + "/areas/"
	areaState := func() string {
		t.Helper()
		var p struct {
			Areas []struct {
				Area            string `json:"area"`
				Acknowledgement string `json:"acknowledgement"`
			} `json:"areas"`
		}
		r := e.do(coord, "GET", "/matters/"+m.ID+"/progress", "", nil)
		mustStatus(t, r, 200, "progress")
		r.json(t, &p)
		for _, a := range p.Areas {
			if a.Area == "education" {
				return a.Acknowledgement
			}
		}
		return "no row"
	}
	for _, c := range []struct {
		name, method, path string
		body               any
		status             int
		contains           string
	}{
		{"BadEmail", "PUT", base + "education", map[string]any{"lead_officer": "Jay Example", "lead_email": "jay at council"}, 400, "lead_email"},
		{"NoLeadYet", "POST", base + "education/acknowledge", map[string]any{}, 409, "no lead officer recorded"},
		{"Named", "PUT", base + "education", map[string]any{"lead_officer": "Jay Example", "lead_email": "jay.lead@council.example"}, 200, `"jay.lead@council.example"`},
		{"Acknowledged", "POST", base + "education/acknowledge", map[string]any{}, 200, `"acknowledged_by": "` + coord + `"`},
		{"Again", "POST", base + "education/acknowledge", map[string]any{}, 409, "already acknowledged"},
		{"NoEmail", "PUT", base + "legal", map[string]any{"lead_officer": "Kit Example"}, 200, ""},
		{"NoEmailAck", "POST", base + "legal/acknowledge", map[string]any{}, 409, "no lead officer with an email"},
	} {
		var r resp
		if c.method == "PUT" {
			r = e.putJSON(coord, c.path, c.body)
		} else {
			if c.name == "Acknowledged" {
				if got := areaState(); got != "awaiting acknowledgement" {
					t.Fatalf("before acknowledgement progress says %q", got)
				}
			}
			r = e.postJSON(coord, c.path, c.body)
		}
		if r.status != c.status || !strings.Contains(string(r.body), c.contains) {
			t.Fatalf("%s: %d %s, want %d containing %q", c.name, r.status, r.body, c.status, c.contains)
		}
	}
	if got := areaState(); got != "acknowledged" {
		t.Fatalf("after acknowledgement progress says %q", got)
	}
}
