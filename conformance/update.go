package conformance

import (
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/gjson"
)

var updateCases = []testCase{
	{"UpdateMissingIsNotFound", testUpdateMissing},
	{"UpdateStampsStrictlyLater", testUpdateStamps},
	{"UpdateIfMatch", testUpdateIfMatch},
	{"UpdateKeepsDefaultedCreatedAt", testUpdateCreatedAt},
	{"UpdateMovesIndexes", testUpdateMovesIndexes},
}

// update calls Update in db 0 and returns the new updated_at.
func (e *env) update(s spec, ifMatch *int64) (string, error) {
	e.t.Helper()
	return e.s.Update(e.t.Context(), 0, e.parse(s), ifMatch)
}

// mustUpdate updates and checks that the returned updated_at is what was
// stored and strictly later than before.
func (e *env) mustUpdate(s spec, ifMatch *int64) time.Time {
	e.t.Helper()
	before := e.instant(gjson.GetBytes(e.mustGet(0, s.ID), "updated_at").Str)
	stamp, err := e.update(s, ifMatch)
	if err != nil {
		e.t.Fatalf("Update(%s): %v", s.ID, err)
	}
	after := e.instant(stamp)
	if !after.After(before) {
		e.t.Errorf("Update returned updated_at %s, not after the stored %s", stamp, before.Format(time.RFC3339Nano))
	}
	if got := gjson.GetBytes(e.mustGet(0, s.ID), "updated_at").Str; got != stamp {
		e.t.Errorf("stored updated_at %q, Update returned %q", got, stamp)
	}
	return after
}

// instant parses an RFC 3339 timestamp the test's own way.
func (e *env) instant(s string) time.Time {
	e.t.Helper()
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		e.t.Fatalf("timestamp %q: %v", s, err)
	}
	return t
}

func ns(t time.Time) *int64 {
	n := t.UnixNano()
	return &n
}

func testUpdateMissing(t *testing.T, e *env) {
	e.save(spec{ID: idN(1)})
	e.events.take()
	_, err := e.update(spec{ID: idN(2), State: "Resolved"}, nil)
	wantErr(t, "Update(missing)", err, engine.ErrNotFound)
	_, err = e.update(spec{ID: idN(3)}, ns(epoch))
	wantErr(t, "Update(missing, IFMATCH)", err, engine.ErrNotFound)
	if doc := e.get(0, idN(2)); doc != nil {
		t.Errorf("a failed update wrote %s", doc)
	}
	if n := e.count(0, engine.AnyFilter()); n != 1 {
		t.Errorf("Count = %d after failed updates, want 1", n)
	}
	if ev := e.events.take(); len(ev) != 0 {
		t.Errorf("failed updates emitted %+v", ev)
	}
}

func testUpdateStamps(t *testing.T, e *env) {
	stored := at(5 * time.Hour)
	e.clock.Set(stored, 0)
	s := spec{ID: idN(1), UpdatedAt: rfc3339(stored, 180, 0, false)}
	e.save(s)
	s.UpdatedAt = ""

	// The clock stands still at the stored instant, then goes backwards.
	e.mustUpdate(s, nil)
	e.clock.Set(stored.Add(-time.Hour), 0)
	for range 3 {
		e.mustUpdate(s, nil)
	}
	// The clock moves on: its reading is the stamp.
	later := at(6 * time.Hour)
	e.clock.Set(later, 0)
	if got := e.mustUpdate(s, nil); !got.Equal(later) {
		t.Errorf("Update stamped %s, want the clock's %s", got.Format(time.RFC3339Nano), later.Format(time.RFC3339Nano))
	}
	// An updated_at in the update itself does not decide the stamp.
	s.UpdatedAt = ts(at(-time.Hour))
	e.mustUpdate(s, nil)
	// A stored updated_at ahead of the clock is still exceeded.
	future := spec{ID: idN(2), UpdatedAt: "2199-01-01T00:00:00.999999999-01:00"}
	e.save(future)
	future.UpdatedAt = ""
	e.mustUpdate(future, nil)
}

