package conformance

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

var validationCases = []testCase{
	{"ParseRejectsEveryRuleBreak", testParseRejects},
	{"ParseRejectsNestedDuplicateKeys", testParseRejectsNestedDuplicates},
	{"ParseAcceptsEdgeValues", testParseAccepts},
	{"OversizeRefused", testOversize},
	{"FailuresChangeNothing", testFailuresChangeNothing},
}

// minimal is the smallest valid incident, as ordered key/raw-value pairs.
var minimal = [][2]string{
	{"severity", `"P1"`}, {"incident_type", `"Data"`}, {"source", `"s"`}, {"title", `"t"`},
}

// doc renders minimal with fields set (raw JSON values; "" removes the field).
func doc(fields ...string) []byte {
	pairs := append([][2]string(nil), minimal...)
	for i := 0; i+1 < len(fields); i += 2 {
		k, v := fields[i], fields[i+1]
		found := false
		for j := range pairs {
			if pairs[j][0] == k {
				pairs[j][1], found = v, true
			}
		}
		if !found {
			pairs = append(pairs, [2]string{k, v})
		}
	}
	var b strings.Builder
	b.WriteByte('{')
	for _, p := range pairs {
		if p[1] == "" {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + p[0] + `":` + p[1])
	}
	b.WriteByte('}')
	return []byte(b.String())
}

func quoted(s string) string { return `"` + s + `"` }

const uuidA = "0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e"

// invalidInputs maps a description to an input that breaks one rule.
var invalidInputs = []struct {
	name  string
	input []byte
}{
	{"empty input", []byte(``)},
	{"malformed JSON", []byte(`{"severity":"P1",`)},
	{"trailing garbage", append(doc(), []byte(`}`)...)},
	{"two documents", append(doc(), doc()...)},
	{"array", []byte(`[` + string(doc()) + `]`)},
	{"string", []byte(`"incident"`)},
	{"number", []byte(`42`)},
	{"null", []byte(`null`)},
	{"invalid UTF-8", doc("title", "\"\xff\xfe\"")},
	{"missing source", doc("source", "")},
	{"empty source", doc("source", `""`)},
	{"null source", doc("source", `null`)},
	{"source 256 chars", doc("source", quoted(strings.Repeat("s", 256)))},
	{"source 256 runes", doc("source", quoted(strings.Repeat("é", 256)))},
	{"source number", doc("source", `5`)},
	{"missing title", doc("title", "")},
	{"empty title", doc("title", `""`)},
	{"title 501 runes", doc("title", quoted(strings.Repeat("ß", 501)))},
	{"missing severity", doc("severity", "")},
	{"severity lowercase", doc("severity", `"p0"`)},
	{"severity P5", doc("severity", `"P5"`)},
	{"severity number", doc("severity", `0`)},
	{"missing incident_type", doc("incident_type", "")},
	{"incident_type lowercase", doc("incident_type", `"security"`)},
	{"state lowercase", doc("state", `"detected"`)},
	{"state unknown", doc("state", `"Open"`)},
	{"id not UUID", doc("id", `"not-a-uuid"`)},
	{"id braces", doc("id", `"{`+uuidA+`}"`)},
	{"id number", doc("id", `123`)},
	{"id without hyphens", doc("id", `"0b1c2d3e4f5a4b6c9d7e8f9a0b1c2d3e"`)},
	{"created_at without offset", doc("created_at", `"2024-01-01T10:00:00"`)},
	{"created_at 10 fraction digits", doc("created_at", `"2024-01-01T10:00:00.1234567890Z"`)},
	{"created_at date only", doc("created_at", `"2024-01-01"`)},
	{"created_at number", doc("created_at", `1700000000`)},
	{"created_at empty fraction", doc("created_at", `"2024-01-01T10:00:00.Z"`)},
	{"created_at comma fraction", doc("created_at", `"2024-01-01T10:00:00,5Z"`)},
	{"created_at offset 24:00", doc("created_at", `"2024-01-01T10:00:00+24:00"`)},
	{"created_at offset without colon", doc("created_at", `"2024-01-01T10:00:00+0100"`)},
	{"created_at space separator", doc("created_at", `"2024-01-01 10:00:00Z"`)},
	{"created_at February 30", doc("created_at", `"2024-02-30T10:00:00Z"`)},
	{"created_at second 60", doc("created_at", `"2024-01-01T10:00:60Z"`)},
	{"updated_at words", doc("updated_at", `"yesterday"`)},
	{"updated_at month 13", doc("updated_at", `"2024-13-01T10:00:00Z"`)},
	{"description number", doc("description", `5`)},
	{"affected_resources non-string", doc("affected_resources", `["a",1]`)},
	{"assignees string", doc("assignees", `"bob"`)},
	{"labels non-string value", doc("labels", `{"a":1}`)},
	{"labels null value", doc("labels", `{"a":null}`)},
	{"labels array", doc("labels", `["a"]`)},
	{"labels duplicate key", doc("labels", `{"a":"1","a":"2"}`)},
	{"related_incidents non-UUID", doc("related_incidents", `["x"]`)},
	{"related_incidents string", doc("related_incidents", quoted(uuidA))},
	{"active_playbook non-UUID", doc("active_playbook", `"playbook"`)},
	{"resolution empty", doc("resolution", `{}`)},
	{"resolution missing resolved_by", doc("resolution", `{"resolved_at":"2024-01-01T00:00:00Z","resolution_method":"Manual"}`)},
	{"resolution missing method", doc("resolution", `{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x"}`)},
	{"resolution bad method", doc("resolution", `{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x","resolution_method":"Magic"}`)},
	{"resolution method lowercase", doc("resolution", `{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x","resolution_method":"manual"}`)},
	{"resolution bad resolved_at", doc("resolution", `{"resolved_at":"soon","resolved_by":"x","resolution_method":"Manual"}`)},
	{"resolution string", doc("resolution", `"done"`)},
	{"timeline entry without timestamp", doc("timeline", `[{"event_type":"created"}]`)},
	{"timeline entry bad timestamp", doc("timeline", `[{"timestamp":"2024-01-01 10:00","event_type":"created"}]`)},
	{"timeline object", doc("timeline", `{"timestamp":"2024-01-01T00:00:00Z","event_type":"x"}`)},
	{"timeline entry number", doc("timeline", `[1]`)},
	{"timeline entry without event_type", doc("timeline", `[{"timestamp":"2024-01-01T00:00:00Z"}]`)},
	{"timeline metadata array", doc("timeline", `[{"timestamp":"2024-01-01T00:00:00Z","event_type":"x","metadata":[]}]`)},
	{"resolution root_cause number", doc("resolution", `{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x","resolution_method":"Manual","root_cause":1}`)},
	{"resolution notes null", doc("resolution", `{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x","resolution_method":"Manual","notes":null}`)},
	{"correlation_score string", doc("correlation_score", `"0.5"`)},
	{"correlation_score bool", doc("correlation_score", `true`)},
	{"fingerprint number", doc("fingerprint", `5`)},
	{"duplicate known key", []byte(`{"severity":"P1","severity":"P2","incident_type":"Data","source":"s","title":"t"}`)},
	{"duplicate key after null", []byte(`{"state":null,"severity":"P1","incident_type":"Data","source":"s","title":"t","state":"Triaged"}`)},
	{"duplicate unknown key", []byte(`{"x":1,"severity":"P1","incident_type":"Data","source":"s","title":"t","x":1}`)},
	{"duplicate key escaped", []byte(`{"title":"a","severity":"P1","incident_type":"Data","source":"s","t\u0069tle":"b"}`)},
}

