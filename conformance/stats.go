package conformance

import (
	"fmt"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/gjson"
)

var statsCases = []testCase{
	{"StatsMatchBruteForce", testStats},
	{"FlushEmptiesOneDatabase", testFlush},
	{"DatabaseIsolation", testIsolation},
	{"DatabaseOutOfRange", testDBRange},
}

// listedFacts reads the oracle's facts back from a full List of db.
func (e *env) listedFacts(db int) []fact {
	e.t.Helper()
	var facts []fact
	for _, d := range e.list(db, engine.Query{Filter: engine.AnyFilter(), Count: everything}).Docs {
		facts = append(facts, readFact(e.t, d))
	}
	return facts
}

// checkStats compares Stats with the brute-force counts of facts, and each
// per-severity and per-state count with Count.
func (e *env) checkStats(db int, facts []fact) {
	e.t.Helper()
	want := expectStats(facts)
	if st := e.stats(db); st != want {
		e.t.Errorf("Stats(db %d) = %+v, want %+v", db, st, want)
	}
	for i, s := range engine.Severities {
		if n := e.count(db, filter(func(f *engine.Filter) { f.Severities = sevs(s) })); n != want.BySeverity[i] {
			e.t.Errorf("Count(SEVERITY %s) = %d, Stats says %d", s, n, want.BySeverity[i])
		}
	}
	for i, s := range engine.States {
		if n := e.count(db, filter(func(f *engine.Filter) { f.States = states(s) })); n != want.ByState[i] {
			e.t.Errorf("Count(STATE %s) = %d, Stats says %d", s, n, want.ByState[i])
		}
	}
	if n := e.count(db, activeOnly(engine.AnyFilter())); n != want.Active {
		e.t.Errorf("Count(ACTIVE) = %d, Stats says %d", n, want.Active)
	}
}

func testStats(t *testing.T, e *env) {
	if st := e.stats(0); st != (engine.Stats{}) {
		t.Errorf("Stats of an empty store = %+v", st)
	}
	facts := e.seedRandom(0, 300, 10)
	e.checkStats(0, facts)
	// Delete every third, re-save every fifth with new values, and recount.
	for i, x := range facts {
		switch {
		case i%3 == 0:
			e.del(0, x.id)
		case i%5 == 0:
			e.save(spec{ID: x.id, Severity: "P0", State: "Closed"})
		}
	}
	e.checkStats(0, e.listedFacts(0))
	if n := e.stats(0).Total; n != 200 {
		t.Errorf("Total = %d after deleting 100 of 300, want 200", n)
	}
}

func testFlush(t *testing.T, e *env) {
	for _, db := range []int{0, 1, 15} {
		for i := range 5 {
			e.saveRaw(db, spec{ID: idN(i), Source: fmt.Sprint("db", db)}.json())
		}
	}
	if err := e.s.Flush(t.Context(), 1); err != nil {
		t.Fatalf("Flush(1): %v", err)
	}
	if n := e.count(1, engine.AnyFilter()); n != 0 {
		t.Errorf("Count(db 1) = %d after Flush, want 0", n)
	}
	if st := e.stats(1); st != (engine.Stats{}) {
		t.Errorf("Stats(db 1) = %+v after Flush, want zero", st)
	}
	if doc := e.get(1, idN(0)); doc != nil {
		t.Errorf("Get(db 1) = %s after Flush", doc)
	}
	for _, db := range []int{0, 15} {
		if n := e.count(db, engine.AnyFilter()); n != 5 {
			t.Errorf("Count(db %d) = %d after Flush(1), want 5", db, n)
		}
		if src := gjson.GetBytes(e.mustGet(db, idN(0)), "source").Str; src != fmt.Sprint("db", db) {
			t.Errorf("db %d holds source %q", db, src)
		}
	}
	e.saveRaw(1, spec{ID: idN(9), Source: "again"}.json())
	equalIDs(t, "List(db 1) after Flush and save", e.listIDs(1, engine.AnyFilter(), true), []string{idN(9)})
	if n := e.count(1, filter(func(f *engine.Filter) { f.Sources = []string{"db1"} })); n != 0 {
		t.Errorf("Count(SOURCE db1) = %d after Flush, want 0", n)
	}
}

