// Command securemem measures the memory the upload path needs: it builds the embedded
// backend the way the local server does, in a temporary data folder, secures one generated
// PDF of -mb megabytes through Service.UploadDocument, and prints the process's peak
// resident set (VmHWM) with the Go runtime's own figures. The PDF is generated while it is
// read, so whatever memory shows is the path's, not the input's. infra/bench.sh runs it.
//
//	go run ./infra/bench/securemem -mb 400
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/casehold/casehold/internal/app"
	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/benchdata"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/wire"
)

func main() {
	mb := flag.Int("mb", 100, "size of the generated PDF in MiB")
	dir := flag.String("dir", "", "data folder (default: a new temporary folder, removed at the end)")
	flag.Parse()
	if err := run(*mb, *dir); err != nil {
		fmt.Fprintln(os.Stderr, "securemem:", err)
		os.Exit(1)
	}
}

func run(mb int, dir string) error {
	if mb <= 0 {
		return fmt.Errorf("-mb must be positive")
	}
	size := int64(mb) << 20
	if dir == "" {
		d, err := os.MkdirTemp("", "securemem-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	ctx := context.Background()
	// The default limit (256 MiB) would refuse the larger sizes; the limit is a policy, not
	// part of what is measured.
	env := map[string]string{
		"CASEHOLD_DATA_DIR":         dir,
		"CASEHOLD_MAX_UPLOAD_BYTES": strconv.FormatInt(size+1<<20, 10),
	}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	a, err := wire.Build(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	actor := auth.DemoStaff[0]
	m, err := a.Service.CreateMatter(ctx, actor, casehold.NewMatterInput{
		Reference: "SECUREMEM-1", Contact: "Case Review Manager", ReceivedOn: "2024-03-04",
		People: []casehold.Person{{PID: "P-0001", Name: "Test Person"}},
	})
	if err != nil {
		return err
	}

	// The peak before the upload is the process's fixed cost (runtime, bbolt's map);
	// resetting the peak then makes VmHWM afterwards the upload's own high-water mark.
	before := benchdata.StatusKiB("VmHWM")
	resetPeak := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil

	start := time.Now()
	d, err := a.Service.UploadDocument(ctx, actor, m.ID, app.UploadInput{
		PID: "P-0001", DocType: "Case Note", DocDate: "2024-03-01", Filename: "scan.pdf",
	}, benchdata.PDFStream(size))
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if d.Size != size {
		return fmt.Errorf("stored %d bytes, want %d", d.Size, size)
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	const mib = 1 << 20
	fmt.Printf("securemem mb=%d seconds=%.3f mb_per_s=%.1f peak_rss_mib=%.1f setup_peak_rss_mib=%.1f peak_reset=%v"+
		" go_sys_mib=%.1f heap_sys_mib=%.1f heap_inuse_mib=%.1f total_alloc_mib=%.1f num_gc=%d gc_pause_total_ms=%.3f\n",
		mb, elapsed.Seconds(), float64(size)/1e6/elapsed.Seconds(),
		float64(benchdata.StatusKiB("VmHWM"))/1024, float64(before)/1024, resetPeak,
		float64(ms.Sys)/mib, float64(ms.HeapSys)/mib, float64(ms.HeapInuse)/mib, float64(ms.TotalAlloc)/mib,
		ms.NumGC, float64(ms.PauseTotalNs)/1e6)
	return nil
}
