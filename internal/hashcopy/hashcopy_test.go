package hashcopy

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestCopy(t *testing.T) {
	data := bytes.Repeat([]byte("evidence "), 500_000) // 4.5 MB: several buffers and a short tail
	boom := errors.New("client went away")
	cases := []struct {
		name string
		r    io.Reader
		n    int
		err  error
	}{
		{"Empty", bytes.NewReader(nil), 0, nil},
		{"ExactBuffer", bytes.NewReader(data[:BufferSize]), BufferSize, nil},
		{"SeveralBuffers", bytes.NewReader(data), len(data), nil},
		{"TinyReads", iotest.HalfReader(bytes.NewReader(data[:BufferSize+3])), BufferSize + 3, nil},
		{"ReadError", io.MultiReader(bytes.NewReader(data[:10]), iotest.ErrReader(boom)), 10, boom},
		{"UnexpectedEOFIsAnError", io.MultiReader(bytes.NewReader(data[:10]), iotest.ErrReader(io.ErrUnexpectedEOF)), 10, io.ErrUnexpectedEOF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			h := sha256.New()
			n, err := Copy(&out, h, c.r)
			if !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if n != int64(c.n) || out.Len() != c.n {
				t.Fatalf("copied %d (wrote %d), want %d", n, out.Len(), c.n)
			}
			if c.err == nil {
				want := sha256.Sum256(out.Bytes())
				if !bytes.Equal(h.Sum(nil), want[:]) {
					t.Error("hash does not match the bytes written")
				}
			}
		})
	}
}
