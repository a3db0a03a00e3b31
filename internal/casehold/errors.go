package casehold

import (
	"errors"
	"fmt"
)

// Error codes. The set is append-only: clients and the HTTP status table depend on them.
const (
	ECONFLICT     = "conflict"     // the write lost a race or would duplicate something that exists
	EFORBIDDEN    = "forbidden"    // the actor may not do this
	EHELD         = "held"         // the evidence is under legal hold and cannot be changed or removed
	EINTERNAL     = "internal"     // a fault of ours; detail is logged, never shown
	EINVALID      = "invalid"      // the input was wrong; Message says what
	ENOTFOUND     = "not_found"    // no such thing
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	ETOOLARGE     = "too_large"    // the input is over a configured limit
	// EINTEGRITY: stored bytes are not what casehold hashed when it kept them (altered,
	// missing, cut short, or a version casehold never wrote). Always audited as an incident,
	// never mistaken for a refusal.
	EINTEGRITY = "integrity"
	// EUNSUPPORTED: the body is not of the type the route takes (415).
	EUNSUPPORTED = "unsupported_media_type"
)

// Error is the one error type that crosses package boundaries with a stable code.
// Message is safe to show a user: it never holds personal data.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any
// other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of the first *Error in err's chain,
// or "internal error" for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
