package auditlog_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/audittest"
)

// FuzzCheckProofs feeds the offline checks what an outsider is handed (a proof as JSON,
// two checkpoints, a consistency proof): whatever the bytes, they answer without
// panicking, and what they accept holds up when checked again with tlog directly.
func FuzzCheckProofs(f *testing.F) {
	ctx := context.Background()
	s := openBolt(f)
	l := audittest.NewLog(f, s, nil, nil, "fuzz")
	checkpoint := func(from, to int) []byte {
		for i := from; i < to; i++ {
			if err := s.RecordAudit(ctx, audittest.Event(fmt.Sprintf("e%02d", i))); err != nil {
				f.Fatal(err)
			}
		}
		cp, err := l.Flush(ctx)
		if err != nil {
			f.Fatal(err)
		}
		return []byte(cp.Text)
	}
	older := checkpoint(0, 3)
	newer := checkpoint(3, 9)
	incl, err := l.Prove(ctx, "e04")
	if err != nil {
		f.Fatal(err)
	}
	inclJSON, _ := json.Marshal(incl)
	cons, err := l.Consistency(ctx, 3, 9)
	if err != nil {
		f.Fatal(err)
	}
	consJSON, _ := json.Marshal(cons)
	f.Add(inclJSON, older, newer, consJSON)
	f.Add([]byte(`{"index":-1,"tree_size":-5,"leaf":"","proof":[]}`), newer, older, []byte(`{"proof":null}`))
	keys := l.Keys
	// The seeds are accepted, so the checks below run on the accepting path too.
	if _, err := auditlog.CheckInclusion(incl, keys); err != nil {
		f.Fatal(err)
	}
	if _, _, err := auditlog.CheckConsistency(older, newer, cons.Proof, keys); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, inclusion, older, newer, consistency []byte) {
		var p auditlog.InclusionProof
		if json.Unmarshal(inclusion, &p) == nil {
			if cp, err := auditlog.CheckInclusion(&p, keys); err == nil {
				if tlog.CheckRecord(p.Proof, int64(cp.Size), cp.Root, p.Index, tlog.RecordHash(p.Leaf)) != nil {
					t.Fatalf("accepted an inclusion proof tlog refuses: %+v", p)
				}
			}
		}
		var c auditlog.ConsistencyProof
		if json.Unmarshal(consistency, &c) == nil {
			a, b, err := auditlog.CheckConsistency(older, newer, c.Proof, keys)
			if err == nil && (a.Size > b.Size || tlog.CheckTree(c.Proof, int64(b.Size), b.Root, int64(a.Size), a.Root) != nil) {
				t.Fatalf("accepted a consistency proof from %d to %d that does not hold", a.Size, b.Size)
			}
		}
	})
}
