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

// entry is an incident's place in the trees. The trees hold the entry, not
// the incident, so an upsert that keeps what a tree orders and filters by
// swaps the incident in the entry and leaves that tree alone.
type entry struct{ m *engine.Meta }

// item is one element of a tree: the entry with its created_at copied
// inline, so that ordering the items rarely has to load the incident.
type item struct {
	created int64
	e       *entry
}

func itemOf(e *entry) item { return item{e.m.Created, e} }

// pivot is the item that sorts where (created, id) would.
func pivot(created int64, id string) item {
	return item{created, &entry{&engine.Meta{Created: created, ID: id}}}
}

// tree is a set of incidents ordered by (created_at, id).
type tree = btree.BTreeG[item]

func less(a, b item) bool {
	if a.created != b.created {
		return a.created < b.created
	}
	return a.e.m.ID < b.e.m.ID
}

// lessMeta orders incidents as the trees do.
func lessMeta(a, b *engine.Meta) bool {
	if a.Created != b.Created {
		return a.Created < b.Created
	}
	return a.ID < b.ID
}

func newTree() *tree {
	return btree.NewBTreeGOptions(less, btree.Options{NoLocks: true})
}

// DB indexes one database's incidents by id and by every filterable field,
// each secondary index ordered by (created_at, id).
type DB struct {
	byID     map[key]*entry
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
	d.byID = make(map[key]*entry)
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

// Get returns the incident with id (in either case), or nil.
func (d *DB) Get(id string) *engine.Meta {
	k, ok := keyOf(id)
	if !ok {
		return nil
	}
	if e := d.byID[k]; e != nil {
		return e.m
	}
	return nil
}

// Put inserts m, replacing (and un-indexing) any incident with the same id,
// which it returns.
func (d *DB) Put(m *engine.Meta) *engine.Meta {
	k, ok := keyOf(m.ID)
	if !ok {
		panic("index: incident id " + m.ID + " is not a UUID")
	}
	e := d.byID[k]
	if e != nil && e.m.Created == m.Created {
		return d.replace(e, m)
	}
	var old *engine.Meta
	if e != nil {
		old = d.remove(k, e)
	}
	e = &entry{m}
	d.byID[k] = e
	it := itemOf(e)
	d.all.Set(it)
	d.severity[m.Severity].Set(it)
	d.state[m.State].Set(it)
	d.typ[m.Type].Set(it)
	insert(d.source, m.Source, it)
	for _, l := range m.Labels {
		insert(d.label, l, it)
	}
	if m.Fingerprint != "" {
		d.fp.insert(m.Fingerprint, e)
	}
	d.stats.Add(m, 1)
	return old
}

// replace puts m in e, whose incident sorts at the same (created_at, id), and
// returns the incident it held. Only the trees of values that changed move
// the entry; the others hold it already.
func (d *DB) replace(e *entry, m *engine.Meta) *engine.Meta {
	old := e.m
	e.m = m
	it := itemOf(e)
	move(d.severity[old.Severity], d.severity[m.Severity], it)
	move(d.state[old.State], d.state[m.State], it)
	move(d.typ[old.Type], d.typ[m.Type], it)
	if old.Source != m.Source {
		remove(d.source, old.Source, it)
		insert(d.source, m.Source, it)
	}
	if !slices.Equal(old.Labels, m.Labels) {
		for _, l := range old.Labels {
			remove(d.label, l, it)
		}
		for _, l := range m.Labels {
			insert(d.label, l, it)
		}
	}
	if old.Fingerprint != m.Fingerprint {
		if old.Fingerprint != "" {
			d.fp.remove(old.Fingerprint, e)
		}
		if m.Fingerprint != "" {
			d.fp.insert(m.Fingerprint, e)
		}
	}
	d.stats.Add(old, -1)
	d.stats.Add(m, 1)
	return old
}

// move moves it from one tree to another when they differ.
func move(from, to *tree, it item) {
	if from != to {
		from.Delete(it)
		to.Set(it)
	}
}

// Delete removes the incident with id (in either case) and returns it, or nil.
func (d *DB) Delete(id string) *engine.Meta {
	k, ok := keyOf(id)
	if !ok {
		return nil
	}
	e := d.byID[k]
	if e == nil {
		return nil
	}
	return d.remove(k, e)
}

// remove un-indexes e, held under k, and returns its incident.
func (d *DB) remove(k key, e *entry) *engine.Meta {
	m := e.m
	delete(d.byID, k)
	it := itemOf(e)
	d.all.Delete(it)
	d.severity[m.Severity].Delete(it)
	d.state[m.State].Delete(it)
	d.typ[m.Type].Delete(it)
	remove(d.source, m.Source, it)
	for _, l := range m.Labels {
		remove(d.label, l, it)
	}
	if m.Fingerprint != "" {
		d.fp.remove(m.Fingerprint, e)
	}
	d.stats.Add(m, -1)
	return m
}

func insert[K comparable](idx map[K]*tree, k K, it item) {
	t := idx[k]
	if t == nil {
		t = newTree()
		idx[k] = t
	}
	t.Set(it)
}

func remove[K comparable](idx map[K]*tree, k K, it item) {
	if t := idx[k]; t != nil {
		t.Delete(it)
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
	d.all.Scan(func(it item) bool { return fn(it.e.m) })
}
