package engine

import (
	"errors"
	"fmt"
)

// Sentinel errors every engine wraps with %w at its boundary. The resp package
// maps them to wire codes; nothing else inspects error text.
var (
	// ErrInvalid marks input that breaks a rule of the contract (-INVALID).
	ErrInvalid = errors.New("invalid")
	// ErrNotFound marks an update of a missing incident (-NOTFOUND).
	ErrNotFound = errors.New("not found")
	// ErrConflict marks an IFMATCH mismatch (-CONFLICT).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable marks an engine that cannot serve now; the write did not happen (-UNAVAILABLE).
	ErrUnavailable = errors.New("unavailable")
	// ErrLoading marks an engine still loading its dataset (-LOADING).
	ErrLoading = errors.New("loading")
)

// Error carries the sentinel kind and the client-visible message.
type Error struct {
	Kind error
	Msg  string
}

// Error returns the message without the code word.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel kind.
func (e *Error) Unwrap() error { return e.Kind }

// Invalidf returns an ErrInvalid error with a formatted message.
func Invalidf(format string, args ...any) error {
	return &Error{Kind: ErrInvalid, Msg: fmt.Sprintf(format, args...)}
}

// NotFound returns the ErrNotFound error for incident id.
func NotFound(id string) error {
	return &Error{Kind: ErrNotFound, Msg: "incident " + id + " not found"}
}

// Conflict returns the ErrConflict error for incident id, stored at updatedAt.
func Conflict(id, updatedAt string) error {
	return &Error{Kind: ErrConflict, Msg: "incident " + id + " changed at " + updatedAt}
}

// Unavailable wraps cause as an ErrUnavailable error.
func Unavailable(cause error) error {
	return &Error{Kind: ErrUnavailable, Msg: cause.Error()}
}
