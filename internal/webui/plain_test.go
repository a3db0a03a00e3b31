package webui

import (
	"testing"
	"time"
)

func TestPlainRefusal(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"matter.read is not open to your role", "Reading this matter is not open to your role."},
		{"audit.read needs one of the roles: ig, coordinator, legal", "Reading the audit log is for information governance, coordinating officers and legal services."},
		{"disposal.review needs one of the roles: ig", "Reviewing what is due for disposal is for information governance."},
		{"matter.read: this matter is open to its coordinator, its legal officers and the staff on its access grants",
			"Reading this matter: this matter is open to its coordinator, its legal officers and the staff on its access grants"},
		{"only legal services review a disclosure", "only legal services review a disclosure"},
		{"unknown.action needs one of the roles: ig", "unknown.action needs one of the roles: ig"},
	} {
		if got := plainRefusal(c.in); got != c.want {
			t.Errorf("plainRefusal(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWhenIsLondonTime(t *testing.T) {
	when := funcs["when"].(func(time.Time) string)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC), "1 July 2026 10:30 BST"},
		{time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC), "1 December 2026 09:30 GMT"},
	} {
		if got := when(c.at); got != c.want {
			t.Errorf("when(%v) = %q, want %q", c.at, got, c.want)
		}
	}
}
