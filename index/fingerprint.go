package index

import "github.com/imredis/imredis/engine"

// fpIndex indexes incidents by fingerprint. Most fingerprints belong to one
// incident (a fingerprint exists to find the rare repeat), and a tree per
// fingerprint would cost about 200 bytes each; so a fingerprint held by one
// incident maps to its slot directly and gets a tree only once a second one
// shares it. Each fingerprint is in exactly one of the two maps.
type fpIndex struct {
	one  map[string]uint32
	many map[string]*tree
}

func newFPIndex() fpIndex {
	return fpIndex{one: make(map[string]uint32), many: make(map[string]*tree)}
}

// insert adds it, an item of d, under fingerprint fp.
func (x fpIndex) insert(d *DB, fp string, it item) {
	if t := x.many[fp]; t != nil {
		t.Set(it)
		return
	}
	first, ok := x.one[fp]
	if !ok {
		x.one[fp] = it.slot
		return
	}
	t := d.newTree()
	t.Set(d.itemOf(first))
	t.Set(it)
	delete(x.one, fp)
	x.many[fp] = t
}

// remove takes it out of fingerprint fp.
func (x fpIndex) remove(fp string, it item) {
	if first, ok := x.one[fp]; ok {
		if first == it.slot {
			delete(x.one, fp)
		}
		return
	}
	t := x.many[fp]
	if t == nil {
		return
	}
	t.Delete(it)
	if t.Len() == 1 {
		last, _ := t.Min()
		delete(x.many, fp)
		x.one[fp] = last.slot
	}
}

// tree returns the tree of fingerprint fp, or nil when no incident of d has
// it; a fingerprint of one incident gets a one-item tree made for the query.
func (x fpIndex) tree(d *DB, fp string) *tree {
	if t := x.many[fp]; t != nil {
		return t
	}
	s, ok := x.one[fp]
	if !ok {
		return nil
	}
	t := d.newTree()
	t.Set(d.itemOf(s))
	return t
}

// newestActive returns the newest active incident of d with fingerprint fp
// whose id is not exclude, or nil.
func (x fpIndex) newestActive(d *DB, fp, exclude string) *engine.Meta {
	if s, ok := x.one[fp]; ok {
		if m := d.metas[s]; m.Active() && m.ID != exclude {
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
		if m := d.metas[it.slot]; m.Active() && m.ID != exclude {
			found = m
			return false
		}
		return true
	})
	return found
}
