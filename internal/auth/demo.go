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
	{ID: "s-sm-01", Name: "Ruth Calloway", Email: "ruth.calloway@council.example", Roles: []casehold.Role{casehold.RoleServiceManager}},
	{ID: "s-support-01", Name: "Tomasz Brennick", Email: "tomasz.brennick@council.example", Roles: []casehold.Role{casehold.RoleSupport}},
	{ID: "s-edt-01", Name: "Grace Okonkwo-Hale", Email: "grace.okonkwo-hale@council.example", Roles: []casehold.Role{casehold.RoleEDT}},
}

// DemoDirectory is the staff directory the local server seeds for the demo staff: their
// teams and line managers, as the council's export would give them.
const DemoDirectory = `staff_id,name,email,teams,manager_id
s-sm-01,Ruth Calloway,ruth.calloway@council.example,Service Management,
s-coord-01,Dana Whitlock,dana.whitlock@council.example,Legal Services,s-sm-01
s-legal-01,Imran Castell,imran.castell@council.example,Legal Services,s-sm-01
s-ig-01,Priya Nandakumar,priya.nandakumar@council.example,Information Governance,s-sm-01
s-tm-01,Owen Farrier,owen.farrier@council.example,Assessment East,s-sm-01
s-sw-01,Beth Ashdown,beth.ashdown@council.example,Assessment East,s-tm-01
s-cso-01,Leon Marsh,leon.marsh@council.example,Helpdesk,s-sm-01
s-support-01,Tomasz Brennick,tomasz.brennick@council.example,System Support,s-sm-01
s-edt-01,Grace Okonkwo-Hale,grace.okonkwo-hale@council.example,EDT,s-sm-01
`

// DemoByID finds a demo staff member.
func DemoByID(id string) (casehold.Actor, bool) {
	for _, a := range DemoStaff {
		if a.ID == id {
			return a, true
		}
	}
	return casehold.Actor{}, false
}
