package upstream

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
)

// TestKeysGolden pins the exact key names of the layout.
func TestKeysGolden(t *testing.T) {
	k := keys{p: "llm-im"}
	id := "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
	for _, c := range []struct{ got, want string }{
		{k.incident(id), "llm-im:incident:6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"},
		{k.incidents(), "llm-im:incidents"},
		{k.severity("P0"), "llm-im:severity:P0"},
		{k.state("Detected"), "llm-im:state:Detected"},
		{k.source("prometheus"), "llm-im:source:prometheus"},
		{k.fingerprint("abc"), "llm-im:fingerprint:abc"},
		{k.meta(id), "llm-im:meta:6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"},
		{k.invalid(), "llm-im:invalid"},
		{k.layout(), "llm-im:layout"},
		{k.events(), "llm-im:events"},
		{k.fence("N"), "llm-im:fence:N"},
		{k.byAll(), "llm-im:by:all"},
		{k.bySeverity("P4"), "llm-im:by:severity:P4"},
		{k.byState("Remediating"), "llm-im:by:state:Remediating"},
		{k.byType("Security"), "llm-im:by:type:Security"},
		{k.bySource("src with space"), "llm-im:by:source:src with space"},
		{k.byFingerprint("abc"), "llm-im:by:fingerprint:abc"},
		{k.byLabel(engine.Label{Key: "env", Value: "prod"}), "llm-im:by:label:3:env=prod"},
		{k.byLabel(engine.Label{Key: "a=b", Value: "c"}), "llm-im:by:label:3:a=b=c"},
		{k.byLabel(engine.Label{Key: "a", Value: "b=c"}), "llm-im:by:label:1:a=b=c"},
		{keys{p: "team-x"}.state("Closed"), "team-x:state:Closed"},
		{k.pattern("incident:"), "llm-im:incident:*"},
		{keys{p: "a*b?[c]\\"}.pattern(""), `a\*b\?\[c\]\\:*`},
		{member(0, id), "8000000000000000:" + id},
		{member(1704067200123456789, id), "97a6101708c0cd15:" + id},
		{member(-1, id), "7fffffffffffffff:" + id},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	m := &engine.Meta{ID: id, Severity: 1, State: 2, Type: 3, Source: "s", Fingerprint: "fp",
		Labels: []engine.Label{{Key: "env", Value: "prod"}}}
	wantSets := []string{"llm-im:incidents", "llm-im:severity:P1", "llm-im:state:Investigating",
		"llm-im:source:s", "llm-im:fingerprint:fp"}
	if got := k.sets(m); !slices.Equal(got, wantSets) {
		t.Errorf("sets = %q, want %q", got, wantSets)
	}
	wantZsets := []string{"llm-im:by:all", "llm-im:by:severity:P1", "llm-im:by:state:Investigating",
		"llm-im:by:type:Data", "llm-im:by:source:s", "llm-im:by:fingerprint:fp", "llm-im:by:label:3:env=prod"}
	if got := k.zsets(m); !slices.Equal(got, wantZsets) {
		t.Errorf("zsets = %q, want %q", got, wantZsets)
	}
	if got := k.activeStates(); strings.Join(got, " ") !=
		"llm-im:by:state:Detected llm-im:by:state:Triaged llm-im:by:state:Investigating llm-im:by:state:Remediating" {
		t.Errorf("activeStates = %q", got)
	}
}

// TestMemberOrder checks that member order is (created_at, id) order and
// that position decodes it.
func TestMemberOrder(t *testing.T) {
	instants := []int64{math.MinInt64, -1e18, -1, 0, 1, 1e9, 1704067200123456789, math.MaxInt64}
	ids := []string{"00000000-0000-4000-8000-000000000001", "ffffffff-0000-4000-8000-000000000000"}
	var prev string
	for _, ns := range instants {
		for _, id := range ids {
			m := member(ns, id)
			if prev != "" && m <= prev {
				t.Errorf("member(%d, %s) = %q sorts before %q", ns, id, m, prev)
			}
			prev = m
			if p, ok := position(m); !ok || p.Created != ns || p.ID != id {
				t.Errorf("position(%q) = %+v, %v", m, p, ok)
			}
		}
	}
	if _, ok := position("zz"); ok {
		t.Error("position accepted a malformed member")
	}
}

// TestBounds checks the ZRANGEBYLEX intervals of time windows and cursors.
func TestBounds(t *testing.T) {
	f := engine.AnyFilter()
	if lo, hi := bounds(&f, false, nil); lo != "-" || hi != "+" {
		t.Errorf("unbounded = %q %q", lo, hi)
	}
	f.Since, f.Until = 10, 20
	lo, hi := bounds(&f, false, nil)
	if lo != "["+member(10, "") || hi != "("+member(20, "") {
		t.Errorf("window = %q %q", lo, hi)
	}
	id := "00000000-0000-4000-8000-000000000001"
	if lo, _ := bounds(&f, false, &engine.Position{Created: 5, ID: id}); lo != "["+member(10, "") {
		t.Errorf("cursor before the window moved lo to %q", lo)
	}
	if lo, _ := bounds(&f, false, &engine.Position{Created: 10, ID: id}); lo != "("+member(10, id) {
		t.Errorf("cursor inside the window: lo = %q", lo)
	}
	if _, hi := bounds(&f, true, &engine.Position{Created: 15, ID: id}); hi != "("+member(15, id) {
		t.Errorf("descending cursor: hi = %q", hi)
	}
	if _, hi := bounds(&f, true, &engine.Position{Created: 25, ID: id}); hi != "("+member(20, "") {
		t.Errorf("descending cursor after the window moved hi to %q", hi)
	}
}
