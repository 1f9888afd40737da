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
		return out, resp.ErrProtoVersion
	}
	if v < 2 || v > 3 {
		return out, resp.ErrNoProto
	}
	out.proto = int(v)
	r := newArgs(a[2:])
	for r.more() {
		switch kw := r.keyword(); {
		case kw == "AUTH" && out.user == nil:
			opt := string(a[1+r.i])
			u, err1 := r.value()
			p, err2 := r.value()
			if err1 != nil || err2 != nil {
				return out, resp.HelloOption(opt)
			}
			out.user, out.pass = &u, &p
		case kw == "SETNAME" && out.name == nil:
			opt := string(a[1+r.i])
			n, err := r.value()
			if err != nil {
				return out, resp.HelloOption(opt)
			}
			out.name = &n
		default:
			return out, resp.HelloOption(string(a[1+r.i]))
		}
	}
	return out, nil
}

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
		c.W.Err(resp.ErrHelloNoAuth)
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
