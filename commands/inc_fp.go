package commands

import (
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// INC.FP fingerprint [ACTIVE] [LIMIT offset count]

func parseFP(a [][]byte, maxPage int) (engine.Query, error) {
	q := engine.Query{Filter: engine.AnyFilter(), Desc: true, Count: maxPage}
	q.Filter.Fingerprints = []string{string(a[1])}
	seen := once{}
	r := newArgs(a[2:])
	for r.more() {
		kw := r.keyword()
		if err := seen.mark(kw); err != nil {
			return q, err
		}
		switch kw {
		case "ACTIVE":
			q.Filter.States = engine.ActiveStates
		case "LIMIT":
			off, err := r.int()
			if err != nil {
				return q, err
			}
			n, err := r.int()
			if err != nil {
				return q, err
			}
			if err := setPage(&q, off, n, maxPage); err != nil {
				return q, err
			}
		default:
			return q, resp.ErrSyntax
		}
	}
	q.Filter.Normalize()
	return q, nil
}

func (d *Deps) cmdFP(c *resp.Ctx, a [][]byte) {
	q, err := parseFP(a, d.Config.MaxPageSize)
	if err != nil {
		c.W.Err(err)
		return
	}
	page, err := d.Store.List(c.Context(), c.DB(), q)
	if err != nil {
		c.W.Err(err)
		return
	}
	docs(c.W, page.Docs)
}
