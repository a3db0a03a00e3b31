//go:build linux && !casehold_nojournalsync

package boltstore

import (
	"os"
	"syscall"
)

// datasync flushes f's data, and its metadata only where reading the data back needs it.
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
