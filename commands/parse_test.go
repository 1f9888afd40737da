package commands

import (
	"reflect"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

func TestParseSave(t *testing.T) {
	for _, tc := range []struct {
		in    string
		dedup bool
		err   string
	}{
		{"INC.SAVE {}", false, ""},
		{"inc.save {} dedup", true, ""},
		{"INC.SAVE {} DeDup", true, ""},
		{"INC.SAVE {} DEDUP DEDUP", false, wantSyntax},
		{"INC.SAVE {} NX", false, wantSyntax},
		{"INC.SAVE {} DEDUP NX", false, wantSyntax},
	} {
		got, err := parseSave(splitArgs(tc.in))
		if wireText(err) != tc.err || err == nil && (got.dedup != tc.dedup || string(got.doc) != "{}") {
			t.Errorf("parseSave(%q) = %+v, %q; want dedup=%v, %q", tc.in, got, wireText(err), tc.dedup, tc.err)
		}
	}
}

func TestParseUpdate(t *testing.T) {
	at := instantOf("2024-01-01T00:00:00Z")
	for _, tc := range []struct {
		in      string
		ifMatch *int64
		err     string
	}{
		{"INC.UPDATE {}", nil, ""},
		{"INC.UPDATE {} IFMATCH 2024-01-01T00:00:00Z", &at, ""},
		{"INC.UPDATE {} ifmatch 2024-01-01T01:00:00.000+01:00", &at, ""},
		{"INC.UPDATE {} IFMATCH", nil, wantSyntax},
		{"INC.UPDATE {} IFMATCH yesterday", nil, "INVALID IFMATCH must be an RFC 3339 timestamp"},
		{"INC.UPDATE {} IFMATCH 2024-01-01T00:00:00Z IFMATCH 2024-01-01T00:00:00Z", nil, wantSyntax},
		{"INC.UPDATE {} IF 2024-01-01T00:00:00Z", nil, wantSyntax},
	} {
		got, err := parseUpdate(splitArgs(tc.in))
		if wireText(err) != tc.err || err == nil && !reflect.DeepEqual(got.ifMatch, tc.ifMatch) {
			t.Errorf("parseUpdate(%q) = %+v, %q; want ifMatch %v, %q", tc.in, got, wireText(err), tc.ifMatch, tc.err)
		}
	}
}

func TestParseFP(t *testing.T) {
	fq := func(active bool, off, n int) engine.Query {
		f := engine.AnyFilter()
		f.Fingerprints = []string{"abc"}
		if active {
			f.States = engine.ActiveStates
		}
		f.Normalize()
		return engine.Query{Filter: f, Desc: true, Offset: off, Count: n}
	}
	for _, tc := range []struct {
		in   string
		want engine.Query
		err  string
	}{
		{"INC.FP abc", fq(false, 0, 1000), ""},
		{"INC.FP abc active", fq(true, 0, 1000), ""},
		{"INC.FP abc LIMIT 2 3 ACTIVE", fq(true, 2, 3), ""},
		{"INC.FP abc ACTIVE ACTIVE", engine.Query{}, wantSyntax},
		{"INC.FP abc LIMIT 0 1 LIMIT 0 1", engine.Query{}, wantSyntax},
		{"INC.FP abc LIMIT 0", engine.Query{}, wantSyntax},
		{"INC.FP abc LIMIT x 1", engine.Query{}, wantNotInt},
		{"INC.FP abc LIMIT 0 1001", engine.Query{}, "INVALID count 1001 is above max-page-size 1000"},
		{"INC.FP abc LIMIT -1 1", engine.Query{}, "INVALID LIMIT offset and count must be non-negative"},
		{"INC.FP abc ORDER ASC", engine.Query{}, wantSyntax},
	} {
		got, err := parseFP(splitArgs(tc.in), 1000)
		if wireText(err) != tc.err || err == nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseFP(%q) = %+v, %q; want %+v, %q", tc.in, got, wireText(err), tc.want, tc.err)
		}
	}
}

