package boltstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/casehold/casehold/internal/casehold"
)

// The audit journal: recorded events wait here until the sequencer integrates them into
// the bbolt log. Recording appends to a file and syncs it, one write and one fdatasync for
// everything queued meanwhile (group commit), so an event is durable before its request
// answers at the cost of a sequential append, not of a bbolt transaction (a B+tree
// update, copy-on-write pages and two syncs). On open the journal is read back: events
// the log already holds are skipped, the rest are pending again. A segment file is
// deleted once every event in it is integrated.
//
// Line format: <crc32 of the JSON, 8 hex digits> <event JSON>\n. A torn last line (a
// crash mid-append, never acknowledged) is cut off.
//
// A segment is zero-filled ahead of the writes (allocChunk at a time) and written in
// place, so the sync after each batch is an fdatasync that flushes data blocks only: an
// append that grows the file would also commit the file system's journal, which waits
// on every other process's metadata and costs several times more under load. The data
// ends at the first line that starts with a zero byte.

const (
	maxSegmentBytes = 8 << 20
	allocChunk      = 1 << 20
	segmentSuffix   = ".log"
)

type pendingEvent struct {
	event   casehold.AuditEvent
	segment int
}

type journal struct {
	dir string
	// isIntegrated reports which ids the log holds already.
	isIntegrated func(ids []string) (map[string]bool, error)

	// mu guards the pending set; the committer goroutine alone writes the file.
	mu         sync.Mutex
	pending    map[string]pendingEvent
	order      []string    // pending ids in arrival order (may hold integrated ids, skipped)
	segPending map[int]int // events not yet integrated, per segment

	stats JournalStats

	file    *os.File
	segment int
	size    int64 // where the data ends and the next batch is written
	alloc   int64 // the file's size: zeros from size to alloc
}

func segmentPath(dir string, n int) string {
	return filepath.Join(dir, fmt.Sprintf("%08d%s", n, segmentSuffix))
}

// openJournal reads every segment in dir back; integrated reports whether the log holds
// an event id already.
func openJournal(dir string, integrated func(ids []string) (map[string]bool, error)) (*journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("audit journal %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit journal %s: %w", dir, err)
	}
	var segs []int
	for _, e := range entries {
		if n, err := strconv.Atoi(strings.TrimSuffix(e.Name(), segmentSuffix)); err == nil && strings.HasSuffix(e.Name(), segmentSuffix) {
			segs = append(segs, n)
		}
	}
	slices.Sort(segs)
	j := &journal{dir: dir, isIntegrated: integrated, pending: map[string]pendingEvent{}, segPending: map[int]int{}}
	for i, n := range segs {
		events, err := readSegment(segmentPath(dir, n), i == len(segs)-1)
		if err != nil {
			return nil, err
		}
		ids := make([]string, len(events))
		for k, e := range events {
			ids[k] = e.ID
		}
		done, err := integrated(ids)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if _, dup := j.pending[e.ID]; dup || done[e.ID] {
				continue
			}
			j.pending[e.ID] = pendingEvent{event: e, segment: n}
			j.order = append(j.order, e.ID)
			j.segPending[n]++
		}
	}
	j.segment = 1
	if len(segs) > 0 {
		j.segment = segs[len(segs)-1]
	}
	if err := j.openSegment(j.segment); err != nil {
		return nil, err
	}
	j.dropIntegratedSegments()
	return j, nil
}