func testUpdateIfMatch(t *testing.T, e *env) {
	e.clock.Set(at(time.Hour), 0)
	s := spec{ID: idN(1), UpdatedAt: "2024-01-01T10:00:00+02:00"}
	e.save(s)
	s.UpdatedAt, s.State = "", "Triaged"
	// The same instant spelled another way matches.
	first := e.mustUpdate(s, ns(e.instant("2024-01-01T08:00:00.000Z")))

	e.events.take()
	stale := e.mustGet(0, idN(1))
	for _, ifMatch := range []time.Time{
		e.instant("2024-01-01T08:00:00Z"), first.Add(-1), first.Add(1),
	} {
		s.State = "Closed"
		_, err := e.update(s, ns(ifMatch))
		wantErr(t, "Update(IFMATCH "+ifMatch.Format(time.RFC3339Nano)+")", err, engine.ErrConflict)
		if doc := e.mustGet(0, idN(1)); string(doc) != string(stale) {
			t.Errorf("a conflicting update wrote %s", doc)
		}
	}
	if n := e.count(0, filter(func(f *engine.Filter) { f.States = states("Closed") })); n != 0 {
		t.Errorf("Count(STATE Closed) = %d after conflicts, want 0", n)
	}
	if ev := e.events.take(); len(ev) != 0 {
		t.Errorf("conflicting updates emitted %+v", ev)
	}
	s.State = "Resolved"
	e.mustUpdate(s, ns(first.In(time.FixedZone("", -7*3600))))
	if got := gjson.GetBytes(e.mustGet(0, idN(1)), "state").Str; got != "Resolved" {
		t.Errorf("state = %q after a matching IFMATCH, want Resolved", got)
	}
}

func testUpdateCreatedAt(t *testing.T, e *env) {
	const created = "2024-01-01T10:00:00.5+02:00"
	e.save(spec{ID: idN(1), CreatedAt: created})
	e.save(spec{ID: idN(2), CreatedAt: ts(at(9 * time.Hour))})
	e.clock.Set(at(10*time.Hour), time.Millisecond)
	e.mustUpdate(spec{ID: idN(1), Title: "retitled"}, nil)
	doc := e.mustGet(0, idN(1))
	if got := gjson.GetBytes(doc, "created_at").Str; got != created {
		t.Errorf("created_at = %q after an update without it, want %q kept", got, created)
	}
	equalIDs(t, "order after update", e.listIDs(0, engine.AnyFilter(), true), []string{idN(2), idN(1)})

	// A created_at in the update replaces the stored one and moves the order.
	moved := spec{ID: idN(1), CreatedAt: ts(at(11 * time.Hour))}
	e.mustUpdate(moved, nil)
	equalIDs(t, "order after moving created_at", e.listIDs(0, engine.AnyFilter(), true), []string{idN(1), idN(2)})
	for _, c := range []struct {
		at   string
		want []string
	}{{created, nil}, {moved.CreatedAt, []string{idN(1)}}} {
		f := filter(func(f *engine.Filter) { f.Since = e.instant(c.at).UnixNano(); f.Until = f.Since + 1 })
		if n := e.count(0, f); n != int64(len(c.want)) {
			t.Errorf("Count(created_at %s) = %d, want %d", c.at, n, len(c.want))
		}
		equalIDs(t, "List(created_at "+c.at+")", e.listIDs(0, f, true), c.want)
	}
}

func testUpdateMovesIndexes(t *testing.T, e *env) {
	before := spec{ID: idN(1), Severity: "P1", State: "Detected", Type: "Security", Source: "a",
		Labels: map[string]string{"env": "prod"}, Fingerprint: "fp-1"}
	e.save(before)
	e.save(spec{ID: idN(2), State: "Detected", Severity: "P4"})
	after := spec{ID: idN(1), Severity: "P0", State: "Resolved", Type: "Data", Source: "b",
		Labels: map[string]string{"team": "x"}, Fingerprint: "fp-2"}
	e.mustUpdate(after, nil)
	if n := e.count(0, filter(func(f *engine.Filter) { f.States = states("Detected") })); n != 1 {
		t.Errorf("Count(STATE Detected) = %d after the update, want 1", n)
	}
	before.State = "Triaged" // Detected still holds idN(2); probe a state nobody has
	e.checkFound(before, nil)
	e.checkFound(after, []string{idN(1)})
	want := engine.Stats{Total: 2, Active: 1}
	want.BySeverity[0], want.BySeverity[4] = 1, 1
	want.ByState[0], want.ByState[4] = 1, 1
	if st := e.stats(0); st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
}
