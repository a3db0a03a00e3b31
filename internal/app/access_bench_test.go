package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/benchdata"
	"github.com/casehold/casehold/internal/casehold"
)

// BenchmarkListDocumentsLocked lists a 1,000-document matter whose children are unlocked,
// and the same with one child locked to the reader (issue target: locked < 1.1x unlocked).
// Compare the two sub-benchmarks with benchstat.
func BenchmarkListDocumentsLocked(b *testing.B) {
	ctx := context.Background()
	for _, locked := range []bool{false, true} {
		name := "unlocked"
		if locked {
			name = "locked"
		}
		b.Run(name, func(b *testing.B) {
			a := embedded(b)
			svc := a.Service
			coord := auth.DemoStaff[0]
			m, err := svc.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "BENCH-LOCK-" + name, Contact: "c",
				ReceivedOn: time.Now().UTC().Format("2006-01-02"), People: []casehold.Person{{PID: "P1", Name: "Bench One"}, {PID: "P2", Name: "Bench Two"}}})
			if err != nil {
				b.Fatal(err)
			}
			day := casehold.Date{Year: 2013, Month: 12, Day: 21}
			for i := range 1000 {
				d := &casehold.Document{ID: fmt.Sprintf("d-%04d", i), MatterIDs: []string{m.ID}, PIDs: []string{[]string{"P1", "P2"}[i%2]},
					DocType: "Contact", DocDate: day, SHA256: "00", Size: 1, Source: casehold.SourceUpload, Key: "k", VersionID: "v", UploadedAt: time.Now()}
				if err := svc.Store.CreateDocument(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
			if locked {
				tm := auth.DemoStaff[3]
				support := casehold.Actor{ID: "s-support-01", Roles: []casehold.Role{casehold.RoleSupport}}
				if _, err := svc.RequestLock(ctx, support, app.LockInput{PID: "P2", Owner: tm.ID, Reason: casehold.LockUnexplainedDeath,
					AllowStaff: []string{coord.ID}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				docs, err := svc.ListDocuments(ctx, coord, m.ID)
				if err != nil || len(docs) != 1000 {
					b.Fatalf("listed %d, %v", len(docs), err)
				}
			}
		})
	}
}

// BenchmarkImportStaff5000 imports a 5,000-person directory on the embedded default (issue
// target: under 2 s).
func BenchmarkImportStaff5000(b *testing.B) {
	csv := benchdata.StaffCSV(5000)
	a := embedded(b)
	ig := auth.DemoStaff[2]
	for b.Loop() {
		res, err := a.Service.ImportStaff(context.Background(), ig, strings.NewReader(csv))
		if err != nil || res.Members != 5000 {
			b.Fatalf("import = %+v, %v", res, err)
		}
	}
}
