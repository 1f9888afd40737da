package engine_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

const (
	testID  = "0b7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5f"
	otherID = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
	testTS  = "2024-03-01T12:00:00Z"
)

var testNow = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

// minimal is an incident with only the required fields and a fixed id.
const minimal = `{"id":"` + testID + `","severity":"P1","incident_type":"Data","source":"s","title":"t"}`

// defaultsDoc is minimal rendered with every default, stamped at testNow.
const defaultsDoc = `{"id":"` + testID + `","created_at":"2024-05-06T07:08:09.123456789Z",` +
	`"updated_at":"2024-05-06T07:08:09.123456789Z","state":"Detected","severity":"P1",` +
	`"incident_type":"Data","source":"s","title":"t","description":"","affected_resources":[],` +
	`"assignees":[],"labels":{},"related_incidents":[],"active_playbook":null,"resolution":null,` +
	`"timeline":[],"fingerprint":null,"correlation_score":null}`

// with returns minimal with extra top-level members spliced in before its end.
func with(members string) string { return minimal[:len(minimal)-1] + "," + members + "}" }

// mustParse parses in at testNow and fails the test on error or when Parse
// and the gjson-based oracle disagree.
func mustParse(t *testing.T, in string) *engine.Incident {
	t.Helper()
	engine.CheckOracle(t, []byte(in), 1<<20, testNow)
	inc, err := engine.Parse([]byte(in), 1<<20, testNow)
	if err != nil {
		t.Fatalf("Parse(%s): %v", in, err)
	}
	return inc
}

// wantInvalid parses in and checks it fails with ErrInvalid and message msg,
// as the gjson-based oracle does.
func wantInvalid(t *testing.T, in string, max int, msg string) {
	t.Helper()
	engine.CheckOracle(t, []byte(in), max, testNow)
	inc, err := engine.Parse([]byte(in), max, testNow)
	if err == nil {
		t.Fatalf("Parse(%.120s) = %s, want INVALID %s", in, inc.Doc, msg)
	}
	if !errors.Is(err, engine.ErrInvalid) || err.Error() != msg {
		t.Fatalf("Parse(%.120s) error = %q (invalid=%v), want %q", in, err, errors.Is(err, engine.ErrInvalid), msg)
	}
}

func TestParseDefaults(t *testing.T) {
	inc := mustParse(t, minimal)
	if got := string(inc.Doc); got != defaultsDoc {
		t.Fatalf("Doc\n got %s\nwant %s", got, defaultsDoc)
	}
	if inc.Created != testNow.UnixNano() || inc.Updated != testNow.UnixNano() || !inc.CreatedDefaulted() {
		t.Fatalf("timestamps = %d %d defaulted=%v, want now", inc.Created, inc.Updated, inc.CreatedDefaulted())
	}
	if inc.State != 0 || inc.Fingerprint != "" || len(inc.Labels) != 0 {
		t.Fatalf("meta = %+v, want Detected, no fingerprint, no labels", inc.Meta)
	}
}

func TestParseAssignsV4ID(t *testing.T) {
	in := `{"severity":"P1","incident_type":"Data","source":"s","title":"t"}`
	a, b := mustParse(t, in), mustParse(t, in)
	for _, inc := range []*engine.Incident{a, b} {
		if !engine.ValidUUID(inc.ID) || inc.ID != strings.ToLower(inc.ID) || inc.ID[14] != '4' {
			t.Fatalf("id %q is not a lowercase v4 UUID", inc.ID)
		}
		if !strings.HasPrefix(string(inc.Doc), `{"id":"`+inc.ID+`",`) {
			t.Fatalf("Doc %s does not start with its id", inc.Doc)
		}
	}
	if a.ID == b.ID {
		t.Fatalf("two parses got the same id %s", a.ID)
	}
}

func TestParseLowercasesID(t *testing.T) {
	inc := mustParse(t, strings.Replace(minimal, testID, strings.ToUpper(testID), 1))
	if inc.ID != testID || !strings.HasPrefix(string(inc.Doc), `{"id":"`+testID+`"`) {
		t.Fatalf("id %q, doc %s: want lower case %s", inc.ID, inc.Doc, testID)
	}
}

