// Command exportpack measures the evidence pack export (issue 13) for infra/bench-export.sh:
//
//	exportpack load -data DIR -src SRC   secure every file of SRC into an embedded casehold
//	                                      at DIR under one matter; prints the matter id
//	exportpack export -data DIR -matter ID -o FILE
//	                                      export the matter's pack to FILE; prints seconds,
//	                                      MB/s and the process's peak RSS (VmHWM)
//
// load writes the evidence store directly (as the upload path does after its checks),
// so the timed part is the export alone.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/casehold/casehold/internal/auth"
	"github.com/casehold/casehold/internal/benchdata"
	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/config"
	"github.com/casehold/casehold/internal/wire"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: exportpack load|export ...")
		os.Exit(2)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	data := fs.String("data", "", "casehold data folder")
	src := fs.String("src", "", "folder of files to secure (load)")
	matter := fs.String("matter", "", "matter id (export)")
	out := fs.String("o", "pack.zip", "pack file (export)")
	fs.Parse(os.Args[2:])
	var err error
	switch os.Args[1] {
	case "load":
		err = load(*data, *src)
	case "export":
		err = export(*data, *matter, *out)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "exportpack:", err)
		os.Exit(1)
	}
}

func build(ctx context.Context, dir string) (*wire.App, error) {
	cfg, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	cfg.DataDir = dir
	return wire.Build(ctx, cfg, slog.New(slog.DiscardHandler))
}

func load(dir, src string) error {
	ctx := context.Background()
	a, err := build(ctx, dir)
	if err != nil {
		return err
	}
	defer a.Close()
	coord := auth.DemoStaff[0]
	m, err := a.Service.CreateMatter(ctx, coord, casehold.NewMatterInput{Reference: "BENCH/EXPORT/" + strconv.FormatInt(time.Now().UnixNano(), 36),
		Contact: "bench", ReceivedOn: time.Now().UTC().Format(time.DateOnly), People: []casehold.Person{{PID: "P-0001", Name: "Bench Person"}}})
	if err != nil {
		return err
	}
	names, err := filepath.Glob(filepath.Join(src, "*"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	for i, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		obj, err := a.Service.Evidence.Put(ctx, fmt.Sprintf("documents/bench%06d.pdf", i), f, true)
		f.Close()
		if err != nil {
			return err
		}
		d := &casehold.Document{ID: fmt.Sprintf("d-bench-%06d", i), MatterIDs: []string{m.ID}, HeldBy: []string{m.ID}, PIDs: []string{"P-0001"},
			DocType: "Case Note", DocDate: casehold.Date{Year: 2024, Month: 3, Day: 1 + i%28}, Filename: filepath.Base(name),
			SHA256: obj.SHA256, Size: obj.Size, Source: casehold.SourceUpload, Key: obj.Key, VersionID: obj.VersionID,
			UploadedBy: coord.ID, UploadedAt: time.Now().UTC()}
		if err := a.Service.Store.CreateDocument(ctx, d); err != nil {
			return err
		}
	}
	if err := a.Service.FlushAudit(ctx); err != nil {
		return err
	}
	fmt.Println(m.ID)
	return nil
}

func export(dir, matterID, out string) error {
	ctx := context.Background()
	a, err := build(ctx, dir)
	if err != nil {
		return err
	}
	defer a.Close()
	ex, err := a.Service.PrepareExport(ctx, auth.DemoStaff[0], matterID)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	before := benchdata.StatusKiB("VmHWM")
	resetPeak := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	start := time.Now()
	res, err := ex.WriteTo(ctx, f)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	st, _ := f.Stat()
	fmt.Printf("export documents=%d bytes=%d seconds=%.3f mb_per_s=%.1f peak_rss_mib=%.1f setup_peak_rss_mib=%.1f peak_reset=%v\n",
		res.Documents, st.Size(), elapsed.Seconds(), float64(st.Size())/1e6/elapsed.Seconds(),
		float64(benchdata.StatusKiB("VmHWM"))/1024, float64(before)/1024, resetPeak)
	return nil
}
