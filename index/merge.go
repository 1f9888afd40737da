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
	cs           []*cursor
	desc         bool
	since, until int64
}

func newMerge(ts []*tree, f *engine.Filter, desc bool, after *engine.Position) *merge {
	m := &merge{desc: desc, since: f.Since, until: f.Until}
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
	var piv item
	strict := false
	if m.desc {
		bounded := m.until != math.MaxInt64
		if bounded {
			piv = pivot(m.until, "")
		}
		if after != nil {
			a := pivot(after.Created, after.ID)
			if !bounded || less(a, piv) {
				piv, bounded = a, true
			}
		}
		var ok bool
		if !bounded {
			ok = c.it.Last()
		} else if c.it.Seek(piv) {
			ok = c.it.Prev()
		} else {
			ok = c.it.Last()
		}
		return m.load(c, ok)
	}
	piv = pivot(m.since, "")
	if after != nil {
		a := pivot(after.Created, after.ID)
		if !less(a, piv) {
			piv, strict = a, true
		}
	}
	ok := c.it.Seek(piv)
	if ok && strict && !less(piv, c.it.Item()) {
		ok = c.it.Next()
	}
	return m.load(c, ok)
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
	c.item = it.e.m
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
