package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/casehold/casehold/internal/casehold"
)

// The disposal queue over a store of many documents (CASEHOLD_BENCH_DOCS, default
// 1,000,000) of which 1,000 are due: "index" reads the disposal index (what the store
// does), "scan" reads every document and keeps the due ones (what it would cost without
// the index). items_read/op is how many documents each read.
var (
	queueOnce  sync.Once
	queueStore *Store
	queueDir   string
	queueErr   error
)

// TestMain removes the queue benchmark's store (hundreds of MB) when the run ends.
func TestMain(m *testing.M) {
	code := m.Run()
	if queueStore != nil {
		queueStore.Close()
		os.RemoveAll(queueDir)
	}
	os.Exit(code)
}

func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("CASEHOLD_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

const benchDue = 1000

func queueFixture(b *testing.B) *Store {
	queueOnce.Do(func() {
		queueDir, queueErr = os.MkdirTemp("", "casehold-queue-bench-")
		if queueErr != nil {
			return
		}
		queueStore, queueErr = Open(filepath.Join(queueDir, "state.db"))
		if queueErr != nil {
			return
		}
		n := benchDocs()
		uploaded := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for start := 0; start < n && queueErr == nil; start += 50_000 {
			queueErr = queueStore.db.Update(func(tx *bolt.Tx) error {
				docs := tx.Bucket(bucketDocuments)
				for i := start; i < min(start+50_000, n); i++ {
					d := &casehold.Document{ID: fmt.Sprintf("d%08d", i), MatterIDs: []string{"m1"}, HeldBy: []string{}, DocType: "Contact",
						SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 1000, Key: fmt.Sprintf("documents/k%08d", i),
						VersionID: "v1", UploadedAt: uploaded, Version: 1,
						Retention: &casehold.Retention{Category: "other_social_care", DisposeOn: casehold.Date{Year: 2060 + i%30, Month: 1, Day: 1}}}
					switch {
					case i%(n/benchDue) == 0: // due: spread through the store
						d.Retention.DisposeOn = casehold.Date{Year: 2015 + i%10, Month: 3, Day: 1}
					case i%7 == 0: // held, and past its date: never due
						d.HeldBy = []string{"m1"}
						d.Retention.DisposeOn = casehold.Date{Year: 2010, Month: 1, Day: 1}
					}
					if err := putJSON(docs, []byte(d.ID), d); err != nil {
						return err
					}
					if err := refileDisposal(tx, nil, d); err != nil {
						return err
					}
				}
				return nil
			})
		}
	})
	if queueErr != nil {
		b.Fatal(queueErr)
	}
	return queueStore
}

func BenchmarkDisposalQueue(b *testing.B) {
	s := queueFixture(b)
	today := casehold.Date{Year: 2026, Month: 12, Day: 1}
	ctx := context.Background()
	b.Run("index", func(b *testing.B) {
		var read int
		for b.Loop() {
			docs, err := s.ListDisposalDue(ctx, today, "", 10_000)
			if err != nil {
				b.Fatal(err)
			}
			read = len(docs)
		}
		if read != benchDue {
			b.Fatalf("%d due, want %d", read, benchDue)
		}
		b.ReportMetric(float64(read), "items_read/op")
	})
	b.Run("scan", func(b *testing.B) {
		var read, due int
		for b.Loop() {
			read, due = 0, 0
			err := s.db.View(func(tx *bolt.Tx) error {
				return tx.Bucket(bucketDocuments).ForEach(func(k, v []byte) error {
					var d casehold.Document
					if err := json.Unmarshal(v, &d); err != nil {
						return err
					}
					read++
					if day, ok := d.DisposalDue(); ok && !today.Before(day) {
						due++
					}
					return nil
				})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		if due != benchDue {
			b.Fatalf("%d due, want %d", due, benchDue)
		}
		b.ReportMetric(float64(read), "items_read/op")
	})
}
