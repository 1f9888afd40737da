package upstream

import (
	"context"

	"github.com/imredis/imredis/engine"
	"github.com/redis/go-redis/v9"
)

// query runs queryScript for f in mode "list" or "count".
func (s *Store) query(ctx context.Context, c *redis.Client, mode string, f *engine.Filter, desc bool,
	after *engine.Position, offset, limit int) *redis.Cmd {
	groups := s.keys.groups(f)
	lo, hi := bounds(f, desc, after)
	d := "0"
	if desc {
		d = "1"
	}
	var ks []string
	args := []any{mode, d, lo, hi, offset, limit, s.keys.incident(""), len(groups)}
	for _, g := range groups {
		ks = append(ks, g...)
		args = append(args, len(g))
	}
	return queryScript.Run(ctx, c, ks, args...)
}

// List returns one page of q, read by one script from the p:by: zsets and
// the documents.
func (s *Store) List(ctx context.Context, n int, q engine.Query) (engine.Page, error) {
	c, err := s.client(n)
	if err != nil || q.Count <= 0 || q.Filter.Empty {
		return engine.Page{}, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	pairs, err := s.query(ctx, c, "list", &q.Filter, q.Desc, q.After, q.Offset, q.Count+1).StringSlice()
	if err != nil {
		return engine.Page{}, s.fail(err)
	}
	var page engine.Page
	for i := 0; i+1 < len(pairs); i += 2 {
		if len(page.Docs) == q.Count {
			if pos, ok := position(pairs[i-2]); ok {
				page.Next = &pos
			}
			break
		}
		page.Docs = append(page.Docs, []byte(pairs[i+1]))
	}
	return page, nil
}

// Count returns how many incidents match f, counted inside Redis: ZLEXCOUNT
// for one dimension, a walk of the smallest dimension otherwise.
func (s *Store) Count(ctx context.Context, n int, f engine.Filter) (int64, error) {
	c, err := s.client(n)
	if err != nil || f.Empty {
		return 0, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	count, err := s.query(ctx, c, "count", &f, false, nil, 0, 0).Int64()
	return count, s.fail(err)
}
