package boltstore

import (
	"path/filepath"
	"testing"

	"github.com/casehold/casehold/internal/audittest"
)

func TestAuditContract(t *testing.T) {
	audittest.Run(t, func(t *testing.T) audittest.Harness {
		s := mustOpen(t, filepath.Join(t.TempDir(), "state.db"))
		return audittest.Harness{Store: s, PutLegacy: s.PutLegacyAudit}
	})
}
