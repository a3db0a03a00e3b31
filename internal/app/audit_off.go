//go:build casehold_noaudit

package app

// auditOff drops every audit event. Only infra/bench.sh builds with this tag, to measure
// what auditing costs an audited route; no deployed binary can switch auditing off.
const auditOff = true