func TestParseCanonicalOrder(t *testing.T) {
	in := `{"zeta":1,"correlation_score":0.5,"fingerprint":"fp","timeline":[],"resolution":null,` +
		`"active_playbook":"` + otherID + `","related_incidents":["` + otherID + `"],"labels":{"b":"2","a":"1"},` +
		`"assignees":["x"],"affected_resources":["r1","r2"],"description":"d","title":"t","source":"s",` +
		`"incident_type":"Security","severity":"P0","state":"Triaged","updated_at":"` + testTS + `",` +
		`"created_at":"` + testTS + `","id":"` + testID + `","alpha":"z"}`
	want := `{"id":"` + testID + `","created_at":"` + testTS + `","updated_at":"` + testTS + `","state":"Triaged",` +
		`"severity":"P0","incident_type":"Security","source":"s","title":"t","description":"d",` +
		`"affected_resources":["r1","r2"],"assignees":["x"],"labels":{"b":"2","a":"1"},` +
		`"related_incidents":["` + otherID + `"],"active_playbook":"` + otherID + `","resolution":null,` +
		`"timeline":[],"fingerprint":"fp","correlation_score":0.5,"zeta":1,"alpha":"z"}`
	inc := mustParse(t, in)
	if string(inc.Doc) != want {
		t.Fatalf("Doc\n got %s\nwant %s", inc.Doc, want)
	}
	if inc.Fingerprint != "fp" || len(inc.Labels) != 2 || inc.Labels[0].Key != "a" {
		t.Fatalf("meta %+v: want fingerprint fp and labels sorted by key", inc.Meta)
	}
}

func TestParseUnknownFieldsVerbatim(t *testing.T) {
	in := with(`"custom" : { "a b" : [ 1 , "x  y\t\"z\"" ] , "n" : null },"esc\u00e9":"  keep  "`)
	inc := mustParse(t, in)
	tail := `,"custom":{"a b":[1,"x  y\t\"z\""],"n":null},"esc\u00e9":"  keep  "}`
	if !strings.HasSuffix(string(inc.Doc), tail) {
		t.Fatalf("Doc %s\nwant suffix %s", inc.Doc, tail)
	}
	again := mustParse(t, string(inc.Doc))
	if string(again.Doc) != string(inc.Doc) {
		t.Fatalf("re-parse changed the document\n got %s\nwant %s", again.Doc, inc.Doc)
	}
}

func TestParseNullTakesDefault(t *testing.T) {
	in := with(`"state":null,"description":null,"labels":null,"fingerprint":null,"correlation_score":null,"active_playbook":null`)
	if got := string(mustParse(t, in).Doc); got != defaultsDoc {
		t.Fatalf("Doc\n got %s\nwant %s", got, defaultsDoc)
	}
}

func TestParseFingerprintRule(t *testing.T) {
	inc := mustParse(t, with(`"affected_resources":["db-1","db-2"]`))
	sum := sha256.Sum256([]byte("s" + "Data" + "t" + "db-1" + "db-2"))
	if got, want := inc.ComputeFingerprint(), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("ComputeFingerprint = %s, want %s", got, want)
	}
	if inc.Fingerprint != "" {
		t.Fatalf("Parse set fingerprint %q; only DEDUP computes it", inc.Fingerprint)
	}
	inc.SetFingerprint("abc")
	if inc.Fingerprint != "abc" || !strings.Contains(string(inc.Doc), `"fingerprint":"abc"`) {
		t.Fatalf("SetFingerprint: meta %q doc %s", inc.Fingerprint, inc.Doc)
	}
	empty := mustParse(t, minimal)
	sum = sha256.Sum256([]byte("sDatat"))
	if got := empty.ComputeFingerprint(); got != hex.EncodeToString(sum[:]) {
		t.Fatalf("no resources: ComputeFingerprint = %s", got)
	}
}

func TestParseTimestamps(t *testing.T) {
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		ts   string
		want time.Time
	}{
		{"2024-03-01T12:00:00Z", base},
		{"2024-03-01T14:30:00+02:30", base},
		{"2024-03-01T07:00:00-05:00", base},
		{"2024-03-01T12:00:00.5Z", base.Add(500 * time.Millisecond)},
		{"2024-03-01T12:00:00.000000001Z", base.Add(1)},
		{"2024-03-01T12:00:00.123456789+00:00", base.Add(123456789)},
		{"2024-03-01T12:00:00.1234-00:00", base.Add(123400000)},
	} {
		inc := mustParse(t, with(`"created_at":"`+tc.ts+`","updated_at":"`+tc.ts+`"`))
		if inc.Created != tc.want.UnixNano() || inc.Updated != tc.want.UnixNano() || inc.CreatedDefaulted() {
			t.Errorf("%s: created %d updated %d, want %d", tc.ts, inc.Created, inc.Updated, tc.want.UnixNano())
		}
		if !strings.Contains(string(inc.Doc), `"created_at":"`+tc.ts+`"`) {
			t.Errorf("%s: Doc %s does not keep the timestamp verbatim", tc.ts, inc.Doc)
		}
	}
}

