package main

import (
	"os"
	"syscall"
)

// datasync is the audit journal's sync (internal/boltstore): data blocks only.
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
