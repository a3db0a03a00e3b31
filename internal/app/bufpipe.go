package app

import (
	"io"
	"sync"
)

// bufPipe is an in-memory pipe with a bounded buffer. Unlike io.Pipe, a write returns as
// soon as its bytes are buffered, so the parser feeding it and the store draining it run
// side by side instead of in lock-step; the bound keeps memory fixed whatever the size.
type bufPipe struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  []byte // unread bytes are buf[off:]
	off  int
	max  int
	werr error // set by CloseWrite: io.EOF for a clean end
	rerr error // set by the reader giving up: writes fail with it
}

func newBufPipe(max int) *bufPipe {
	p := &bufPipe{max: max, buf: make([]byte, 0, max)}
	p.cond = sync.NewCond(&p.mu)
	return p
}

// Write buffers b, waiting while the buffer is full.
func (p *bufPipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for len(b) > 0 {
		for len(p.buf)-p.off >= p.max && p.rerr == nil {
			p.cond.Wait()
		}
		if p.rerr != nil {
			return n, p.rerr
		}
		if p.off > 0 && len(p.buf)+len(b) > p.max { // reclaim what was read, once per refill
			p.buf = p.buf[:copy(p.buf, p.buf[p.off:])]
			p.off = 0
		}
		k := min(len(b), p.max-len(p.buf))
		p.buf = append(p.buf, b[:k]...)
		b, n = b[k:], n+k
		p.cond.Broadcast()
	}
	return n, nil
}

// CloseWrite ends the stream: the reader sees err (io.EOF when err is nil) after the
// buffered bytes.
func (p *bufPipe) CloseWrite(err error) {
	if err == nil {
		err = io.EOF
	}
	p.mu.Lock()
	if p.werr == nil {
		p.werr = err
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Read returns buffered bytes, waiting for some.
func (p *bufPipe) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.buf) == p.off && p.werr == nil {
		p.cond.Wait()
	}
	if len(p.buf) == p.off {
		return 0, p.werr
	}
	n := copy(b, p.buf[p.off:])
	p.off += n
	if p.off == len(p.buf) {
		p.buf, p.off = p.buf[:0], 0
	}
	p.cond.Broadcast()
	return n, nil
}

// CloseRead makes further writes fail with err (the store gave up).
func (p *bufPipe) CloseRead(err error) {
	if err == nil {
		err = io.ErrClosedPipe
	}
	p.mu.Lock()
	if p.rerr == nil {
		p.rerr = err
	}
	p.cond.Broadcast()
	p.mu.Unlock()
}