func testIsolation(t *testing.T, e *env) {
	ctx := t.Context()
	dup := spec{ID: idN(1), Source: "iso", Title: "same", Labels: map[string]string{"env": "prod"}}
	inc := e.parse(dup)
	if _, _, err := e.s.SaveDedup(ctx, 0, inc); err != nil {
		t.Fatal(err)
	}
	if doc := e.get(3, idN(1)); doc != nil {
		t.Errorf("Get(db 3) = %s, saved in db 0 only", doc)
	}
	if docs, err := e.s.MGet(ctx, 3, []string{idN(1)}); err != nil || len(docs) != 1 || docs[0] != nil {
		t.Errorf("MGet(db 3) = %q, %v", docs, err)
	}
	if n := e.count(3, engine.AnyFilter()); n != 0 {
		t.Errorf("Count(db 3) = %d, want 0", n)
	}
	if ids := e.listIDs(3, engine.AnyFilter(), true); len(ids) != 0 {
		t.Errorf("List(db 3) = %v, want none", ids)
	}
	if st := e.stats(3); st != (engine.Stats{}) {
		t.Errorf("Stats(db 3) = %+v, want zero", st)
	}
	_, err := e.s.Update(ctx, 3, e.parse(dup), nil)
	wantErr(t, "Update(db 3)", err, engine.ErrNotFound)
	if n := e.del(3, idN(1)); n != 0 {
		t.Errorf("Delete(db 3) = %d, want 0", n)
	}
	// Dedup looks in its own database only.
	other := dup
	other.ID = idN(2)
	id, created, err := e.s.SaveDedup(ctx, 3, e.parse(other))
	if err != nil || id != idN(2) || !created {
		t.Errorf("SaveDedup(db 3) = (%s, %v, %v), want (%s, true)", id, created, err, idN(2))
	}
	// The same id holds different incidents in two databases.
	e.saveRaw(3, spec{ID: idN(1), Source: "three"}.json())
	if src := gjson.GetBytes(e.mustGet(0, idN(1)), "source").Str; src != "iso" {
		t.Errorf("db 0 source = %q after saving the id in db 3", src)
	}
	if n := e.count(0, engine.AnyFilter()); n != 1 {
		t.Errorf("Count(db 0) = %d, want 1", n)
	}
	if n := e.count(3, engine.AnyFilter()); n != 2 {
		t.Errorf("Count(db 3) = %d, want 2", n)
	}
}

func testDBRange(t *testing.T, e *env) {
	ctx := t.Context()
	for _, db := range []int{-1, engine.Databases, 1 << 20} {
		what := func(m string) string { return fmt.Sprintf("%s(db %d)", m, db) }
		_, err := e.s.Get(ctx, db, idN(1))
		wantErr(t, what("Get"), err, engine.ErrInvalid)
		_, err = e.s.MGet(ctx, db, []string{idN(1)})
		wantErr(t, what("MGet"), err, engine.ErrInvalid)
		_, err = e.s.List(ctx, db, engine.Query{Filter: engine.AnyFilter(), Count: 10})
		wantErr(t, what("List"), err, engine.ErrInvalid)
		_, err = e.s.Count(ctx, db, engine.AnyFilter())
		wantErr(t, what("Count"), err, engine.ErrInvalid)
		_, err = e.s.Stats(ctx, db)
		wantErr(t, what("Stats"), err, engine.ErrInvalid)
	}
	for _, db := range []int{0, engine.Databases - 1} {
		if _, err := e.s.Count(ctx, db, engine.AnyFilter()); err != nil {
			t.Errorf("Count(db %d): %v", db, err)
		}
	}
}
