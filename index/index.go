// Package index keeps the ordered secondary indexes of one incident database
// in memory and plans queries over them. It does no I/O. A DB is not safe for
// concurrent use; Shard puts one behind a read-write lock with the read side
// the in-process engines share.
package index

import (
	"slices"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/btree"
)

// item is one entry of a tree: the incident with its created_at copied
// inline, so that ordering the items rarely has to load the incident.
type item struct {
	created int64
	m       *engine.Meta
}

func itemOf(m *engine.Meta) item { return item{m.Created, m} }

// pivot is the item that sorts where (created, id) would.
func pivot(created int64, id string) item {
	return item{created, &engine.Meta{Created: created, ID: id}}
}

// tree is a set of incidents ordered by (created_at, id).
type tree = btree.BTreeG[item]

func less(a, b item) bool {
	if a.created != b.created {
		return a.created < b.created
	}
	return a.m.ID < b.m.ID
}

func newTree() *tree {
	return btree.NewBTreeGOptions(less, btree.Options{NoLocks: true})
}

// DB indexes one database's incidents by id and by every filterable field,
// each secondary index ordered by (created_at, id).
type DB struct {
	byID     map[string]*engine.Meta
	all      *tree
	severity [5]*tree
	state    [6]*tree
	typ      [8]*tree
	source   map[string]*tree
	label    map[engine.Label]*tree
	fp       fpIndex
	stats    engine.Stats
}

// New returns an empty DB.
func New() *DB {
	d := &DB{}
	d.Clear()
	return d
}

// Clear removes every incident.
func (d *DB) Clear() {
	d.byID = make(map[string]*engine.Meta)
	d.all = newTree()
	for i := range d.severity {
		d.severity[i] = newTree()
	}
	for i := range d.state {
		d.state[i] = newTree()
	}
	for i := range d.typ {
		d.typ[i] = newTree()
	}
	d.source = make(map[string]*tree)
	d.label = make(map[engine.Label]*tree)
	d.fp = newFPIndex()
	d.stats = engine.Stats{}
}

// Len returns the number of incidents.
func (d *DB) Len() int { return len(d.byID) }

// Stats returns the per-severity and per-state counts.
func (d *DB) Stats() engine.Stats { return d.stats }

// Get returns the incident with id, or nil.
func (d *DB) Get(id string) *engine.Meta { return d.byID[id] }

// Put inserts m, replacing (and un-indexing) any incident with the same id,
// which it returns.
func (d *DB) Put(m *engine.Meta) *engine.Meta {
	if old := d.byID[m.ID]; old != nil && old.Created == m.Created {
		d.replace(old, m)
		return old
	}
	old := d.Delete(m.ID)
	d.byID[m.ID] = m
	it := itemOf(m)
	d.all.Set(it)
	d.severity[m.Severity].Set(it)
	d.state[m.State].Set(it)
	d.typ[m.Type].Set(it)
	insert(d.source, m.Source, m)
	for _, l := range m.Labels {
		insert(d.label, l, m)
	}
	if m.Fingerprint != "" {
		d.fp.insert(m)
	}
	d.stats.Add(m, 1)
	return old
}

// replace swaps old for m when both sort at the same (created_at, id): a
// tree whose value did not change gets the new pointer in place, the others
// move it, so an upsert costs no more than what it changes.
func (d *DB) replace(old, m *engine.Meta) {
	d.byID[m.ID] = m
	it := itemOf(m)
	d.all.Set(it)
	move(d.severity[old.Severity], d.severity[m.Severity], it)
	move(d.state[old.State], d.state[m.State], it)
	move(d.typ[old.Type], d.typ[m.Type], it)
	if old.Source == m.Source {
		d.source[m.Source].Set(it)
	} else {
		remove(d.source, old.Source, old)
		insert(d.source, m.Source, m)
	}
	if slices.Equal(old.Labels, m.Labels) {
		for _, l := range m.Labels {
			d.label[l].Set(it)
		}
	} else {
		for _, l := range old.Labels {
			remove(d.label, l, old)
		}
		for _, l := range m.Labels {
			insert(d.label, l, m)
		}
	}
	switch {
	case old.Fingerprint == m.Fingerprint && m.Fingerprint != "":
		d.fp.swap(m)
	default:
		if old.Fingerprint != "" {
			d.fp.remove(old)
		}
		if m.Fingerprint != "" {
			d.fp.insert(m)
		}
	}
	d.stats.Add(old, -1)
	d.stats.Add(m, 1)
}

// move puts m into to, removing its predecessor (same key) from from when
// the trees differ; with one tree, Set replaces the item in place.
func move(from, to *tree, it item) {
	if from != to {
		from.Delete(it)
	}
	to.Set(it)
}

// Delete removes the incident with id and returns it, or nil.
func (d *DB) Delete(id string) *engine.Meta {
	m := d.byID[id]
	if m == nil {
		return nil
	}
	delete(d.byID, id)
	it := itemOf(m)
	d.all.Delete(it)
	d.severity[m.Severity].Delete(it)
	d.state[m.State].Delete(it)
	d.typ[m.Type].Delete(it)
	remove(d.source, m.Source, m)
	for _, l := range m.Labels {
		remove(d.label, l, m)
	}
	if m.Fingerprint != "" {
		d.fp.remove(m)
	}
	d.stats.Add(m, -1)
	return m
}

func insert[K comparable](idx map[K]*tree, k K, m *engine.Meta) {
	t := idx[k]
	if t == nil {
		t = newTree()
		idx[k] = t
	}
	t.Set(itemOf(m))
}

func remove[K comparable](idx map[K]*tree, k K, m *engine.Meta) {
	if t := idx[k]; t != nil {
		t.Delete(itemOf(m))
		if t.Len() == 0 {
			delete(idx, k)
		}
	}
}

// NewestActive returns the newest active incident with fingerprint fp whose id
// is not exclude, or nil.
func (d *DB) NewestActive(fp, exclude string) *engine.Meta {
	return d.fp.newestActive(fp, exclude)
}

// IDs returns the ids of the incidents matching f in (created_at, id) order.
func (d *DB) IDs(f *engine.Filter) []string {
	var out []string
	d.Each(f, false, nil, func(m *engine.Meta) bool {
		out = append(out, m.ID)
		return true
	})
	return out
}

// Ascend calls fn for every incident in (created_at, id) order until fn returns false.
func (d *DB) Ascend(fn func(*engine.Meta) bool) {
	d.all.Scan(func(it item) bool { return fn(it.m) })
}
