package commands

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// Each parser's fuzz target splits its input into arguments on spaces (empty
// arguments included) and checks that the parser never panics and that what
// it accepts is within its limits. Seed corpora live in testdata/fuzz/<Name>/.

func fuzzSplit(in []byte) [][]byte { return bytes.Split(in, []byte{' '}) }

// fuzzWithName prepends a command name, as the handlers pass the whole argument list.
func fuzzWithName(name string, in []byte) [][]byte {
	return append([][]byte{[]byte(name)}, fuzzSplit(in)...)
}

func FuzzParseList(f *testing.F) {
	all := engine.AnyFilter()
	cur := engine.Cursor{Pos: engine.Position{Created: 1, ID: "0b7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5f"}, Desc: true, Key: all.Key()}
	for _, s := range []string{"SEVERITY P0 SEVERITY p1 ACTIVE ORDER ASC LIMIT 0 10", "PAGE 2 PAGESIZE 10 WITHCURSOR",
		"LIMIT 0 5 CURSOR " + cur.Encode() + " WITHCURSOR", "LABEL a b SINCE 2024-01-01T00:00:00Z"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := parseList(fuzzSplit(in), 1000)
		if err != nil {
			return
		}
		q := out.query
		if q.Offset < 0 || q.Count < 0 || q.Count > 1000 || q.Offset > 1<<40 {
			t.Fatalf("parseList(%q) accepted offset %d count %d", in, q.Offset, q.Count)
		}
		if (out.cursor == nil) != (q.After == nil) || out.cursor != nil && out.cursor.Key != q.Filter.Key() {
			t.Fatalf("parseList(%q): cursor %+v does not bind the query %+v", in, out.cursor, q)
		}
		key := q.Filter.Key()
		q.Filter.Normalize()
		if q.Filter.Key() != key {
			t.Fatalf("parseList(%q) returned a filterWith that is not normalised", in)
		}
	})
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"SEVERITY P0 STATE closed ACTIVE", "TYPE data SOURCE mon LABEL env prod", "SINCE 2024-01-01T00:00:00Z UNTIL 2023-01-01T00:00:00+01:00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		flt, err := parseFilter(fuzzSplit(in))
		if err != nil {
			return
		}
		list, err := parseList(fuzzSplit(in), 1000)
		if err != nil || !reflect.DeepEqual(list.query.Filter, flt) {
			t.Fatalf("INC.COUNT accepts %q as %+v but INC.LIST gives %+v, %v", in, flt, list.query.Filter, err)
		}
	})
}

func FuzzParseHello(f *testing.F) {
	for _, s := range []string{"3 AUTH default pw SETNAME app", "2", "", "3 SETNAME", "1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a := fuzzWithName("HELLO", in)
		if len(in) == 0 {
			a = a[:1]
		}
		h, err := parseHello(a)
		if err != nil {
			var r resp.Reply
			if !errors.As(err, &r) {
				t.Fatalf("parseHello(%q) error %v is not a wire reply", in, err)
			}
			return
		}
		if h.proto != 0 && h.proto != 2 && h.proto != 3 || (h.user == nil) != (h.pass == nil) {
			t.Fatalf("parseHello(%q) = %+v", in, h)
		}
	})
}

func FuzzParseSave(f *testing.F) {
	for _, s := range []string{"{} DEDUP", "{}", "{} DEDUP DEDUP"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a := fuzzWithName("INC.SAVE", in)
		if out, err := parseSave(a); err == nil && len(a) > 3 {
			t.Fatalf("parseSave(%q) accepted %d options: %+v", in, len(a)-2, out)
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, s := range []string{"{} IFMATCH 2024-01-01T00:00:00Z", "{} IFMATCH", "{} ifmatch 2024-01-01T00:00:00.5+05:30"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a := fuzzWithName("INC.UPDATE", in)
		if out, err := parseUpdate(a); err == nil && (len(a) != 2 && len(a) != 4 || (len(a) == 4) != (out.ifMatch != nil)) {
			t.Fatalf("parseUpdate(%q) = %+v", in, out)
		}
	})
}

func FuzzParseFP(f *testing.F) {
	for _, s := range []string{"abc ACTIVE LIMIT 0 10", "abc", "abc LIMIT 1 1001"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		q, err := parseFP(fuzzWithName("INC.FP", in), 1000)
		if err == nil && (q.Count < 0 || q.Count > 1000 || q.Offset < 0 || len(q.Filter.Fingerprints) != 1) {
			t.Fatalf("parseFP(%q) = %+v", in, q)
		}
	})
}

func FuzzParseKillFilters(f *testing.F) {
	for _, s := range []string{"ID 7 SKIPME no", "ADDR 127.0.0.1:1 LADDR 127.0.0.1:2", "ID 0", "SKIPME"} {
		f.Add([]byte(s))
	}
	c := &resp.Client{ID: 7, Addr: "127.0.0.1:1", LAddr: "127.0.0.1:2"}
	f.Fuzz(func(t *testing.T, in []byte) {
		if match, _, err := parseKillFilters(fuzzSplit(in)); err == nil {
			match(c)
		}
	})
}

func FuzzParseInfo(f *testing.F) {
	for _, s := range []string{"server keyspace", "ALL", "everything incidents"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(parseInfo(fuzzSplit(in))) == 0 {
			t.Fatalf("parseInfo(%q) selected nothing", in)
		}
	})
}

func FuzzParseFlushMode(f *testing.F) {
	for _, s := range []string{"ASYNC", "sync", "SYNC ASYNC"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		a := fuzzWithName("FLUSHDB", in)
		if err := parseFlushMode(a); err == nil && len(a) > 2 {
			t.Fatalf("parseFlushMode(%q) accepted %d arguments", in, len(a)-1)
		}
	})
}
