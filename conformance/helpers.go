package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/gjson"
)

// maxBytes is the max-incident-bytes every helper parses with (the default 1 MiB).
const maxBytes = 1 << 20

// everything is a page size larger than any dataset of the suite.
const everything = 1 << 20

// spec describes a test incident; empty required fields take harmless values.
type spec struct {
	ID          string            `json:"id,omitempty"`
	CreatedAt   string            `json:"created_at,omitempty"`
	UpdatedAt   string            `json:"updated_at,omitempty"`
	State       string            `json:"state,omitempty"`
	Severity    string            `json:"severity"`
	Type        string            `json:"incident_type"`
	Source      string            `json:"source"`
	Title       string            `json:"title"`
	Resources   []string          `json:"affected_resources,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Fingerprint string            `json:"fingerprint,omitempty"`
}

// json renders s as an incident document.
func (s spec) json() []byte {
	if s.Severity == "" {
		s.Severity = "P2"
	}
	if s.Type == "" {
		s.Type = "Application"
	}
	if s.Source == "" {
		s.Source = "conformance"
	}
	if s.Title == "" {
		s.Title = "incident"
	}
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return b
}

// idN returns the n-th of a family of valid v4 UUIDs whose string order is n's order.
func idN(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", n) }

// at returns the instant epoch + d.
func at(d time.Duration) time.Time { return epoch.Add(d) }

// ts renders t in UTC with nine fraction digits.
func ts(t time.Time) string { return rfc3339(t, 0, 9, true) }

// rfc3339 renders t at a UTC offset of offsetMin minutes with digits fraction
// digits; a zero offset is written "Z" when z is set, else "+00:00". The
// caller picks enough digits to keep t exact.
func rfc3339(t time.Time, offsetMin, digits int, z bool) string {
	lt := t.In(time.FixedZone("", offsetMin*60))
	s := lt.Format("2006-01-02T15:04:05")
	if digits > 0 {
		s += "." + fmt.Sprintf("%09d", lt.Nanosecond())[:digits]
	}
	if offsetMin == 0 && z {
		return s + "Z"
	}
	sign := "+"
	if offsetMin < 0 {
		sign, offsetMin = "-", -offsetMin
	}
	return fmt.Sprintf("%s%s%02d:%02d", s, sign, offsetMin/60, offsetMin%60)
}

// parseRaw validates raw as an incident, failing the test on error.
func (e *env) parseRaw(raw []byte) *engine.Incident {
	e.t.Helper()
	inc, err := engine.Parse(raw, maxBytes, e.clock.Now())
	if err != nil {
		e.t.Fatalf("Parse(%s): %v", raw, err)
	}
	return inc
}

// parse validates the incident s describes.
func (e *env) parse(s spec) *engine.Incident {
	e.t.Helper()
	return e.parseRaw(s.json())
}

// saveRaw saves raw in database db and returns its id.
func (e *env) saveRaw(db int, raw []byte) string {
	e.t.Helper()
	inc := e.parseRaw(raw)
	if err := e.s.Save(e.t.Context(), db, inc); err != nil {
		e.t.Fatalf("Save(db %d, %s): %v", db, raw, err)
	}
	return inc.ID
}

// save saves the incident s describes in database 0 and returns its id.
func (e *env) save(s spec) string {
	e.t.Helper()
	return e.saveRaw(0, s.json())
}

// get returns the document of id in db.
func (e *env) get(db int, id string) []byte {
	e.t.Helper()
	doc, err := e.s.Get(e.t.Context(), db, id)
	if err != nil {
		e.t.Fatalf("Get(db %d, %s): %v", db, id, err)
	}
	return doc
}

// mustGet returns the document of id in db, failing when it is missing.
func (e *env) mustGet(db int, id string) []byte {
	e.t.Helper()
	doc := e.get(db, id)
	if doc == nil {
		e.t.Fatalf("Get(db %d, %s) = nil, want the document", db, id)
	}
	return doc
}

// count returns Count(db, f).
func (e *env) count(db int, f engine.Filter) int64 {
	e.t.Helper()
	n, err := e.s.Count(e.t.Context(), db, f)
	if err != nil {
		e.t.Fatalf("Count(db %d, %+v): %v", db, f, err)
	}
	return n
}

// list returns List(db, q).
func (e *env) list(db int, q engine.Query) engine.Page {
	e.t.Helper()
	p, err := e.s.List(e.t.Context(), db, q)
	if err != nil {
		e.t.Fatalf("List(db %d, %+v): %v", db, q, err)
	}
	return p
}

// listIDs returns the ids of every incident matching f, in the given order.
func (e *env) listIDs(db int, f engine.Filter, desc bool) []string {
	e.t.Helper()
	return docIDs(e.t, e.list(db, engine.Query{Filter: f, Desc: desc, Count: everything}).Docs)
}

// stats returns Stats(db).
func (e *env) stats(db int) engine.Stats {
	e.t.Helper()
	st, err := e.s.Stats(e.t.Context(), db)
	if err != nil {
		e.t.Fatalf("Stats(db %d): %v", db, err)
	}
	return st
}

// del deletes ids from db and returns how many existed.
func (e *env) del(db int, ids ...string) int {
	e.t.Helper()
	n, err := e.s.Delete(e.t.Context(), db, ids)
	if err != nil {
		e.t.Fatalf("Delete(db %d, %v): %v", db, ids, err)
	}
	return n
}

// docIDs returns the id of every document.
func docIDs(t interface{ Helper() }, docs [][]byte) []string {
	t.Helper()
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = gjson.GetBytes(d, "id").Str
	}
	return out
}

// wantErr reports an error unless err wraps target.
func wantErr(t interface {
	Helper()
	Errorf(string, ...any)
}, what string, err, target error) bool {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want errors.Is(err, %v)", what, err, target)
		return false
	}
	return true
}

// equalIDs fails when got and want differ, showing where.
func equalIDs(t interface {
	Helper()
	Errorf(string, ...any)
}, what string, got, want []string) bool {
	t.Helper()
	if slices.Equal(got, want) {
		return true
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: got %d ids, want %d; first difference at %d\n got: %s\nwant: %s",
		what, len(got), len(want), i, around(got, i), around(want, i))
	return false
}

func around(ids []string, i int) string {
	lo, hi := max(0, i-1), min(len(ids), i+3)
	if lo >= hi {
		return "(end)"
	}
	return strings.Join(ids[lo:hi], " ")
}
