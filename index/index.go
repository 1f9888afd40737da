// Package index keeps the ordered secondary indexes of one incident database
// in memory and plans queries over them. It does no I/O. A DB is not safe for
// concurrent use; Shard puts one behind a read-write lock with the read side
// the in-process engines share.
package index

import (
	"github.com/imredis/imredis/engine"
	"github.com/tidwall/btree"
)

// tree is a set of incidents ordered by (created_at, id).
type tree = btree.BTreeG[*engine.Meta]

func less(a, b *engine.Meta) bool {
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
	byID     map[string]*engine.Meta
	all      *tree
	severity [5]*tree
	state    [6]*tree
	typ      [8]*tree
	source   map[string]*tree
	label    map[engine.Label]*tree
	fp       map[string]*tree
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
	d.fp = make(map[string]*tree)
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
	d.all.Set(m)
	d.severity[m.Severity].Set(m)
	d.state[m.State].Set(m)
	d.typ[m.Type].Set(m)
	insert(d.source, m.Source, m)
	for _, l := range m.Labels {
		insert(d.label, l, m)
	}
	if m.Fingerprint != "" {
		insert(d.fp, m.Fingerprint, m)
	}
	d.stats.Add(m, 1)
	return old
}

// replace swaps old for m when both sort at the same (created_at, id): a
// tree whose value did not change gets the new pointer in place, the others
// move it, so an upsert costs no more than what it changes.
func (d *DB) replace(old, m *engine.Meta) {
	d.byID[m.ID] = m
	d.all.Set(m)
	move(d.severity[old.Severity], d.severity[m.Severity], m)
	move(d.state[old.State], d.state[m.State], m)
	move(d.typ[old.Type], d.typ[m.Type], m)
	if old.Source == m.Source {
		d.source[m.Source].Set(m)
	} else {
		remove(d.source, old.Source, old)
		insert(d.source, m.Source, m)
	}
	for _, l := range old.Labels {
		remove(d.label, l, old)
	}
	for _, l := range m.Labels {
		insert(d.label, l, m)
	}
	switch {
	case old.Fingerprint == m.Fingerprint && m.Fingerprint != "":
		d.fp[m.Fingerprint].Set(m)
	default:
		if old.Fingerprint != "" {
			remove(d.fp, old.Fingerprint, old)
		}
		if m.Fingerprint != "" {
			insert(d.fp, m.Fingerprint, m)
		}
	}
	d.stats.Add(old, -1)
	d.stats.Add(m, 1)
}

// move puts m into to, removing its predecessor (same key) from from when
// the trees differ; with one tree, Set replaces the item in place.
func move(from, to *tree, m *engine.Meta) {
	if from != to {
		from.Delete(m)
	}
	to.Set(m)
}

// Delete removes the incident with id and returns it, or nil.
func (d *DB) Delete(id string) *engine.Meta {
	m := d.byID[id]
	if m == nil {
		return nil
	}
	delete(d.byID, id)
	d.all.Delete(m)
	d.severity[m.Severity].Delete(m)
	d.state[m.State].Delete(m)
	d.typ[m.Type].Delete(m)
	remove(d.source, m.Source, m)
	for _, l := range m.Labels {
		remove(d.label, l, m)
	}
	if m.Fingerprint != "" {
		remove(d.fp, m.Fingerprint, m)
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
	t.Set(m)
}

func remove[K comparable](idx map[K]*tree, k K, m *engine.Meta) {
	if t := idx[k]; t != nil {
		t.Delete(m)
		if t.Len() == 0 {
			delete(idx, k)
		}
	}
}

// NewestActive returns the newest active incident with fingerprint fp whose id
// is not exclude, or nil.
func (d *DB) NewestActive(fp, exclude string) *engine.Meta {
	t := d.fp[fp]
	if t == nil {
		return nil
	}
	var found *engine.Meta
	t.Reverse(func(m *engine.Meta) bool {
		if m.Active() && m.ID != exclude {
			found = m
			return false
		}
		return true
	})
	return found
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
func (d *DB) Ascend(fn func(*engine.Meta) bool) { d.all.Scan(fn) }
