package index

import (
	"slices"

	"github.com/imredis/imredis/engine"
)

// fpIndex indexes incidents by fingerprint. Most fingerprints belong to one
// incident (a fingerprint exists to find the rare repeat), and a tree per
// fingerprint would cost about 200 bytes each; so a fingerprint held by one
// incident maps to it directly and gets a tree only once a second one
// shares it. Each fingerprint is in exactly one of the two maps.
type fpIndex struct {
	one  map[string]*engine.Meta
	many map[string]*tree
}

func newFPIndex() fpIndex {
	return fpIndex{one: make(map[string]*engine.Meta), many: make(map[string]*tree)}
}

// insert adds m under its fingerprint.
func (x fpIndex) insert(m *engine.Meta) {
	fp := m.Fingerprint
	if t := x.many[fp]; t != nil {
		t.Set(itemOf(m))
		return
	}
	first := x.one[fp]
	if first == nil {
		x.one[fp] = m
		return
	}
	t := newTree()
	t.Set(itemOf(first))
	t.Set(itemOf(m))
	delete(x.one, fp)
	x.many[fp] = t
}

// remove takes m out of its fingerprint's entry.
func (x fpIndex) remove(m *engine.Meta) {
	fp := m.Fingerprint
	if first := x.one[fp]; first != nil {
		if first.ID == m.ID {
			delete(x.one, fp)
		}
		return
	}
	t := x.many[fp]
	if t == nil {
		return
	}
	t.Delete(itemOf(m))
	if t.Len() == 1 {
		last, _ := t.Min()
		delete(x.many, fp)
		x.one[fp] = last.m
	}
}

// swap replaces old by m, which has the same fingerprint and sorts at the
// same place.
func (x fpIndex) swap(m *engine.Meta) {
	if _, ok := x.one[m.Fingerprint]; ok {
		x.one[m.Fingerprint] = m
		return
	}
	x.many[m.Fingerprint].Set(itemOf(m))
}

// trees returns one tree per distinct fingerprint of fps that has incidents;
// a fingerprint of one incident gets a one-item tree made for the query.
func (x fpIndex) trees(fps []string) []*tree {
	var out []*tree
	for i, fp := range fps {
		if slices.Contains(fps[:i], fp) {
			continue // the trees must not overlap
		}
		if t := x.many[fp]; t != nil {
			out = append(out, t)
		} else if m := x.one[fp]; m != nil {
			t := newTree()
			t.Set(itemOf(m))
			out = append(out, t)
		}
	}
	return out
}

// newestActive returns the newest active incident with fingerprint fp whose
// id is not exclude, or nil.
func (x fpIndex) newestActive(fp, exclude string) *engine.Meta {
	if m := x.one[fp]; m != nil {
		if m.Active() && m.ID != exclude {
			return m
		}
		return nil
	}
	t := x.many[fp]
	if t == nil {
		return nil
	}
	var found *engine.Meta
	t.Reverse(func(it item) bool {
		if m := it.m; m.Active() && m.ID != exclude {
			found = m
			return false
		}
		return true
	})
	return found
}
