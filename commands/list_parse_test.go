package commands

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// splitArgs turns "A b  c" into the argument list [A b c].
func splitArgs(s string) [][]byte {
	var out [][]byte
	for _, f := range strings.Fields(s) {
		out = append(out, []byte(f))
	}
	return out
}

// wireText returns err as the client sees it, or "" for nil.
func wireText(err error) string {
	if err == nil {
		return ""
	}
	return resp.ErrorText(err)
}

// filterWith returns AnyFilter changed by fn and normalised.
func filterWith(fn func(f *engine.Filter)) engine.Filter {
	f := engine.AnyFilter()
	fn(&f)
	f.Normalize()
	return f
}

func instantOf(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UnixNano()
}

const (
	wantSyntax = "ERR syntax error"
	wantNotInt = "ERR value is not an integer or out of range"
)

var filterRows = []struct {
	in   string
	want engine.Filter
	err  string
}{
	{"", engine.AnyFilter(), ""},
	{"SEVERITY P0 severity p1", filterWith(func(f *engine.Filter) { f.Severities = 1<<0 | 1<<1 }), ""},
	{"STATE triaged STATE CLOSED", filterWith(func(f *engine.Filter) { f.States = 1<<1 | 1<<5 }), ""},
	{"TYPE security Type DATA", filterWith(func(f *engine.Filter) { f.Types = 1<<2 | 1<<3 }), ""},
	{"SOURCE b SOURCE a SOURCE b", filterWith(func(f *engine.Filter) { f.Sources = []string{"a", "b"} }), ""},
	{"SOURCE Mon", filterWith(func(f *engine.Filter) { f.Sources = []string{"Mon"} }), ""},
	{"LABEL env prod label team db", filterWith(func(f *engine.Filter) {
		f.Labels = []engine.Label{{Key: "env", Value: "prod"}, {Key: "team", Value: "db"}}
	}), ""},
	{"LABEL k 1 LABEL k 2", filterWith(func(f *engine.Filter) {
		f.Labels = []engine.Label{{Key: "k", Value: "1"}, {Key: "k", Value: "2"}}
		f.Empty = true
	}), ""},
	{"active", filterWith(func(f *engine.Filter) { f.States = engine.ActiveStates }), ""},
	{"STATE Closed STATE Triaged ACTIVE", filterWith(func(f *engine.Filter) { f.States = 1 << 1 }), ""},
	{"ACTIVE STATE Closed", filterWith(func(f *engine.Filter) { f.Empty = true }), ""},
	{"SINCE 2024-01-01T00:00:00Z UNTIL 2024-01-02T01:00:00+01:00", filterWith(func(f *engine.Filter) {
		f.Since, f.Until = instantOf("2024-01-01T00:00:00Z"), instantOf("2024-01-02T00:00:00Z")
	}), ""},
	{"UNTIL 2024-01-01T00:00:00Z SINCE 2024-01-01T00:00:00Z", filterWith(func(f *engine.Filter) {
		f.Since, f.Until = instantOf("2024-01-01T00:00:00Z"), instantOf("2024-01-01T00:00:00Z")
	}), ""},
	{"SEVERITY", engine.Filter{}, wantSyntax},
	{"SEVERITY P9", engine.Filter{}, "INVALID SEVERITY must be one of P0 P1 P2 P3 P4"},
	{"STATE open", engine.Filter{}, "INVALID STATE must be one of Detected Triaged Investigating Remediating Resolved Closed"},
	{"TYPE network", engine.Filter{}, "INVALID TYPE must be one of Infrastructure Application Security Data Performance Availability Compliance Unknown"},
	{"SOURCE", engine.Filter{}, wantSyntax},
	{"LABEL k", engine.Filter{}, wantSyntax},
	{"LABEL", engine.Filter{}, wantSyntax},
	{"ACTIVE ACTIVE", engine.Filter{}, wantSyntax},
	{"SINCE 2024-01-01T00:00:00Z SINCE 2024-01-01T00:00:00Z", engine.Filter{}, wantSyntax},
	{"UNTIL 2024-01-01T00:00:00Z until 2024-01-02T00:00:00Z", engine.Filter{}, wantSyntax},
	{"SINCE yesterday", engine.Filter{}, "INVALID SINCE must be an RFC 3339 timestamp"},
	{"UNTIL 2024-01-01", engine.Filter{}, "INVALID UNTIL must be an RFC 3339 timestamp"},
	{"UNTIL", engine.Filter{}, wantSyntax},
	{"COLOR red", engine.Filter{}, wantSyntax},
	{"ORDER ASC", engine.Filter{}, wantSyntax}, // INC.COUNT takes filters only
}

