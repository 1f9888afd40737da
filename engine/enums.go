package engine

import "strings"

// Severity is an incident severity, P0 (most severe) to P4.
type Severity uint8

// State is an incident lifecycle state.
type State uint8

// Type is an incident_type value.
type Type uint8

// The enum spellings, exactly as the JSON carries them, in index order.
var (
	Severities = []string{"P0", "P1", "P2", "P3", "P4"}
	States     = []string{"Detected", "Triaged", "Investigating", "Remediating", "Resolved", "Closed"}
	Types      = []string{"Infrastructure", "Application", "Security", "Data", "Performance", "Availability", "Compliance", "Unknown"}
	// ResolutionMethods are the values of resolution.resolution_method.
	ResolutionMethods = []string{"Automated", "Manual", "AutoAssistedManual"}
)

// ActiveStates is the bit mask of the states that count as active.
const ActiveStates uint8 = 1<<0 | 1<<1 | 1<<2 | 1<<3

func (s Severity) String() string { return Severities[s] }
func (s State) String() string    { return States[s] }
func (t Type) String() string     { return Types[t] }

// Active reports whether s is one of the active states.
func (s State) Active() bool { return ActiveStates&(1<<s) != 0 }

// lookup finds v in names, exactly or case-insensitively.
func lookup(names []string, v string, fold bool) (int, bool) {
	for i, n := range names {
		if n == v || (fold && strings.EqualFold(n, v)) {
			return i, true
		}
	}
	return 0, false
}

// ParseSeverity parses a severity; fold makes it case-insensitive (filters).
func ParseSeverity(v string, fold bool) (Severity, bool) {
	i, ok := lookup(Severities, v, fold)
	return Severity(i), ok
}

// ParseState parses a state; fold makes it case-insensitive (filters).
func ParseState(v string, fold bool) (State, bool) {
	i, ok := lookup(States, v, fold)
	return State(i), ok
}

// ParseType parses an incident_type; fold makes it case-insensitive (filters).
func ParseType(v string, fold bool) (Type, bool) {
	i, ok := lookup(Types, v, fold)
	return Type(i), ok
}
