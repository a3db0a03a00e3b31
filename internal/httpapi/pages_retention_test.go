package httpapi_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

const support = "s-support-01"

// TestDisposalPages works IG's disposal review in the web UI: the queue lists a released,
// classified document past its date; the decision form refuses other roles (403, plain
// words), shows a mistake in the GOV.UK error summary with the input kept, and records an
// approval; the menu offers the page only to IG.
func TestDisposalPages(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/DISPOSE/1")
	d := e.mustUpload(m.ID, pdf("a contact past its date"))
	mustStatus(t, e.putJSON(ig, "/documents/"+d.ID+"/retention", map[string]string{"category": "other_social_care", "closure_date": "2012-01-31"}), 200, "classify")
	mustStatus(t, e.postJSON(coord, "/matters/"+m.ID+"/release", map[string]string{"reason": "direction withdrawn"}), 200, "release")

	clients := map[string]*pageClient{}
	as := func(who string) *pageClient {
		if clients[who] == nil {
			clients[who] = e.pageClient(t)
			clients[who].signIn(who)
		}
		return clients[who]
	}
	status, _, body := as(ig).do("GET", "/ui/disposals", nil)
	if status != 200 || !strings.Contains(body, `href="/ui/disposals/`+d.ID+`"`) || !strings.Contains(body, "awaiting review") {
		t.Fatalf("disposal review as IG: %d, want the due document listed\n%.2000s", status, body)
	}
	for _, c := range []struct {
		who, page string
		nav       []string
		notNav    []string
	}{
		{ig, "/", []string{`href="/ui/disposals"`, `href="/ui/reminders"`}, nil},
		{coord, "/", []string{`href="/ui/reminders"`}, []string{`href="/ui/disposals"`}},
		{tm, "/", nil, []string{`href="/ui/disposals"`, `href="/ui/reminders"`}},
	} {
		_, _, body := as(c.who).do("GET", c.page, nil)
		for _, s := range c.nav {
			if !strings.Contains(body, s) {
				t.Errorf("menu of %s: no %s", c.who, s)
			}
		}
		for _, s := range c.notNav {
			if strings.Contains(body, s) {
				t.Errorf("menu of %s offers %s", c.who, s)
			}
		}
	}

	path := "/ui/disposals/" + d.ID
	for _, c := range []struct {
		name     string
		who      string
		form     url.Values
		status   int
		want     []string // in the page
		location string
	}{
		{name: "coordinator refused", who: coord, form: url.Values{"decision": {"approve"}, "reason": {"past its date"}},
			status: 403, want: []string{"You do not have access to this"}},
		{name: "team manager refused", who: tm, form: url.Values{"decision": {"approve"}, "reason": {"past its date"}},
			status: 403, want: []string{"You do not have access to this"}},
		{name: "missing reason", who: ig, form: url.Values{"decision": {"approve"}},
			status: 400, want: []string{"govuk-error-summary", `<a href="#reason">Reason is required</a>`, `value="approve" checked`, "govuk-textarea--error"}},
		{name: "no decision", who: ig, form: url.Values{"reason": {"checked the file"}},
			status: 400, want: []string{`<a href="#decision">Decision must be`, ">checked the file</textarea>"}},
		{name: "deferral without a date", who: ig, form: url.Values{"decision": {"defer"}, "reason": {"a complaint is open"}},
			status: 400, want: []string{`href="#defer_to"`, `value="defer" checked`, ">a complaint is open</textarea>"}},
		{name: "approved", who: ig, form: url.Values{"decision": {"approve"}, "reason": {"past its date, no hold"}},
			status: 303, location: "/ui/disposals"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := as(c.who)
			c.form.Set("csrf", p.csrf)
			status, loc, body := p.do("POST", path, c.form)
			if status != c.status || loc != c.location {
				t.Fatalf("%d to %q, want %d to %q\n%.1500s", status, loc, c.status, c.location, body)
			}
			for _, s := range c.want {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q\n%.3000s", s, body)
				}
			}
		})
	}
	// After the approval: the notice, and the document marked approved in the queue.
	_, _, body = as(ig).do("GET", "/ui/disposals", nil)
	if !strings.Contains(body, "Disposal of "+d.ID+" approved") || !strings.Contains(body, ">approved</strong>") {
		t.Errorf("after approving: no notice or status\n%.3000s", body)
	}
	if status, _, _ := as(ig).do("GET", "/ui/documents/"+d.ID+"/disposal-certificate", nil); status != 404 {
		t.Errorf("certificate of a document not yet disposed of: %d, want 404", status)
	}
	// The disposal run destroys it; the certificate is then IG's to download.
	if _, err := e.app.Service.RunDisposals(context.Background()); err != nil {
		t.Fatal(err)
	}
	if status, _, body := as(ig).do("GET", "/ui/documents/"+d.ID+"/disposal-certificate", nil); status != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Errorf("certificate after the disposal run: %d %.100q", status, body)
	}
	if status, _, body := as(ig).do("GET", "/ui/documents/"+d.ID+"/disposal-certificate?format=json", nil); status != 200 || !strings.Contains(body, d.ID) {
		t.Errorf("certificate (JSON) after the disposal run: %d %.300s", status, body)
	}
	if status, _, body := as(ig).do("GET", "/ui/disposal-certificate?doc="+d.ID, nil); status != 200 || !strings.HasPrefix(body, "%PDF-") {
		t.Errorf("certificate asked for by id: %d %.100q", status, body)
	}
	if status, _, body := as(ig).do("GET", "/ui/disposal-certificate?doc=", nil); status != 400 || !strings.Contains(body, "Enter the id of a disposed document") {
		t.Errorf("certificate without an id: %d %.300s", status, body)
	}
	if status, _, _ := as(coord).do("GET", "/ui/documents/"+d.ID+"/disposal-certificate", nil); status != 403 {
		t.Errorf("certificate as the coordinator: %d, want 403", status)
	}
	if status, _, _ := as(coord).do("GET", "/ui/disposals", nil); status != 403 {
		t.Errorf("disposal review as the coordinator: %d, want 403", status)
	}
}

