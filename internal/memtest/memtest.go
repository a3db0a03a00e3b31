// Package memtest measures memory for tests that promise it stays flat (evidence packs
// streamed, written to the pack store, uploaded to S3).
package memtest

import (
	"runtime"
	"sync/atomic"
	"time"
)

// PeakHeap samples HeapInuse while f runs and returns the peak above what was in use
// before (the test's own fixtures are not the path's memory).
func PeakHeap(f func()) uint64 {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	if p := peak.Load(); p > before.HeapInuse {
		return p - before.HeapInuse
	}
	return 0
}
