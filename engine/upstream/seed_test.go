package upstream

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/memory"
	"github.com/imredis/imredis/internal/redistest"
	"github.com/redis/go-redis/v9"
	"github.com/tidwall/gjson"
)

// seedWrite stores doc the way the seed's Rust store does: SET the JSON, then
// SADD incidents, severity, state, source and, when there is one, fingerprint.
// It never SREMs, so a replace leaves the old memberships behind.
func seedWrite(t *testing.T, c *redis.Client, doc string) string {
	t.Helper()
	ctx := context.Background()
	r := gjson.Parse(doc)
	id := r.Get("id").Str
	p := c.TxPipeline()
	p.Set(ctx, "llm-im:incident:"+id, doc, 0)
	p.SAdd(ctx, "llm-im:incidents", id)
	p.SAdd(ctx, "llm-im:severity:"+r.Get("severity").Str, id)
	p.SAdd(ctx, "llm-im:state:"+r.Get("state").Str, id)
	p.SAdd(ctx, "llm-im:source:"+r.Get("source").Str, id)
	if fp := r.Get("fingerprint"); fp.Type == gjson.String {
		p.SAdd(ctx, "llm-im:fingerprint:"+fp.Str, id)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatalf("seed write: %v", err)
	}
	return id
}

// seedDoc renders an incident as serde_json renders the seed's struct: every
// field, in declaration order, chrono timestamps in UTC.
func seedDoc(r *rand.Rand, i int) string {
	id := fmt.Sprintf("%08x-0000-4000-8000-%012x", r.Uint32(), i)
	created := epochForChecks.Add(time.Duration(r.IntN(5000)) * time.Second).Add(time.Duration(r.IntN(3)) * 250 * time.Millisecond)
	sev := engine.Severities[r.IntN(5)]
	st := engine.States[r.IntN(6)]
	typ := engine.Types[r.IntN(8)]
	src := []string{"prometheus", "datadog", "pagerduty"}[r.IntN(3)]
	fp := "null"
	if r.IntN(3) > 0 {
		fp = fmt.Sprintf(`"fp-%d"`, r.IntN(6))
	}
	labels := `{}`
	if r.IntN(2) == 0 {
		labels = fmt.Sprintf(`{"env":"%s","team":"t%d"}`, []string{"prod", "dev"}[r.IntN(2)], r.IntN(3))
	}
	return fmt.Sprintf(`{"id":"%s","created_at":"%s","updated_at":"%s","state":"%s","severity":"%s",`+
		`"incident_type":"%s","source":"%s","title":"seed %d","description":"d","affected_resources":["host-%d"],`+
		`"assignees":[],"labels":%s,"related_incidents":[],"active_playbook":null,"resolution":null,`+
		`"timeline":[],"fingerprint":%s,"correlation_score":null}`,
		id, created.Format(time.RFC3339Nano), created.Format(time.RFC3339Nano), st, sev, typ, src, i, i%7, labels, fp)
}

// TestSeedLayoutServed loads incidents written in the seed's layout straight
// into Redis, opens the engine on it, and checks every query against the
// memory engine holding the same documents.
func TestSeedLayoutServed(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(0)
	oracle := memory.New(opts())
	r := rand.New(rand.NewPCG(1, 2))
	var docs []string
	for i := range 400 {
		doc := seedDoc(r, i)
		docs = append(docs, doc)
		seedWrite(t, c, doc)
	}
	// The seed replaced incident 0 with a new state: its old state set keeps it.
	replaced := strings.Replace(docs[0], `"state":"`+gjson.Get(docs[0], "state").Str, `"state":"Closed`, 1)
	replaced = strings.Replace(replaced, `"severity":"`+gjson.Get(docs[0], "severity").Str, `"severity":"P4`, 1)
	docs[0] = replaced
	seedWrite(t, c, replaced)
	// A stray member whose document the seed's delete never removed.
	c.SAdd(context.Background(), "llm-im:state:Triaged", "deadbeef-0000-4000-8000-000000000000")
	for _, doc := range docs {
		if err := oracle.Save(context.Background(), 0, parse(t, doc)); err != nil {
			t.Fatal(err)
		}
	}

	s := open(t, srv.URL(), opts())
	checkLayout(t, c, "llm-im")
	for _, doc := range docs[:20] {
		got, err := s.Get(context.Background(), 0, gjson.Get(doc, "id").Str)
		if err != nil || string(got) != doc {
			t.Fatalf("Get = %s, %v; want the seed's document unchanged", got, err)
		}
	}
	compareEngines(t, s, oracle)
}

// compareEngines checks List, Count and Stats of s against the oracle.
func compareEngines(t *testing.T, s, oracle engine.Store) {
	t.Helper()
	ctx := context.Background()
	for _, f := range seedFilters() {
		for _, desc := range []bool{true, false} {
			q := engine.Query{Filter: f, Desc: desc, Count: 1000}
			got, err := s.List(ctx, 0, q)
			if err != nil {
				t.Fatalf("List(%+v): %v", f, err)
			}
			want, _ := oracle.List(ctx, 0, q)
			if g, w := idsOf(got.Docs), idsOf(want.Docs); !slices.Equal(g, w) {
				t.Errorf("List(%+v, desc %v) = %d ids, oracle %d\n got %.200v\nwant %.200v", f, desc, len(g), len(w), g, w)
			}
		}
		got, err := s.Count(ctx, 0, f)
		want, _ := oracle.Count(ctx, 0, f)
		if err != nil || got != want {
			t.Errorf("Count(%+v) = %d, %v; oracle %d", f, got, err, want)
		}
	}
	got, err := s.Stats(ctx, 0)
	want, _ := oracle.Stats(ctx, 0)
	if err != nil || got != want {
		t.Errorf("Stats = %+v, %v; oracle %+v", got, err, want)
	}
}

// seedFilters covers every dimension alone and combined.
func seedFilters() []engine.Filter {
	f := func(set func(*engine.Filter)) engine.Filter {
		x := engine.AnyFilter()
		set(&x)
		return x
	}
	mid := epochForChecks.Add(2500 * time.Second).UnixNano()
	return []engine.Filter{
		engine.AnyFilter(),
		f(func(x *engine.Filter) { x.Severities = 1<<0 | 1<<4 }),
		f(func(x *engine.Filter) { x.States = engine.ActiveStates }),
		f(func(x *engine.Filter) { x.Types = 1 << 2 }),
		f(func(x *engine.Filter) { x.Sources = []string{"datadog"} }),
		f(func(x *engine.Filter) { x.Fingerprints = []string{"fp-1"} }),
		f(func(x *engine.Filter) { x.Fingerprints = []string{"fp-2"}; x.States = engine.ActiveStates }),
		f(func(x *engine.Filter) { x.Labels = []engine.Label{{Key: "env", Value: "prod"}} }),
		f(func(x *engine.Filter) { x.Since = mid }),
		f(func(x *engine.Filter) { x.Until = mid; x.Severities = 1 << 1 }),
		f(func(x *engine.Filter) {
			x.Sources = []string{"prometheus", "pagerduty"}
			x.States = 1<<0 | 1<<5
			x.Labels = []engine.Label{{Key: "team", Value: "t1"}}
			x.Since = mid - int64(time.Hour)
		}),
	}
}

func idsOf(docs [][]byte) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = gjson.GetBytes(d, "id").Str
	}
	return out
}
