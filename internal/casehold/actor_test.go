package casehold

import "testing"

func TestAuthorize(t *testing.T) {
	cases := []struct {
		role Role
		act  Action
		ok   bool
	}{
		{RoleCoordinator, ActCreateMatter, true},
		{RoleLegal, ActReleaseMatter, true},
		{RoleTeamManager, ActReadDocument, true},
		{RoleTeamManager, ActUploadDocument, false},
		{RoleSocialWorker, ActReadMatter, false},
		{RoleHelpdesk, ActReadDocument, false},
		{RoleHelpdesk, ActCreateMatter, false},
		{RoleIG, ActReadAudit, true},
		{RoleEDT, ActReadAudit, false},
	}
	for _, c := range cases {
		t.Run(string(c.role)+"/"+string(c.act), func(t *testing.T) {
			err := Authorize(Actor{ID: "s1", Roles: []Role{c.role}}, c.act)
			if (err == nil) != c.ok {
				t.Fatalf("Authorize = %v, want allowed=%v", err, c.ok)
			}
			if err != nil && ErrorCode(err) != EFORBIDDEN {
				t.Fatalf("code = %s, want %s", ErrorCode(err), EFORBIDDEN)
			}
		})
	}
	if err := Authorize(Actor{ID: "nobody"}, ActReadMatter); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("actor without roles: %v", err)
	}
}
