// Package hashcopy copies a stream to a writer while hashing it on a second goroutine, so
// storing evidence costs about the slower of writing and hashing, not both added together.
package hashcopy

import (
	"fmt"
	"hash"
	"io"
)

// BufferSize is the chunk size of a copy: large enough that the per-call cost of write(2)
// and the hash is negligible, small enough that memory stays bounded whatever the size.
const BufferSize = 1 << 20

// buffers lets reading, writing and hashing overlap; memory per copy stays 3 MiB.
const buffers = 3

// Copy copies r to w and into h. Hashing runs in its own goroutine on the buffer
// just written, so a Put costs about as much as the slower of writing and hashing rather
// than both added together. Each buffer is filled completely before it is written, so a
// reader that returns small pieces (a network body) still costs one write per buffer.
// Read errors are returned wrapped so the caller's own error stays in the chain.
func Copy(w io.Writer, h hash.Hash, r io.Reader) (int64, error) {
	var n int64
	// A buffer goes back to free once hashed; the writer is done with it before it is
	// taken again, because only this loop takes buffers and it writes synchronously.
	free := make(chan []byte, buffers)
	for range buffers {
		free <- make([]byte, BufferSize)
	}
	toHash := make(chan []byte, buffers)
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		for b := range toHash {
			h.Write(b)
			free <- b[:cap(b)]
		}
	}()
	defer func() {
		close(toHash)
		<-hashed
	}()
	for {
		buf := <-free
		nr, rerr := fill(r, buf)
		if nr > 0 {
			toHash <- buf[:nr]
			if _, err := w.Write(buf[:nr]); err != nil {
				return n, fmt.Errorf("write: %w", err)
			}
			n += int64(nr)
		} else {
			free <- buf
		}
		switch {
		case rerr == io.EOF:
			return n, nil
		case rerr != nil:
			return n, fmt.Errorf("read: %w", rerr)
		}
	}
}

// fill reads until buf is full or r fails. Unlike io.ReadFull it passes r's own errors
// through untouched: a reader reporting io.ErrUnexpectedEOF (a truncated body) must fail
// the Put, not be mistaken for a short last buffer.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
