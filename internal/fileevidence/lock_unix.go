//go:build unix

package fileevidence

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockFolder takes an exclusive, non-blocking lock on the folder dir itself (no lock file
// to leave behind). It reports false if another open file holds it, in this process or
// another.
func lockFolder(dir string) (*os.File, bool) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return f, true
}
