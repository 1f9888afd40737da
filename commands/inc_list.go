package commands

import (
	"strings"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// INC.LIST [filter ...] [ORDER ASC|DESC] [LIMIT offset count | PAGE n PAGESIZE m] [CURSOR c] [WITHCURSOR]
// INC.COUNT [filter ...]

const defaultPage = 50

type listArgs struct {
	query      engine.Query
	cursor     *engine.Cursor
	withCursor bool
}

func parseList(a [][]byte, maxPage int) (listArgs, error) {
	out := listArgs{query: engine.Query{Filter: engine.AnyFilter(), Desc: true, Count: defaultPage}}
	q, seen := &out.query, once{}
	r := newArgs(a)
	for r.more() {
		kw := r.keyword()
		if ok, err := parseFilterArg(kw, r, &q.Filter, seen); ok || err != nil {
			if err != nil {
				return out, err
			}
			continue
		}
		if err := parseListOption(kw, r, &out, seen, maxPage); err != nil {
			return out, err
		}
	}
	if seen["LIMIT"] && seen["PAGE"] {
		return out, resp.ErrSyntax
	}
	finishFilter(&q.Filter, seen)
	if out.withCursor && q.Count == 0 {
		return out, engine.Invalidf("WITHCURSOR needs a count above 0")
	}
	if c := out.cursor; c != nil {
		if c.Desc != q.Desc || c.Key != q.Filter.Key() {
			return out, engine.Invalidf("cursor was issued for other filters or another order")
		}
		q.After = &c.Pos
	}
	return out, nil
}

func parseListOption(kw string, r *args, out *listArgs, seen once, maxPage int) error {
	if err := seen.mark(kw); err != nil {
		return err
	}
	q := &out.query
	switch kw {
	case "ORDER":
		v, err := r.value()
		if err != nil {
			return err
		}
		switch up := strings.ToUpper(v); up {
		case "ASC", "DESC":
			q.Desc = up == "DESC"
		default:
			return resp.ErrSyntax
		}
	case "LIMIT":
		off, err := r.int()
		if err != nil {
			return err
		}
		n, err := r.int()
		if err != nil {
			return err
		}
		return setPage(q, off, n, maxPage)
	case "PAGE":
		page, err := r.int()
		if err != nil {
			return err
		}
		if !r.more() || r.keyword() != "PAGESIZE" {
			return resp.ErrSyntax
		}
		size, err := r.int()
		if err != nil {
			return err
		}
		if page < 0 || size < 0 || (size > 0 && page > (1<<40)/size) {
			return engine.Invalidf("PAGE and PAGESIZE must be non-negative")
		}
		return setPage(q, page*size, size, maxPage)
	case "CURSOR":
		v, err := r.value()
		if err != nil || v == "0" {
			return err
		}
		c, err := engine.DecodeCursor(v)
		if err != nil {
			return err
		}
		out.cursor = &c
	case "WITHCURSOR":
		out.withCursor = true
	default:
		return resp.ErrSyntax
	}
	return nil
}

func setPage(q *engine.Query, off, n int64, maxPage int) error {
	if off < 0 || n < 0 || off > 1<<40 {
		return engine.Invalidf("LIMIT offset and count must be non-negative")
	}
	if n > int64(maxPage) {
		return engine.Invalidf("count %d is above max-page-size %d", n, maxPage)
	}
	q.Offset, q.Count = int(off), int(n)
	return nil
}

func (d *Deps) cmdList(c *resp.Ctx, a [][]byte) {
	args, err := parseList(a[1:], d.Config.MaxPageSize)
	if err != nil {
		c.W.Err(err)
		return
	}
	page, err := d.Store.List(c.Context(), c.DB(), args.query)
	if err != nil {
		c.W.Err(err)
		return
	}
	if !args.withCursor {
		docs(c.W, page.Docs)
		return
	}
	next := "0"
	if page.Next != nil {
		next = engine.Cursor{Pos: *page.Next, Desc: args.query.Desc, Key: args.query.Filter.Key()}.Encode()
	}
	c.W.Array(2)
	c.W.BulkString(next)
	docs(c.W, page.Docs)
}

func (d *Deps) cmdCount(c *resp.Ctx, a [][]byte) {
	f, err := parseFilter(a[1:])
	if err != nil {
		c.W.Err(err)
		return
	}
	n, err := d.Store.Count(c.Context(), c.DB(), f)
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.Int(n)
}
