package commands

import (
	"crypto/subtle"

	"github.com/imredis/imredis/resp"
)

func registerConnection(t *resp.Table, d *Deps) {
	const g = "connection"
	na, ld, sub := resp.FlagNoAuth, resp.FlagLoading, resp.FlagSubscribed
	conn := resp.FlagConnection | resp.FlagFast
	for _, c := range []resp.Command{
		{Name: "ping", Arity: -1, Flags: conn | ld | sub, Syntax: "[message]", Summary: "Returns the server's liveliness response.", Handler: cmdPing},
		{Name: "echo", Arity: 2, Flags: conn | ld, Syntax: "message", Summary: "Returns the given string.", Handler: cmdEcho},
		{Name: "quit", Arity: -1, Flags: conn | na | ld | sub, Syntax: "", Summary: "Closes the connection.", Handler: cmdQuit},
		{Name: "select", Arity: 2, Flags: conn | ld, Syntax: "index", Summary: "Changes the selected database.", Handler: d.cmdSelect},
		{Name: "hello", Arity: -1, Flags: conn | na | ld, Syntax: "[protover [AUTH username password] [SETNAME clientname]]", Summary: "Handshakes with the server.", Handler: d.cmdHello},
		{Name: "auth", Arity: -2, Flags: conn | na | ld, Syntax: "[username] password", Summary: "Authenticates the connection.", Handler: d.cmdAuth},
		{Name: "reset", Arity: 1, Flags: conn | na | ld | sub, Syntax: "", Summary: "Resets the connection.", Handler: d.cmdReset},
	} {
		c.Group = g
		t.Register(c)
	}
}

// PING [message]
func cmdPing(c *resp.Ctx, a [][]byte) {
	if len(a) > 2 {
		c.W.Err(resp.WrongArity("ping"))
		return
	}
	if c.Subscribed() && c.Proto() == 2 {
		c.W.Array(2)
		c.W.BulkString("pong")
		if len(a) == 2 {
			c.W.Bulk(a[1])
		} else {
			c.W.BulkString("")
		}
		return
	}
	switch len(a) {
	case 1:
		c.W.Simple("PONG")
	case 2:
		c.W.Bulk(a[1])
	}
}

// ECHO message
func cmdEcho(c *resp.Ctx, a [][]byte) { c.W.Bulk(a[1]) }

// QUIT
func cmdQuit(c *resp.Ctx, a [][]byte) {
	c.W.Simple("OK")
	c.Close()
}

// SELECT index
func (d *Deps) cmdSelect(c *resp.Ctx, a [][]byte) {
	n, err := parseInt(string(a[1]))
	if err != nil {
		c.W.Err(err)
		return
	}
	if n < 0 || n >= int64(d.Config.Databases) {
		c.W.Err(resp.ErrDBIndex)
		return
	}
	c.SetDB(int(n))
	c.W.Simple("OK")
}

// checkAuth reports whether user/pass is a configured pair. An empty user
// means the default user.
func (d *Deps) checkAuth(user, pass string) bool {
	want, ok := "", false
	if user == "" || user == "default" {
		want, ok = d.Config.Password, true
		if want == "" {
			// The default user has no password only while authentication is off.
			return !d.Config.AuthRequired()
		}
	} else {
		want, ok = d.Config.Users[user]
	}
	return ok && subtle.ConstantTimeCompare([]byte(want), []byte(pass)) == 1
}

// AUTH [username] password
func (d *Deps) cmdAuth(c *resp.Ctx, a [][]byte) {
	if len(a) > 3 {
		c.W.Err(resp.ErrSyntax)
		return
	}
	user, pass := "default", string(a[len(a)-1])
	if len(a) == 3 {
		user = string(a[1])
	} else if d.Config.Password == "" {
		c.W.Err(resp.ErrNoPassword)
		return
	}
	if !d.checkAuth(user, pass) {
		c.W.Err(resp.ErrWrongPass)
		return
	}
	c.SetAuthed(user)
	c.W.Simple("OK")
}

// RESET
func (d *Deps) cmdReset(c *resp.Ctx, a [][]byte) {
	c.ResetConn(!d.Config.AuthRequired())
	c.W.Reset(2)
	c.W.Simple("RESET")
}
