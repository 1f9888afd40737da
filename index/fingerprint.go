package index

import "github.com/imredis/imredis/engine"

// fpIndex indexes incidents by fingerprint. Most fingerprints belong to one
// incident (a fingerprint exists to find the rare repeat), and a tree per
// fingerprint would cost about 200 bytes each; so a fingerprint held by one
// incident maps to its entry directly and gets a tree only once a second one
// shares it. Each fingerprint is in exactly one of the two maps.
type fpIndex struct {
	one  map[string]*entry
	many map[string]*tree
}

func newFPIndex() fpIndex {
	return fpIndex{one: make(map[string]*entry), many: make(map[string]*tree)}
}

// insert adds e under fingerprint fp.
func (x fpIndex) insert(fp string, e *entry) {
	if t := x.many[fp]; t != nil {
		t.Set(itemOf(e))
		return
	}
	first := x.one[fp]
	if first == nil {
		x.one[fp] = e
		return
	}
	t := newTree()
	t.Set(itemOf(first))
	t.Set(itemOf(e))
	delete(x.one, fp)
	x.many[fp] = t
}

// remove takes e out of fingerprint fp.
func (x fpIndex) remove(fp string, e *entry) {
	if first := x.one[fp]; first != nil {
		if first == e {
			delete(x.one, fp)
		}
		return
	}
	t := x.many[fp]
	if t == nil {
		return
	}
	t.Delete(itemOf(e))
	if t.Len() == 1 {
		last, _ := t.Min()
		delete(x.many, fp)
		x.one[fp] = last.e
	}
}

// tree returns the tree of fingerprint fp, or nil when no incident has it;
// a fingerprint of one incident gets a one-item tree made for the query.
func (x fpIndex) tree(fp string) *tree {
	if t := x.many[fp]; t != nil {
		return t
	}
	e := x.one[fp]
	if e == nil {
		return nil
	}
	t := newTree()
	t.Set(itemOf(e))
	return t
}

// newestActive returns the newest active incident with fingerprint fp whose
// id is not exclude, or nil.
func (x fpIndex) newestActive(fp, exclude string) *engine.Meta {
	if e := x.one[fp]; e != nil {
		if m := e.m; m.Active() && m.ID != exclude {
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
		if m := it.e.m; m.Active() && m.ID != exclude {
			found = m
			return false
		}
		return true
	})
	return found
}
