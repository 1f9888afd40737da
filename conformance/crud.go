package conformance

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/gjson"
)

var crudCases = []testCase{
	{"SaveGetRoundTrip", testSaveGetRoundTrip},
	{"UnknownFieldsVerbatim", testUnknownFieldsVerbatim},
	{"IDLowercasedGetCaseInsensitive", testIDLowercased},
	{"GeneratedIDIsV4", testGeneratedID},
	{"DefaultsFilled", testDefaultsFilled},
	{"GetMissingIsNil", testGetMissing},
	{"MGetOrderAndMissing", testMGetOrder},
	{"DeleteCountsExistingAndUnindexes", testDelete},
}

// fullIncident sets every known field to a non-default value, compact, with
// timestamps in the spellings a client might send.
const fullIncident = `{"id":"6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",` +
	`"created_at":"2024-03-01T10:00:00.5+02:00","updated_at":"2024-03-01T08:00:01Z",` +
	`"state":"Investigating","severity":"P1","incident_type":"Security","source":"ids",` +
	`"title":"Port scan","description":"many \"SYN\" packets","affected_resources":["fw-1","fw-2"],` +
	`"assignees":["ana"],"labels":{"env":"prod","team":"sec"},` +
	`"related_incidents":["0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e"],` +
	`"active_playbook":"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",` +
	`"resolution":{"resolved_at":"2024-03-01T09:00:00Z","resolved_by":"ana","resolution_method":"AutoAssistedManual","root_cause":null,"notes":"ok"},` +
	`"timeline":[{"timestamp":"2024-03-01T08:00:00Z","event_type":"created","actor":"bot","description":"d","metadata":{"k":[1,2]}}],` +
	`"fingerprint":"abc123","correlation_score":0.75}`

func testSaveGetRoundTrip(t *testing.T, e *env) {
	id := e.saveRaw(0, []byte(fullIncident))
	if id != "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b" {
		t.Fatalf("Save id = %q", id)
	}
	doc := e.mustGet(0, id)
	in := gjson.Parse(fullIncident)
	in.ForEach(func(k, v gjson.Result) bool {
		if got := gjson.GetBytes(doc, k.Str).Raw; got != v.Raw {
			t.Errorf("field %s = %s, want %s", k.Str, got, v.Raw)
		}
		return true
	})
	// A document read back and saved again reads back byte for byte.
	e.saveRaw(0, doc)
	if again := e.mustGet(0, id); string(again) != string(doc) {
		t.Errorf("re-saved document changed:\n got %s\nwant %s", again, doc)
	}
	if n := e.count(0, engine.AnyFilter()); n != 1 {
		t.Errorf("Count = %d after saving one incident twice, want 1", n)
	}
}

func testUnknownFieldsVerbatim(t *testing.T, e *env) {
	unknown := []struct{ key, raw string }{
		{"zeta", `{"b":[1,2.50,{"c":null}],"a":"x\u00e9\n"}`},
		{"big", `1.50e3`},
		{"neg", `-0.0`},
		{"arr", `[true,false,null,"\"q\"",[]]`},
		{"emoji", `"\ud83d\ude00"`},
		{"alpha", `{}`},
	}
	var b strings.Builder
	b.WriteString(`{` + `"` + unknown[0].key + `":` + unknown[0].raw)
	b.WriteString(`,"severity":"P3","incident_type":"Data","source":"s"`)
	for _, u := range unknown[1:3] {
		b.WriteString(`,"` + u.key + `":` + u.raw)
	}
	b.WriteString(`,"title":"t"`)
	for _, u := range unknown[3:] {
		b.WriteString(`,"` + u.key + `":` + u.raw)
	}
	b.WriteString(`}`)
	id := e.saveRaw(0, []byte(b.String()))
	doc := e.mustGet(0, id)
	var order []string
	gjson.ParseBytes(doc).ForEach(func(k, v gjson.Result) bool {
		for _, u := range unknown {
			if u.key == k.Str {
				order = append(order, k.Str)
				if v.Raw != u.raw {
					t.Errorf("unknown field %s = %s, want %s verbatim", k.Str, v.Raw, u.raw)
				}
			}
		}
		return true
	})
	want := []string{"zeta", "big", "neg", "arr", "emoji", "alpha"}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("unknown fields in order %v, want %v", order, want)
	}
	if !gjson.ValidBytes(doc) {
		t.Errorf("document is not valid JSON: %s", doc)
	}

	// Insignificant white space may go; nothing else about the value changes.
	const spaced = `{ "k" : [ 1 , "a b" , { "c" : 2.50 } ] }`
	id = e.saveRaw(0, []byte(`{"spaced":`+spaced+`,"severity":"P1","incident_type":"Data","source":"s","title":"t"}`))
	got := gjson.GetBytes(e.mustGet(0, id), "spaced").Raw
	var sent, read bytes.Buffer
	if json.Compact(&sent, []byte(spaced)) != nil || json.Compact(&read, []byte(got)) != nil || sent.String() != read.String() {
		t.Errorf("unknown field with white space read back as %s, want %s", got, spaced)
	}
}

