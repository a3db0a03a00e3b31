//go:build casehold_nojournalsync

package boltstore

import "os"

// Benchmark builds only (infra/bench-audit.sh): with this tag the audit journal is not
// synced, so an event is NOT durable when its request answers. It exists to measure what
// the sync costs; never build casehold for use with it.
func datasync(*os.File) error { return nil }

func init() {
	if os.Getenv("CASEHOLD_BENCH_NO_JOURNAL_SYNC") != "1" {
		panic("this build does not sync the audit journal (tag casehold_nojournalsync): it is for benchmarks only")
	}
}
