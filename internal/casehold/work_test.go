package casehold

import (
	"strings"
	"testing"
)

func ccrcMatter() *Matter {
	return &Matter{ID: "m1", Kind: KindCCRCS17, Status: MatterOpen, Deadline: d(2026, 12, 18),
		People: []Person{{PID: "P1", Name: "Alex Test"}, {PID: "P2", Name: "Billie Test"}}}
}

func securedElectronic(pid string, open bool) ElectronicRecord {
	e := ElectronicRecord{PID: pid, System: "CCM", AuthorisedBy: "H", AuthorisedRole: RoleHeadOfService,
		SecuredOn: d(2026, 11, 21), EDTToldOn: d(2026, 11, 21), OpenCase: open}
	if open {
		e.FullCopyOn, e.FullCopyDoc = d(2026, 11, 21), "d-copy"
	}
	return e
}

func TestCCRCProgress(t *testing.T) {
	today := d(2026, 11, 24)
	complete := func(m *Matter) {
		m.Work.Areas = []AreaLead{{Area: AreaSocialCare, LeadOfficer: "L", NotifiedOn: d(2026, 11, 20)}}
		m.Work.Electronic = []ElectronicRecord{securedElectronic("P1", true), securedElectronic("P2", false)}
		m.Work.Paper = []PaperFile{{PID: "P1", Exists: Yes, Location: "archive", StoredOn: d(2026, 11, 22), StoredAt: "legal services"}, {PID: "P2", Exists: No}}
		m.Work.LegalConfirmed = d(2026, 11, 23)
	}
	cases := []struct {
		name         string
		mod          func(m *Matter)
		complete     bool
		wantContains string // one outstanding item that must be listed
	}{
		{"Fresh", func(*Matter) {}, false, "P1: electronic record not yet recorded"},
		{"Complete", complete, true, ""},
		{"OpenCaseWithoutCopy", func(m *Matter) {
			complete(m)
			m.Work.Electronic[0].FullCopyDoc = ""
		}, false, "P1: open case: full copy not yet taken and secured"},
		{"EDTNotTold", func(m *Matter) {
			complete(m)
			m.Work.Electronic[1].EDTToldOn = Date{}
		}, false, "P2: EDT not yet told"},
		{"PaperNotStored", func(m *Matter) {
			complete(m)
			m.Work.Paper[0].StoredOn = Date{}
		}, false, "P1: paper file not yet stored securely"},
		{"AreaNotNotified", func(m *Matter) {
			complete(m)
			m.Work.Areas = append(m.Work.Areas, AreaLead{Area: AreaEducation, LeadOfficer: "E"})
		}, false, "education: lead officer not yet notified"},
		{"RelatedUnanswered", func(m *Matter) {
			complete(m)
			m.Work.Related = []RelatedPerson{{Person: Person{PID: "P3", Name: "Cam Test"}, RelatedTo: "P1"}}
		}, false, "ask the CCRC whether it wants the records of related person P3"},
		{"RelatedWantedBecomesSubject", func(m *Matter) {
			complete(m)
			m.Work.Related = []RelatedPerson{{Person: Person{PID: "P3", Name: "Cam Test"}, RelatedTo: "P1", CCRCWants: Yes}}
		}, false, "P3: electronic record not yet recorded"},
		{"RelatedNotWanted", func(m *Matter) {
			complete(m)
			m.Work.Related = []RelatedPerson{{Person: Person{PID: "P3", Name: "Cam Test"}, RelatedTo: "P1", CCRCWants: No}}
		}, true, ""},
		{"EducationWantedNotStored", func(m *Matter) {
			complete(m)
			m.Work.Education = []EducationRecord{{PID: "P2", Details: "file", CCRCWants: Yes}}
		}, false, "P2: education records not yet stored securely"},
		{"LegalNotConfirmed", func(m *Matter) {
			complete(m)
			m.Work.LegalConfirmed = Date{}
		}, false, "legal: legal services have not yet confirmed"},
		{"AlternativeLocationNeedsNoLegalConfirmation", func(m *Matter) {
			complete(m)
			m.Work.LegalConfirmed = Date{}
			m.Work.Paper[0].StoredAt = "Records store, Unit 4"
		}, true, ""},
		{"Released", func(m *Matter) {
			complete(m)
			m.Status = MatterReleased
		}, false, "P1: paper file not yet returned"},
		{"ReleasedAndReturned", func(m *Matter) {
			complete(m)
			m.Status = MatterReleased
			m.Work.Paper[0].ReturnedOn = d(2026, 11, 24)
		}, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := ccrcMatter()
			c.mod(m)
			p := CCRCProgress(m, nil, today)
			if p.Complete != c.complete {
				t.Errorf("Complete = %v, want %v (outstanding %v)", p.Complete, c.complete, p.Outstanding)
			}
			if c.wantContains != "" && !containsPrefix(p.Outstanding, c.wantContains) {
				t.Errorf("outstanding %v lacks %q", p.Outstanding, c.wantContains)
			}
			if c.complete && len(p.Outstanding) != 0 || c.wantContains == "" && m.Status == MatterReleased && len(p.Outstanding) != 0 {
				t.Errorf("outstanding = %v, want none", p.Outstanding)
			}
			for _, o := range p.Outstanding {
				if strings.Contains(o, "Test") {
					t.Errorf("outstanding item names a person: %q", o)
				}
			}
		})
	}
	t.Run("DaysLeftAndOverdue", func(t *testing.T) {
		m := ccrcMatter()
		if p := CCRCProgress(m, nil, d(2026, 12, 20)); p.DaysLeft == nil || *p.DaysLeft != -2 || !p.Overdue {
			t.Errorf("after the deadline: %+v", p)
		}
		if p := CCRCProgress(m, nil, today); *p.DaysLeft != 24 || p.Overdue {
			t.Errorf("before the deadline: days %d overdue %v", *p.DaysLeft, p.Overdue)
		}
	})
}

