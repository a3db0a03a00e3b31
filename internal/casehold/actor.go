package casehold

import "strings"

// Role is a staff role named in the council procedures.
type Role string

const (
	RoleCoordinator    Role = "coordinator"     // officer coordinating a preservation request (legal services)
	RoleLegal          Role = "legal"           // legal services
	RoleIG             Role = "ig"              // information governance
	RoleHeadOfService  Role = "head_of_service" // authorises securing records
	RoleServiceManager Role = "service_manager"
	RoleTeamManager    Role = "team_manager"
	RoleSocialWorker   Role = "social_worker"
	RoleEDT            Role = "edt"      // emergency duty team
	RoleHelpdesk       Role = "helpdesk" // customer service officers: never see secured material
	RoleSupport        Role = "support"  // records/system support team
)

// KnownRoles lists every role, for validating tokens and claims.
var KnownRoles = []Role{RoleCoordinator, RoleLegal, RoleIG, RoleHeadOfService, RoleServiceManager,
	RoleTeamManager, RoleSocialWorker, RoleEDT, RoleHelpdesk, RoleSupport}

// Actor is an authenticated member of staff. Name and Email are for display and mail;
// only ID goes into audit events and logs.
type Actor struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Roles []Role `json:"roles"`
}

// Has reports whether the actor holds the role.
func (a Actor) Has(r Role) bool {
	for _, x := range a.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Action is something an actor may be allowed to do.
type Action string

const (
	ActCreateMatter   Action = "matter.create"
	ActReadMatter     Action = "matter.read"
	ActReleaseMatter  Action = "matter.release"
	ActUploadDocument Action = "document.upload"
	ActHoldDocument   Action = "document.hold"
	ActReadDocument   Action = "document.read"
	ActDeleteDocument Action = "document.delete"
	ActReadAudit      Action = "audit.read"

	// Locked cases: one action per step of the procedure.
	ActLockRequest   Action = "lock.request"   // a team manager asks (support, for an unexplained death, locks at once)
	ActLockDecide    Action = "lock.decide"    // a service manager approves or refuses, and authorises unlocking
	ActLockApply     Action = "lock.apply"     // system support applies an approved lock
	ActLockReview    Action = "lock.review"    // the monthly review by the manager (owner) with the key worker
	ActLockList      Action = "lock.list"      // each manager's list of locks, and those due for review
	ActLockTemporary Action = "lock.temporary" // ask for, agree or give back 24-hour access
	ActLockBreak     Action = "lock.break"     // EDT's out-of-hours break-glass
	ActLockLookup    Action = "lock.lookup"    // a helpdesk officer meets a PID: "locked to <owner>" or nothing
	ActStaffImport   Action = "staff.import"   // replace the staff directory from the council's export

	// Retention and disposal.
	ActClassifyRecord Action = "retention.classify" // a records officer (IG, records support) classifies a document
	ActDisposalReview Action = "disposal.review"    // IG reviews what is due, approves or defers

	// Reminders: see what the next sweep would send (a dry run), without sending it.
	ActRemindersPreview Action = "reminders.preview"
)

// permissions says which roles may take each action. Secured material is limited to the
// coordinating officer, legal services, IG and the team manager, as the procedures say;
// helpdesk staff never see it.
var permissions = map[Action][]Role{
	ActCreateMatter:   {RoleCoordinator, RoleLegal},
	ActReleaseMatter:  {RoleCoordinator, RoleLegal},
	ActUploadDocument: {RoleCoordinator, RoleLegal},
	ActHoldDocument:   {RoleCoordinator, RoleLegal},
	ActDeleteDocument: {RoleCoordinator, RoleLegal},
	ActReadMatter:     {RoleCoordinator, RoleLegal, RoleIG, RoleTeamManager},
	ActReadDocument:   {RoleCoordinator, RoleLegal, RoleIG, RoleTeamManager},
	ActReadAudit:      {RoleIG, RoleCoordinator, RoleLegal},

	ActLockRequest:   {RoleTeamManager, RoleSupport},
	ActLockDecide:    {RoleServiceManager, RoleHeadOfService},
	ActLockApply:     {RoleSupport},
	ActLockReview:    {RoleTeamManager, RoleServiceManager, RoleHeadOfService},
	ActLockList:      {RoleTeamManager, RoleServiceManager, RoleHeadOfService, RoleSupport},
	ActLockTemporary: {RoleTeamManager, RoleSocialWorker, RoleServiceManager, RoleHeadOfService, RoleLegal, RoleCoordinator, RoleIG},
	ActLockBreak:     {RoleEDT},
	ActLockLookup:    {RoleHelpdesk, RoleSupport, RoleEDT, RoleSocialWorker, RoleTeamManager},
	ActStaffImport:   {RoleIG, RoleSupport},

	ActClassifyRecord: {RoleIG, RoleSupport},
	ActDisposalReview: {RoleIG},

	ActRemindersPreview: {RoleIG, RoleCoordinator},
}

// Authorize returns nil if the actor may take the action, or EFORBIDDEN naming the roles
// that may.
func Authorize(a Actor, act Action) error {
	allowed := permissions[act]
	for _, r := range allowed {
		if a.Has(r) {
			return nil
		}
	}
	names := make([]string, len(allowed))
	for i, r := range allowed {
		names[i] = string(r)
	}
	return Errorf(EFORBIDDEN, "%s needs one of the roles: %s", act, strings.Join(names, ", "))
}