func TestParseTimeRefuses(t *testing.T) {
	for _, ts := range []string{
		"", "2024-03-01", "2024-03-01 12:00:00Z", "2024-03-01T12:00:00", "2024-03-01T12:00:00.Z",
		"2024-03-01T12:00:00.1234567890Z", // ten fraction digits
		"2024-03-01T12:00:00,5Z",          // comma is not RFC 3339
		"2024-03-01T12:00:00+24:00",       // offset hour out of range
		"2024-03-01T1:00:00Z",             // one-digit hour
		"2024-02-30T12:00:00Z", "2024-03-01T12:00:60Z", "2024-03-01T12:00:00+0100", "1600-01-01T00:00:00Z",
	} {
		if ns, ok := engine.ParseTime(ts); ok {
			t.Errorf("ParseTime(%q) = %d, true; want refused", ts, ns)
		}
	}
}

func TestFormatTimeRoundTrip(t *testing.T) {
	for _, ns := range []int64{0, 1, -1, 1709294400123456789, testNow.UnixNano(), -6795364578871345152, time.Date(2261, 12, 31, 23, 59, 59, 999999999, time.UTC).UnixNano()} {
		s := engine.FormatTime(ns)
		if len(s) != len("2006-01-02T15:04:05.000000000Z") || !strings.HasSuffix(s, "Z") {
			t.Errorf("FormatTime(%d) = %q, want nine fraction digits in UTC", ns, s)
		}
		if got, ok := engine.ParseTime(s); !ok || got != ns {
			t.Errorf("ParseTime(FormatTime(%d)=%q) = %d, %v", ns, s, got, ok)
		}
	}
}

