package commands

import "github.com/imredis/imredis/resp"

// INC.DEL id [id ...]

func (d *Deps) cmdDel(c *resp.Ctx, a [][]byte) {
	ids := make([]string, len(a)-1)
	for i, id := range a[1:] {
		ids[i] = string(id)
	}
	n, err := d.Store.Delete(c.Context(), c.DB(), ids)
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.Int(int64(n))
}
