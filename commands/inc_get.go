package commands

import "github.com/imredis/imredis/resp"

// INC.GET id
// INC.MGET id [id ...]

func (d *Deps) cmdGet(c *resp.Ctx, a [][]byte) {
	doc, err := d.Store.Get(c.Context(), c.DB(), string(a[1]))
	switch {
	case err != nil:
		c.W.Err(err)
	case doc == nil:
		c.W.Null()
	default:
		c.W.Bulk(doc)
	}
}

func (d *Deps) cmdMGet(c *resp.Ctx, a [][]byte) {
	ids := make([]string, len(a)-1)
	for i, id := range a[1:] {
		ids[i] = string(id)
	}
	list, err := d.Store.MGet(c.Context(), c.DB(), ids)
	if err != nil {
		c.W.Err(err)
		return
	}
	docs(c.W, list)
}
