// Package index keeps the ordered secondary indexes of one incident database
// in memory and plans queries over them. It does no I/O. A DB is not safe for
// concurrent use; Shard puts one behind a read-write lock with the read side
// the in-process engines share.
package index

import (
	"math"
	"slices"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/btree"
)

// item is one element of a tree: an incident's slot, the number under which
// its DB holds it (DB.metas), with its created_at copied inline so that
// ordering items rarely has to load the incident. Items hold no pointer, so
// the collector never scans the trees' items; and an upsert that keeps what a
// tree orders and filters by swaps the incident in its slot and leaves that
// tree alone.
type item struct {
	created int64
	slot    uint32
}

// noSlot is the slot of a pivot: an item that sorts before every incident
// created at the same instant.
const noSlot = math.MaxUint32

// tree is a set of incidents ordered by (created_at, id).
type tree = btree.BTreeG[item]

// less orders items by (created_at, id).
func (d *DB) less(a, b item) bool {
	switch {
	case a.created != b.created:
		return a.created < b.created
	case a.slot == b.slot:
		return false
	case a.slot == noSlot || b.slot == noSlot:
		return a.slot == noSlot
	}
	return d.metas[a.slot].ID < d.metas[b.slot].ID
}

// itemOf returns the item of the incident in slot s.
func (d *DB) itemOf(s uint32) item { return item{d.metas[s].Created, s} }

// lessMeta orders incidents as the trees do.
func lessMeta(a, b *engine.Meta) bool {
	if a.Created != b.Created {
		return a.Created < b.Created
	}
	return a.ID < b.ID
}

func (d *DB) newTree() *tree {
	return btree.NewBTreeGOptions(d.less, btree.Options{NoLocks: true})
}

// DB indexes one database's incidents by id and by every filterable field,
// each secondary index ordered by (created_at, id).
type DB struct {
	byID     map[key]uint32 // slot by id
	metas    []*engine.Meta // incident by slot; nil for a free slot
	free     []uint32       // free slots
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
	d.byID = make(map[key]uint32)
	d.metas, d.free = nil, nil
	d.all = d.newTree()
	for i := range d.severity {
		d.severity[i] = d.newTree()
	}
	for i := range d.state {
		d.state[i] = d.newTree()
	}
	for i := range d.typ {
		d.typ[i] = d.newTree()
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
	if s, ok := d.byID[k]; ok {
		return d.metas[s]
	}
	return nil
}

// PrepareUpdate readies inc to replace the stored incident with its id
// under the UPDATE rules (see engine.PrepareUpdate), or reports that there
// is none.
func (d *DB) PrepareUpdate(inc *engine.Incident, ifMatch *int64, now time.Time) error {
	stored := d.Get(inc.ID)
	if stored == nil {
		return engine.NotFound(inc.ID)
	}
	return engine.PrepareUpdate(stored, inc, ifMatch, now)
}

// Put inserts m, replacing (and un-indexing) any incident with the same id,
// which it returns.
func (d *DB) Put(m *engine.Meta) *engine.Meta {
	k, ok := keyOf(m.ID)
	if !ok {
		panic("index: incident id " + m.ID + " is not a UUID")
	}
	s, found := d.byID[k]
	if found && d.metas[s].Created == m.Created {
		return d.replace(s, m)
	}
	var old *engine.Meta
	if found {
		old = d.remove(k, s)
	}
	s = d.alloc(m)
	d.byID[k] = s
	it := item{m.Created, s}
	d.all.Set(it)
	d.severity[m.Severity].Set(it)
	d.state[m.State].Set(it)
	d.typ[m.Type].Set(it)
	insert(d, d.source, m.Source, it)
	for _, l := range m.Labels {
		insert(d, d.label, l, it)
	}
	if m.Fingerprint != "" {
		d.fp.insert(d, m.Fingerprint, it)
	}
	d.stats.Add(m, 1)
	return old
}

// alloc gives m a slot.
func (d *DB) alloc(m *engine.Meta) uint32 {
	if n := len(d.free); n > 0 {
		s := d.free[n-1]
		d.free = d.free[:n-1]
		d.metas[s] = m
		return s
	}
	if len(d.metas) == noSlot {
		panic("index: a database holds at most 4294967295 incidents")
	}
	d.metas = append(d.metas, m)
	return uint32(len(d.metas) - 1)
}

// replace puts m in slot s, whose incident sorts at the same (created_at,
// id), and returns the incident it held. Only the trees of values that
// changed move the item; the others hold it already.
func (d *DB) replace(s uint32, m *engine.Meta) *engine.Meta {
	old := d.metas[s]
	d.metas[s] = m
	it := item{m.Created, s}
	move(d.severity[old.Severity], d.severity[m.Severity], it)
	move(d.state[old.State], d.state[m.State], it)
	move(d.typ[old.Type], d.typ[m.Type], it)
	if old.Source != m.Source {
		remove(d.source, old.Source, it)
		insert(d, d.source, m.Source, it)
	}
	if !slices.Equal(old.Labels, m.Labels) {
		for _, l := range old.Labels {
			remove(d.label, l, it)
		}
		for _, l := range m.Labels {
			insert(d, d.label, l, it)
		}
	}
	if old.Fingerprint != m.Fingerprint {
		if old.Fingerprint != "" {
			d.fp.remove(old.Fingerprint, it)
		}
		if m.Fingerprint != "" {
			d.fp.insert(d, m.Fingerprint, it)
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
	s, ok := d.byID[k]
	if !ok {
		return nil
	}
	return d.remove(k, s)
}

// remove un-indexes the incident in slot s, held under k, frees the slot and
// returns the incident.
func (d *DB) remove(k key, s uint32) *engine.Meta {
	m := d.metas[s]
	delete(d.byID, k)
	it := item{m.Created, s}
	d.all.Delete(it)
	d.severity[m.Severity].Delete(it)
	d.state[m.State].Delete(it)
	d.typ[m.Type].Delete(it)
	remove(d.source, m.Source, it)
	for _, l := range m.Labels {
		remove(d.label, l, it)
	}
	if m.Fingerprint != "" {
		d.fp.remove(m.Fingerprint, it)
	}
	d.stats.Add(m, -1)
	d.metas[s] = nil
	d.free = append(d.free, s)
	return m
}

// insert adds it to idx's tree of k, which it makes when k has none.
func insert[K comparable](d *DB, idx map[K]*tree, k K, it item) {
	t := idx[k]
	if t == nil {
		t = d.newTree()
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
	return d.fp.newestActive(d, fp, exclude)
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
	d.all.Scan(func(it item) bool { return fn(d.metas[it.slot]) })
}