func TestParseHello(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		in   string
		want helloArgs
		err  string
	}{
		{"HELLO", helloArgs{}, ""},
		{"HELLO 2", helloArgs{proto: 2}, ""},
		{"HELLO 3 AUTH bob pw", helloArgs{proto: 3, user: s("bob"), pass: s("pw")}, ""},
		{"hello 3 setname app auth default pw", helloArgs{proto: 3, user: s("default"), pass: s("pw"), name: s("app")}, ""},
		{"HELLO 1", helloArgs{}, "NOPROTO unsupported protocol version"},
		{"HELLO 4", helloArgs{}, "NOPROTO unsupported protocol version"},
		{"HELLO three", helloArgs{}, "ERR Protocol version is not an integer or out of range"},
		{"HELLO 3 AUTH bob", helloArgs{}, "ERR Syntax error in HELLO option 'AUTH'"},
		{"HELLO 3 auth", helloArgs{}, "ERR Syntax error in HELLO option 'auth'"},
		{"HELLO 3 SETNAME", helloArgs{}, "ERR Syntax error in HELLO option 'SETNAME'"},
		{"HELLO 3 SETNAME a SETNAME b", helloArgs{}, "ERR Syntax error in HELLO option 'SETNAME'"},
		{"HELLO 3 AUTH a b AUTH c d", helloArgs{}, "ERR Syntax error in HELLO option 'AUTH'"},
		{"HELLO 3 Verbose", helloArgs{}, "ERR Syntax error in HELLO option 'Verbose'"},
	} {
		got, err := parseHello(splitArgs(tc.in))
		if wireText(err) != tc.err || err == nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseHello(%q) = %+v, %q; want %+v, %q", tc.in, got, wireText(err), tc.want, tc.err)
		}
	}
}

func TestParseKillFilters(t *testing.T) {
	c := &resp.Client{ID: 7, Addr: "127.0.0.1:5000", LAddr: "127.0.0.1:6379"}
	for _, tc := range []struct {
		in     string
		match  bool
		skipMe bool
		err    string
	}{
		{"ID 7", true, true, ""},
		{"ID 8", false, true, ""},
		{"id 7 addr 127.0.0.1:5000 LADDR 127.0.0.1:6379", true, true, ""},
		{"ADDR 127.0.0.1:5001", false, true, ""},
		{"LADDR 127.0.0.1:6379 SKIPME no", true, false, ""},
		{"SKIPME YES", true, true, ""},
		{"ID 0", false, false, "ERR client-id should be greater than 0"},
		{"ID x", false, false, "ERR client-id should be greater than 0"},
		{"ID", false, false, wantSyntax},
		{"ID 7 SKIPME", false, false, wantSyntax},
		{"SKIPME maybe", false, false, wantSyntax},
		{"USER default", false, false, wantSyntax},
	} {
		match, skipMe, err := parseKillFilters(splitArgs(tc.in))
		if wireText(err) != tc.err {
			t.Errorf("parseKillFilters(%q) error = %q, want %q", tc.in, wireText(err), tc.err)
			continue
		}
		if err == nil && (match(c) != tc.match || skipMe != tc.skipMe) {
			t.Errorf("parseKillFilters(%q) = match %v skipMe %v; want %v %v", tc.in, match(c), skipMe, tc.match, tc.skipMe)
		}
	}
}

func TestParseInfo(t *testing.T) {
	all := map[string]bool{}
	for _, s := range infoSections {
		all[s] = true
	}
	for _, tc := range []struct {
		in   string
		want map[string]bool
	}{
		{"", all},
		{"everything", all},
		{"ALL", all},
		{"Server KEYSPACE", map[string]bool{"server": true, "keyspace": true}},
		{"nosuch", map[string]bool{"nosuch": true}},
	} {
		if got := parseInfo(splitArgs(tc.in)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseInfo(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseFlushMode(t *testing.T) {
	for in, want := range map[string]string{
		"FLUSHDB": "", "FLUSHDB async": "", "FLUSHALL SYNC": "",
		"FLUSHDB LAZY": wantSyntax, "FLUSHDB SYNC ASYNC": wantSyntax,
	} {
		if got := wireText(parseFlushMode(splitArgs(in))); got != want {
			t.Errorf("parseFlushMode(%q) = %q, want %q", in, got, want)
		}
	}
}
