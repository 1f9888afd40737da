package engine_test

import (
	"encoding/base64"
	"math"
	"testing"

	"github.com/imredis/imredis/engine"
)

// meta returns an incident's index entry with the given dimensions.
func meta(sev engine.Severity, st engine.State, typ engine.Type, src string, created int64, labels ...engine.Label) *engine.Meta {
	return &engine.Meta{ID: testID, Created: created, Severity: sev, State: st, Type: typ, Source: src, Labels: labels, Fingerprint: "fp"}
}

func TestFilterMatch(t *testing.T) {
	m := meta(1, 2, 3, "mon", 100, engine.Label{Key: "env", Value: "prod"}, engine.Label{Key: "team", Value: "db"})
	for _, tc := range []struct {
		name string
		f    func(*engine.Filter)
		want bool
	}{
		{"any", func(f *engine.Filter) {}, true},
		{"severity hit", func(f *engine.Filter) { f.Severities = 1<<0 | 1<<1 }, true},
		{"severity miss", func(f *engine.Filter) { f.Severities = 1 << 0 }, false},
		{"state hit", func(f *engine.Filter) { f.States = 1 << 2 }, true},
		{"active", func(f *engine.Filter) { f.States = engine.ActiveStates }, true},
		{"state miss", func(f *engine.Filter) { f.States = 1 << 5 }, false},
		{"type hit", func(f *engine.Filter) { f.Types = 1 << 3 }, true},
		{"type miss", func(f *engine.Filter) { f.Types = 1 << 7 }, false},
		{"source hit", func(f *engine.Filter) { f.Sources = []string{"a", "mon"} }, true},
		{"source is exact", func(f *engine.Filter) { f.Sources = []string{"MON"} }, false},
		{"fingerprint hit", func(f *engine.Filter) { f.Fingerprints = []string{"fp"} }, true},
		{"fingerprint miss", func(f *engine.Filter) { f.Fingerprints = []string{"other"} }, false},
		{"labels all hold", func(f *engine.Filter) {
			f.Labels = []engine.Label{{Key: "env", Value: "prod"}, {Key: "team", Value: "db"}}
		}, true},
		{"label value differs", func(f *engine.Filter) { f.Labels = []engine.Label{{Key: "env", Value: "dev"}} }, false},
		{"label missing", func(f *engine.Filter) { f.Labels = []engine.Label{{Key: "zone", Value: "a"}} }, false},
		{"since inclusive", func(f *engine.Filter) { f.Since = 100 }, true},
		{"since after", func(f *engine.Filter) { f.Since = 101 }, false},
		{"until exclusive", func(f *engine.Filter) { f.Until = 100 }, false},
		{"until after", func(f *engine.Filter) { f.Until = 101 }, true},
		{"dimensions AND", func(f *engine.Filter) { f.Severities, f.States = 1<<1, 1<<5 }, false},
		{"empty", func(f *engine.Filter) { f.Empty = true }, false},
	} {
		f := engine.AnyFilter()
		tc.f(&f)
		if got := f.Match(m); got != tc.want {
			t.Errorf("%s: Match = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestFilterNormalize(t *testing.T) {
	a, b := engine.AnyFilter(), engine.AnyFilter()
	a.Sources = []string{"b", "a", "b"}
	a.Labels = []engine.Label{{Key: "z", Value: "1"}, {Key: "a", Value: "2"}, {Key: "z", Value: "1"}}
	b.Sources = []string{"a", "b"}
	b.Labels = []engine.Label{{Key: "a", Value: "2"}, {Key: "z", Value: "1"}}
	a.Normalize()
	b.Normalize()
	if a.Key() != b.Key() || len(a.Sources) != 2 || len(a.Labels) != 2 || a.Empty {
		t.Fatalf("equal filters normalised differently: %+v vs %+v", a, b)
	}
	c := b
	c.Severities = 1
	if c.Key() == b.Key() {
		t.Fatalf("different filters share key %x", b.Key())
	}
	if all := engine.AnyFilter(); all.Since != math.MinInt64 || all.Until != math.MaxInt64 {
		t.Fatalf("AnyFilter bounds = %d %d", all.Since, all.Until)
	}
	for name, f := range map[string]func(*engine.Filter){
		"one label key two values": func(f *engine.Filter) { f.Labels = []engine.Label{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}} },
		"since equals until":       func(f *engine.Filter) { f.Since, f.Until = 5, 5 },
		"since after until":        func(f *engine.Filter) { f.Since, f.Until = 6, 5 },
	} {
		g := engine.AnyFilter()
		f(&g)
		g.Normalize()
		if !g.Empty {
			t.Errorf("%s: Normalize did not mark the filter empty", name)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []engine.Cursor{
		{Pos: engine.Position{Created: 1709294400123456789, ID: testID}, Desc: true, Key: 0xdeadbeef},
		{Pos: engine.Position{Created: -5, ID: otherID}, Desc: false, Key: math.MaxUint64},
	} {
		tok := c.Encode()
		got, err := engine.DecodeCursor(tok)
		if err != nil || got != c {
			t.Fatalf("DecodeCursor(%q) = %+v, %v; want %+v", tok, got, err, c)
		}
	}
}

func TestDecodeCursorRefuses(t *testing.T) {
	good := engine.Cursor{Pos: engine.Position{Created: 1, ID: testID}, Key: 1}.Encode()
	for _, tok := range []string{
		"", "0", "!!!", good + "=", good[:len(good)-2],
		b64("2|true|1|" + testID + "|1"), b64("1|maybe|1|" + testID + "|1"), b64("1|true|x|" + testID + "|1"),
		b64("1|true|1|not-a-uuid|1"), b64("1|true|1|" + testID + "|zz"), b64("1|true|1|" + testID + "|1|extra"),
	} {
		if c, err := engine.DecodeCursor(tok); err == nil || err.Error() != "cursor is malformed" {
			t.Errorf("DecodeCursor(%q) = %+v, %v; want cursor is malformed", tok, c, err)
		}
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
