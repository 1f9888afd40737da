package commands

import (
	"github.com/imredis/imredis/resp"
)

// HELLO [protover [AUTH username password] [SETNAME clientname]]

type helloArgs struct {
	proto      int // 0 when not given
	user, pass *string
	name       *string
}

func parseHello(a [][]byte) (helloArgs, error) {
	var out helloArgs
	if len(a) < 2 {
		return out, nil
	}
	v, err := parseInt(string(a[1]))
	if err != nil {
		return out, resp.Reply("ERR Protocol version is not an integer or out of range")
	}
	if v < 2 || v > 3 {
		return out, resp.ErrNoProto
	}
	out.proto = int(v)
	r := newArgs(a[2:])
	for r.more() {
		switch kw := r.keyword(); {
		case kw == "AUTH" && out.user == nil:
			u, err1 := r.value()
			p, err2 := r.value()
			if err1 != nil || err2 != nil {
				return out, resp.Reply("ERR Syntax error in HELLO option 'auth'")
			}
			out.user, out.pass = &u, &p
		case kw == "SETNAME" && out.name == nil:
			n, err := r.value()
			if err != nil {
				return out, resp.Reply("ERR Syntax error in HELLO option 'setname'")
			}
			out.name = &n
		default:
			return out, resp.Reply("ERR Syntax error in HELLO option '" + string(a[1+r.i]) + "'")
		}
	}
	return out, nil
}

const errHelloNoAuth resp.Reply = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"

func (d *Deps) cmdHello(c *resp.Ctx, a [][]byte) {
	args, err := parseHello(a)
	if err == nil && args.proto == 3 && d.Config.NoRESP3 {
		err = resp.ErrNoProto
	}
	if err != nil {
		c.W.Err(err)
		return
	}
	if args.name != nil && !validClientName(*args.name) {
		c.W.Err(resp.ErrClientName)
		return
	}
	if args.user != nil {
		if !d.checkAuth(*args.user, *args.pass) {
			c.W.Err(resp.ErrWrongPass)
			return
		}
		c.SetAuthed(*args.user)
	}
	if !c.Authed() {
		c.W.Err(errHelloNoAuth)
		return
	}
	if args.name != nil {
		c.SetName(*args.name)
	}
	if args.proto != 0 {
		c.SetProto(args.proto)
		c.W.Reset(args.proto)
	}
	w := c.W
	w.Map(8)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(d.Config.RedisVersion)
	w.BulkString("proto")
	w.Int(int64(c.Proto()))
	w.BulkString("id")
	w.Int(c.ID)
	w.BulkString("mode")
	w.BulkString("standalone")
	w.BulkString("role")
	w.BulkString("master")
	w.BulkString("modules")
	w.Array(0)
	w.BulkString("imredis_version")
	w.BulkString(d.Config.Version)
}