func testIDLowercased(t *testing.T, e *env) {
	upper := "ABCDEF12-3456-4789-ABCD-EF0123456789"
	id := e.save(spec{ID: upper})
	if id != strings.ToLower(upper) {
		t.Fatalf("Save id = %q, want lowercase", id)
	}
	for _, q := range []string{upper, strings.ToLower(upper), "AbCdEf12-3456-4789-aBcD-eF0123456789"} {
		doc := e.mustGet(0, q)
		if got := gjson.GetBytes(doc, "id").Str; got != strings.ToLower(upper) {
			t.Errorf("Get(%s) id = %q, want lowercase", q, got)
		}
	}
	docs, err := e.s.MGet(t.Context(), 0, []string{upper})
	if err != nil || len(docs) != 1 || docs[0] == nil {
		t.Errorf("MGet(upper) = %q, %v; want the document", docs, err)
	}
}

func testGeneratedID(t *testing.T, e *env) {
	a, b := e.save(spec{}), e.save(spec{})
	for _, id := range []string{a, b} {
		if len(id) != 36 || id != strings.ToLower(id) || id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) {
			t.Errorf("generated id %q is not a lowercase v4 UUID", id)
		}
		if got := gjson.GetBytes(e.mustGet(0, id), "id").Str; got != id {
			t.Errorf("stored id = %q, want %q", got, id)
		}
	}
	if a == b {
		t.Errorf("two saves without id got the same id %s", a)
	}
}

func testDefaultsFilled(t *testing.T, e *env) {
	now := at(42 * time.Second)
	e.clock.Set(now, 0)
	id := e.saveRaw(0, []byte(`{"severity":"P4","incident_type":"Unknown","source":"s","title":"t"}`))
	doc := e.mustGet(0, id)
	want := map[string]string{
		"state": `"Detected"`, "description": `""`, "affected_resources": `[]`, "assignees": `[]`,
		"labels": `{}`, "related_incidents": `[]`, "timeline": `[]`, "active_playbook": `null`,
		"resolution": `null`, "fingerprint": `null`, "correlation_score": `null`,
	}
	for field, raw := range want {
		if got := gjson.GetBytes(doc, field); !got.Exists() || got.Raw != raw {
			t.Errorf("default %s = %q, want %s", field, got.Raw, raw)
		}
	}
	for _, field := range []string{"created_at", "updated_at"} {
		s := gjson.GetBytes(doc, field).Str
		got, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || !got.Equal(now) || !strings.HasSuffix(s, "Z") {
			t.Errorf("default %s = %q, want the clock's %s in UTC", field, s, now.Format(time.RFC3339Nano))
		}
	}
}

func testGetMissing(t *testing.T, e *env) {
	e.save(spec{ID: idN(1)})
	if doc := e.get(0, idN(2)); doc != nil {
		t.Errorf("Get(missing) = %s, want nil", doc)
	}
}

func testMGetOrder(t *testing.T, e *env) {
	a, b := e.save(spec{ID: idN(1), Title: "a"}), e.save(spec{ID: idN(2), Title: "b"})
	docs, err := e.s.MGet(t.Context(), 0, []string{b, idN(3), a, strings.ToUpper(b)})
	if err != nil {
		t.Fatalf("MGet: %v", err)
	}
	want := []string{"b", "", "a", "b"}
	if len(docs) != len(want) {
		t.Fatalf("MGet returned %d docs, want %d", len(docs), len(want))
	}
	for i, w := range want {
		switch {
		case w == "" && docs[i] != nil:
			t.Errorf("MGet[%d] = %s, want nil", i, docs[i])
		case w != "" && gjson.GetBytes(docs[i], "title").Str != w:
			t.Errorf("MGet[%d] = %s, want title %q", i, docs[i], w)
		}
	}
	if docs, err := e.s.MGet(t.Context(), 0, []string{idN(9)}); err != nil || len(docs) != 1 || docs[0] != nil {
		t.Errorf("MGet(only missing) = %q, %v; want [nil]", docs, err)
	}
}

func testDelete(t *testing.T, e *env) {
	gone := spec{ID: idN(1), Severity: "P0", State: "Triaged", Type: "Data", Source: "gone",
		Labels: map[string]string{"env": "gone"}, Fingerprint: "fp-gone", CreatedAt: ts(at(time.Hour))}
	a := e.save(gone)
	gone.ID = idN(2)
	b := e.save(gone)
	keep := e.save(spec{ID: idN(3)})
	if n := e.del(0, a, idN(9), a, strings.ToUpper(b)); n != 2 {
		t.Errorf("Delete(a, missing, a, B) = %d, want 2", n)
	}
	for _, id := range []string{a, b} {
		if doc := e.get(0, id); doc != nil {
			t.Errorf("Get(%s) after delete = %s", id, doc)
		}
	}
	for _, f := range probes(gone) {
		if n := e.count(0, f); n != 0 {
			t.Errorf("Count(%s) = %d after delete, want 0", describe(f), n)
		}
		if ids := e.listIDs(0, f, true); len(ids) != 0 {
			t.Errorf("List(%s) = %v after delete, want none", describe(f), ids)
		}
	}
	if ids := e.listIDs(0, engine.AnyFilter(), true); len(ids) != 1 || ids[0] != keep {
		t.Errorf("List(all) = %v, want [%s]", ids, keep)
	}
	if st := e.stats(0); st.Total != 1 || st.BySeverity[0] != 0 || st.ByState[1] != 0 {
		t.Errorf("Stats after delete = %+v", st)
	}
	if n := e.del(0, a, b); n != 0 {
		t.Errorf("second Delete = %d, want 0", n)
	}
}
