package casehold

import (
	"fmt"
	"strings"
	"testing"

	"github.com/casehold/casehold/internal/benchdata"
)

func TestParseStaffCSV(t *testing.T) {
	const header = "staff_id,name,email,teams,manager_id\n"
	t.Run("OK", func(t *testing.T) {
		in := "\ufeffStaff_ID, Name ,email,teams,manager_id,extra\n" +
			"s-hos,Harriet Invented,hos@council.example,Leadership,,x\n" +
			"s-tm-01,Owen Invented,owen@council.example,Assessment East; Duty ;Assessment East,s-hos,\n" +
			"s-sw-01,\"Beth, Invented\",,Assessment East,s-tm-01,\n"
		got, err := ParseStaffCSV(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[1].Manager != "s-hos" || strings.Join(got[1].Teams, "|") != "Assessment East|Duty" ||
			got[2].Name != "Beth, Invented" || got[2].Email != "" {
			t.Errorf("parsed = %+v", got)
		}
	})
	tests := []struct {
		name, in, mentions string
	}{
		{"Empty", "", "empty"},
		{"MissingColumn", "staff_id,name,email,teams\ns1,A,,T\n", "manager_id"},
		{"DuplicateColumn", "staff_id,name,email,teams,manager_id,name\n", "twice"},
		{"DuplicateID", header + "s1,A,,T,\ns2,B,,T,\ns1,C,,T,\n", "row 4"},
		{"UnknownManager", header + "s1,A,,T,s9\n", "row 2"},
		{"SelfManaged", header + "s1,A,,T,s1\n", "row 2"},
		{"Cycle", header + "s1,A,,T,s3\ns2,B,,T,s1\ns3,C,,T,s2\ns4,D,,T,\n", "cycle"},
		{"NoName", header + "s1,,,T,\n", "name"},
		{"BadEmail", header + "s1,A,not-an-address,T,\n", "email"},
		{"BadID", header + "s 1,A,,T,\n", "staff_id"},
		{"BrokenQuote", header + "s1,\"A,,T,\n", "CSV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseStaffCSV(strings.NewReader(tt.in))
			if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.mentions) {
				t.Fatalf("err = %v, want invalid mentioning %q", err, tt.mentions)
			}
		})
	}
	t.Run("NoValueInErrors", func(t *testing.T) {
		_, err := ParseStaffCSV(strings.NewReader(header + "s1,Zebedee Secretname,zz@@bad,T,\n"))
		if err == nil || strings.Contains(err.Error(), "Zebedee") || strings.Contains(err.Error(), "zz@@bad") {
			t.Errorf("error %v leaks a value", err)
		}
	})
	t.Run("LongChainIsNotACycle", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(header)
		b.WriteString("s0,Top,,T,\n")
		for i := 1; i < 5000; i++ {
			fmt.Fprintf(&b, "s%d,Person %d,,T,s%d\n", i, i, i-1)
		}
		got, err := ParseStaffCSV(strings.NewReader(b.String()))
		if err != nil || len(got) != 5000 {
			t.Fatalf("5,000-deep chain: %d, %v", len(got), err)
		}
	})
}

func FuzzParseStaffCSV(f *testing.F) {
	f.Add("staff_id,name,email,teams,manager_id\ns1,A,a@council.example,T1;T2,\ns2,B,,T1,s1\n")
	f.Add("staff_id,name,email,teams,manager_id\ns1,A,,T,s2\ns2,B,,T,s1\n")
	f.Add("\"staff_id\nname\",x\n")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseStaffCSV(strings.NewReader(in))
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("error code %q for %v, want invalid", ErrorCode(err), err)
			}
			return
		}
		ids := map[string]bool{}
		for _, m := range got {
			if m.ID == "" || ids[m.ID] {
				t.Fatalf("accepted an empty or duplicate id: %+v", got)
			}
			ids[m.ID] = true
		}
		for _, m := range got {
			if m.Manager != "" && !ids[m.Manager] {
				t.Fatalf("accepted a manager who is not in the file: %+v", m)
			}
		}
	})
}

// BenchmarkParseStaffCSV5000 parses a 5,000-person directory (issue target for the whole
// import: under 2 s embedded).
func BenchmarkParseStaffCSV5000(b *testing.B) {
	in := benchdata.StaffCSV(5000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := ParseStaffCSV(strings.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
