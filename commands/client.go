package commands

import (
	"strconv"
	"strings"
	"time"

	"github.com/imredis/imredis/resp"
)

// CLIENT ID | SETNAME name | GETNAME | SETINFO LIB-NAME|LIB-VER value | INFO |
//        LIST [TYPE normal] [ID id ...] | KILL addr | KILL [ID id] [ADDR addr] [LADDR addr] [SKIPME yes|no] |
//        NO-EVICT ON|OFF | NO-TOUCH ON|OFF | HELP

func registerClient(t *resp.Table, d *Deps) {
	t.Register(resp.Command{Name: "client", Arity: -2, Flags: resp.FlagConnection | resp.FlagNoAuth | resp.FlagLoading,
		Group: "connection", Syntax: "subcommand [arg ...]", Summary: "Inspects and manages client connections.", Handler: cmdClient})
}

type clientSub struct {
	arity int
	run   func(c *resp.Ctx, a [][]byte)
}

var clientSubs = map[string]clientSub{
	"id":       {2, func(c *resp.Ctx, a [][]byte) { c.W.Int(c.ID) }},
	"setname":  {3, clientSetName},
	"getname":  {2, clientGetName},
	"setinfo":  {4, clientSetInfo},
	"info":     {2, func(c *resp.Ctx, a [][]byte) { c.W.Verbatim("txt", c.Info(time.Now())+"\n") }},
	"list":     {-2, clientList},
	"kill":     {-3, clientKill},
	"no-evict": {3, clientOnOff},
	"no-touch": {3, clientOnOff},
	"help":     {2, clientHelp},
}

func cmdClient(c *resp.Ctx, a [][]byte) {
	name := strings.ToLower(string(a[1]))
	sub, ok := clientSubs[name]
	if !ok {
		c.W.Err(resp.UnknownSubcommand(a[1], "client"))
		return
	}
	if !resp.ArityOK(sub.arity, len(a)) {
		c.W.Err(resp.WrongArity("client|" + name))
		return
	}
	if !c.Authed() && name != "help" {
		c.W.Err(resp.ErrNoAuth)
		return
	}
	sub.run(c, a)
}

// validClientName refuses spaces, newlines and other special characters, as Redis does.
func validClientName(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] < '!' || n[i] > '~' {
			return false
		}
	}
	return true
}

func clientSetName(c *resp.Ctx, a [][]byte) {
	if !validClientName(string(a[2])) {
		c.W.Err(resp.ErrClientName)
		return
	}
	c.SetName(string(a[2]))
	c.W.Simple("OK")
}

func clientGetName(c *resp.Ctx, a [][]byte) {
	if n := c.Name(); n != "" {
		c.W.BulkString(n)
		return
	}
	c.W.Null()
}

func clientSetInfo(c *resp.Ctx, a [][]byte) {
	v := string(a[3])
	switch strings.ToUpper(string(a[2])) {
	case "LIB-NAME":
		if strings.ContainsAny(v, " \r\n") {
			c.W.Err(resp.ErrLibName)
			return
		}
		c.SetLib(&v, nil)
	case "LIB-VER":
		c.SetLib(nil, &v)
	default:
		c.W.Err(resp.UnrecognizedOption(string(a[2])))
		return
	}
	c.W.Simple("OK")
}

func clientList(c *resp.Ctx, a [][]byte) {
	var ids map[int64]bool
	r := newArgs(a[2:])
	for r.more() {
		switch r.keyword() {
		case "TYPE":
			v, err := r.value()
			if err != nil {
				c.W.Err(err)
				return
			}
			if !strings.EqualFold(v, "normal") && !strings.EqualFold(v, "pubsub") {
				c.W.Err(resp.UnknownClientType(v))
				return
			}
		case "ID":
			ids = map[int64]bool{}
			for r.more() {
				id, err := strconv.ParseInt(string(a[2+r.i]), 10, 64)
				if err != nil || id <= 0 {
					c.W.Err(resp.ErrInvalidClient)
					return
				}
				ids[id] = true
				r.i++
			}
		default:
			c.W.Err(resp.ErrSyntax)
			return
		}
	}
	var b strings.Builder
	now := time.Now()
	for _, cl := range c.Server().Clients() {
		if ids == nil || ids[cl.ID] {
			b.WriteString(cl.Info(now))
			b.WriteByte('\n')
		}
	}
	c.W.Verbatim("txt", b.String())
}

func clientKill(c *resp.Ctx, a [][]byte) {
	if len(a) == 3 { // old form: CLIENT KILL addr
		for _, cl := range c.Server().Clients() {
			if cl.Addr == string(a[2]) {
				cl.Kill()
				c.W.Simple("OK")
				return
			}
		}
		c.W.Err(resp.ErrNoSuchClient)
		return
	}
	match, skipMe, err := parseKillFilters(a[2:])
	if err != nil {
		c.W.Err(err)
		return
	}
	killed := 0
	for _, cl := range c.Server().Clients() {
		if (cl.ID == c.ID && skipMe) || !match(cl) {
			continue
		}
		if cl.ID == c.ID {
			c.Close()
		} else {
			cl.Kill()
		}
		killed++
	}
	c.W.Int(int64(killed))
}

func parseKillFilters(a [][]byte) (func(*resp.Client) bool, bool, error) {
	var checks []func(*resp.Client) bool
	skipMe := true
	r := newArgs(a)
	for r.more() {
		kw := r.keyword()
		v, err := r.value()
		if err != nil {
			return nil, false, err
		}
		switch kw {
		case "ID":
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return nil, false, resp.ErrClientIDZero
			}
			checks = append(checks, func(cl *resp.Client) bool { return cl.ID == id })
		case "ADDR":
			checks = append(checks, func(cl *resp.Client) bool { return cl.Addr == v })
		case "LADDR":
			checks = append(checks, func(cl *resp.Client) bool { return cl.LAddr == v })
		case "SKIPME":
			switch strings.ToLower(v) {
			case "yes", "no":
				skipMe = strings.EqualFold(v, "yes")
			default:
				return nil, false, resp.ErrSyntax
			}
		default:
			return nil, false, resp.ErrSyntax
		}
	}
	return func(cl *resp.Client) bool {
		for _, ok := range checks {
			if !ok(cl) {
				return false
			}
		}
		return true
	}, skipMe, nil
}

func clientOnOff(c *resp.Ctx, a [][]byte) {
	switch strings.ToUpper(string(a[2])) {
	case "ON", "OFF":
		c.W.Simple("OK")
	default:
		c.W.Err(resp.ErrSyntax)
	}
}

func clientHelp(c *resp.Ctx, a [][]byte) {
	c.W.StringList([]string{
		"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
		"ID", "    Return the ID of the current connection.",
		"SETNAME <name>", "    Assign the name <name> to the current connection.",
		"GETNAME", "    Return the name of the current connection.",
		"SETINFO <LIB-NAME|LIB-VER> <value>", "    Set client library name or version.",
		"INFO", "    Return information about the current client connection.",
		"LIST [TYPE normal] [ID <id> [<id> ...]]", "    Return information about client connections.",
		"KILL <ip:port> | KILL [ID <id>] [ADDR <ip:port>] [LADDR <ip:port>] [SKIPME yes|no]", "    Kill connections.",
		"NO-EVICT (ON|OFF)", "    Accepted for compatibility.",
		"NO-TOUCH (ON|OFF)", "    Accepted for compatibility.",
		"HELP", "    Print this help.",
	})
}
