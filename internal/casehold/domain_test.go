package casehold

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

func TestCCRCDeadline(t *testing.T) {
	cases := []struct{ received, want Date }{
		{d(2026, 3, 2), d(2026, 3, 30)},
		{d(2026, 12, 15), d(2027, 1, 12)}, // across a year end
		{d(2028, 2, 10), d(2028, 3, 9)},   // leap year
		{d(2027, 2, 10), d(2027, 3, 10)},  // not a leap year
	}
	for _, c := range cases {
		if got := CCRCDeadline(c.received); got != c.want {
			t.Errorf("CCRCDeadline(%s) = %s, want %s", c.received, got, c.want)
		}
		if n := c.received.DaysUntil(CCRCDeadline(c.received)); n != 28 {
			t.Errorf("deadline is %d days after %s, want 28", n, c.received)
		}
	}
}

func TestDateJSON(t *testing.T) {
	var v struct{ D Date }
	if err := json.Unmarshal([]byte(`{"D":"2013-12-21"}`), &v); err != nil || v.D != d(2013, 12, 21) {
		t.Fatalf("unmarshal = %v, %v", v.D, err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"D":"2013-12-21"}` {
		t.Errorf("marshal = %s", b)
	}
	for _, bad := range []string{`{"D":"21/12/2013"}`, `{"D":"2013-13-01"}`, `{"D":20131221}`} {
		if err := json.Unmarshal([]byte(bad), &v); ErrorCode(err) != EINVALID {
			t.Errorf("unmarshal %s: err %v, want EINVALID", bad, err)
		}
	}
}

func TestNewMatterInputValidate(t *testing.T) {
	today := d(2026, 11, 24)
	valid := func() NewMatterInput {
		return NewMatterInput{Reference: "CCRC-00417/2026", Contact: "Case Review Manager", ReceivedOn: "2026-11-20",
			People: []Person{{PID: "P100234", Name: "Jordan Example"}}}
	}
	cases := []struct {
		name    string
		mod     func(*NewMatterInput)
		wantMsg string // "" means valid
	}{
		{"OK", func(*NewMatterInput) {}, ""},
		{"MissingReference", func(in *NewMatterInput) { in.Reference = " " }, "reference is required"},
		{"MissingContact", func(in *NewMatterInput) { in.Contact = "" }, "contact is required"},
		{"MissingDate", func(in *NewMatterInput) { in.ReceivedOn = "" }, "received_on is required"},
		{"BadDate", func(in *NewMatterInput) { in.ReceivedOn = "20/11/2026" }, "received_on must be a date"},
		{"FutureDate", func(in *NewMatterInput) { in.ReceivedOn = "2026-12-01" }, "must not be in the future"},
		{"NoPeople", func(in *NewMatterInput) { in.People = nil }, "people must name"},
		{"BadPID", func(in *NewMatterInput) { in.People[0].PID = "P1/../2" }, "people[0].pid"},
		{"NoName", func(in *NewMatterInput) { in.People[0].Name = "" }, "people[0].name is required"},
		{"DuplicatePID", func(in *NewMatterInput) { in.People = append(in.People, in.People[0]) }, "people[1].pid is a duplicate"},
		{"ControlChars", func(in *NewMatterInput) { in.Contact = "a\nb" }, "control characters"},
		{"UnknownKind", func(in *NewMatterInput) { in.Kind = "ombudsman" }, "kind must be"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
			c.mod(&in)
			got, err := in.Validate(today)
			if c.wantMsg == "" {
				if err != nil || got != d(2026, 11, 20) {
					t.Fatalf("Validate = %v, %v", got, err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.wantMsg) {
				t.Fatalf("Validate error = %v, want EINVALID containing %q", err, c.wantMsg)
			}
			if strings.Contains(err.Error(), "Jordan") {
				t.Errorf("error %q leaks a person's name", err)
			}
		})
	}
}

func TestDocumentHolds(t *testing.T) {
	doc := &Document{MatterIDs: []string{"m1"}, HeldBy: []string{"m1"}}
	steps := []struct {
		op, matter string
		changed    bool
		heldBy     string
	}{
		{"add", "m2", true, "[m1 m2]"},
		{"add", "m2", false, "[m1 m2]"},
		{"remove", "m1", true, "[m2]"},
		{"remove", "m1", false, "[m2]"},
		{"remove", "m2", true, "[]"},
	}
	for i, s := range steps {
		var changed bool
		if s.op == "add" {
			changed = doc.AddHold(s.matter)
		} else {
			changed = doc.RemoveHold(s.matter)
		}
		if changed != s.changed || fmtList(doc.HeldBy) != s.heldBy {
			t.Fatalf("step %d %s %s: changed=%v heldBy=%v, want %v %s", i, s.op, s.matter, changed, doc.HeldBy, s.changed, s.heldBy)
		}
	}
	if doc.Held() || fmtList(doc.MatterIDs) != "[m1 m2]" {
		t.Errorf("after releasing all: held=%v matterIDs=%v", doc.Held(), doc.MatterIDs)
	}
}

func fmtList(xs []string) string { return "[" + strings.Join(xs, " ") + "]" }

func TestDisclosureName(t *testing.T) {
	cases := []struct {
		docType  string
		date     Date
		initials string
		want     string
	}{
		{"Contact", d(2013, 12, 21), "", "Contact 21.12.2013.pdf"},
		{"Assessment", d(2011, 4, 11), "JE", "Assessment 11.04.2011 JE.pdf"},
	}
	for _, c := range cases {
		if got := DisclosureName(c.docType, c.date, c.initials); got != c.want {
			t.Errorf("DisclosureName = %q, want %q", got, c.want)
		}
	}
}

func TestNormaliseDocType(t *testing.T) {
	if got, err := NormaliseDocType(" contact "); err != nil || got != "Contact" {
		t.Errorf("NormaliseDocType = %q, %v", got, err)
	}
	if _, err := NormaliseDocType("Selfie"); ErrorCode(err) != EINVALID {
		t.Errorf("unknown type: %v", err)
	}
}

func TestVerifyChain(t *testing.T) {
	var head AuditHead
	var events []AuditEvent
	for i, action := range []string{"matter.create", "document.upload", "document.download"} {
		e := AuditEvent{ID: string(rune('a' + i)), Time: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC), Actor: "s1", Action: action}
		e.Chain(head)
		head = AuditHead{Seq: e.Seq, Hash: e.Hash}
		events = append(events, e)
	}
	if got, err := VerifyChain(AuditHead{}, events); err != nil || got != head {
		t.Fatalf("VerifyChain = %+v, %v", got, err)
	}
	tamper := []struct {
		name string
		mod  func([]AuditEvent)
		want string
	}{
		{"AlteredField", func(es []AuditEvent) { es[1].Actor = "someone-else" }, "seq 2: event was altered"},
		{"AlteredOutcome", func(es []AuditEvent) { es[2].Outcome = OutcomeRefused }, "seq 3: event was altered"},
		{"Removed", func(es []AuditEvent) { copy(es[1:], es[2:]) }, "seq 3: expected seq 2"},
		{"Relinked", func(es []AuditEvent) { es[2].PrevHash = es[0].Hash }, "seq 3: previous hash"},
	}
	for _, c := range tamper {
		t.Run(c.name, func(t *testing.T) {
			es := append([]AuditEvent(nil), events...)
			c.mod(es)
			_, err := VerifyChain(AuditHead{}, es)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("VerifyChain = %v, want error containing %q", err, c.want)
			}
		})
	}
}