func containsPrefix(xs []string, s string) bool {
	for _, x := range xs {
		if strings.HasPrefix(x, s) {
			return true
		}
	}
	return false
}

func TestSCRCloseBlockers(t *testing.T) {
	cases := []struct {
		name string
		w    SCRWork
		want []string
	}{
		{"Nothing", SCRWork{}, []string{"completion", "ratification"}},
		{"CompletedOnly", SCRWork{CompletedOn: d(2026, 1, 1)}, []string{"ratification"}},
		{"Ratified", SCRWork{CompletedOn: d(2026, 1, 1), RatifiedOn: d(2026, 2, 1)}, nil},
		{"LockedAwaitingProceedings", SCRWork{CompletedOn: d(2026, 1, 1), RatifiedOn: d(2026, 2, 1), CaseLocked: true}, []string{"criminal proceedings"}},
		{"LockedProceedingsOver", SCRWork{CompletedOn: d(2026, 1, 1), RatifiedOn: d(2026, 2, 1), CaseLocked: true, ProceedingsEndedOn: d(2026, 3, 1)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := SCRCloseBlockers(&c.w)
			if len(got) != len(c.want) {
				t.Fatalf("blockers = %v, want %d naming %v", got, len(c.want), c.want)
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("blocker %q does not name %q", got[i], w)
				}
			}
		})
	}
}

func TestSCRIntake(t *testing.T) {
	valid := func() NewMatterInput {
		return NewMatterInput{Kind: KindSeriousCaseReview, Reference: "SCB-1", Contact: "Board", ReceivedOn: "2026-11-20",
			People: []Person{{PID: "P1", Name: "Alex Test"}}, SecureUpTo: "2026-11-20", SeniorManager: "Sasha Senior",
			SeniorManagerEmail: "s@council.example", BoardManager: "Blake", BoardManagerEmail: "b@board.example",
			CaseLineManagers: []string{"Owen Farrier"}}
	}
	cases := []struct {
		name string
		mod  func(*NewMatterInput)
		want string
	}{
		{"OK", func(*NewMatterInput) {}, ""},
		{"LineManager", func(in *NewMatterInput) { in.CaseLineManagers = append(in.CaseLineManagers, " sasha senior ") }, "line-manages the case"},
		{"NoSecureUpTo", func(in *NewMatterInput) { in.SecureUpTo = "" }, "secure_up_to is required"},
		{"BadBoardEmail", func(in *NewMatterInput) { in.BoardManagerEmail = "board" }, "board_manager_email must be an email"},
		{"NoSeniorManager", func(in *NewMatterInput) { in.SeniorManager = "" }, "senior_manager is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := valid()
			c.mod(&in)
			_, err := in.Validate(d(2026, 11, 24))
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if w := in.SCRWork(); w == nil || w.SecureUpTo != d(2026, 11, 20) {
					t.Errorf("SCRWork = %+v", w)
				}
				return
			}
			if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want EINVALID naming %q", err, c.want)
			}
		})
	}
}

