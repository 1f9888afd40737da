package index

import (
	"math"
	"slices"

	"github.com/imredis/imredis/engine"
)

// plan returns the trees whose union drives a query: the cheapest dimension of
// the filter, or every incident when the filter has no dimension. ok is false
// when the filter can match nothing.
func (d *DB) plan(f *engine.Filter) (drive []*tree, dims int, ok bool) {
	if f.Empty {
		return nil, 0, false
	}
	best, bestCost := []*tree{d.all}, d.all.Len()
	consider := func(ts []*tree) {
		dims++
		cost := 0
		for _, t := range ts {
			cost += t.Len()
		}
		if cost < bestCost || dims == 1 && cost <= bestCost {
			best, bestCost = ts, cost
		}
	}
	if f.Severities != 0 {
		consider(masked(d.severity[:], f.Severities))
	}
	if f.States != 0 {
		consider(masked(d.state[:], f.States))
	}
	if f.Types != 0 {
		consider(masked(d.typ[:], f.Types))
	}
	if len(f.Sources) > 0 {
		consider(lookup(f.Sources, func(v string) *tree { return d.source[v] }))
	}
	if len(f.Fingerprints) > 0 {
		consider(lookup(f.Fingerprints, func(fp string) *tree { return d.fp.tree(d, fp) }))
	}
	for _, l := range f.Labels {
		consider(lookup([]engine.Label{l}, func(v engine.Label) *tree { return d.label[v] }))
	}
	return best, dims, bestCost > 0
}

func masked(ts []*tree, mask uint8) []*tree {
	var out []*tree
	for i, t := range ts {
		if mask&(1<<i) != 0 {
			out = append(out, t)
		}
	}
	return out
}

// lookup returns the trees of the distinct keys that have incidents.
func lookup[K comparable](keys []K, treeOf func(K) *tree) []*tree {
	var out []*tree
	for i, k := range keys {
		if slices.Contains(keys[:i], k) {
			continue // one tree per distinct value: the trees must not overlap
		}
		if t := treeOf(k); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// Each calls fn for every incident matching f, in (created_at, id) order
// (descending when desc), starting strictly after the position after when it
// is non-nil, until fn returns false.
func (d *DB) Each(f *engine.Filter, desc bool, after *engine.Position, fn func(*engine.Meta) bool) {
	drive, _, ok := d.plan(f)
	if !ok {
		return
	}
	m := newMerge(d, drive, f, desc, after)
	defer m.release()
	for {
		item := m.next()
		if item == nil {
			return
		}
		if f.Match(item) && !fn(item) {
			return
		}
	}
}

// Count returns how many incidents match f.
func (d *DB) Count(f *engine.Filter) int64 {
	drive, dims, ok := d.plan(f)
	if !ok {
		return 0
	}
	unbounded := f.Since == math.MinInt64 && f.Until == math.MaxInt64
	if unbounded && dims <= 1 {
		// One dimension's values are disjoint, so the sizes add up.
		n := 0
		for _, t := range drive {
			n += t.Len()
		}
		return int64(n)
	}
	var n int64
	d.Each(f, false, nil, func(*engine.Meta) bool { n++; return true })
	return n
}

// List answers a query: the matching incidents of the page and, when more
// follow, the position of the last one.
func (d *DB) List(q *engine.Query) ([]*engine.Meta, *engine.Position) {
	var out []*engine.Meta
	skip, more := q.Offset, false
	if q.Count <= 0 {
		return nil, nil
	}
	d.Each(&q.Filter, q.Desc, q.After, func(m *engine.Meta) bool {
		if skip > 0 {
			skip--
			return true
		}
		if len(out) == q.Count {
			more = true
			return false
		}
		out = append(out, m)
		return true
	})
	if !more {
		return out, nil
	}
	last := out[len(out)-1]
	return out, &engine.Position{Created: last.Created, ID: last.ID}
}
