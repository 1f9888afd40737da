package commands

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

func argv(s string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(s) {
		out = append(out, []byte(f))
	}
	return out
}

func TestParseKey(t *testing.T) {
	const id = "0b0f5a0e-3c1e-4b0c-9a57-3b4f2f3f0a11"
	for _, c := range []struct {
		key   string
		kind  keyKind
		field string
		empty bool
	}{
		{"llm-im:incident:" + id, keyIncident, "", false},
		{"llm-im:incident:" + strings.ToUpper(id), keyIncident, "", false},
		{"llm-im:incident:not-a-uuid", keyIncident, "", false},
		{"llm-im:incidents", keyIndex, "", false},
		{"llm-im:severity:P0", keyIndex, "severity", false},
		{"llm-im:severity:p0", keyIndex, "severity", true}, // exact spelling only
		{"llm-im:state:Detected", keyIndex, "state", false},
		{"llm-im:state:Active", keyIndex, "state", true},
		{"llm-im:source:a:b c", keyIndex, "source", false},
		{"llm-im:source:", keyIndex, "source", true},
		{"llm-im:fingerprint:abc", keyIndex, "fingerprint", false},
		{"llm-im:fingerprint:", keyIndex, "fingerprint", true},
		{"llm-im:temp:severity_union:x", keyTemp, "", false},
		{"llm-im:temp:", keyTemp, "", false},
		{"llm-im:incidentsX", keyOutside, "", false},
		{"llm-im:events", keyOutside, "", false},
		{"llm-im:type:Data", keyOutside, "", false},
		{"llm-im", keyOutside, "", false},
		{"other:incidents", keyOutside, "", false},
		{"LLM-IM:incidents", keyOutside, "", false},
		{"", keyOutside, "", false},
	} {
		ref := parseKey("llm-im", c.key)
		if ref.kind != c.kind || ref.field != c.field || ref.filter.Empty != c.empty {
			t.Errorf("parseKey(%q) = kind %d field %q empty %v; want %d %q %v",
				c.key, ref.kind, ref.field, ref.filter.Empty, c.kind, c.field, c.empty)
		}
		if ref.kind == keyIncident && ref.id != strings.ToLower(strings.TrimPrefix(c.key, "llm-im:incident:")) {
			t.Errorf("parseKey(%q).id = %q", c.key, ref.id)
		}
	}
	if ref := parseKey("custom", "custom:severity:P3"); ref.kind != keyIndex || ref.filter.Severities != 1<<3 {
		t.Errorf("custom prefix: %+v", ref)
	}
	if ref := parseKey("custom", "llm-im:incidents"); ref.kind != keyOutside {
		t.Errorf("llm-im key under a custom prefix: kind %d", ref.kind)
	}
}