func TestInitials(t *testing.T) {
	for name, want := range map[string]string{"Rowan Testfield": "RT", "jordan lee example": "JLE", "Zoë Ó Briain": "ZÓB", "": ""} {
		if got := Initials(name); got != want {
			t.Errorf("Initials(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestReleaseWorkOf(t *testing.T) {
	m := ccrcMatter()
	m.Work.Electronic = []ElectronicRecord{securedElectronic("P1", false), securedElectronic("P2", false), {PID: "P3", System: "Capita"}}
	m.Work.Electronic[1].System = "Capita"
	m.Work.Electronic[2].SecuredOn = d(2026, 11, 21)
	m.Work.Paper = []PaperFile{
		{PID: "P1", Exists: Yes, Location: "archive", StoredOn: d(2026, 11, 22), StoredAt: "legal services"},
		{PID: "P2", Exists: Yes, Location: "Assessment Team", StoredOn: d(2026, 11, 22), StoredAt: "Records store", ReturnedOn: d(2026, 11, 23)},
		{PID: "P3", Exists: No},
	}
	m.Work.SCR = &SCRWork{ViewOnly: []ViewOnly{{System: "TRIM", PID: "P1"}, {System: "CCM", PID: "P1"}}}
	w := ReleaseWorkOf(m)
	if got := strings.Join(w.Unlock, "; "); got != "CCM: P1; Capita: P2, P3; TRIM: P1" {
		t.Errorf("Unlock = %q", got)
	}
	if got := strings.Join(w.PaperBack, "; "); got != "P1: held at legal services since 2026-11-22 (from archive)" {
		t.Errorf("PaperBack = %q (a returned file or none found must not be listed)", got)
	}
	for _, l := range append(w.Unlock, w.PaperBack...) {
		if strings.Contains(l, "Test") {
			t.Errorf("release work names a person: %q", l)
		}
	}
}

func TestSignOffValidate(t *testing.T) {
	today := d(2026, 11, 24)
	ok := SignOff{OfficerID: "s-1", OfficerName: "Dana Example", OfficerEmail: "dana@council.example", ApprovedBy: "Harper Head",
		ApproverRole: RoleHeadOfService, ApprovedOn: d(2026, 11, 23)}
	cases := []struct {
		name string
		mod  func(s *SignOff)
		ok   bool
	}{
		{"OK", func(*SignOff) {}, true},
		{"ServiceManager", func(s *SignOff) { s.ApproverRole = RoleServiceManager }, true},
		{"NoApprover", func(s *SignOff) { s.ApprovedBy = "" }, false},
		{"TeamManager", func(s *SignOff) { s.ApproverRole = RoleTeamManager }, false},
		{"NoDate", func(s *SignOff) { s.ApprovedOn = Date{} }, false},
		{"Tomorrow", func(s *SignOff) { s.ApprovedOn = d(2026, 11, 25) }, false},
		{"Absurd", func(s *SignOff) { s.ApprovedOn = d(1066, 10, 14) }, false},
		{"OfficerNoEmail", func(s *SignOff) { s.OfficerEmail = "" }, false},
		{"PhoneWithNewline", func(s *SignOff) { s.OfficerPhone = "01632\n960123" }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ok
			c.mod(&s)
			err := s.Validate(today)
			if (err == nil) != c.ok || err != nil && ErrorCode(err) != EINVALID {
				t.Errorf("Validate = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestDateBounds(t *testing.T) {
	for in, ok := range map[string]bool{"1900-01-01": true, "1899-12-31": false, "0001-01-01": false, "2999-12-31": true, "2026-02-30": false} {
		if _, err := ParseDate("doc_date", in); (err == nil) != ok {
			t.Errorf("ParseDate(%q) = %v, want ok=%v", in, err, ok)
		}
	}
	in := NewMatterInput{Reference: "R", Contact: "c", People: []Person{{PID: "P1", Name: "N"}}}
	for received, ok := range map[string]bool{"1990-01-01": true, "1989-12-31": false, "2026-11-24": true, "2026-11-25": false} {
		in.ReceivedOn = received
		if _, err := in.Validate(d(2026, 11, 24)); (err == nil) != ok {
			t.Errorf("received_on %s: %v, want ok=%v", received, err, ok)
		}
	}
}

func TestAtLegalServices(t *testing.T) {
	for place, want := range map[string]bool{"legal services": true, " Legal  Services ": true, "legal": true, "Records store, Unit 4": false, "": false} {
		if got := AtLegalServices(place); got != want {
			t.Errorf("AtLegalServices(%q) = %v", place, got)
		}
	}
}
