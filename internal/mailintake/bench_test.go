package mailintake

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// message30MB is a 30 MB message with ten PDFs of about 2.2 MB (3 MB in base64) each, the
// shape of a scanned file sent in one email.
func message30MB(tb testing.TB) []byte {
	tb.Helper()
	parts := make([]string, 0, 11)
	parts = append(parts, "Content-Type: text/plain; charset=utf-8\r\n\r\nScanned files attached.")
	for i := range 10 {
		parts = append(parts, pdfPart(fmt.Sprintf("scan-%02d.pdf", i+1), makePDF(2250<<10, uint64(i+1))))
	}
	msg := []byte(testHeader + multipart("bench-boundary", parts...))
	if len(msg) < 30<<20 || len(msg) > 32<<20 {
		tb.Fatalf("generated message is %d bytes, want about 30 MB", len(msg))
	}
	return msg
}

// hashPDF stands in for casehold.Evidence.Put: it streams the PDF through SHA-256.
func hashPDF(_ *Attachment, body io.Reader) error {
	_, err := io.Copy(sha256.New(), body)
	return err
}

// heapPeak samples the live heap every 200µs until stopped and reports the highest value
// above the level when it started.
func heapPeak() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	base := read()
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			if v := read(); v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		if peak < base {
			return 0
		}
		return peak - base
	}
}

func BenchmarkParse30MB(b *testing.B) {
	msg := message30MB(b)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	stop := heapPeak()
	b.ResetTimer()
	for b.Loop() {
		res, err := Parse(bytes.NewReader(msg), Limits{}, hashPDF)
		if err != nil || len(res.Attachments) != 10 || len(res.Problems) != 0 {
			b.Fatalf("Parse: %v, %d attachments, problems %q", err, len(res.Attachments), res.Problems)
		}
	}
	b.StopTimer()
	peak := stop()
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peak)/float64(len(msg)), "peak-heap/msg")
}

// TestParseMemory holds Parse to its promise: a 30 MB message is streamed, so everything it
// allocates in total (not just at its peak) stays well under twice the message size.
func TestParseMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 30 MB message")
	}
	msg := message30MB(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := Parse(bytes.NewReader(msg), Limits{}, hashPDF)
	runtime.ReadMemStats(&after)
	if err != nil || len(res.Attachments) != 10 {
		t.Fatalf("Parse: %v, %d attachments", err, len(res.Attachments))
	}
	total := after.TotalAlloc - before.TotalAlloc
	t.Logf("message %d bytes; Parse allocated %d bytes in total (%d objects)", len(msg), total, after.Mallocs-before.Mallocs)
	if total > uint64(2*len(msg)) {
		t.Errorf("Parse allocated %d bytes for a %d-byte message, want under twice its size", total, len(msg))
	}
}
