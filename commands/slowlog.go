package commands

import (
	"strings"

	"github.com/imredis/imredis/resp"
)

// SLOWLOG GET [count] | LEN | RESET | HELP

func registerSlowLog(t *resp.Table, d *Deps) {
	t.Register(resp.Command{Name: "slowlog", Arity: -2, Flags: resp.FlagAdmin | resp.FlagLoading, Group: "server", Since: "2.2.12",
		Syntax: "GET [count] | LEN | RESET", Summary: "Returns or resets the log of slow commands.", Handler: cmdSlowLog})
}

// parseSlowLogCount reads SLOWLOG GET's count: default 10, -1 for all.
func parseSlowLogCount(a [][]byte) (int, error) {
	if len(a) == 2 {
		return 10, nil
	}
	if len(a) > 3 {
		return 0, resp.WrongArity("slowlog|get")
	}
	n, err := parseInt(string(a[2]))
	if err != nil || n < -1 {
		return 0, resp.ErrSlowLogCount
	}
	return int(n), nil
}

func cmdSlowLog(c *resp.Ctx, a [][]byte) {
	srv := c.Server()
	sub := strings.ToLower(string(a[1]))
	if sub != "get" && len(a) != 2 {
		c.W.Err(resp.WrongArity("slowlog|" + sub))
		return
	}
	switch sub {
	case "get":
		n, err := parseSlowLogCount(a)
		if err != nil {
			c.W.Err(err)
			return
		}
		entries := srv.SlowLog(n)
		c.W.Array(len(entries))
		for _, e := range entries {
			c.W.Array(6)
			c.W.Int(e.ID)
			c.W.Int(e.At.Unix())
			c.W.Int(e.Duration.Microseconds())
			c.W.StringList(e.Args)
			c.W.BulkString(e.Addr)
			c.W.BulkString(e.Name)
		}
	case "len":
		c.W.Int(int64(srv.SlowLogLen()))
	case "reset":
		srv.SlowLogReset()
		c.W.Simple("OK")
	case "help":
		c.W.StringList([]string{"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"GET [<count>]", "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
			"LEN", "    Return the length of the slowlog.",
			"RESET", "    Reset the slowlog.",
			"HELP", "    Print this help."})
	default:
		c.W.Err(resp.UnknownSubcommand(a[1], "slowlog"))
	}
}
