package crashtest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/redis/go-redis/v9"
)

// snapshot is every document the server holds, read with INC.LIST.
type snapshot struct {
	docs  map[string]string // by id
	metas []meta            // newest first
}

// readAll lists every document and checks the listing order and that no id repeats.
func readAll(t *testing.T, c *redis.Client) snapshot {
	t.Helper()
	snap := snapshot{docs: map[string]string{}}
	for _, d := range listAll(t, c, nil) {
		m := decode(t, d)
		if _, dup := snap.docs[m.ID]; dup {
			t.Errorf("INC.LIST returned %s twice", m.ID)
		}
		snap.docs[m.ID] = d
		snap.metas = append(snap.metas, m)
	}
	if !slices.IsSortedFunc(snap.metas, newestFirst) {
		t.Errorf("INC.LIST is not ordered newest first (created_at, then id, descending)")
		slices.SortFunc(snap.metas, newestFirst)
	}
	return snap
}

// landed counts in-flight writes found applied after a restart.
type landed struct{ applied, lost int }

// checkModel holds the snapshot to what the lanes saw acknowledged: every
// acknowledged incident byte for byte, acknowledged deletes absent, the one
// in-flight write of a lane either applied or not; then the lanes adopt what
// the server holds for their in-flight ids. INC.MGET must agree with INC.LIST.
func checkModel(t *testing.T, c *redis.Client, snap snapshot, lanes []*lane) landed {
	t.Helper()
	var res landed
	owned := 0
	rep := &reporter{t: t}
	defer rep.summary()
	for _, l := range lanes {
		for _, id := range l.ids {
			got, present := snap.docs[id]
			if present {
				owned++
			}
			if o := l.inflight; o != nil && o.id == id {
				res.count(l.checkInflight(t, got, present))
				continue
			}
			want, ok := l.docs[id]
			switch {
			case !ok && present && l.gone[id]:
				rep.errorf("%s: deleted (acknowledged) but present: %s", id, got)
			case !ok && present:
				rep.errorf("%s: never acknowledged but present: %s", id, got)
			case ok && !present:
				rep.errorf("%s: acknowledged but missing; last acknowledged: %s", id, want)
			case ok && got != want:
				rep.errorf("%s: differs from the last acknowledged document\n got: %s\nwant: %s", id, got, want)
			}
		}
		mget := append([]any{"INC.MGET"}, anys(l.ids)...)
		docs, err := c.Do(context.Background(), mget...).Slice()
		if err != nil || len(docs) != len(l.ids) {
			t.Fatalf("INC.MGET of %d ids: %d replies, %v", len(l.ids), len(docs), err)
		}
		for i, id := range l.ids {
			got, _ := docs[i].(string)
			if got != snap.docs[id] {
				rep.errorf("%s: INC.MGET gives %q, INC.LIST %q", id, got, snap.docs[id])
			}
		}
	}
	if owned != len(snap.docs) {
		t.Errorf("INC.LIST holds %d incidents no writer ever sent", len(snap.docs)-owned)
	}
	return res
}

func (r *landed) count(applied bool) {
	if applied {
		r.applied++
	} else {
		r.lost++
	}
}

// checkInflight accepts the state before or after the in-flight write, adopts
// it and reports whether the write was applied.
func (l *lane) checkInflight(t *testing.T, got string, present bool) bool {
	t.Helper()
	o := l.inflight
	prev, had := l.docs[o.id]
	l.inflight = nil
	before := had == present && got == prev
	var after bool
	switch o.kind {
	case "save":
		after = present && got == string(o.next.doc())
	case "update": // the server stamped updated_at; everything else is as sent
		var stored incident
		if present && json.Unmarshal([]byte(got), &stored) == nil {
			sent := *o.next
			sent.UpdatedAt = stored.UpdatedAt
			after = got == string(sent.doc())
		}
	case "del":
		after = !present
	}
	if !before && !after {
		t.Errorf("%s: in-flight %s left a state that is neither before nor after it (present=%v): %s", o.id, o.kind, present, got)
		return false
	}
	if !present {
		l.keep(o.id, nil)
		return after
	}
	var now incident
	if err := json.Unmarshal([]byte(got), &now); err != nil {
		t.Fatal(err)
	}
	l.keep(o.id, &now)
	return after && !before
}

