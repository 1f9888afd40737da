package index

import (
	"math"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/btree"
)

// cursor walks one tree in query order within the time bounds.
type cursor struct {
	it   btree.IterG[item]
	item *engine.Meta
}

// merge yields the union of several trees in query order. The trees of one
// dimension are disjoint, so no item repeats.
type merge struct {
	d            *DB
	cs           []*cursor
	desc         bool
	since, until int64
}

func newMerge(d *DB, ts []*tree, f *engine.Filter, desc bool, after *engine.Position) *merge {
	m := &merge{d: d, desc: desc, since: f.Since, until: f.Until}
	for _, t := range ts {
		c := &cursor{it: t.Iter()}
		if m.start(c, after) {
			m.cs = append(m.cs, c)
		} else {
			c.it.Release()
		}
	}
	return m
}

// start positions c on its first item in query order; false when there is none.
func (m *merge) start(c *cursor, after *engine.Position) bool {
	if m.desc {
		// The last item before the nearer of until and after.
		var end *engine.Position
		if m.until != math.MaxInt64 {
			end = &engine.Position{Created: m.until}
		}
		if after != nil && (end == nil || posLess(*after, *end)) {
			end = after
		}
		var ok bool
		if end == nil {
			ok = c.it.Last()
		} else if m.seek(c, *end) {
			ok = c.it.Prev()
		} else {
			ok = c.it.Last()
		}
		return m.load(c, ok)
	}
	// The first item from since, or after after.
	from, strict := engine.Position{Created: m.since}, false
	if after != nil && !posLess(*after, from) {
		from, strict = *after, true
	}
	ok := m.seek(c, from)
	if ok && strict {
		if it := c.it.Item(); it.created == from.Created && m.d.metas[it.slot].ID == from.ID {
			ok = c.it.Next()
		}
	}
	return m.load(c, ok)
}

// seek moves c to the first item at or after position p; false when there
// is none. When the incident at p is still there, its own item is the key;
// otherwise the items created at p's instant are stepped through from the
// first.
func (m *merge) seek(c *cursor, p engine.Position) bool {
	if k, ok := keyOf(p.ID); ok {
		if s, ok := m.d.byID[k]; ok && m.d.metas[s].Created == p.Created && m.d.metas[s].ID == p.ID {
			return c.it.Seek(item{p.Created, s})
		}
	}
	ok := c.it.Seek(item{p.Created, noSlot})
	for ok && p.ID != "" {
		it := c.it.Item()
		if it.created != p.Created || m.d.metas[it.slot].ID >= p.ID {
			break
		}
		ok = c.it.Next()
	}
	return ok
}

// posLess orders positions as the trees order items.
func posLess(a, b engine.Position) bool {
	if a.Created != b.Created {
		return a.Created < b.Created
	}
	return a.ID < b.ID
}

// load records c's current item if it is within the time bounds.
func (m *merge) load(c *cursor, ok bool) bool {
	if !ok {
		c.item = nil
		return false
	}
	it := c.it.Item()
	if it.created < m.since || it.created >= m.until {
		c.item = nil
		return false
	}
	c.item = m.d.metas[it.slot]
	return true
}

// next returns the next item in query order, or nil at the end.
func (m *merge) next() *engine.Meta {
	best := -1
	for i, c := range m.cs {
		if best < 0 || m.before(c.item, m.cs[best].item) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	c := m.cs[best]
	item := c.item
	var ok bool
	if m.desc {
		ok = c.it.Prev()
	} else {
		ok = c.it.Next()
	}
	if !m.load(c, ok) {
		c.it.Release()
		m.cs = append(m.cs[:best], m.cs[best+1:]...)
	}
	return item
}

func (m *merge) before(a, b *engine.Meta) bool {
	if m.desc {
		return lessMeta(b, a)
	}
	return lessMeta(a, b)
}

func (m *merge) release() {
	for _, c := range m.cs {
		c.it.Release()
	}
}
