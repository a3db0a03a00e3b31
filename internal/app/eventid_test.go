package app

import (
	"strings"
	"testing"
	"time"
)

func TestEventIDsSortByTime(t *testing.T) {
	base := time.Date(2026, 3, 29, 0, 59, 59, 999_000_000, time.UTC) // a clock change in London
	times := []time.Time{
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		base,
		base.Add(time.Millisecond),
		base.Add(time.Second),
		base.Add(24 * time.Hour),
		time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	var prev string
	for i, at := range times {
		id := eventID(at, RandomIDs{}.New())
		if !strings.HasPrefix(id, "ev-") || len(id) != len("ev-")+10+16 {
			t.Fatalf("eventID(%v) = %q: want ev-, 10 time characters, 16 random", at, id)
		}
		if i > 0 && id <= prev {
			t.Errorf("eventID(%v) = %q sorts before the earlier %q", at, id, prev)
		}
		prev = id
	}
	same := eventID(base, "aaaaaaaaaaaaaaaa")
	if other := eventID(base, "bbbbbbbbbbbbbbbb"); other == same {
		t.Error("two events at the same millisecond got the same id")
	}
}