func testParseRejects(t *testing.T, e *env) {
	for _, c := range invalidInputs {
		inc, err := engine.Parse(c.input, maxBytes, e.clock.Now())
		if err == nil {
			t.Errorf("%s: Parse(%.120s) accepted it", c.name, c.input)
			continue
		}
		wantErr(t, c.name, err, engine.ErrInvalid)
		if inc != nil {
			t.Errorf("%s: Parse returned an incident with its error", c.name)
		}
	}
}

// testParseRejectsNestedDuplicates: a repeated key inside resolution or a
// timeline entry lets a value past validation that other JSON readers (which
// keep the last occurrence, as serde refuses the document) would see instead.
func testParseRejectsNestedDuplicates(t *testing.T, e *env) {
	for _, c := range []struct {
		name  string
		input []byte
	}{
		{"resolution_method repeated", doc("resolution",
			`{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x","resolution_method":"Manual","resolution_method":"Magic"}`)},
		{"resolved_at repeated", doc("resolution",
			`{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x","resolution_method":"Manual","resolved_at":"soon"}`)},
		{"timeline timestamp repeated", doc("timeline", `[{"timestamp":"2024-01-01T00:00:00Z","event_type":"x","timestamp":"later"}]`)},
	} {
		_, err := engine.Parse(c.input, maxBytes, e.clock.Now())
		wantErr(t, c.name, err, engine.ErrInvalid)
	}
}

