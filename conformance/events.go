package conformance

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/gjson"
)

var eventCases = []testCase{
	{"OnCommitOnePerWrite", testEventsPerWrite},
	{"OnCommitInCommitOrder", testEventsOrder},
}

// event is the expected event for the stored document of id in db (Op deleted
// takes the document from before the delete).
func (e *env) event(op engine.Op, db int, doc []byte) engine.Event {
	e.t.Helper()
	x := readFact(e.t, doc)
	return engine.Event{
		Op: op, DB: db, ID: x.id,
		Severity:  engine.Severity(slices.Index(engine.Severities, x.severity)),
		State:     engine.State(slices.Index(engine.States, x.state)),
		UpdatedAt: e.instant(gjson.GetBytes(doc, "updated_at").Str).UnixNano(),
	}
}

func testEventsPerWrite(t *testing.T, e *env) {
	ctx := t.Context()
	var want []engine.Event
	e.save(spec{ID: idN(1), Severity: "P3"})
	want = append(want, e.event(engine.OpSaved, 0, e.mustGet(0, idN(1))))
	e.save(spec{ID: idN(1), Severity: "P0", State: "Triaged"})
	want = append(want, e.event(engine.OpSaved, 0, e.mustGet(0, idN(1))))

	e.saveDedup(spec{ID: idN(2), Title: "dedup"}, idN(2), true)
	want = append(want, e.event(engine.OpSaved, 0, e.mustGet(0, idN(2))))
	e.saveDedup(spec{ID: idN(3), Title: "dedup"}, idN(2), false)

	stamp := e.mustUpdate(spec{ID: idN(1), Severity: "P1", State: "Resolved"}, nil)
	doc := e.mustGet(0, idN(1))
	want = append(want, e.event(engine.OpUpdated, 0, doc))
	if want[len(want)-1].UpdatedAt != stamp.UnixNano() {
		t.Errorf("stored updated_at differs from the one Update returned")
	}
	_, err := e.update(spec{ID: idN(9)}, nil)
	wantErr(t, "Update(missing)", err, engine.ErrNotFound)
	_, err = e.update(spec{ID: idN(1)}, ns(epoch))
	wantErr(t, "Update(stale)", err, engine.ErrConflict)

	e.del(0, idN(9), idN(1), idN(1))
	want = append(want, e.event(engine.OpDeleted, 0, doc))
	e.del(0, idN(8))

	e.saveRaw(5, spec{ID: idN(4), State: "Closed"}.json())
	want = append(want, e.event(engine.OpSaved, 5, e.mustGet(5, idN(4))))
	if _, err := e.s.Update(ctx, 5, e.parse(spec{ID: idN(4), State: "Investigating"}), nil); err != nil {
		t.Fatal(err)
	}
	doc = e.mustGet(5, idN(4))
	want = append(want, e.event(engine.OpUpdated, 5, doc))
	e.del(5, idN(4))
	want = append(want, e.event(engine.OpDeleted, 5, doc))

	got := e.events.take()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d:\n got %+v\nwant %+v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func testEventsOrder(t *testing.T, e *env) {
	const ids, workers, ops = 4, 8, 30
	e.events.take()
	for i := range ids {
		e.save(spec{ID: idN(i)})
	}
	var mu sync.Mutex
	writes := ids
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 11))
			for range ops {
				id := idN(r.IntN(ids))
				st := engine.States[r.IntN(len(engine.States))]
				inc, err := engine.Parse(spec{ID: id, State: st}.json(), maxBytes, e.clock.Now())
				if err != nil {
					t.Error(err)
					return
				}
				n := 0
				switch r.IntN(4) {
				case 0:
					if err = e.s.Save(t.Context(), 0, inc); err == nil {
						n = 1
					}
				case 1:
					n, err = e.s.Delete(t.Context(), 0, []string{id})
				default:
					if _, err = e.s.Update(t.Context(), 0, inc, nil); err == nil {
						n = 1
					} else if errors.Is(err, engine.ErrNotFound) {
						err = nil
					}
				}
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
				mu.Lock()
				writes += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	got := e.events.take()
	if len(got) != writes {
		t.Errorf("got %d events for %d committed writes", len(got), writes)
	}
	last := map[string]engine.Event{}
	for i, ev := range got {
		prev, seen := last[ev.ID]
		if ev.Op == engine.OpUpdated && (!seen || prev.Op == engine.OpDeleted) {
			t.Errorf("event %d: update of %s after %+v, when it did not exist", i, ev.ID, prev)
		}
		if ev.Op == engine.OpUpdated && seen && ev.UpdatedAt <= prev.UpdatedAt {
			t.Errorf("event %d: update of %s stamped %d, not after the previous event's %d: events out of commit order",
				i, ev.ID, ev.UpdatedAt, prev.UpdatedAt)
		}
		if ev.Op == engine.OpDeleted && seen && prev.Op == engine.OpDeleted {
			t.Errorf("event %d: %s deleted twice in a row", i, ev.ID)
		}
		last[ev.ID] = ev
	}
	for i := range ids {
		id := idN(i)
		doc := e.get(0, id)
		ev, ok := last[id]
		switch {
		case !ok:
			continue
		case ev.Op == engine.OpDeleted && doc != nil:
			t.Errorf("last event of %s is a delete but it exists", id)
		case ev.Op != engine.OpDeleted && doc == nil:
			t.Errorf("last event of %s is %s but it is gone", id, ev.Op)
		case ev.Op != engine.OpDeleted:
			if want := e.event(ev.Op, 0, doc); ev != want {
				t.Errorf("last event of %s = %+v, stored incident says %+v", id, ev, want)
			}
		}
	}
}
