package conformance

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

var upsertCases = []testCase{
	{"UpsertMovesEveryIndex", testUpsertMovesEveryIndex},
	{"UpsertSameIDIsOneIncident", testUpsertSameID},
}

// probes returns one filter per indexed value of s, each selecting on that
// value alone: severity, state, type, source, each label, fingerprint and a
// one-nanosecond window at created_at.
func probes(s spec) []engine.Filter {
	one := func(set func(*engine.Filter)) engine.Filter {
		f := engine.AnyFilter()
		set(&f)
		return f
	}
	out := []engine.Filter{
		one(func(f *engine.Filter) { f.Severities = sevs(cmp.Or(s.Severity, "P2")) }),
		one(func(f *engine.Filter) { f.States = states(cmp.Or(s.State, "Detected")) }),
		one(func(f *engine.Filter) { f.Types = types(cmp.Or(s.Type, "Application")) }),
		one(func(f *engine.Filter) { f.Sources = []string{cmp.Or(s.Source, "conformance")} }),
	}
	for k, v := range s.Labels {
		out = append(out, one(func(f *engine.Filter) { f.Labels = []engine.Label{{Key: k, Value: v}} }))
	}
	if s.Fingerprint != "" {
		out = append(out, one(func(f *engine.Filter) { f.Fingerprints = []string{s.Fingerprint} }))
	}
	if s.CreatedAt != "" {
		c, err := time.Parse(time.RFC3339Nano, s.CreatedAt)
		if err != nil {
			panic(err)
		}
		out = append(out, one(func(f *engine.Filter) { f.Since, f.Until = c.UnixNano(), c.UnixNano()+1 }))
	}
	return out
}

// describe renders the dimensions f sets, for failure messages.
func describe(f engine.Filter) string {
	var parts []string
	add := func(name string, v any) { parts = append(parts, fmt.Sprintf("%s=%v", name, v)) }
	if f.Severities != 0 {
		add("sev", fmt.Sprintf("%05b", f.Severities))
	}
	if f.States != 0 {
		add("state", fmt.Sprintf("%06b", f.States))
	}
	if f.Types != 0 {
		add("type", fmt.Sprintf("%08b", f.Types))
	}
	if len(f.Sources) > 0 {
		add("source", f.Sources)
	}
	if len(f.Labels) > 0 {
		add("labels", f.Labels)
	}
	if len(f.Fingerprints) > 0 {
		add("fp", f.Fingerprints)
	}
	if f.Since != math.MinInt64 {
		add("since", time.Unix(0, f.Since).UTC().Format(time.RFC3339Nano))
	}
	if f.Until != math.MaxInt64 {
		add("until", time.Unix(0, f.Until).UTC().Format(time.RFC3339Nano))
	}
	if f.Empty {
		add("empty", true)
	}
	if len(parts) == 0 {
		return "any"
	}
	return strings.Join(parts, " ")
}

// checkFound checks that every probe of s finds exactly want, in db 0.
func (e *env) checkFound(s spec, want []string) {
	e.t.Helper()
	for _, f := range probes(s) {
		if n := e.count(0, f); n != int64(len(want)) {
			e.t.Errorf("Count(%s) = %d, want %d", describe(f), n, len(want))
		}
		equalIDs(e.t, "List("+describe(f)+")", e.listIDs(0, f, true), want)
	}
}

func testUpsertMovesEveryIndex(t *testing.T, e *env) {
	// other shares no indexed value with before or after.
	other := e.save(spec{ID: idN(2), Severity: "P4", State: "Triaged", Type: "Compliance", Source: "other",
		Labels: map[string]string{"env": "test"}, Fingerprint: "fp-other", CreatedAt: ts(at(30 * time.Minute))})
	before := spec{ID: idN(1), Severity: "P1", State: "Detected", Type: "Security", Source: "old-src",
		Labels: map[string]string{"env": "prod", "team": "a"}, Fingerprint: "fp-old", CreatedAt: ts(at(time.Hour))}
	id := e.save(before)
	e.checkFound(before, []string{id})

	after := spec{ID: idN(1), Severity: "P3", State: "Resolved", Type: "Data", Source: "new-src",
		Labels: map[string]string{"env": "dev", "region": "eu"}, Fingerprint: "fp-new", CreatedAt: ts(at(2 * time.Hour))}
	if got := e.save(after); got != id {
		t.Fatalf("replace returned id %s, want %s", got, id)
	}
	e.checkFound(before, nil)
	e.checkFound(after, []string{id})

	f := activeOnly(engine.AnyFilter())
	f.Severities, f.Sources = sevs("P1"), []string{"old-src"}
	if n := e.count(0, f); n != 0 {
		t.Errorf("Count(old values combined) = %d, want 0", n)
	}
	if n := e.count(0, activeOnly(engine.AnyFilter())); n != 1 {
		t.Errorf("Count(ACTIVE) = %d, want 1 (only the other incident)", n)
	}
	equalIDs(t, "List(all)", e.listIDs(0, engine.AnyFilter(), true), []string{id, other})
	equalIDs(t, "List(all ASC)", e.listIDs(0, engine.AnyFilter(), false), []string{other, id})
	want := engine.Stats{Total: 2, Active: 1}
	want.BySeverity[3], want.BySeverity[4] = 1, 1
	want.ByState[1], want.ByState[4] = 1, 1
	if st := e.stats(0); st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
}

func testUpsertSameID(t *testing.T, e *env) {
	for i := range 5 {
		e.save(spec{ID: idN(7), Title: fmt.Sprint("v", i), CreatedAt: ts(at(time.Duration(i) * time.Minute))})
	}
	if n := e.count(0, engine.AnyFilter()); n != 1 {
		t.Errorf("Count = %d after five saves of one id, want 1", n)
	}
	ids := e.listIDs(0, engine.AnyFilter(), false)
	if !slices.Equal(ids, []string{idN(7)}) {
		t.Errorf("List = %v, want one entry", ids)
	}
	if st := e.stats(0); st.Total != 1 || st.BySeverity[2] != 1 || st.ByState[0] != 1 {
		t.Errorf("Stats = %+v, want one P2 Detected incident", st)
	}
}
