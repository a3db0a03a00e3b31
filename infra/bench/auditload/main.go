// Command auditload drives the audit log for infra/bench-audit.sh.
//
//	auditload serve  -backend embedded|aws   serve the API with a seeded matter (one
//	                                         document), print "READY url token matter" and
//	                                         run the in-process sequencer until killed
//	auditload append -backend ... -writers 50 -events 20000
//	                                         record events from many goroutines at once,
//	                                         then time the sequencer integrating them
//	auditload syncprobe -data DIR            time 1,000 journal-sized syncs on an idle
//	                                         machine, for comparison with the syncs
//	                                         serve counts under load
//
// On SIGTERM, serve on the embedded backend prints the audit journal's group commits
// ("JOURNAL syncs events syncing_us"): how many events each sync carried and how long
// the syncs took under the load.
//
// Built with -tags casehold_noaudit, serve answers the same routes with auditing off: the
// baseline. The AWS backend uses the CASEHOLD_* settings (the emulators'); it creates its
// table and buckets. Local tokens sign requests in both, so wrk needs no API Gateway.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auditlog"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/benchdata"
	"github.com/casehold/casehold/internal/boltstore"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/httpapi"
	"github.com/casehold/casehold/internal/wire"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: auditload serve|append [flags]")
		os.Exit(2)
	}
	mode := os.Args[1]
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	backend := fs.String("backend", "embedded", "embedded or aws")
	dir := fs.String("data", "", "data folder (embedded)")
	writers := fs.Int("writers", 50, "concurrent writers (append)")
	events := fs.Int("events", 20000, "events to append (append)")
	_ = fs.Parse(os.Args[2:])
	if mode == "syncprobe" {
		if err := syncProbe(*dir, 1000); err != nil {
			fmt.Fprintln(os.Stderr, "auditload:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(mode, *backend, *dir, *writers, *events); err != nil {
		fmt.Fprintln(os.Stderr, "auditload:", err)
		os.Exit(1)
	}
}

func build(ctx context.Context, backend, dir string) (*wire.App, error) {
	env := map[string]string{"CASEHOLD_BACKEND": backend, "CASEHOLD_DATA_DIR": dir}
	cfg, err := config.FromEnv(func(k string) string {
		if v, ok := env[k]; ok && v != "" {
			return v
		}
		return os.Getenv(k)
	})
	if err != nil {
		return nil, err
	}
	if backend == "aws" {
		cfg.Auth = "apigw" // replaced below by local tokens
		cfg.CreateResources = true
		if cfg.AuditSigningKey == "" {
			if cfg.AuditSigningKey, _, err = auditlog.GenerateKey("bench.casehold/audit"); err != nil {
				return nil, err
			}
		}
	}
	return wire.Build(ctx, cfg, slog.New(slog.DiscardHandler))
}

func run(mode, backend, dir string, writers, events int) error {
	ctx := context.Background()
	a, err := build(ctx, backend, dir)
	if err != nil {
		return err
	}
	defer a.Close()
	switch mode {
	case "serve":
		return serve(ctx, a)
	case "append":
		return appendLoad(ctx, a, writers, events)
	}
	return fmt.Errorf("unknown mode %q", mode)
}

func serve(ctx context.Context, a *wire.App) error {
	coord := auth.DemoStaff[0]
	m, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{
		Reference: "BENCH-" + rand.Text()[:8], Contact: "Case Review Manager", ReceivedOn: "2024-03-04",
		People: []casehold.Person{{PID: "P-0001", Name: "Test Person"}},
	})
	if err != nil {
		return err
	}
	if _, err := a.Service.UploadDocument(ctx, coord, m.ID, app.UploadInput{PID: "P-0001", DocType: "Contact",
		DocDate: "2013-12-21", Filename: "scan.pdf"}, benchdata.PDFStream(64<<10)); err != nil {
		return err
	}
	secret := []byte(rand.Text())
	tok, err := auth.Issue(secret, coord, time.Now(), 2*time.Hour)
	if err != nil {
		return err
	}
	h := (&httpapi.Server{App: a.Service, Auth: &auth.Local{Secret: secret}, Log: slog.New(slog.DiscardHandler)}).Handler()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if l := a.Service.AuditLog; l != nil && os.Getenv("AUDITLOAD_NO_SEQUENCER") == "" {
		gap := 250 * time.Millisecond
		if v, err := time.ParseDuration(os.Getenv("AUDITLOAD_SEQUENCER_GAP")); err == nil {
			gap = v // to compare batch spacing; the server uses 250 ms
		}
		go l.Run(ctx, gap)
	}
	var stopProfile func()
	if path := os.Getenv("AUDITLOAD_CPUPROFILE"); path != "" {
		// For finding where an audited request's time goes: profile until SIGTERM.
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	go func() {
		<-sig
		if stopProfile != nil {
			stopProfile()
		}
		if j, ok := a.Service.Store.(interface{ JournalStats() boltstore.JournalStats }); ok {
			st := j.JournalStats()
			fmt.Printf("JOURNAL %d %d %d\n", st.Syncs, st.Events, st.Syncing.Microseconds())
		}
		os.Exit(0)
	}()
	fmt.Printf("READY http://%s %s %s\n", ln.Addr(), tok, m.ID)
	return http.Serve(ln, h)
}

// appendLoad records events from many writers at once (every RecordAudit is one
// conditional put on its own key: a conflict would be an error, and there are none), then
// measures how long the sequencer takes to integrate them all and sign a checkpoint.
func appendLoad(ctx context.Context, a *wire.App, writers, events int) error {
	st, l := a.Service.Store, a.Service.AuditLog
	before, err := st.AuditTree(ctx)
	if err != nil {
		return err
	}
	var next, failed atomic.Int64
	lat := make([][]time.Duration, writers)
	run := rand.Text()[:8]
	start := time.Now()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(events) {
					return
				}
				t0 := time.Now()
				err := st.RecordAudit(ctx, casehold.AuditEvent{ID: fmt.Sprintf("bench-%s-%06d", run, i), Time: time.Now().UTC(),
					Actor: "bench", Action: "bench.append", MatterID: fmt.Sprintf("m-%d", i%100), Outcome: casehold.OutcomeOK})
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	appendTook := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	fmt.Printf("appended %d events with %d writers in %.2fs: %.0f appends/s, p50 %.1f ms, p99 %.1f ms, errors/conflicts %d\n",
		events, writers, appendTook.Seconds(), float64(events)/appendTook.Seconds(),
		ms(all[len(all)/2]), ms(all[len(all)*99/100]), failed.Load())

	// The sequencer, as the scheduled run does it: batches until nothing is pending.
	seqStart := time.Now()
	want := before.Size + uint64(events)
	batches := 0
	for {
		n, err := l.Sequence(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			batches++
		}
		tree, err := st.AuditTree(ctx)
		if err != nil {
			return err
		}
		if tree.Size >= want {
			break
		}
		if time.Since(seqStart) > 10*time.Minute {
			return fmt.Errorf("sequencer integrated %d of %d after 10 minutes", tree.Size-before.Size, events)
		}
		time.Sleep(50 * time.Millisecond) // the pending index may lag
	}
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		return err
	}
	lag := time.Since(seqStart)
	fmt.Printf("sequencer integrated %d events in %.2fs (%.0f events/s, batches of up to %d) and signed checkpoint %d of size %d; "+
		"lag after the last append %.2fs\n", events, lag.Seconds(), float64(events)/lag.Seconds(), auditlog.DefaultBatchSize, cp.Number, cp.Size, lag.Seconds())
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
