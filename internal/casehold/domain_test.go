package casehold

import (
	"encoding/json"
	"fmt"
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
		{"InvalidUTF8", func(in *NewMatterInput) { in.People[0].Name = "A\xffB" }, "people[0].name is not valid UTF-8 text"},
		{"TooManyPeople", func(in *NewMatterInput) {
			for i := range MaxPeople {
				in.People = append(in.People, Person{PID: fmt.Sprintf("P9%04d", i), Name: "Invented Person"})
			}
		}, "a matter names at most 100"},
		{"MostPeople", func(in *NewMatterInput) {
			for i := range MaxPeople - len(in.People) {
				in.People = append(in.People, Person{PID: fmt.Sprintf("P9%04d", i), Name: "Invented Person"})
			}
		}, ""},
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

func TestAuditEvent_LeafData(t *testing.T) {
	at := time.Date(2026, 1, 1, 9, 0, 0, 5, time.FixedZone("BST", 3600))
	e := AuditEvent{ID: "e1", Time: at, Actor: "s1", Action: "document.read", MatterID: "m1",
		DocumentID: "d1", PIDs: []string{"P1", "P2"}, Outcome: OutcomeOK, Detail: "n=1"}
	t.Run("SeqIsNotContent", func(t *testing.T) {
		placed := e
		placed.Seq = 42
		if string(placed.LeafData()) != string(e.LeafData()) || placed.LeafHash() != e.LeafHash() {
			t.Error("the leaf depends on Seq")
		}
	})
	t.Run("TimeZoneIsNotContent", func(t *testing.T) {
		utc := e
		utc.Time = at.UTC()
		if string(utc.LeafData()) != string(e.LeafData()) {
			t.Error("the same instant in another zone gives another leaf")
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		got, err := EventFromLeaf(e.LeafData())
		if err != nil {
			t.Fatal(err)
		}
		if string(got.LeafData()) != string(e.LeafData()) {
			t.Errorf("round trip changed the leaf: %s", got.LeafData())
		}
	})
	for _, c := range []struct {
		name string
		mod  func(*AuditEvent)
	}{
		{"Actor", func(e *AuditEvent) { e.Actor = "s2" }},
		{"Outcome", func(e *AuditEvent) { e.Outcome = OutcomeRefused }},
		{"PIDs", func(e *AuditEvent) { e.PIDs = []string{"P1"} }},
		{"Time", func(e *AuditEvent) { e.Time = e.Time.Add(time.Nanosecond) }},
	} {
		t.Run("Changed"+c.name, func(t *testing.T) {
			x := e
			c.mod(&x)
			if x.LeafHash() == e.LeafHash() {
				t.Errorf("changing %s leaves the leaf hash alone", c.name)
			}
		})
	}
}

func TestValidateAuditEvent(t *testing.T) {
	ok := AuditEvent{ID: "e1", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Actor: "s1", Action: "x", Outcome: OutcomeOK}
	if err := ValidateAuditEvent(ok); err != nil {
		t.Fatalf("valid event refused: %v", err)
	}
	for _, c := range []struct {
		name string
		mod  func(*AuditEvent)
	}{
		{"NoID", func(e *AuditEvent) { e.ID = "" }},
		{"NoTime", func(e *AuditEvent) { e.Time = time.Time{} }},
		{"SeqSet", func(e *AuditEvent) { e.Seq = 1 }},
		{"EmptyPID", func(e *AuditEvent) { e.PIDs = []string{""} }},
		{"TooManyPIDs", func(e *AuditEvent) { e.PIDs = make([]string, MaxAuditPIDs+1) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := ok
			c.mod(&e)
			if code := ErrorCode(ValidateAuditEvent(e)); code != EINVALID {
				t.Errorf("code %q, want %q", code, EINVALID)
			}
		})
	}
}

func TestAuditFilter_Validate(t *testing.T) {
	for _, c := range []struct {
		f    AuditFilter
		want string
	}{
		{AuditFilter{MatterID: "m"}, ""},
		{AuditFilter{PID: "p"}, ""},
		{AuditFilter{}, EINVALID},
		{AuditFilter{MatterID: "m", DocumentID: "d"}, EINVALID},
	} {
		if got := ErrorCode(c.f.Validate()); got != c.want {
			t.Errorf("%+v: code %q, want %q", c.f, got, c.want)
		}
	}
}

func TestStoredObjectJSON(t *testing.T) {
	want := StoredObject{Key: "documents/k.pdf", VersionID: "v1", SHA256: "ab", Size: 7}
	for _, c := range []struct{ name, in string }{
		{"Now", `{"key":"documents/k.pdf","version_id":"v1","sha256":"ab","size":7}`},
		{"WrittenBeforeTheNames", `{"Key":"documents/k.pdf","VersionID":"v1","SHA256":"ab","Size":7}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got StoredObject
			if err := json.Unmarshal([]byte(c.in), &got); err != nil || got != want {
				t.Fatalf("decoded %+v, %v; want %+v", got, err, want)
			}
		})
	}
	b, _ := json.Marshal(want)
	if string(b) != `{"key":"documents/k.pdf","version_id":"v1","sha256":"ab","size":7}` {
		t.Errorf("encoded %s", b)
	}
}
