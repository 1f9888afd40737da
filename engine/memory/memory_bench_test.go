package memory_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/imredis/imredis/conformance"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/memory"
)

// benchSize is the store size of the memory engine benchmarks.
const benchSize = 100_000

// store returns a memory engine holding benchSize realistic incidents (the
// generator of cmd/imbench) and the parsed incidents.
func store(b *testing.B) (*memory.Store, []*engine.Incident) {
	incs := conformance.Incidents(benchSize)
	s := memory.New(engine.Options{})
	ctx := context.Background()
	for _, inc := range incs {
		if err := s.Save(ctx, 0, inc); err != nil {
			b.Fatal(err)
		}
	}
	return s, incs
}

// BenchmarkSaveParallel upserts stored incidents from every P (INC.SAVE
// without the parse), all writers contending for the database's lock.
func BenchmarkSaveParallel(b *testing.B) {
	s, incs := store(b)
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(7919)) % len(incs)
			if err := s.Save(ctx, 0, incs[i]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGetParallel reads documents by id from every P (INC.GET).
func BenchmarkGetParallel(b *testing.B) {
	s, incs := store(b)
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(7919)) % len(incs)
			if doc, err := s.Get(ctx, 0, incs[i].ID); err != nil || doc == nil {
				b.Fatal("missing incident", err)
			}
		}
	})
}

// BenchmarkListParallel reads the first page of INC.LIST SEVERITY P0
// SEVERITY P1 ACTIVE from every P.
func BenchmarkListParallel(b *testing.B) {
	s, _ := store(b)
	ctx := context.Background()
	f := engine.AnyFilter()
	f.Severities = 1<<0 | 1<<1
	f.States = engine.ActiveStates
	q := engine.Query{Filter: f, Desc: true, Count: 50}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if page, err := s.List(ctx, 0, q); err != nil || len(page.Docs) != 50 {
				b.Fatal("short page", err)
			}
		}
	})
}

// BenchmarkMixedParallel runs 90% INC.GET and 10% INC.SAVE from every P:
// readers and writers share the database's lock.
func BenchmarkMixedParallel(b *testing.B) {
	s, incs := store(b)
	ctx := context.Background()
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := next.Add(7919)
			inc := incs[int(n)%len(incs)]
			if n%10 == 0 {
				if err := s.Save(ctx, 0, inc); err != nil {
					b.Fatal(err)
				}
				continue
			}
			if _, err := s.Get(ctx, 0, inc.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEngine is the suite every engine runs (conformance.Bench).
func BenchmarkEngine(b *testing.B) {
	conformance.Bench(b, func(b *testing.B, o engine.Options) engine.Store { return memory.New(o) })
}
