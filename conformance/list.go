package conformance

import (
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

var listCases = []testCase{
	{"FiltersMatchOracle", testFiltersMatchOracle},
	{"DuplicateFilterValues", testDuplicateFilterValues},
	{"EmptyFilters", testEmptyFilters},
	{"OffsetPaging", testOffsetPaging},
	{"PageNext", testPageNext},
}

// namedFilter is one row of a filter table.
type namedFilter struct {
	name string
	f    engine.Filter
}

// filter builds a filter from AnyFilter.
func filter(set func(*engine.Filter)) engine.Filter {
	f := engine.AnyFilter()
	set(&f)
	return f
}

// window sets Since and Until to offsets from epoch.
func window(f *engine.Filter, since, until time.Duration) {
	f.Since, f.Until = at(since).UnixNano(), at(until).UnixNano()
}

func label(k, v string) engine.Label { return engine.Label{Key: k, Value: v} }

// randomFilters covers each filter dimension alone and in combination over
// the dataset seedRandom builds.
func randomFilters() []namedFilter {
	mid := at(30 * time.Minute).UnixNano()
	return []namedFilter{
		{"any", engine.AnyFilter()},
		{"sev P0", filter(func(f *engine.Filter) { f.Severities = sevs("P0") })},
		{"sev P0|P1", filter(func(f *engine.Filter) { f.Severities = sevs("P0", "P1") })},
		{"sev all", filter(func(f *engine.Filter) { f.Severities = sevs(engine.Severities...) })},
		{"state Resolved", filter(func(f *engine.Filter) { f.States = states("Resolved") })},
		{"state Detected|Closed", filter(func(f *engine.Filter) { f.States = states("Detected", "Closed") })},
		{"active", activeOnly(engine.AnyFilter())},
		{"active Triaged|Closed", activeOnly(filter(func(f *engine.Filter) { f.States = states("Triaged", "Closed") }))},
		{"type Security", filter(func(f *engine.Filter) { f.Types = types("Security") })},
		{"type Security|Data|Unknown", filter(func(f *engine.Filter) { f.Types = types("Security", "Data", "Unknown") })},
		{"source prometheus", filter(func(f *engine.Filter) { f.Sources = []string{"prometheus"} })},
		{"source prometheus|space", filter(func(f *engine.Filter) { f.Sources = []string{"prometheus", "src with space"} })},
		{"source exact case", filter(func(f *engine.Filter) { f.Sources = []string{"grafana"} })},
		{"source Grafana|unknown", filter(func(f *engine.Filter) { f.Sources = []string{"Grafana", "nope"} })},
		{"label env", filter(func(f *engine.Filter) { f.Labels = []engine.Label{label("env", "prod")} })},
		{"labels env team", filter(func(f *engine.Filter) { f.Labels = []engine.Label{label("env", "prod"), label("team", "a")} })},
		{"labels env team region", filter(func(f *engine.Filter) {
			f.Labels = []engine.Label{label("region", "eu"), label("env", "prod"), label("team", "a")}
		})},
		{"label unknown value", filter(func(f *engine.Filter) { f.Labels = []engine.Label{label("env", "nope")} })},
		{"label one key two values", filter(func(f *engine.Filter) { f.Labels = []engine.Label{label("env", "prod"), label("env", "dev")} })},
		{"since mid", filter(func(f *engine.Filter) { f.Since = mid })},
		{"until mid", filter(func(f *engine.Filter) { f.Until = mid })},
		{"since until", filter(func(f *engine.Filter) { window(f, 10*time.Minute, 20*time.Minute) })},
		{"one instant", filter(func(f *engine.Filter) {
			window(f, 15*time.Minute+500*time.Millisecond, 15*time.Minute+500*time.Millisecond+1)
		})},
		{"fp a", filter(func(f *engine.Filter) { f.Fingerprints = []string{"fp-a"} })},
		{"fp a|c", filter(func(f *engine.Filter) { f.Fingerprints = []string{"fp-a", "fp-c"} })},
		{"sev active label", activeOnly(filter(func(f *engine.Filter) {
			f.Severities, f.Labels = sevs("P1", "P2"), []engine.Label{label("env", "prod")}
		}))},
		{"source types since", filter(func(f *engine.Filter) {
			f.Sources, f.Types, f.Since = []string{"prometheus"}, types("Security", "Data", "Infrastructure"), mid
		})},
		{"source label fp", filter(func(f *engine.Filter) {
			f.Sources, f.Labels, f.Fingerprints = []string{"datadog", "pagerduty"}, []engine.Label{label("team", "b")}, []string{"fp-b"}
		})},
		{"label region until", filter(func(f *engine.Filter) {
			f.Labels, f.Until = []engine.Label{label("region", "us")}, at(20*time.Minute).UnixNano()
		})},
		{"every dimension", activeOnly(filter(func(f *engine.Filter) {
			f.Severities, f.States = sevs("P0", "P1", "P2"), states("Detected", "Triaged", "Resolved")
			f.Types = types("Infrastructure", "Application", "Security", "Data", "Performance")
			f.Sources = []string{"prometheus", "datadog", "Grafana"}
			f.Labels = []engine.Label{label("team", "a")}
			f.Fingerprints = []string{"fp-a", "fp-b"}
			window(f, 5*time.Minute, 55*time.Minute)
		}))},
	}
}

// checkOracle compares Count and List in both orders with the oracle.
func (e *env) checkOracle(db int, name string, f engine.Filter, facts []fact) {
	e.t.Helper()
	desc := expect(facts, f, true)
	got := e.listIDs(db, f, true)
	equalIDs(e.t, name+": List DESC", got, desc)
	equalIDs(e.t, name+": List ASC", e.listIDs(db, f, false), expect(facts, f, false))
	n := e.count(db, f)
	if n != int64(len(desc)) {
		e.t.Errorf("%s: Count = %d, want %d", name, n, len(desc))
	}
	if n != int64(len(got)) {
		e.t.Errorf("%s: Count = %d but List returned %d", name, n, len(got))
	}
}

func testFiltersMatchOracle(t *testing.T, e *env) {
	facts := e.seedRandom(0, 300, 1)
	for _, nf := range randomFilters() {
		t.Run(nf.name, func(t *testing.T) {
			e.with(t).checkOracle(0, nf.name, nf.f, facts)
		})
	}
}

func testDuplicateFilterValues(t *testing.T, e *env) {
	facts := e.seedRandom(0, 120, 2)
	for _, nf := range []namedFilter{
		{"source twice", filter(func(f *engine.Filter) { f.Sources = []string{"datadog", "prometheus", "datadog"} })},
		{"fingerprint twice", filter(func(f *engine.Filter) { f.Fingerprints = []string{"fp-b", "fp-b"} })},
		{"label twice", filter(func(f *engine.Filter) { f.Labels = []engine.Label{label("env", "dev"), label("env", "dev")} })},
	} {
		t.Run(nf.name, func(t *testing.T) {
			e.with(t).checkOracle(0, nf.name, nf.f, facts)
		})
	}
}

func testEmptyFilters(t *testing.T, e *env) {
	e.seedRandom(0, 60, 3)
	for _, nf := range []namedFilter{
		{"Closed ACTIVE", activeOnly(filter(func(f *engine.Filter) { f.States = states("Closed") }))},
		{"Empty set", filter(func(f *engine.Filter) { f.Empty = true })},
		{"since == until", filter(func(f *engine.Filter) { window(f, 10*time.Minute, 10*time.Minute) })},
		{"since > until", filter(func(f *engine.Filter) { window(f, 20*time.Minute, 10*time.Minute) })},
		{"unknown source", filter(func(f *engine.Filter) { f.Sources = []string{"nope"} })},
		{"unknown fingerprint", filter(func(f *engine.Filter) { f.Fingerprints = []string{"nope"} })},
		{"unknown label", filter(func(f *engine.Filter) { f.Labels = []engine.Label{label("nope", "x")} })},
	} {
		if n := e.count(0, nf.f); n != 0 {
			t.Errorf("%s: Count = %d, want 0", nf.name, n)
		}
		p := e.list(0, engine.Query{Filter: nf.f, Desc: true, Count: 10})
		if len(p.Docs) != 0 || p.Next != nil {
			t.Errorf("%s: List = %d docs, next %v; want none", nf.name, len(p.Docs), p.Next)
		}
	}
}

func testOffsetPaging(t *testing.T, e *env) {
	facts := e.seedRandom(0, 150, 4)
	for _, nf := range []namedFilter{
		{"any", engine.AnyFilter()},
		{"active", activeOnly(engine.AnyFilter())},
		{"source|label", filter(func(f *engine.Filter) {
			f.Sources, f.Labels = []string{"prometheus", "datadog"}, []engine.Label{label("env", "prod")}
		})},
	} {
		for _, desc := range []bool{true, false} {
			want := expect(facts, nf.f, desc)
			for _, size := range []int{1, 7, 50} {
				var got []string
				for page := 0; ; page++ {
					// PAGE page PAGESIZE size is LIMIT page*size size.
					p := e.list(0, engine.Query{Filter: nf.f, Desc: desc, Offset: page * size, Count: size})
					got = append(got, docIDs(t, p.Docs)...)
					more := (page+1)*size < len(want)
					if (p.Next != nil) != more {
						t.Errorf("%s desc=%v PAGE %d PAGESIZE %d: Next = %v, want more=%v", nf.name, desc, page, size, p.Next, more)
					}
					if len(p.Docs) < size || page > len(want) {
						break
					}
				}
				equalIDs(t, nf.name+" paged", got, want)
			}
		}
	}
}

func testPageNext(t *testing.T, e *env) {
	var ids []string
	for i := range 10 {
		ids = append(ids, e.save(spec{ID: idN(i), CreatedAt: ts(at(time.Duration(i/2) * time.Minute)),
			Source: []string{"even", "odd"}[i%2]}))
	}
	asc := engine.AnyFilter()
	for _, c := range []struct {
		offset, count int
		next          int // index into ids of the Next position, -1 for nil
	}{
		{0, 10, -1}, {0, 11, -1}, {0, 9, 8}, {5, 5, -1}, {4, 5, 8}, {0, 1, 0}, {3, 2, 4}, {20, 5, -1},
	} {
		p := e.list(0, engine.Query{Filter: asc, Offset: c.offset, Count: c.count})
		end := min(len(ids), c.offset+c.count)
		equalIDs(t, "LIMIT page", docIDs(t, p.Docs), ids[min(c.offset, end):end])
		switch {
		case c.next < 0 && p.Next != nil:
			t.Errorf("LIMIT %d %d: Next = %+v, want nil at the end", c.offset, c.count, *p.Next)
		case c.next >= 0 && p.Next == nil:
			t.Errorf("LIMIT %d %d: Next = nil, want the position of %s", c.offset, c.count, ids[c.next])
		case c.next >= 0 && (p.Next.ID != ids[c.next] || p.Next.Created != at(time.Duration(c.next/2)*time.Minute).UnixNano()):
			t.Errorf("LIMIT %d %d: Next = %+v, want the position of %s", c.offset, c.count, *p.Next, ids[c.next])
		}
	}
	// Incidents that follow but do not match are not "more".
	even := filter(func(f *engine.Filter) { f.Sources = []string{"even"} })
	if p := e.list(0, engine.Query{Filter: even, Desc: true, Count: 5}); len(p.Docs) != 5 || p.Next != nil {
		t.Errorf("List(even, 5) = %d docs, next %v; want 5 and nil", len(p.Docs), p.Next)
	}
}
