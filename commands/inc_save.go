package commands

import (
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// INC.SAVE json [DEDUP]

type saveArgs struct {
	doc   []byte
	dedup bool
}

func parseSave(a [][]byte) (saveArgs, error) {
	out := saveArgs{doc: a[1]}
	r := newArgs(a[2:])
	for r.more() {
		if r.keyword() != "DEDUP" || out.dedup {
			return out, resp.ErrSyntax
		}
		out.dedup = true
	}
	return out, nil
}

func (d *Deps) cmdSave(c *resp.Ctx, a [][]byte) {
	args, err := parseSave(a)
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
	if !args.dedup {
		if err := d.Store.Save(c.Context(), c.DB(), inc); err != nil {
			c.W.Err(err)
			return
		}
		c.W.BulkString(inc.ID)
		return
	}
	id, created, err := d.Store.SaveDedup(c.Context(), c.DB(), inc)
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.Array(2)
	c.W.BulkString(id)
	if created {
		c.W.Int(1)
	} else {
		c.W.Int(0)
	}
}
