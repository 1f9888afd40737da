package commands

import (
	"strings"

	"github.com/imredis/imredis/resp"
)

// COMMAND [COUNT | INFO [name ...] | DOCS [name ...] | LIST | HELP]

func cmdCommand(c *resp.Ctx, a [][]byte) {
	t := c.Server().Table()
	if len(a) == 1 {
		all := t.All()
		c.W.Array(len(all))
		for _, cmd := range all {
			commandInfo(c.W, cmd)
		}
		return
	}
	sub := strings.ToLower(string(a[1]))
	if (sub == "count" || sub == "list" || sub == "help") && len(a) != 2 {
		c.W.Err(resp.WrongArity("command|" + sub))
		return
	}
	switch sub {
	case "count":
		c.W.Int(int64(t.Len()))
	case "list":
		all := t.All()
		c.W.Array(len(all))
		for _, cmd := range all {
			c.W.BulkString(cmd.Name)
		}
	case "info":
		cmds := pick(t, a[2:])
		c.W.Array(len(cmds))
		for _, cmd := range cmds {
			if cmd == nil {
				c.W.NullArray()
				continue
			}
			commandInfo(c.W, cmd)
		}
	case "docs":
		commandDocs(c.W, t, a[2:])
	case "help":
		c.W.StringList([]string{"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"(no subcommand)", "    Return details about all commands.",
			"COUNT", "    Return the total number of commands in this server.",
			"LIST", "    Return a list of all commands in this server.",
			"INFO [<command-name> ...]", "    Return details about multiple commands.",
			"DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
			"HELP", "    Print this help."})
	default:
		c.W.Err(resp.UnknownSubcommand(a[1], "command"))
	}
}

// pick returns the named commands (nil for unknown ones), or all when names is empty.
func pick(t *resp.Table, names [][]byte) []*resp.Command {
	if len(names) == 0 {
		return t.All()
	}
	out := make([]*resp.Command, len(names))
	for i, n := range names {
		out[i] = t.Lookup(strings.ToLower(string(n)))
	}
	return out
}

// commandInfo writes one COMMAND INFO entry in Redis 7's ten-element shape.
func commandInfo(w *resp.Writer, cmd *resp.Command) {
	w.Array(10)
	w.BulkString(cmd.Name)
	w.Int(int64(cmd.Arity))
	flags := cmd.Flags.Names()
	w.Set(len(flags))
	for _, f := range flags {
		w.Simple(f)
	}
	for _, k := range cmd.Keys {
		w.Int(int64(k))
	}
	cats := aclCategories(cmd)
	w.Set(len(cats))
	for _, cat := range cats {
		w.Simple(cat)
	}
	w.Set(0)   // tips
	w.Array(0) // key specs
	w.Array(0) // subcommands
}

func aclCategories(cmd *resp.Command) []string {
	var out []string
	switch {
	case cmd.Flags&resp.FlagWrite != 0:
		out = append(out, "@write")
	case cmd.Flags&resp.FlagReadOnly != 0:
		out = append(out, "@read")
	}
	if cmd.Flags&resp.FlagAdmin != 0 {
		out = append(out, "@admin", "@dangerous")
	}
	if cmd.Flags&resp.FlagConnection != 0 {
		out = append(out, "@connection")
	}
	if cmd.Flags&resp.FlagPubSub != 0 {
		out = append(out, "@pubsub")
	}
	if cmd.Flags&resp.FlagFast != 0 {
		out = append(out, "@fast")
	} else {
		out = append(out, "@slow")
	}
	return out
}

// commandDocs writes COMMAND DOCS: a map of name to its documentation map.
func commandDocs(w *resp.Writer, t *resp.Table, names [][]byte) {
	var cmds []*resp.Command
	for _, cmd := range pick(t, names) {
		if cmd != nil {
			cmds = append(cmds, cmd)
		}
	}
	w.Map(len(cmds))
	for _, cmd := range cmds {
		w.BulkString(cmd.Name)
		w.Map(4)
		w.BulkString("summary")
		w.BulkString(cmd.Summary)
		w.BulkString("since")
		w.BulkString(cmd.Since)
		w.BulkString("group")
		w.BulkString(cmd.Group)
		w.BulkString("syntax")
		w.BulkString(strings.ToUpper(cmd.Name) + " " + cmd.Syntax)
	}
}
