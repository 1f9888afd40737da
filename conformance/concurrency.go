package conformance

import (
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

var concurrencyCases = []testCase{
	{"ConcurrentMixedOps", testConcurrentMixed},
}

func testConcurrentMixed(t *testing.T, e *env) {
	const workers, ops = 8, 80
	e.seedRandom(0, 60, 12)
	filters := randomFilters()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ctx := t.Context()
			r := rand.New(rand.NewPCG(uint64(w), 13))
			// A small shared id space makes workers collide on the same incidents.
			shared := func() string { return idN(r.IntN(40)) }
			for range ops {
				s := randSpec(r)
				s.ID = shared()
				inc, err := engine.Parse(s.json(), maxBytes, e.clock.Now())
				if err != nil {
					t.Errorf("worker %d: Parse: %v", w, err)
					return
				}
				switch r.IntN(7) {
				case 0:
					err = e.s.Save(ctx, 0, inc)
				case 1:
					_, _, err = e.s.SaveDedup(ctx, 0, inc)
				case 2:
					_, err = e.s.Update(ctx, 0, inc, nil)
					if errors.Is(err, engine.ErrNotFound) {
						err = nil
					}
				case 3:
					_, err = e.s.Delete(ctx, 0, []string{shared(), shared()})
				case 4:
					nf := filters[r.IntN(len(filters))]
					var p engine.Page
					p, err = e.s.List(ctx, 0, engine.Query{Filter: nf.f, Desc: r.IntN(2) == 0, Count: 1 + r.IntN(30)})
					if err == nil {
						checkPageOrder(t, p.Docs)
					}
				case 5:
					_, err = e.s.Count(ctx, 0, filters[r.IntN(len(filters))].f)
				default:
					_, err = e.s.Stats(ctx, 0)
					if err == nil {
						_, err = e.s.Get(ctx, 0, shared())
					}
				}
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	e.clock.Set(at(time.Hour), 0)
	facts := e.listedFacts(0)
	e.checkStats(0, facts)
	for _, nf := range filters {
		e.checkOracle(0, nf.name, nf.f, facts)
	}
	for _, d := range e.list(0, engine.Query{Filter: engine.AnyFilter(), Count: everything}).Docs {
		x := readFact(t, d)
		if got := e.mustGet(0, x.id); string(got) != string(d) {
			t.Errorf("Get(%s) differs from what List returned", x.id)
		}
	}
}

// checkPageOrder checks that one page is in (created_at, id) order, either way.
func checkPageOrder(t *testing.T, docs [][]byte) {
	t.Helper()
	dir := 0
	for i := 1; i < len(docs); i++ {
		c := compareFacts(readFact(t, docs[i-1]), readFact(t, docs[i]))
		if c == 0 || dir != 0 && c != dir {
			t.Errorf("List page out of order at %d", i)
			return
		}
		dir = c
	}
}
