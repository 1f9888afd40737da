package index

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imredis/imredis/bench"
	"github.com/imredis/imredis/engine"
)

// benchSize is the store size of the index benchmarks.
const benchSize = 100_000

var (
	fixtureOnce  sync.Once
	fixtureMetas []*engine.Meta
)

// fixture returns benchSize+1024 realistic incidents (the generator of
// cmd/imbench, parsed once per test binary): the first benchSize fill the
// store, the rest are new incidents to insert.
func fixture(b *testing.B) []*engine.Meta {
	fixtureOnce.Do(func() {
		g := bench.NewGen(1)
		now := time.Now()
		for i := range benchSize + 1024 {
			inc, err := engine.Parse(g.Incident(i).JSON, 1<<20, now)
			if err != nil {
				panic(err)
			}
			m := inc.Meta
			fixtureMetas = append(fixtureMetas, &m)
		}
	})
	return fixtureMetas
}

// loaded returns a DB holding the first benchSize incidents of the fixture.
func loaded(b *testing.B) (*DB, []*engine.Meta) {
	metas := fixture(b)
	d := New()
	for _, m := range metas[:benchSize] {
		d.Put(m)
	}
	return d, metas
}

// BenchmarkPutReplace upserts an existing incident with a new state: the
// new version takes the old one's slot and moves between the state trees
// only (INC.SAVE or INC.UPDATE of a stored incident).
func BenchmarkPutReplace(b *testing.B) {
	d, metas := loaded(b)
	next := make([]*engine.Meta, 1024)
	for i := range next {
		m := *metas[i*97%benchSize]
		m.State = (m.State + 1) % 6
		next[i] = &m
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m := next[i%len(next)]
		old := d.Put(m)
		next[i%len(next)] = old // put the previous version back next round
		i++
	}
}

// BenchmarkPutDelete inserts a new incident and deletes it again, so the
// store stays at benchSize (INC.SAVE of a new incident plus INC.DEL).
func BenchmarkPutDelete(b *testing.B) {
	d, metas := loaded(b)
	fresh := metas[benchSize:]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m := fresh[i%len(fresh)]
		d.Put(m)
		d.Delete(m.ID)
		i++
	}
}

// listFilter is INC.LIST SEVERITY P0 SEVERITY P1 ACTIVE.
func listFilter() engine.Filter {
	f := engine.AnyFilter()
	f.Severities = 1<<0 | 1<<1
	f.States = engine.ActiveStates
	return f
}

// BenchmarkList pages through INC.LIST SEVERITY P0 SEVERITY P1 ACTIVE:
// the first page of 50, a page 50 deep via LIMIT offset, a deep page via a
// cursor position, and a selective label filter.
func BenchmarkList(b *testing.B) {
	d, _ := loaded(b)
	f := listFilter()
	total := d.Count(&f)
	var mid *engine.Position
	metas, _ := d.List(&engine.Query{Filter: f, Desc: true, Count: int(total / 2)})
	if len(metas) > 0 {
		last := metas[len(metas)-1]
		mid = &engine.Position{Created: last.Created, ID: last.ID}
	}
	label := engine.AnyFilter()
	label.Labels = []engine.Label{{Key: "team", Value: "payments"}}
	label.States = engine.ActiveStates
	for _, c := range []struct {
		name string
		q    engine.Query
	}{
		{"first-page", engine.Query{Filter: f, Desc: true, Count: 50}},
		{"offset-2500", engine.Query{Filter: f, Desc: true, Offset: 2500, Count: 50}},
		{"cursor-middle", engine.Query{Filter: f, Desc: true, After: mid, Count: 50}},
		{"label-active", engine.Query{Filter: label, Desc: true, Count: 50}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out, _ := d.List(&c.q); len(out) != 50 {
					b.Fatalf("page of %d", len(out))
				}
			}
		})
	}
}

// BenchmarkCount counts with one dimension (sizes add up) and with two
// dimensions and a time bound (a walk of the cheaper dimension).
func BenchmarkCount(b *testing.B) {
	d, metas := loaded(b)
	one := engine.AnyFilter()
	one.Severities = 1 << 2
	two := engine.AnyFilter()
	two.Severities = 1 << 1
	two.States = 1 << 2
	since := engine.AnyFilter()
	since.Severities = 1 << 2
	since.Since = metas[benchSize*9/10].Created
	since.Until = math.MaxInt64
	for _, c := range []struct {
		name string
		f    engine.Filter
	}{{"severity", one}, {"severity-state", two}, {"severity-since", since}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Count(&c.f)
			}
		})
	}
}

// BenchmarkGet looks incidents up by id in a scattered order, as INC.GET
// does. The ids asked for lie one after another in memory, as a request's
// id is at hand, so that the lookup's own memory traffic is what is timed.
func BenchmarkGet(b *testing.B) {
	d, metas := loaded(b)
	var buf strings.Builder
	for i := range benchSize {
		buf.WriteString(metas[i*7919%benchSize].ID)
	}
	all := buf.String()
	ids := make([]string, benchSize)
	for i := range ids {
		ids[i] = all[i*36 : i*36+36]
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if d.Get(ids[i]) == nil {
			b.Fatal("missing incident")
		}
		if i++; i == len(ids) {
			i = 0
		}
	}
}
