package commands

import (
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// INC.UPDATE json [IFMATCH updated_at]

type updateArgs struct {
	doc     []byte
	ifMatch *int64
}

func parseUpdate(a [][]byte) (updateArgs, error) {
	out := updateArgs{doc: a[1]}
	r := newArgs(a[2:])
	for r.more() {
		if r.keyword() != "IFMATCH" || out.ifMatch != nil {
			return out, resp.ErrSyntax
		}
		v, err := r.value()
		if err != nil {
			return out, err
		}
		ns, ok := engine.ParseTime(v)
		if !ok {
			return out, engine.Invalidf("IFMATCH must be an RFC 3339 timestamp")
		}
		out.ifMatch = &ns
	}
	return out, nil
}

func (d *Deps) cmdUpdate(c *resp.Ctx, a [][]byte) {
	args, err := parseUpdate(a)
	if err != nil {
		c.W.Err(err)
		return
	}
	inc, err := engine.ParseShared(args.doc, d.Config.MaxIncidentBytes, d.now())
	if err != nil {
		c.W.Err(err)
		return
	}
	defer inc.Release()
	at, err := d.Store.Update(c.Context(), c.DB(), inc, args.ifMatch)
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.BulkString(at)
}
