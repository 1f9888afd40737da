package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
)

// TestFingerprintIndex drives a DB through random puts (new incidents,
// upserts that keep or change the fingerprint) and deletes over fingerprints
// that are mostly unique and sometimes shared, so that entries move between
// the one-incident map and the trees, and checks every fingerprint query
// against a scan of the incidents after each step.
func TestFingerprintIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	d := New()
	live := map[string]*engine.Meta{}
	fps := func() string {
		if r.IntN(3) == 0 {
			return ""
		}
		return fmt.Sprintf("fp-%d", r.IntN(40))
	}
	for step := range 4000 {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", r.IntN(60))
		switch old := live[id]; {
		case old != nil && r.IntN(4) == 0:
			d.Delete(id)
			delete(live, id)
		default:
			m := &engine.Meta{ID: id, Created: int64(r.IntN(5)), Fingerprint: fps(),
				State: engine.State(r.IntN(len(engine.States)))}
			if old != nil && r.IntN(2) == 0 {
				m.Created, m.Fingerprint = old.Created, old.Fingerprint // the in-place path
			}
			d.Put(m)
			live[id] = m
		}
		for i := range 40 {
			fp := fmt.Sprintf("fp-%d", i)
			var want []string
			var newest *engine.Meta
			for _, m := range live {
				if m.Fingerprint != fp {
					continue
				}
				want = append(want, m.ID)
				if m.Active() && (newest == nil || lessMeta(newest, m)) {
					newest = m
				}
			}
			slices.SortFunc(want, func(a, b string) int {
				if x, y := live[a].Created, live[b].Created; x != y {
					return int(x - y)
				}
				return strings.Compare(a, b)
			})
			f := engine.AnyFilter()
			f.Fingerprints = []string{fp, fp}
			if got := d.IDs(&f); !slices.Equal(got, want) {
				t.Fatalf("step %d: %s lists %v, want %v", step, fp, got, want)
			}
			if got := d.Count(&f); got != int64(len(want)) {
				t.Fatalf("step %d: %s counts %d, want %d", step, fp, got, len(want))
			}
			if got := d.NewestActive(fp, ""); got != newest {
				t.Fatalf("step %d: newest active of %s is %v, want %v", step, fp, got, newest)
			}
		}
	}
}