func TestParseCursor(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true}, {"", 0, true}, {"42", 42, true}, {"+7", 7, true},
		{"-1", math.MaxUint64, true}, {"18446744073709551615", math.MaxUint64, true},
		{"18446744073709551616", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"+", 0, false}, {"-", 0, false}, {"0x10", 0, false}, {"1.5", 0, false}, {"abc", 0, false},
	} {
		got, ok := parseCursor(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseCursor(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestParseScan(t *testing.T) {
	for _, c := range []struct {
		in   string
		want scanArgs
		err  error
	}{
		{"SCAN 0", scanArgs{count: 10}, nil},
		{"scan 5 match llm-im:* count 100 type set", scanArgs{cursor: 5, count: 100, match: "llm-im:*", typ: "set", hasType: true}, nil},
		{"SCAN 0 COUNT 1 COUNT 3 MATCH a MATCH b", scanArgs{count: 3, match: "b"}, nil}, // Redis: the last one wins
		{"SCAN 0 TYPE Hash", scanArgs{count: 10, typ: "Hash", hasType: true}, nil},
		{"SCAN x", scanArgs{}, resp.ErrInvalidCursor},
		{"SCAN x COUNT 0", scanArgs{}, resp.ErrInvalidCursor}, // the cursor is checked first
		{"SCAN 0 COUNT 0", scanArgs{}, resp.ErrSyntax},
		{"SCAN 0 COUNT -1", scanArgs{}, resp.ErrSyntax},
		{"SCAN 0 COUNT x", scanArgs{}, resp.ErrNotInteger},
		{"SCAN 0 COUNT", scanArgs{}, resp.ErrSyntax},
		{"SCAN 0 MATCH", scanArgs{}, resp.ErrSyntax},
		{"SCAN 0 LIMIT 5", scanArgs{}, resp.ErrSyntax},
	} {
		got, err := parseScan(argv(c.in))
		if !errors.Is(err, c.err) || (err == nil && got != c.want) {
			t.Errorf("parseScan(%q) = %+v, %v; want %+v, %v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestParseExpire(t *testing.T) {
	for _, c := range []struct {
		in   string
		want expireArgs
		err  error
	}{
		{"EXPIRE k 60", expireArgs{when: 60}, nil},
		{"EXPIRE k -5", expireArgs{when: -5}, nil},
		{"EXPIRE k 60 nx", expireArgs{when: 60, nx: true}, nil},
		{"EXPIRE k 60 XX GT", expireArgs{when: 60, xx: true, gt: true}, nil},
		{"EXPIRE k 60 LT LT", expireArgs{when: 60, lt: true}, nil},
		{"EXPIRE k x", expireArgs{}, resp.ErrNotInteger},
		{"EXPIRE k x FOO", expireArgs{}, resp.UnsupportedOption("FOO")}, // options first
		{"EXPIRE k 60 NX XX", expireArgs{}, resp.ErrExpireNX},
		{"EXPIRE k 60 LT NX", expireArgs{}, resp.ErrExpireNX},
		{"EXPIRE k 60 GT LT", expireArgs{}, resp.ErrExpireGTLT},
	} {
		got, err := parseExpire(argv(c.in))
		if !errors.Is(err, c.err) || (err == nil && got != c.want) {
			t.Errorf("parseExpire(%q) = %+v, %v; want %+v, %v", c.in, got, err, c.want, c.err)
		}
	}
	if _, ok := (expireArgs{when: math.MaxInt64 / 999}).at(1, 1000); ok {
		t.Error("seconds overflowing milliseconds accepted")
	}
	if _, ok := (expireArgs{when: math.MaxInt64 - 10}).at(100, 1); ok {
		t.Error("a time past MaxInt64 accepted")
	}
	if at, ok := (expireArgs{when: 2}).at(1000, 1000); !ok || at != 3000 {
		t.Errorf("at = %d, %v", at, ok)
	}
}

func TestExpireAllow(t *testing.T) {
	const none = -1
	for _, c := range []struct {
		e        expireArgs
		at, cur  int64
		want     bool
		describe string
	}{
		{expireArgs{}, 5, none, true, "no option"},
		{expireArgs{nx: true}, 5, none, true, "NX without expiry"},
		{expireArgs{nx: true}, 5, 9, false, "NX with expiry"},
		{expireArgs{xx: true}, 5, none, false, "XX without expiry"},
		{expireArgs{xx: true}, 5, 9, true, "XX with expiry"},
		{expireArgs{gt: true}, 5, none, false, "GT: no expiry is infinite"},
		{expireArgs{gt: true}, 10, 9, true, "GT later"},
		{expireArgs{gt: true}, 9, 9, false, "GT same"},
		{expireArgs{lt: true}, 5, none, true, "LT: no expiry is infinite"},
		{expireArgs{lt: true}, 5, 9, true, "LT earlier"},
		{expireArgs{lt: true}, 9, 9, false, "LT same"},
		{expireArgs{xx: true, gt: true}, 10, none, false, "XX GT without expiry"},
	} {
		if got := c.e.allow(c.at)(c.cur); got != c.want {
			t.Errorf("%s: allow = %v, want %v", c.describe, got, c.want)
		}
	}
}

func TestParseInterCard(t *testing.T) {
	for _, c := range []struct {
		in    string
		keys  int
		limit int64
		err   error
	}{
		{"SINTERCARD 1 a", 1, 0, nil},
		{"SINTERCARD 2 a b LIMIT 3", 2, 3, nil},
		{"SINTERCARD 2 a b limit 3 LIMIT 0", 2, 0, nil},
		{"SINTERCARD 0 a", 0, 0, resp.ErrNumKeys},
		{"SINTERCARD x a", 0, 0, resp.ErrNumKeys},
		{"SINTERCARD 3 a b", 0, 0, resp.ErrNumKeysArgs},
		{"SINTERCARD 1 a LIMIT", 0, 0, resp.ErrSyntax},
		{"SINTERCARD 1 a LIMIT -1", 0, 0, resp.ErrLimitNegative},
		{"SINTERCARD 1 a LIMIT x", 0, 0, resp.ErrLimitNegative},
		{"SINTERCARD 1 a FOO 1", 0, 0, resp.ErrSyntax},
	} {
		got, err := parseInterCard(argv(c.in))
		if !errors.Is(err, c.err) || (err == nil && (len(got.keys) != c.keys || got.limit != c.limit)) {
			t.Errorf("parseInterCard(%q) = %d keys limit %d, %v; want %d, %d, %v", c.in, len(got.keys), got.limit, err, c.keys, c.limit, c.err)
		}
	}
}

func TestParseSet(t *testing.T) {
	if k, v, err := parseSet(argv("SET k {}")); err != nil || string(k) != "k" || string(v) != "{}" {
		t.Errorf("parseSet = %q %q %v", k, v, err)
	}
	for _, in := range []string{"SET k v EX 10", "SET k v NX", "SET k v GET"} {
		if _, _, err := parseSet(argv(in)); !errors.Is(err, resp.ErrSyntax) {
			t.Errorf("parseSet(%q) = %v, want syntax error", in, err)
		}
	}
}

func TestWithKeyID(t *testing.T) {
	const id = "0b0f5a0e-3c1e-4b0c-9a57-3b4f2f3f0a11"
	for _, c := range []struct{ in, want string }{
		{`{}`, `{"id":"` + id + `"}`},
		{` { } `, ` {"id":"` + id + `" } `},
		{`{"a":1}`, `{"id":"` + id + `","a":1}`},
		{`{"a":1,"id":null}`, `{"a":1,"id":"` + id + `"}`},
		{`{"id":"other"}`, `{"id":"other"}`},
		{`[1]`, `[1]`},
		{`{"a":`, `{"a":`},
		{``, ``},
	} {
		if got := withKeyID([]byte(c.in), id); string(got) != c.want {
			t.Errorf("withKeyID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestScanPage(t *testing.T) {
	keys := []scanKey{{hash: 1, name: "a"}, {hash: 5, name: "b"}, {hash: 5, name: "c"}, {hash: 9, name: "d"}}
	for _, c := range []struct {
		cursor uint64
		count  int64
		want   string
		next   uint64
	}{
		{0, 1, "a", 2},
		{2, 1, "bc", 6}, // keys of one hash stay together
		{6, 1, "d", 0},
		{0, 10, "abcd", 0},
		{0, 2, "abc", 6},
		{10, 1, "", 0},
		{math.MaxUint64, 1, "", 0},
	} {
		page, next := scanPage(keys, c.cursor, c.count)
		var got bytes.Buffer
		for _, k := range page {
			got.WriteString(k.name)
		}
		if got.String() != c.want || next != c.next {
			t.Errorf("scanPage(%d, %d) = %q, %d; want %q, %d", c.cursor, c.count, got.String(), next, c.want, c.next)
		}
	}
}

func TestApplyOp(t *testing.T) {
	a, b, c := []string{"1", "2", "3"}, []string{"2", "3", "4"}, []string{"3", "5"}
	for _, tc := range []struct {
		op   setOp
		sets [][]string
		want string
	}{
		{opInter, [][]string{a, b, c}, "3"},
		{opInter, [][]string{a, nil}, ""},
		{opUnion, [][]string{a, b, c}, "12345"},
		{opDiff, [][]string{a, b}, "1"},
		{opDiff, [][]string{b, a, c}, "4"},
		{opDiff, [][]string{nil, a}, ""},
		{opUnion, nil, ""},
	} {
		if got := strings.Join(applyOp(tc.op, tc.sets), ""); got != tc.want {
			t.Errorf("applyOp(%d, %v) = %q, want %q", tc.op, tc.sets, got, tc.want)
		}
	}
}

func TestAndFilter(t *testing.T) {
	f := engine.AnyFilter()
	sev, state := indexFilter("severity", "P1"), indexFilter("state", "Triaged")
	andFilter(&f, &sev)
	andFilter(&f, &state)
	if f.Empty || f.Severities != 1<<1 || f.States != 1<<1 {
		t.Errorf("P1 and Triaged: %+v", f)
	}
	other := indexFilter("severity", "P2")
	if andFilter(&f, &other); !f.Empty {
		t.Error("P1 and P2 should be empty")
	}
	g, s1, s2 := engine.AnyFilter(), indexFilter("source", "a"), indexFilter("source", "b")
	andFilter(&g, &s1)
	if andFilter(&g, &s2); !g.Empty {
		t.Error("source a and source b should be empty")
	}
}

// FuzzKeyspaceParsers feeds one argument vector to every keyspace parser;
// none may panic.
func FuzzKeyspaceParsers(f *testing.F) {
	f.Add("SCAN\x000\x00MATCH\x00llm-im:*\x00COUNT\x0010\x00TYPE\x00set")
	f.Add("EXPIRE\x00k\x0060\x00NX\x00GT")
	f.Add("SINTERCARD\x002\x00a\x00b\x00LIMIT\x00-1")
	f.Add("SET\x00llm-im:incident:x\x00{\"id\":null}")
	f.Fuzz(func(t *testing.T, in string) {
		a := bytes.Split([]byte(in), []byte{0})
		for len(a) < 3 {
			a = append(a, nil)
		}
		parseScan(a)
		parseExpire(a)
		parseInterCard(a)
		parseSet(a)
		parseCursor(string(a[1]))
		ref := parseKey("llm-im", string(a[1]))
		if ref.kind == keyIncident {
			withKeyID(a[2], ref.id)
		}
	})
}
