package conformance

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/imredis/imredis/bench"
	"github.com/imredis/imredis/engine"
)

// BenchFactory opens a fresh, empty store for Bench; it registers its own cleanup.
type BenchFactory func(b *testing.B, opts engine.Options) engine.Store

// benchSize is how many incidents the store holds while Bench measures it.
const benchSize = 10_000

var (
	parsedMu sync.Mutex
	parsed   []*engine.Incident
)

// Incidents returns cmd/imbench's first n incidents, parsed. They are
// parsed once per binary: benchmarks share them and must not change them.
func Incidents(n int) []*engine.Incident {
	parsedMu.Lock()
	defer parsedMu.Unlock()
	g, now := bench.NewGen(1), time.Now()
	for i := len(parsed); i < n; i++ {
		inc, err := engine.Parse(g.Incident(i).JSON, 1<<20, now)
		if err != nil {
			panic(err)
		}
		parsed = append(parsed, inc)
	}
	return parsed[:n:n]
}

// Bench measures the hot paths of one engine the same way for every engine,
// one call of the engine per operation, from one goroutine: upserting a
// stored incident (INC.SAVE without its parse), reading one by id, the
// first and a deep page of INC.LIST SEVERITY P0 SEVERITY P1 ACTIVE, and
// INC.COUNT with the same filters. The store holds benchSize of
// cmd/imbench's incidents, loaded once before the sub-benchmarks run.
func Bench(b *testing.B, open BenchFactory) {
	incs := Incidents(benchSize)
	s := open(b, engine.Options{Databases: engine.Databases, KeyPrefix: "llm-im"})
	ctx := context.Background()
	for _, inc := range incs {
		if err := s.Save(ctx, 0, inc); err != nil {
			b.Fatalf("loading: %v", err)
		}
	}
	f := engine.AnyFilter()
	f.Severities = 1<<0 | 1<<1 // P0, P1
	f.States = engine.ActiveStates
	first := engine.Query{Filter: f, Desc: true, Count: 50}
	deep := first
	deep.After = deepPosition(b, s, first)

	b.Run("Save", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := s.Save(ctx, 0, incs[i*7919%len(incs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if doc, err := s.Get(ctx, 0, incs[i*7919%len(incs)].ID); err != nil || doc == nil {
				b.Fatalf("Get: %q, %v", doc, err)
			}
		}
	})
	for _, c := range []struct {
		name string
		q    engine.Query
	}{{"ListFirstPage", first}, {"ListDeepPage", deep}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if page, err := s.List(ctx, 0, c.q); err != nil || len(page.Docs) != c.q.Count {
					b.Fatalf("List: %d documents, %v", len(page.Docs), err)
				}
			}
		})
	}
	b.Run("Count", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if n, err := s.Count(ctx, 0, f); err != nil || n == 0 {
				b.Fatalf("Count: %d, %v", n, err)
			}
		}
	})
}

// deepPosition walks q's pages through their cursors and returns the
// position halfway through its matches.
func deepPosition(b *testing.B, s engine.Store, q engine.Query) *engine.Position {
	ctx := context.Background()
	n, err := s.Count(ctx, 0, q.Filter)
	if err != nil {
		b.Fatal(err)
	}
	for seen := int64(0); seen < n/2; {
		page, err := s.List(ctx, 0, q)
		if err != nil || page.Next == nil {
			b.Fatalf("walking to the middle of %d matches: next %v, %v", n, page.Next, err)
		}
		seen += int64(len(page.Docs))
		q.After = page.Next
	}
	return q.After
}
