package filepacks_test

import (
	"testing"

	"github.com/casehold/casehold/internal/filepacks"
	"github.com/casehold/casehold/internal/packstoretest"
)

func TestContract(t *testing.T) {
	packstoretest.Run(t, func(t *testing.T) packstoretest.Harness {
		p, err := filepacks.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return packstoretest.Harness{Packs: p, Unfinished: func(*testing.T) int { return p.Unfinished() }}
	})
}
