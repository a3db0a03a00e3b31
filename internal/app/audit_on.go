//go:build !casehold_noaudit

package app

// auditOff is false in every real build; see audit_off.go.
const auditOff = false
