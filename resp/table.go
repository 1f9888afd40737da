package resp

import (
	"sort"
	"strings"
)

// Flag describes what a command does; ACL, read-only and metrics decisions
// come from these bits.
type Flag uint16

// Command flags.
const (
	FlagReadOnly   Flag = 1 << iota // reads data
	FlagWrite                       // changes data
	FlagAdmin                       // server administration
	FlagPubSub                      // publish/subscribe
	FlagNoAuth                      // allowed before authentication
	FlagLoading                     // allowed while the engine loads
	FlagSubscribed                  // allowed in RESP2 subscribed mode
	FlagFast                        // O(1) or O(log n)
	FlagConnection                  // connection state only
	// FlagBorrowsArgs: the handler keeps no argument, nor memory of one,
	// once it returns; the connection loop then hands it views of its read
	// buffer instead of copies.
	FlagBorrowsArgs
)

var flagNames = []string{"readonly", "write", "admin", "pubsub", "no_auth", "loading", "", "fast", "", ""}

// Names returns the Redis flag words for f.
func (f Flag) Names() []string {
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 && n != "" {
			out = append(out, n)
		}
	}
	return out
}

// Handler runs one command. It writes exactly one reply to c.W.
type Handler func(c *Ctx, args [][]byte)

// Command is one entry of the registration table.
type Command struct {
	Name    string // normalised to lower case by Register
	Arity   int    // Redis convention: negative means at least -Arity
	Flags   Flag
	Keys    [3]int // first key, last key, step (0 0 0 when the command has no keys)
	Group   string // COMMAND DOCS group, e.g. "generic", "connection", "incident"
	Syntax  string // argument syntax after the name
	Summary string
	Since   string
	Handler Handler
}

// Table is the one registration table: dispatch, arity errors, COMMAND and
// metrics labels all come from it.
type Table struct {
	byName map[string]*Command
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{byName: make(map[string]*Command)} }

// Register adds cmd; a duplicate name panics.
func (t *Table) Register(cmd Command) {
	cmd.Name = strings.ToLower(cmd.Name)
	if _, dup := t.byName[cmd.Name]; dup {
		panic("resp: command " + cmd.Name + " registered twice")
	}
	if cmd.Since == "" {
		cmd.Since = "1.0.0"
	}
	t.byName[cmd.Name] = &cmd
}

// Lookup finds a command by its lower-case name.
func (t *Table) Lookup(lower string) *Command { return t.byName[lower] }

// All returns every command sorted by name.
func (t *Table) All() []*Command {
	out := make([]*Command, 0, len(t.byName))
	for _, c := range t.byName {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len returns the number of registered commands.
func (t *Table) Len() int { return len(t.byName) }

// ArityOK reports whether n arguments (including the name) satisfy arity.
func ArityOK(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}
