package httpapi_test

import (
	"strings"
	"testing"
)

func TestRetentionRoutes(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/RETAIN/1")
	d := e.mustUpload(m.ID, pdf("a contact to classify"))
	if r := e.do(sw, "GET", "/retention/schedule", "", nil); r.status != 200 {
		t.Fatalf("schedule: %d %s", r.status, r.body)
	}
	path := "/documents/" + d.ID + "/retention"
	put := func(who string, body string) resp {
		return e.do(who, "PUT", path, "application/json", strings.NewReader(body))
	}
	if r := put(coord, `{"category":"send","closure_date":"2010-01-01"}`); r.status != 403 {
		t.Errorf("classification by the coordinator: %d %s", r.status, r.body)
	}
	if r := put(ig, `{"category":"not_a_category"}`); r.status != 400 || r.code(t) != "invalid" {
		t.Errorf("unknown category: %d %s", r.status, r.body)
	}
	r := put(ig, `{"category":"other_social_care","closure_date":"2012-01-31"}`)
	var got struct {
		Retention struct {
			DisposeOn string `json:"dispose_on"`
		} `json:"retention"`
	}
	r.json(t, &got)
	if r.status != 200 || got.Retention.DisposeOn != "2022-01-31" {
		t.Fatalf("classify: %d %s", r.status, r.body)
	}
	var q struct {
		Items []struct {
			DocumentID string `json:"document_id"`
		} `json:"items"`
		Read int `json:"read"`
	}
	e.do(ig, "GET", "/disposals", "", nil).json(t, &q)
	if len(q.Items) != 0 {
		t.Errorf("a held document was offered: %+v", q)
	}
	if r := e.postJSON(ig, "/documents/"+d.ID+"/disposal", map[string]string{"decision": "approve", "reason": "past its date"}); r.status != 423 {
		t.Errorf("approval of a held document: %d %s", r.status, r.body)
	}
	if r := e.do(coord, "GET", "/disposals", "", nil); r.status != 403 {
		t.Errorf("queue as the coordinator: %d", r.status)
	}
	if r := e.do(ig, "GET", "/documents/"+d.ID+"/disposal-certificate", "", nil); r.status != 404 {
		t.Errorf("certificate of a kept document: %d %s", r.status, r.body)
	}
}
