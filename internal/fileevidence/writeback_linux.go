package fileevidence

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to begin writing a range of f to disk without waiting.
// Without it the kernel holds a new file's pages in memory until the final fsync, which
// then writes them all while the Put waits; with it the disk works while the Put is still
// reading and hashing, and the fsync has only the tail left. Errors are ignored: this is
// a hint, and the fsync still reports any failure to write.
func startWriteback(f *os.File, off, n int64) {
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		unix.SyncFileRange(int(fd), off, n, unix.SYNC_FILE_RANGE_WRITE)
	})
}