// TestParseRules has one row per rule of the contract's incident table.
func TestParseRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	res := func(s string) string { return with(`"resolution":` + s) }
	tl := func(s string) string { return with(`"timeline":[` + s + `]`) }
	const okRes = `"resolved_at":"` + testTS + `","resolved_by":"me","resolution_method":"Manual"`
	const okEvent = `"timestamp":"` + testTS + `","event_type":"note"`
	valid := []struct{ name, in string }{
		{"source 255 characters", strings.Replace(minimal, `"source":"s"`, `"source":"`+long(255)+`"`, 1)},
		{"title 500 characters", strings.Replace(minimal, `"title":"t"`, `"title":"`+long(500)+`"`, 1)},
		{"every state", with(`"state":"Closed"`)},
		{"severity P4", strings.Replace(minimal, `"P1"`, `"P4"`, 1)},
		{"incident_type Unknown", strings.Replace(minimal, `"Data"`, `"Unknown"`, 1)},
		{"resolution full", res(`{` + okRes + `,"root_cause":null,"notes":"n","extra":1}`)},
		{"resolution AutoAssistedManual", res(`{` + strings.Replace(okRes, "Manual", "AutoAssistedManual", 1) + `}`)},
		{"timeline full", tl(`{` + okEvent + `,"actor":"a","description":"d","metadata":{"k":[1]}},{` + okEvent + `,"metadata":null}`)},
		{"active_playbook UUID", with(`"active_playbook":"` + otherID + `"`)},
		{"related_incidents UUIDs", with(`"related_incidents":["` + otherID + `","` + strings.ToUpper(testID) + `"]`)},
		{"correlation_score number", with(`"correlation_score":-1.5e3`)},
		{"labels empty", with(`"labels":{}`)},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) { mustParse(t, tc.in) })
	}
	invalid := []struct{ name, in, msg string }{
		{"malformed JSON", `{"severity":`, "malformed JSON"},
		{"trailing garbage", minimal + "x", "malformed JSON"},
		{"invalid UTF-8", with("\"x\":\"\xff\""), "malformed JSON"},
		{"not an object", `["severity"]`, "incident must be a JSON object"},
		{"string document", `"x"`, "incident must be a JSON object"},
		{"duplicate known field", with(`"severity":"P2"`), "duplicate field 'severity'"},
		{"duplicate after null", with(`"state":null,"state":"Triaged"`), "duplicate field 'state'"},
		{"duplicate unknown field", with(`"x":1,"x":2`), "duplicate field 'x'"},
		{"severity required", strings.Replace(minimal, `"severity":"P1",`, "", 1), "severity is required"},
		{"incident_type required", strings.Replace(minimal, `"incident_type":"Data",`, "", 1), "incident_type is required"},
		{"source required", strings.Replace(minimal, `"source":"s",`, "", 1), "source is required"},
		{"title required", strings.Replace(minimal, `,"title":"t"`, "", 1), "title is required"},
		{"severity null", strings.Replace(minimal, `"P1"`, `null`, 1), "severity is required"},
		{"id not a UUID", strings.Replace(minimal, testID, "42", 1), "id must be a UUID"},
		{"id a number", strings.Replace(minimal, `"`+testID+`"`, "42", 1), "id must be a UUID"},
		{"id without hyphens", strings.Replace(minimal, testID, strings.ReplaceAll(testID, "-", "")+"abcd", 1), "id must be a UUID"},
		{"created_at not RFC 3339", with(`"created_at":"yesterday"`), "created_at must be an RFC 3339 timestamp"},
		{"created_at ten fraction digits", with(`"created_at":"2024-03-01T12:00:00.1234567890Z"`), "created_at must be an RFC 3339 timestamp"},
		{"updated_at a number", with(`"updated_at":1709294400`), "updated_at must be an RFC 3339 timestamp"},
		{"state case-sensitive", with(`"state":"detected"`), "state must be one of Detected Triaged Investigating Remediating Resolved Closed"},
		{"state not a string", with(`"state":1`), "state must be one of Detected Triaged Investigating Remediating Resolved Closed"},
		{"severity case-sensitive", strings.Replace(minimal, `"P1"`, `"p1"`, 1), "severity must be one of P0 P1 P2 P3 P4"},
		{"severity P5", strings.Replace(minimal, `"P1"`, `"P5"`, 1), "severity must be one of P0 P1 P2 P3 P4"},
		{"incident_type unknown", strings.Replace(minimal, `"Data"`, `"Network"`, 1), "incident_type must be one of Infrastructure Application Security Data Performance Availability Compliance Unknown"},
		{"source empty", strings.Replace(minimal, `"source":"s"`, `"source":""`, 1), "source must be a string of 1 to 255 characters"},
		{"source 256 characters", strings.Replace(minimal, `"source":"s"`, `"source":"`+long(256)+`"`, 1), "source must be a string of 1 to 255 characters"},
		{"source not a string", strings.Replace(minimal, `"source":"s"`, `"source":["s"]`, 1), "source must be a string of 1 to 255 characters"},
		{"title empty", strings.Replace(minimal, `"title":"t"`, `"title":""`, 1), "title must be a string of 1 to 500 characters"},
		{"title 501 characters", strings.Replace(minimal, `"title":"t"`, `"title":"`+long(501)+`"`, 1), "title must be a string of 1 to 500 characters"},
		{"description not a string", with(`"description":5`), "description must be a string"},
		{"affected_resources not strings", with(`"affected_resources":["a",1]`), "affected_resources must be an array of strings"},
		{"assignees not an array", with(`"assignees":"a"`), "assignees must be an array of strings"},
		{"labels not strings", with(`"labels":{"a":1}`), "labels must be an object of strings"},
		{"labels an array", with(`"labels":["a"]`), "labels must be an object of strings"},
		{"labels duplicate key", with(`"labels":{"a":"1","a":"2"}`), "labels must be an object of strings"},
		{"related_incidents not UUIDs", with(`"related_incidents":["x"]`), "related_incidents must be an array of UUIDs"},
		{"active_playbook not a UUID", with(`"active_playbook":"x"`), "active_playbook must be a UUID or null"},
		{"resolution not an object", res(`[]`), "resolution must be an object"},
		{"resolution.resolved_at required", res(`{"resolved_by":"me","resolution_method":"Manual"}`), "resolution.resolved_at is required"},
		{"resolution.resolved_at not a time", res(`{` + strings.Replace(okRes, testTS, "x", 1) + `}`), "resolution.resolved_at is not valid"},
		{"resolution.resolved_by required", res(`{"resolved_at":"` + testTS + `","resolution_method":"Manual"}`), "resolution.resolved_by is required"},
		{"resolution.resolution_method case-sensitive", res(`{` + strings.Replace(okRes, "Manual", "manual", 1) + `}`), "resolution.resolution_method is not valid"},
		{"resolution.root_cause a number", res(`{` + okRes + `,"root_cause":1}`), "resolution.root_cause is not valid"},
		{"resolution.notes null", res(`{` + okRes + `,"notes":null}`), "resolution.notes is not valid"},
		{"timeline not an array", with(`"timeline":{}`), "timeline must be an array"},
		{"timeline entry not an object", tl(`1`), "timeline[] must be an object"},
		{"timeline.timestamp required", tl(`{"event_type":"x"}`), "timeline[].timestamp is required"},
		{"timeline.event_type required", tl(`{"timestamp":"` + testTS + `"}`), "timeline[].event_type is required"},
		{"timeline.metadata not an object", tl(`{` + okEvent + `,"metadata":[]}`), "timeline[].metadata is not valid"},
		{"fingerprint a number", with(`"fingerprint":1`), "fingerprint must be a string or null"},
		{"correlation_score a string", with(`"correlation_score":"0.5"`), "correlation_score must be a number or null"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) { wantInvalid(t, tc.in, 1<<20, tc.msg) })
	}
	t.Run("max-incident-bytes", func(t *testing.T) {
		n := len(minimal)
		wantInvalid(t, minimal, n-1, fmt.Sprintf("incident is %d bytes, max-incident-bytes is %d", n, n-1))
		if _, err := engine.Parse([]byte(minimal), n, testNow); err != nil {
			t.Fatalf("exactly max-incident-bytes refused: %v", err)
		}
	})
}