func TestParseFilter(t *testing.T) {
	for _, tc := range filterRows {
		got, err := parseFilter(splitArgs(tc.in))
		if wireText(err) != tc.err {
			t.Errorf("parseFilter(%q) error = %q, want %q", tc.in, wireText(err), tc.err)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseFilter(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
}

func TestParseList(t *testing.T) {
	const id = "0b7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5f"
	q := func(fn func(q *engine.Query)) listArgs {
		out := listArgs{query: engine.Query{Filter: engine.AnyFilter(), Desc: true, Count: 50}}
		if fn != nil {
			fn(&out.query)
		}
		return out
	}
	sev0 := filterWith(func(f *engine.Filter) { f.Severities = 1 })
	asc := engine.Cursor{Pos: engine.Position{Created: 42, ID: id}, Desc: false, Key: sev0.Key()}
	desc := asc
	desc.Desc = true
	anyKey := engine.AnyFilter()
	for _, tc := range []struct {
		in   string
		want listArgs
		err  string
	}{
		{"", q(nil), ""},
		{"ORDER asc", q(func(q *engine.Query) { q.Desc = false }), ""},
		{"order DESC", q(nil), ""},
		{"LIMIT 5 10", q(func(q *engine.Query) { q.Offset, q.Count = 5, 10 }), ""},
		{"LIMIT 0 0", q(func(q *engine.Query) { q.Count = 0 }), ""},
		{"LIMIT 0 1000", q(func(q *engine.Query) { q.Count = 1000 }), ""},
		{"PAGE 2 PAGESIZE 10", q(func(q *engine.Query) { q.Offset, q.Count = 20, 10 }), ""},
		{"page 0 pagesize 1000", q(func(q *engine.Query) { q.Count = 1000 }), ""},
		{"WITHCURSOR", listArgs{query: q(nil).query, withCursor: true}, ""},
		{"CURSOR 0 WITHCURSOR", listArgs{query: q(nil).query, withCursor: true}, ""},
		{"SEVERITY P0 ORDER ASC CURSOR " + asc.Encode(), listArgs{query: engine.Query{Filter: sev0, Count: 50, After: &asc.Pos}, cursor: &asc}, ""},
		{"CURSOR " + desc.Encode() + " SEVERITY p0", listArgs{query: engine.Query{Filter: sev0, Desc: true, Count: 50, After: &desc.Pos}, cursor: &desc}, ""},
		{"ACTIVE LIMIT 1 2 SEVERITY P0", q(func(q *engine.Query) {
			q.Filter = filterWith(func(f *engine.Filter) { f.Severities, f.States = 1, engine.ActiveStates })
			q.Offset, q.Count = 1, 2
		}), ""},
		{"ORDER", listArgs{}, wantSyntax},
		{"ORDER up", listArgs{}, wantSyntax},
		{"ORDER ASC ORDER DESC", listArgs{}, wantSyntax},
		{"LIMIT", listArgs{}, wantSyntax},
		{"LIMIT 1", listArgs{}, wantSyntax},
		{"LIMIT a 1", listArgs{}, wantNotInt},
		{"LIMIT 1 b", listArgs{}, wantNotInt},
		{"LIMIT 0 1 LIMIT 0 2", listArgs{}, wantSyntax},
		{"LIMIT -1 5", listArgs{}, "INVALID LIMIT offset and count must be non-negative"},
		{"LIMIT 0 -5", listArgs{}, "INVALID LIMIT offset and count must be non-negative"},
		{"LIMIT 0 1001", listArgs{}, "INVALID count 1001 is above max-page-size 1000"},
		{"LIMIT 0 10 PAGE 1 PAGESIZE 10", listArgs{}, wantSyntax},
		{"PAGE 1", listArgs{}, wantSyntax},
		{"PAGE 1 LIMIT 0 1", listArgs{}, wantSyntax},
		{"PAGE 1 PAGESIZE", listArgs{}, wantSyntax},
		{"PAGESIZE 10", listArgs{}, wantSyntax},
		{"PAGE x PAGESIZE 1", listArgs{}, wantNotInt},
		{"PAGE -1 PAGESIZE 10", listArgs{}, "INVALID PAGE and PAGESIZE must be non-negative"},
		{"PAGE 9223372036854775807 PAGESIZE 1000", listArgs{}, "INVALID PAGE and PAGESIZE must be non-negative"},
		{"PAGE 0 PAGESIZE 1001", listArgs{}, "INVALID count 1001 is above max-page-size 1000"},
		{"CURSOR", listArgs{}, wantSyntax},
		{"CURSOR nope", listArgs{}, "INVALID cursor is malformed"},
		{"CURSOR " + asc.Encode(), listArgs{}, "INVALID cursor was issued for other filters or another order"},
		{"SEVERITY P0 CURSOR " + asc.Encode(), listArgs{}, "INVALID cursor was issued for other filters or another order"},
		{"ORDER ASC SEVERITY P1 CURSOR " + asc.Encode(), listArgs{}, "INVALID cursor was issued for other filters or another order"},
		{"CURSOR " + (engine.Cursor{Pos: asc.Pos, Desc: true, Key: anyKey.Key()}).Encode() + " CURSOR 0", listArgs{}, wantSyntax},
		{"WITHCURSOR WITHCURSOR", listArgs{}, wantSyntax},
		{"SEVERITY", listArgs{}, wantSyntax},
		{"ACTIVE ACTIVE", listArgs{}, wantSyntax},
		{"BOGUS", listArgs{}, wantSyntax},
	} {
		got, err := parseList(splitArgs(tc.in), 1000)
		if wireText(err) != tc.err {
			t.Errorf("parseList(%q) error = %q, want %q", tc.in, wireText(err), tc.err)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseList(%q)\n got %+v\nwant %+v", tc.in, got, tc.want)
		}
	}
	for _, tc := range filterRows { // every filterWith row holds inside INC.LIST too
		if strings.HasPrefix(tc.in, "ORDER") {
			continue
		}
		got, err := parseList(splitArgs(tc.in), 1000)
		if wireText(err) != tc.err || err == nil && !reflect.DeepEqual(got.query.Filter, tc.want) {
			t.Errorf("parseList(%q) = %+v, %q; want filterWith %+v, %q", tc.in, got.query.Filter, wireText(err), tc.want, tc.err)
		}
	}
}