// readSegment decodes a segment. In the last segment a damaged tail is a write that was
// never acknowledged and is zeroed; anywhere else damage is an error.
func readSegment(path string, last bool) ([]casehold.AuditEvent, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read audit journal: %w", err)
	}
	events, end := parseSegment(b)
	if end == len(b) || b[end] == 0 && !slices.ContainsFunc(b[end:], func(c byte) bool { return c != 0 }) {
		return events, nil
	}
	if !last {
		return nil, fmt.Errorf("audit journal %s is damaged at byte %d", filepath.Base(path), end)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Errorf("cut the torn end of the audit journal: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteAt(make([]byte, len(b)-end), int64(end)); err != nil {
		return nil, fmt.Errorf("cut the torn end of the audit journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("cut the torn end of the audit journal: %w", err)
	}
	return events, nil
}

// parseSegment decodes whole, checked lines from the start of b and returns them with the
// offset where they end: at the end of b, at zero fill, or at the first damaged line.
func parseSegment(b []byte) ([]casehold.AuditEvent, int) {
	var out []casehold.AuditEvent
	good := 0
	for good < len(b) && b[good] != 0 {
		nl := bytes.IndexByte(b[good:], '\n')
		if nl <= 9 || b[good+8] != ' ' {
			break
		}
		line := b[good : good+nl]
		var e casehold.AuditEvent
		sum, perr := strconv.ParseUint(string(line[:8]), 16, 32)
		if perr != nil || uint32(sum) != crc32.ChecksumIEEE(line[9:]) || json.Unmarshal(line[9:], &e) != nil {
			break
		}
		out = append(out, e)
		good += nl + 1
	}
	return out, good
}

func (j *journal) openSegment(n int) error {
	path := segmentPath(j.dir, n)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open audit journal: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		f.Close()
		return fmt.Errorf("open audit journal: %w", err)
	}
	_, end := parseSegment(b)
	if j.file != nil {
		j.file.Close()
	}
	j.file, j.segment, j.size, j.alloc = f, n, int64(end), int64(len(b))
	// The new file's directory entry must survive a crash too.
	if d, err := os.Open(j.dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// reserve zero-fills the segment so that n more bytes are written in place. Growing the
// file is the one write here that syncs its metadata, once per allocChunk.
func (j *journal) reserve(n int64) error {
	if j.size+n <= j.alloc {
		return nil
	}
	grow := (j.size+n-j.alloc)/allocChunk*allocChunk + allocChunk
	if _, err := j.file.WriteAt(make([]byte, grow), j.alloc); err != nil {
		return fmt.Errorf("extend audit journal: %w", err)
	}
	if err := j.file.Sync(); err != nil {
		return fmt.Errorf("extend audit journal: %w", err)
	}
	j.alloc += grow
	return nil
}

// append writes the events not recorded before as one write and one sync, then makes
// them pending. Called only by the committer goroutine.
func (j *journal) append(batch []recordRequest) error {
	// A recorder checked the log before queueing, but the same id may have been recorded
	// and integrated since: one read for the whole batch keeps it out.
	ids := make([]string, len(batch))
	for i, r := range batch {
		ids[i] = r.event.ID
	}
	seen, err := j.isIntegrated(ids)
	if err != nil {
		return fmt.Errorf("append to audit journal: %w", err)
	}
	j.mu.Lock()
	var fresh []casehold.AuditEvent
	var buf bytes.Buffer
	for _, r := range batch {
		if _, dup := j.pending[r.event.ID]; dup || seen[r.event.ID] {
			continue
		}
		seen[r.event.ID] = true
		fresh = append(fresh, r.event)
		fmt.Fprintf(&buf, "%08x %s\n", crc32.ChecksumIEEE(r.data), r.data)
	}
	j.mu.Unlock()
	if len(fresh) == 0 {
		return nil
	}
	if j.size > maxSegmentBytes {
		if err := j.openSegment(j.segment + 1); err != nil {
			return err
		}
	}
	if err := j.reserve(int64(buf.Len())); err != nil {
		return err
	}
	if _, err := j.file.WriteAt(buf.Bytes(), j.size); err != nil {
		return fmt.Errorf("append to audit journal: %w", err)
	}
	start := time.Now()
	if err := datasync(j.file); err != nil {
		return fmt.Errorf("sync audit journal: %w", err)
	}
	synced := time.Since(start)
	j.size += int64(buf.Len())
	j.mu.Lock()
	defer j.mu.Unlock()
	j.stats.Syncs++
	j.stats.Events += int64(len(fresh))
	j.stats.Syncing += synced
	for _, e := range fresh {
		j.pending[e.ID] = pendingEvent{event: e, segment: j.segment}
		j.order = append(j.order, e.ID)
		j.segPending[j.segment]++
	}
	return nil
}

// JournalStats counts the group commits of the audit journal since the store opened: how
// many events each sync carried and how long the syncs took, which bounds how many audited
// requests a second can answer (infra/bench-audit.sh reports them).
type JournalStats struct {
	Syncs   int64
	Events  int64
	Syncing time.Duration
}

func (j *journal) get(id string) (casehold.AuditEvent, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	p, ok := j.pending[id]
	return p.event, ok
}

func (j *journal) oldest(limit int) []casehold.AuditEvent {
	j.mu.Lock()
	defer j.mu.Unlock()
	// Drop integrated ids from the front, so the queue does not grow for ever.
	for len(j.order) > 0 {
		if _, ok := j.pending[j.order[0]]; ok {
			break
		}
		j.order = j.order[1:]
	}
	out := []casehold.AuditEvent{}
	for _, id := range j.order {
		if len(out) >= limit {
			break
		}
		if p, ok := j.pending[id]; ok {
			out = append(out, p.event)
		}
	}
	return out
}

// integrated forgets events the log now holds and deletes segments left with none.
func (j *journal) integrated(ids []string) {
	j.mu.Lock()
	for _, id := range ids {
		if p, ok := j.pending[id]; ok {
			delete(j.pending, id)
			j.segPending[p.segment]--
		}
	}
	j.mu.Unlock()
	j.dropIntegratedSegments()
}

func (j *journal) dropIntegratedSegments() {
	j.mu.Lock()
	defer j.mu.Unlock()
	entries, err := os.ReadDir(j.dir)
	if err != nil {
		return // tried again after the next batch
	}
	for _, e := range entries {
		n, err := strconv.Atoi(strings.TrimSuffix(e.Name(), segmentSuffix))
		if err != nil || n >= j.segment || j.segPending[n] > 0 {
			continue
		}
		if err := os.Remove(segmentPath(j.dir, n)); err == nil || errors.Is(err, fs.ErrNotExist) {
			delete(j.segPending, n)
		}
	}
}

func (j *journal) close() error {
	if j.file == nil {
		return nil
	}
	return j.file.Close()
}
