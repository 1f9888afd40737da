package resp

import (
	"context"
	"errors"
	"strings"

	"github.com/imredis/imredis/engine"
)

// Reply is an error whose text is already the full wire line (code word first).
type Reply string

func (r Reply) Error() string { return string(r) }

// Errors with Redis's own wording. Every client-visible message lives here.
const (
	ErrSyntax       Reply = "ERR syntax error"
	ErrNotInteger   Reply = "ERR value is not an integer or out of range"
	ErrDBIndex      Reply = "ERR DB index is out of range"
	ErrInternal     Reply = "ERR internal error"
	ErrNoAuth       Reply = "NOAUTH Authentication required."
	ErrWrongPass    Reply = "WRONGPASS invalid username-password pair or user is disabled."
	ErrNoPassword   Reply = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	ErrNoProto      Reply = "NOPROTO unsupported protocol version"
	ErrLoading      Reply = "LOADING imredis is loading the dataset in memory"
	ErrOutsideKeys  Reply = "ERR key outside the incident keyspace"
	ErrWrongType    Reply = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrSubscribed   Reply = "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
	ErrConfigSet    Reply = "ERR CONFIG SET is not supported by imredis"
	ErrNoSuchClient Reply = "ERR No such client"
	ErrClientName   Reply = "ERR Client names cannot contain spaces, newlines or special characters."

	// The llm-im: keyspace's errors.
	ErrNoExpire      Reply = "ERR only temp keys can expire"
	ErrExpireNX      Reply = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrExpireGTLT    Reply = "ERR GT and LT options at the same time are not compatible"
	ErrNumKeys       Reply = "ERR numkeys should be greater than 0"
	ErrNumKeysArgs   Reply = "ERR Number of keys can't be greater than number of args"
	ErrLimitNegative Reply = "ERR LIMIT can't be negative"
	ErrInvalidCursor Reply = "ERR invalid cursor"
	ErrNoPersist     Reply = "ERR this engine does not persist: SAVE, BGSAVE and LASTSAVE need buntdb"
	ErrProtoVersion  Reply = "ERR Protocol version is not an integer or out of range"
	ErrInvalidClient Reply = "ERR Invalid client ID"
	ErrClientIDZero  Reply = "ERR client-id should be greater than 0"
	ErrHelloNoAuth   Reply = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	ErrLibName       Reply = "ERR lib-name cannot contain spaces, newlines or special characters."
	ErrSlowLogCount  Reply = "ERR count should be greater than or equal to -1"
)

// InvalidExpire is Redis's error for an expire time that overflows.
func InvalidExpire(cmd string) Reply {
	return Reply("ERR invalid expire time in '" + cmd + "' command")
}

// UnsupportedOption is Redis's error for an unknown EXPIRE option.
func UnsupportedOption(opt string) Reply { return Reply("ERR Unsupported option " + opt) }

// HelloOption is Redis's error for a bad HELLO option.
func HelloOption(opt string) Reply { return Reply("ERR Syntax error in HELLO option '" + opt + "'") }

// UnknownClientType is Redis's error for CLIENT LIST TYPE x.
func UnknownClientType(t string) Reply { return Reply("ERR Unknown client type '" + t + "'") }

// UnrecognizedOption is Redis's error for CLIENT SETINFO x.
func UnrecognizedOption(opt string) Reply { return Reply("ERR Unrecognized option '" + opt + "'") }

// WrongArity returns Redis's arity error for command name (lower case).
func WrongArity(name string) Reply {
	return Reply("ERR wrong number of arguments for '" + strings.ToLower(name) + "' command")
}

// UnknownCommand returns Redis's unknown-command error.
func UnknownCommand(args [][]byte) Reply {
	var b strings.Builder
	for _, a := range args[1:] {
		if b.Len() >= 128 {
			break
		}
		room := 128 - b.Len()
		if len(a) > room {
			a = a[:room]
		}
		b.WriteString("'" + string(a) + "' ")
	}
	name := args[0]
	if len(name) > 128 {
		name = name[:128]
	}
	return Reply("ERR unknown command '" + string(name) + "', with args beginning with: " + b.String())
}

// UnknownSubcommand returns Redis's unknown-subcommand error.
func UnknownSubcommand(sub []byte, cmd string) Reply {
	return Reply("ERR unknown subcommand '" + string(sub) + "'. Try " + strings.ToUpper(cmd) + " HELP.")
}

// ErrorText maps any error to its wire text: the one place where engine
// sentinels become code words.
func ErrorText(err error) string {
	var r Reply
	if errors.As(err, &r) {
		return string(r)
	}
	msg := err.Error()
	var e *engine.Error
	if errors.As(err, &e) {
		msg = e.Msg
	}
	switch {
	case errors.Is(err, engine.ErrInvalid):
		return "INVALID " + msg
	case errors.Is(err, engine.ErrNotFound):
		return "NOTFOUND " + msg
	case errors.Is(err, engine.ErrConflict):
		return "CONFLICT " + msg
	case errors.Is(err, engine.ErrLoading):
		return string(ErrLoading)
	case errors.Is(err, engine.ErrUnavailable):
		return "UNAVAILABLE " + msg
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "UNAVAILABLE " + msg
	}
	return "ERR " + msg
}