func testParseAccepts(t *testing.T, e *env) {
	for _, in := range [][]byte{
		doc("source", quoted(strings.Repeat("é", 255)), "title", quoted(strings.Repeat("ß", 500))),
		doc("source", quoted(strings.Repeat("s", 255)), "title", quoted(strings.Repeat("t", 500))),
		doc("id", quoted(strings.ToUpper(uuidA)), "state", `"Closed"`),
		doc("created_at", `"2024-01-01T10:00:00Z"`, "updated_at", `"2024-01-01T10:00:00.123456789-11:30"`),
		doc("created_at", `"2024-01-01T10:00:00.1+14:00"`, "updated_at", `"1999-12-31T23:59:59.000+00:00"`),
		doc("description", `null`, "affected_resources", `null`, "labels", `null`, "fingerprint", `null`,
			"correlation_score", `null`, "resolution", `null`, "active_playbook", `null`, "timeline", `null`),
		doc("labels", `{}`, "affected_resources", `[]`, "related_incidents", `["`+strings.ToUpper(uuidA)+`"]`),
		doc("resolution", `{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x","resolution_method":"Automated"}`),
		doc("resolution", `{"resolved_at":"2024-01-01T00:00:00Z","resolved_by":"x","resolution_method":"Manual","root_cause":null,"notes":"n","extra":1}`),
		doc("timeline", `[{"timestamp":"2024-01-01T00:00:00Z","event_type":"x"},{"timestamp":"2024-01-01T00:00:01+01:00","event_type":"y","actor":"a","description":"d","metadata":null}]`),
		doc("correlation_score", `0.5`), doc("correlation_score", `-1`), doc("correlation_score", `1e-3`),
		doc("active_playbook", quoted(uuidA), "fingerprint", `""`),
	} {
		if _, err := engine.Parse(in, maxBytes, e.clock.Now()); err != nil {
			t.Errorf("Parse(%.160s): %v, want it accepted", in, err)
		}
	}
}

func testOversize(t *testing.T, e *env) {
	big := doc("description", quoted(strings.Repeat("x", maxBytes)))
	_, err := engine.Parse(big, maxBytes, e.clock.Now())
	wantErr(t, "Parse(over 1 MiB)", err, engine.ErrInvalid)
	in := doc("description", quoted(strings.Repeat("x", 1000)))
	if _, err := engine.Parse(in, len(in), e.clock.Now()); err != nil {
		t.Errorf("Parse at exactly max-incident-bytes: %v", err)
	}
	_, err = engine.Parse(in, len(in)-1, e.clock.Now())
	wantErr(t, "Parse one byte over max-incident-bytes", err, engine.ErrInvalid)
}

// snapshot is everything a reader can see of database db.
func (e *env) snapshot(db int) string {
	e.t.Helper()
	var b strings.Builder
	for _, d := range e.list(db, engine.Query{Filter: engine.AnyFilter(), Desc: true, Count: everything}).Docs {
		b.Write(d)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "count %d stats %+v", e.count(db, engine.AnyFilter()), e.stats(db))
	return b.String()
}

func testFailuresChangeNothing(t *testing.T, e *env) {
	e.seedRandom(0, 40, 9)
	e.save(spec{ID: idN(1), UpdatedAt: ts(at(time.Hour))})
	before := e.snapshot(0)
	e.events.take()
	ctx := t.Context()
	// As INC.SAVE does: only an incident that parsed reaches the store.
	for _, c := range invalidInputs {
		if inc, err := engine.Parse(c.input, maxBytes, e.clock.Now()); err == nil {
			if err := e.s.Save(ctx, 0, inc); err != nil {
				t.Errorf("%s: Save: %v", c.name, err)
			}
		}
	}
	inc := e.parse(spec{ID: idN(2)})
	for _, db := range []int{-1, engine.Databases, 99} {
		wantErr(t, fmt.Sprint("Save(db ", db, ")"), e.s.Save(ctx, db, inc), engine.ErrInvalid)
		_, _, err := e.s.SaveDedup(ctx, db, inc)
		wantErr(t, fmt.Sprint("SaveDedup(db ", db, ")"), err, engine.ErrInvalid)
		_, err = e.s.Update(ctx, db, e.parse(spec{ID: idN(1)}), nil)
		wantErr(t, fmt.Sprint("Update(db ", db, ")"), err, engine.ErrInvalid)
		_, err = e.s.Delete(ctx, db, []string{idN(1)})
		wantErr(t, fmt.Sprint("Delete(db ", db, ")"), err, engine.ErrInvalid)
		wantErr(t, fmt.Sprint("Flush(db ", db, ")"), e.s.Flush(ctx, db), engine.ErrInvalid)
	}
	_, err := e.s.Update(ctx, 0, e.parse(spec{ID: idN(3)}), nil)
	wantErr(t, "Update(missing)", err, engine.ErrNotFound)
	_, err = e.s.Update(ctx, 0, e.parse(spec{ID: idN(1), State: "Closed"}), ns(at(2*time.Hour)))
	wantErr(t, "Update(stale IFMATCH)", err, engine.ErrConflict)
	if n := e.del(0, idN(4), idN(5)); n != 0 {
		t.Errorf("Delete(missing) = %d, want 0", n)
	}
	if after := e.snapshot(0); after != before {
		t.Errorf("failed writes changed database 0:\nbefore %.300s\nafter  %.300s", before, after)
	}
	if ev := e.events.take(); len(ev) != 0 {
		t.Errorf("failed writes emitted %+v", ev)
	}
}
