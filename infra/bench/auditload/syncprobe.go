package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// syncProbe times n syncs of a journal-sized write (2 KB, in place in a zero-filled file,
// as the audit journal writes) on an otherwise idle machine and prints
// "SYNCPROBE n avg_us": what one sync costs before any load.
func syncProbe(dir string, n int) error {
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, "syncprobe-*")
	if err != nil {
		return fmt.Errorf("sync probe: %w", err)
	}
	defer os.Remove(filepath.Clean(f.Name()))
	defer f.Close()
	const block = 2 << 10
	if _, err := f.WriteAt(make([]byte, n*block), 0); err != nil {
		return fmt.Errorf("sync probe: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync probe: %w", err)
	}
	buf := make([]byte, block)
	for i := range buf {
		buf[i] = 'x'
	}
	start := time.Now()
	for i := range n {
		if _, err := f.WriteAt(buf, int64(i*block)); err != nil {
			return fmt.Errorf("sync probe: %w", err)
		}
		if err := datasync(f); err != nil {
			return fmt.Errorf("sync probe: %w", err)
		}
	}
	fmt.Printf("SYNCPROBE %d %d\n", n, (time.Since(start) / time.Duration(n)).Microseconds())
	return nil
}
