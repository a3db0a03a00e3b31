//go:build !linux && !casehold_nojournalsync

package boltstore

import "os"

func datasync(f *os.File) error { return f.Sync() }
