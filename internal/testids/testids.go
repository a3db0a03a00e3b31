// Package testids is an id source for tests: it hands out the ids it is given first, then
// random ones, so a test can know the next evidence key casehold will choose, as an
// attacker who guessed it would.
package testids

import (
	"sync"

	"github.com/casehold/casehold/internal/app"
)

// Scripted is a casehold.IDs whose next ids a test can set.
type Scripted struct {
	mu   sync.Mutex
	next []string
}

// New returns the next scripted id, or a random one when none is left.
func (s *Scripted) New() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.next) > 0 {
		id := s.next[0]
		s.next = s.next[1:]
		return id
	}
	return app.RandomIDs{}.New()
}

// Push queues ids to be handed out next, in order.
func (s *Scripted) Push(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = append(s.next, ids...)
}