// TestClassifyPage: the classify form on the document page, for IG and records support.
func TestClassifyPage(t *testing.T) {
	e := newEnv(t, nil)
	m := e.createMatter("CCRC/CLASSIFY/1")
	d := e.mustUpload(m.ID, pdf("a contact to classify"))
	path := "/ui/documents/" + d.ID + "/classify"
	for _, c := range []struct {
		name, who string
		form      url.Values
		status    int
		location  string
		want      []string
	}{
		{name: "coordinator refused", who: coord, form: url.Values{"category": {"other_social_care"}, "closure_date": {"2012-01-31"}}, status: 403},
		{name: "no category", who: ig, form: url.Values{"closure_date": {"2012-01-31"}}, status: 400,
			want: []string{"govuk-error-summary", `href="#category"`, `value="2012-01-31"`}},
		{name: "date typed wrongly", who: ig, form: url.Values{"category": {"other_social_care"}, "closure_date": {"31/01/2012"}}, status: 400,
			want: []string{`href="#closure_date"`, `<option value="other_social_care" selected>`}},
		{name: "classified by IG", who: ig, form: url.Values{"category": {"other_social_care"}, "closure_date": {"2012-01-31"}}, status: 303, location: path},
		{name: "classified by records support", who: support, form: url.Values{"category": {"other_social_care"}, "closure_date": {"2012-02-29"}}, status: 303, location: path},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := e.pageClient(t)
			p.signIn(c.who)
			c.form.Set("csrf", p.csrf)
			status, loc, body := p.do("POST", path, c.form)
			if status != c.status || loc != c.location {
				t.Fatalf("%d to %q, want %d to %q\n%.1500s", status, loc, c.status, c.location, body)
			}
			if status == 303 {
				_, _, body = p.do("GET", loc, nil)
				c.want = append(c.want, "Classified as Any other children&#39;s social care file: due for disposal review from 2022-")
			}
			for _, s := range c.want {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q\n%.3000s", s, body)
				}
			}
		})
	}
	p := e.pageClient(t)
	p.signIn(coord)
	if _, _, body := p.do("GET", "/ui/documents/"+d.ID, nil); !strings.Contains(body, "Any other children&#39;s social care file: due for disposal review from ") || strings.Contains(body, `href="`+path+`"`) {
		t.Errorf("document page as the coordinator: want the retention row and no classify link\n%.3000s", body)
	}
}

// TestRemindersPage: the dry run of the next sweep, for IG and coordinators only, with
// staff ids and case ids and never a child's name; it sends nothing.
func TestRemindersPage(t *testing.T) {
	e := newEnv(t, nil)
	// A CCRC matter received long ago: its deadline has passed, so the sweep would chase it.
	r := e.postJSON(coord, "/matters", map[string]any{"reference": "CCRC/REMIND/1", "contact": "Case Review Manager",
		"received_on": time.Now().UTC().AddDate(0, 0, -60).Format("2006-01-02"), "people": people})
	mustStatus(t, r, 201, "create an overdue matter")
	var m matter
	r.json(t, &m)
	for _, c := range []struct {
		who    string
		status int
	}{{coord, 200}, {ig, 200}, {tm, 403}, {sw, 403}, {cso, 403}} {
		p := e.pageClient(t)
		p.signIn(c.who)
		status, _, body := p.do("GET", "/ui/reminders", nil)
		if status != c.status {
			t.Errorf("reminders as %s: %d, want %d", c.who, status, c.status)
			continue
		}
		for _, person := range people {
			if strings.Contains(body, person.Name) {
				t.Errorf("reminders as %s shows a child's name", c.who)
			}
		}
		if status == 200 && (!strings.Contains(body, "What the next reminder sweep would send") || !strings.Contains(body, "nothing is sent")) {
			t.Errorf("reminders as %s: not the dry-run page\n%.2000s", c.who, body)
		}
		if status == 200 && (!strings.Contains(body, "<td class=\"govuk-table__cell\">"+m.ID+"</td>") || !strings.Contains(body, "ccrc.escalation") ||
			!strings.Contains(body, "<td class=\"govuk-table__cell\">"+coord)) {
			t.Errorf("reminders as %s: no escalation of %s to %s by staff id\n%.4000s", c.who, m.ID, coord, body)
		}
	}
}
