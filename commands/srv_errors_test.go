package commands_test

import (
	"strings"
	"testing"

	"github.com/imredis/imredis/internal/servertest"
)

const (
	errSyntax = "ERR syntax error"
	errNotInt = "ERR value is not an integer or out of range"
)

func arity(name string) string { return "ERR wrong number of arguments for '" + name + "' command" }

// errorCases pins the exact error line of every refused form: wrong arity
// both ways, bad keyword, missing option value, duplicate option, bad value.
var errorCases = []struct {
	args []string
	err  string
}{
	{[]string{"FOO", "bar", "baz"}, "ERR unknown command 'FOO', with args beginning with: 'bar' 'baz' "},
	{[]string{"foo"}, "ERR unknown command 'foo', with args beginning with: "},
	{[]string{"FOO", "a\r\nb"}, "ERR unknown command 'FOO', with args beginning with: 'a  b' "},
	{[]string{"INC.SAVE"}, arity("inc.save")},
	{[]string{"inc.save", incident(1, "P1", "Detected"), "NX"}, errSyntax},
	{[]string{"INC.SAVE", incident(1, "P1", "Detected"), "DEDUP", "dedup"}, errSyntax},
	{[]string{"INC.SAVE", `{"severity":`}, "INVALID malformed JSON"},
	{[]string{"INC.SAVE", incident(1, "P9", "Detected")}, "INVALID severity must be one of P0 P1 P2 P3 P4"},
	{[]string{"INC.SAVE", `{"severity":"P1"}`}, "INVALID incident_type is required"},
	{[]string{"INC.SAVE", `{"x":"` + strings.Repeat("x", 1<<20) + `"}`}, "INVALID incident is 1048584 bytes, max-incident-bytes is 1048576"},
	{[]string{"INC.GET"}, arity("inc.get")},
	{[]string{"INC.GET", id(1), id(2)}, arity("inc.get")},
	{[]string{"INC.MGET"}, arity("inc.mget")},
	{[]string{"INC.UPDATE"}, arity("inc.update")},
	{[]string{"INC.UPDATE", incident(1, "P1", "Detected"), "IFMATCH"}, errSyntax},
	{[]string{"INC.UPDATE", incident(1, "P1", "Detected"), "IFMATCH", "x"}, "INVALID IFMATCH must be an RFC 3339 timestamp"},
	{[]string{"INC.UPDATE", incident(1, "P1", "Detected"), "IFMATCH", "2024-01-01T00:00:00Z", "IFMATCH", "2024-01-01T00:00:00Z"}, errSyntax},
	{[]string{"INC.UPDATE", incident(1, "P1", "Detected"), "FORCE"}, errSyntax},
	{[]string{"INC.UPDATE", incident(99, "P1", "Detected")}, "NOTFOUND incident " + id(99) + " not found"},
	{[]string{"INC.DEL"}, arity("inc.del")},
	{[]string{"INC.LIST", "BOGUS"}, errSyntax},
	{[]string{"INC.LIST", "LIMIT", "0"}, errSyntax},
	{[]string{"INC.LIST", "LIMIT", "x", "1"}, errNotInt},
	{[]string{"INC.LIST", "ORDER", "ASC", "order", "DESC"}, errSyntax},
	{[]string{"INC.LIST", "WITHCURSOR", "WITHCURSOR"}, errSyntax},
	{[]string{"INC.LIST", "SEVERITY"}, errSyntax},
	{[]string{"INC.LIST", "SEVERITY", "P9"}, "INVALID SEVERITY must be one of P0 P1 P2 P3 P4"},
	{[]string{"INC.LIST", "LIMIT", "0", "1001"}, "INVALID count 1001 is above max-page-size 1000"},
	{[]string{"INC.LIST", "CURSOR", "bad"}, "INVALID cursor is malformed"},
	{[]string{"INC.COUNT", "LIMIT", "0", "1"}, errSyntax},
	{[]string{"INC.COUNT", "STATE"}, errSyntax},
	{[]string{"INC.COUNT", "ACTIVE", "ACTIVE"}, errSyntax},
	{[]string{"INC.COUNT", "SINCE", "yesterday"}, "INVALID SINCE must be an RFC 3339 timestamp"},
	{[]string{"INC.FP"}, arity("inc.fp")},
	{[]string{"INC.FP", "fp", "LIMIT", "0"}, errSyntax},
	{[]string{"INC.FP", "fp", "ACTIVE", "active"}, errSyntax},
	{[]string{"INC.FP", "fp", "ORDER", "ASC"}, errSyntax},
	{[]string{"INC.STATS", "x"}, arity("inc.stats")},
	{[]string{"PING", "a", "b"}, arity("ping")},
	{[]string{"ECHO"}, arity("echo")},
	{[]string{"ECHO", "a", "b"}, arity("echo")},
	{[]string{"SELECT"}, arity("select")},
	{[]string{"SELECT", "1", "2"}, arity("select")},
	{[]string{"SELECT", "x"}, errNotInt},
	{[]string{"SELECT", "16"}, "ERR DB index is out of range"},
	{[]string{"SELECT", "-1"}, "ERR DB index is out of range"},
	{[]string{"HELLO", "4"}, "NOPROTO unsupported protocol version"},
	{[]string{"HELLO", "x"}, "ERR Protocol version is not an integer or out of range"},
	{[]string{"HELLO", "3", "SETNAME"}, "ERR Syntax error in HELLO option 'SETNAME'"},
	{[]string{"HELLO", "3", "AUTH", "default"}, "ERR Syntax error in HELLO option 'AUTH'"},
	{[]string{"HELLO", "3", "BOGUS"}, "ERR Syntax error in HELLO option 'BOGUS'"},
	{[]string{"HELLO", "3", "SETNAME", "a", "SETNAME", "b"}, "ERR Syntax error in HELLO option 'SETNAME'"},
	{[]string{"HELLO", "3", "SETNAME", "a b"}, "ERR Client names cannot contain spaces, newlines or special characters."},
	{[]string{"AUTH"}, arity("auth")},
	{[]string{"AUTH", "a", "b", "c"}, errSyntax},
	{[]string{"AUTH", "pw"}, "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"},
	{[]string{"AUTH", "nobody", "pw"}, "WRONGPASS invalid username-password pair or user is disabled."},
	{[]string{"RESET", "x"}, arity("reset")},
	{[]string{"CLIENT"}, arity("client")},
	{[]string{"CLIENT", "FOO"}, "ERR unknown subcommand 'FOO'. Try CLIENT HELP."},
	{[]string{"CLIENT", "ID", "x"}, arity("client|id")},
	{[]string{"CLIENT", "SETNAME"}, arity("client|setname")},
	{[]string{"CLIENT", "setname", "a", "b"}, arity("client|setname")},
	{[]string{"CLIENT", "SETNAME", "a b"}, "ERR Client names cannot contain spaces, newlines or special characters."},
	{[]string{"CLIENT", "GETNAME", "x"}, arity("client|getname")},
	{[]string{"CLIENT", "SETINFO", "LIB-NAME"}, arity("client|setinfo")},
	{[]string{"CLIENT", "SETINFO", "FOO", "x"}, "ERR Unrecognized option 'FOO'"},
	{[]string{"CLIENT", "INFO", "x"}, arity("client|info")},
	{[]string{"CLIENT", "KILL"}, arity("client|kill")},
	{[]string{"CLIENT", "KILL", "10.0.0.1:1"}, "ERR No such client"},
	{[]string{"CLIENT", "KILL", "ID", "x"}, "ERR client-id should be greater than 0"},
	{[]string{"CLIENT", "KILL", "ID", "1", "SKIPME"}, errSyntax},
	{[]string{"CLIENT", "KILL", "BOGUS", "1"}, errSyntax},
	{[]string{"CLIENT", "LIST", "BOGUS"}, errSyntax},
	{[]string{"CLIENT", "LIST", "TYPE", "master"}, "ERR Unknown client type 'master'"},
	{[]string{"CLIENT", "LIST", "TYPE"}, errSyntax},
	{[]string{"CLIENT", "LIST", "ID", "x"}, "ERR Invalid client ID"},
	{[]string{"CLIENT", "NO-EVICT", "maybe"}, errSyntax},
	{[]string{"COMMAND", "FOO"}, "ERR unknown subcommand 'FOO'. Try COMMAND HELP."},
	{[]string{"COMMAND", "COUNT", "x"}, arity("command|count")},
	{[]string{"CONFIG"}, arity("config")},
	{[]string{"CONFIG", "GET"}, arity("config|get")},
	{[]string{"CONFIG", "SET", "a", "b"}, "ERR CONFIG SET is not supported by imredis"},
	{[]string{"CONFIG", "FOO"}, "ERR unknown subcommand 'FOO'. Try CONFIG HELP."},
	{[]string{"DBSIZE", "x"}, arity("dbsize")},
	{[]string{"TIME", "x"}, arity("time")},
	{[]string{"FLUSHDB", "LAZY"}, errSyntax},
	{[]string{"FLUSHDB", "SYNC", "ASYNC"}, errSyntax},
	{[]string{"FLUSHALL", "LAZY"}, errSyntax},
	{[]string{"FLUSHALL", "ASYNC", "SYNC"}, errSyntax},
}

// TestErrorReplies checks every row as raw bytes and through go-redis, under
// RESP2 and RESP3, and that a refused write changed nothing.
func TestErrorReplies(t *testing.T) {
	s := servertest.Start(t)
	forProtos(t, func(t *testing.T, proto int) {
		r, c := raw(t, s, proto), client(t, s, proto)
		for _, tc := range errorCases {
			if got := call(t, r, tc.args...); got != errLine(tc.err) {
				t.Errorf("raw %.80q\n got %q\nwant %q", tc.args, got, errLine(tc.err))
			}
			args := make([]any, len(tc.args))
			for i, a := range tc.args {
				args[i] = a
			}
			if err := c.Do(t.Context(), args...).Err(); err == nil || err.Error() != tc.err {
				t.Errorf("go-redis %.80q\n got %v\nwant %s", tc.args, err, tc.err)
			}
		}
		expect(t, r, ":0\r\n", "DBSIZE")
		expect(t, r, "+PONG\r\n", "PING")
	})
}
