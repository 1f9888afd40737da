package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/imredis/imredis/engine"
)

// TestListMatchesBruteForce pages through a store where many incidents share
// a created_at, with random filters, bounds and positions to continue after
// (an incident still stored, one deleted, or a made-up position), and checks
// every page against a sort of everything.
func TestListMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	id := func(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }
	d := New()
	live := map[string]*engine.Meta{}
	var gone []engine.Position
	for step := range 3000 {
		n := r.IntN(400)
		if m := live[id(n)]; m != nil && r.IntN(3) == 0 {
			d.Delete(m.ID)
			delete(live, m.ID)
			gone = append(gone, engine.Position{Created: m.Created, ID: m.ID})
		} else {
			m := &engine.Meta{ID: id(n), Created: int64(r.IntN(6)),
				Severity: engine.Severity(r.IntN(5)), State: engine.State(r.IntN(len(engine.States)))}
			d.Put(m)
			live[m.ID] = m
		}
		if step%10 != 0 {
			continue
		}
		q := engine.Query{Filter: engine.AnyFilter(), Desc: r.IntN(2) == 0, Count: 1 + r.IntN(20), Offset: r.IntN(3)}
		if r.IntN(2) == 0 {
			q.Filter.Severities = uint8(1 + r.IntN(31))
		}
		if r.IntN(3) == 0 {
			q.Filter.Since = int64(r.IntN(6))
		}
		if r.IntN(3) == 0 {
			q.Filter.Until = int64(r.IntN(7))
		}
		switch r.IntN(4) {
		case 1:
			if len(live) > 0 {
				ids := slices.Sorted(func(yield func(string) bool) {
					for k := range live {
						if !yield(k) {
							return
						}
					}
				})
				m := live[ids[r.IntN(len(ids))]]
				q.After = &engine.Position{Created: m.Created, ID: m.ID}
			}
		case 2:
			if len(gone) > 0 {
				p := gone[r.IntN(len(gone))]
				q.After = &p
			}
		case 3:
			q.After = &engine.Position{Created: int64(r.IntN(6)), ID: id(r.IntN(400))}
		}
		got, next := d.List(&q)
		want, more := bruteList(live, &q)
		if !slices.EqualFunc(got, want, func(a, b *engine.Meta) bool { return a == b }) {
			t.Fatalf("step %d: query %+v after %+v:\n got  %v\n want %v", step, q, q.After, ids(got), ids(want))
		}
		if (next != nil) != more {
			t.Fatalf("step %d: query %+v: next %v, want more %v", step, q, next, more)
		}
	}
}

// bruteList answers q by sorting every matching incident.
func bruteList(live map[string]*engine.Meta, q *engine.Query) ([]*engine.Meta, bool) {
	var all []*engine.Meta
	for _, m := range live {
		if q.Filter.Match(m) && m.Created >= q.Filter.Since && m.Created < q.Filter.Until {
			all = append(all, m)
		}
	}
	slices.SortFunc(all, func(a, b *engine.Meta) int {
		if lessMeta(a, b) {
			return -1
		}
		return 1
	})
	if q.Desc {
		slices.Reverse(all)
	}
	if q.After != nil {
		p := &engine.Meta{Created: q.After.Created, ID: q.After.ID}
		all = slices.DeleteFunc(all, func(m *engine.Meta) bool {
			if q.Desc {
				return !lessMeta(m, p)
			}
			return !lessMeta(p, m)
		})
	}
	all = all[min(q.Offset, len(all)):]
	if len(all) > q.Count {
		return all[:q.Count], true
	}
	return all, false
}

func ids(ms []*engine.Meta) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%d/%s", m.Created, m.ID[24:])
	}
	return out
}