// checkIndexes compares, for every query, INC.COUNT and the INC.LIST of the
// filter (ids, order and bytes) with a recount over the snapshot; then
// INC.STATS and INC.FP for some fingerprints.
func checkIndexes(t *testing.T, c *redis.Client, snap snapshot, r *rand.Rand) {
	t.Helper()
	ctx := context.Background()
	for _, q := range append(queries(r), query{}) {
		var want []string
		for _, m := range snap.metas {
			if q.match(m) {
				want = append(want, m.ID)
			}
		}
		n, err := c.Do(ctx, append([]any{"INC.COUNT"}, anys(q.args())...)...).Int()
		if err != nil || n != len(want) {
			t.Errorf("INC.COUNT %v = %d (%v), recount over the documents = %d", q.args(), n, err, len(want))
		}
		compareList(t, fmt.Sprint("INC.LIST ", q.args()), listAll(t, c, q.args()), want, snap)
	}
	counts := map[string]int{"total": len(snap.metas)}
	fps := map[string][]string{}
	for _, m := range snap.metas {
		counts["severity:"+m.Severity]++
		counts["state:"+m.State]++
		if m.active() {
			counts["active"]++
		}
		if m.Fingerprint != nil {
			fps[*m.Fingerprint] = append(fps[*m.Fingerprint], m.ID)
		}
	}
	checkStats(t, c, counts)
	for i, fp := range slices.Sorted(maps.Keys(fps)) {
		if i%max(1, len(fps)/10) != 0 {
			continue // ten or so fingerprints per check
		}
		docs, err := c.Do(ctx, "INC.FP", fp, "LIMIT", "0", "1000").StringSlice()
		if err != nil {
			t.Fatalf("INC.FP %s: %v", fp, err)
		}
		compareList(t, "INC.FP "+fp, docs, fps[fp], snap)
	}
}

// compareList checks that docs are the snapshot's documents of want, in order.
func compareList(t *testing.T, what string, docs, want []string, snap snapshot) {
	t.Helper()
	var got []string
	for _, d := range docs {
		id := docID(t, d)
		got = append(got, id)
		if d != snap.docs[id] {
			t.Errorf("%s: %s differs from the full listing\n got: %s\nlist: %s", what, id, d, snap.docs[id])
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: %d ids, recount over the documents has %d; first difference at %d",
			what, len(got), len(want), firstDiff(got, want))
	}
}

// checkStats compares INC.STATS (a flat array or a map) with counts.
func checkStats(t *testing.T, c *redis.Client, counts map[string]int) {
	t.Helper()
	res, err := c.Do(context.Background(), "INC.STATS").Result()
	got := map[string]int{}
	switch v := res.(type) {
	case []any:
		for i := 0; i+1 < len(v); i += 2 {
			got[fmt.Sprint(v[i])] = int(v[i+1].(int64))
		}
	case map[any]any:
		for k, n := range v {
			got[fmt.Sprint(k)] = int(n.(int64))
		}
	default:
		t.Fatalf("INC.STATS: %v %v", res, err)
	}
	for _, k := range append([]string{"total", "active"}, stats()...) {
		if got[k] != counts[k] {
			t.Errorf("INC.STATS %s = %d, recount over the documents = %d", k, got[k], counts[k])
		}
	}
}

func stats() []string {
	var names []string
	for _, s := range severities {
		names = append(names, "severity:"+s)
	}
	for _, s := range states {
		names = append(names, "state:"+s)
	}
	return names
}

// reporter reports the first problems of a check, then only how many there were.
type reporter struct {
	t *testing.T
	n int
}

const reportFirst = 20

func (r *reporter) errorf(format string, args ...any) {
	r.t.Helper()
	if r.n++; r.n <= reportFirst {
		r.t.Errorf(format, args...)
	}
}

func (r *reporter) summary() {
	r.t.Helper()
	if r.n > reportFirst {
		r.t.Errorf("... %d problems in all", r.n)
	}
}

// docID returns the id of a canonical document, which comes first; the
// document is only decoded when it does not start that way.
func docID(t *testing.T, doc string) string {
	t.Helper()
	const prefix = `{"id":"`
	if len(doc) > len(prefix)+37 && doc[:len(prefix)] == prefix && doc[len(prefix)+36] == '"' {
		return doc[len(prefix) : len(prefix)+36]
	}
	return decode(t, doc).ID
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
