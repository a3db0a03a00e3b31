//go:build !linux

package fileevidence

import "os"

// startWriteback is a Linux-only hint; elsewhere the final fsync does all the writing.
func startWriteback(f *os.File, off, n int64) {}
