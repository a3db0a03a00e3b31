package app

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestBufPipe(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB through a 64 KB pipe
	cases := []struct {
		name     string
		closeErr error
		wantErr  error
	}{
		{"CleanEnd", nil, nil},
		{"WriterFailed", errors.New("source broke"), errors.New("source broke")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newBufPipe(64 << 10)
			go func() {
				// Odd-sized writes cross the buffer bound in every way.
				for rest := data; len(rest) > 0; {
					k := min(len(rest), 77777)
					if _, err := p.Write(rest[:k]); err != nil {
						t.Errorf("write: %v", err)
						return
					}
					rest = rest[k:]
				}
				p.CloseWrite(c.closeErr)
			}()
			got, err := io.ReadAll(iotest.HalfReader(p))
			if c.wantErr == nil && (err != nil || !bytes.Equal(got, data)) {
				t.Fatalf("read %d bytes, err %v; want all %d", len(got), err, len(data))
			}
			if c.wantErr != nil && (err == nil || err.Error() != c.wantErr.Error() || !bytes.Equal(got, data)) {
				t.Fatalf("err = %v after %d bytes, want the writer's error after all bytes", err, len(got))
			}
		})
	}
	t.Run("ReaderGaveUp", func(t *testing.T) {
		p := newBufPipe(16)
		boom := errors.New("store refused")
		p.CloseRead(boom)
		if _, err := p.Write(make([]byte, 100)); !errors.Is(err, boom) {
			t.Fatalf("write after the reader gave up: %v", err)
		}
	})
}
