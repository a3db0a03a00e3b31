package auth

import "github.com/casehold/casehold/internal/casehold"

// DemoStaff are the invented staff the local server seeds, one per kind of user, so a
// newcomer can try each role. None is a real person.
var DemoStaff = []casehold.Actor{
	{ID: "s-coord-01", Name: "Dana Whitlock", Email: "dana.whitlock@council.example", Roles: []casehold.Role{casehold.RoleCoordinator}},
	{ID: "s-legal-01", Name: "Imran Castell", Email: "imran.castell@council.example", Roles: []casehold.Role{casehold.RoleLegal}},
	{ID: "s-ig-01", Name: "Priya Nandakumar", Email: "priya.nandakumar@council.example", Roles: []casehold.Role{casehold.RoleIG}},
	{ID: "s-tm-01", Name: "Owen Farrier", Email: "owen.farrier@council.example", Roles: []casehold.Role{casehold.RoleTeamManager}},
	{ID: "s-sw-01", Name: "Beth Ashdown", Email: "beth.ashdown@council.example", Roles: []casehold.Role{casehold.RoleSocialWorker}},
	{ID: "s-cso-01", Name: "Leon Marsh", Email: "leon.marsh@council.example", Roles: []casehold.Role{casehold.RoleHelpdesk}},
}

// DemoByID finds a demo staff member.
func DemoByID(id string) (casehold.Actor, bool) {
	for _, a := range DemoStaff {
		if a.ID == id {
			return a, true
		}
	}
	return casehold.Actor{}, false
}
