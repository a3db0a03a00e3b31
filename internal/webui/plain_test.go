package webui

import "testing"

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
