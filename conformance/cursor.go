package conformance

import (
	"encoding/base64"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

var cursorCases = []testCase{
	{"CursorTokenRoundTrip", testCursorToken},
	{"CursorWalkMatchesOracle", testCursorWalk},
	{"CursorStableUnderInterleavedWrites", testCursorInterleaved},
	{"CursorStableUnderConcurrentWrites", testCursorConcurrent},
}

func testCursorToken(t *testing.T, e *env) {
	for _, c := range []engine.Cursor{
		{Pos: engine.Position{Created: at(time.Hour).UnixNano(), ID: idN(1)}, Desc: true, Key: 0xdeadbeef},
		{Pos: engine.Position{Created: -1234567890123, ID: "abcdef12-3456-4789-abcd-ef0123456789"}, Key: math.MaxUint64},
		{Pos: engine.Position{Created: 0, ID: idN(0)}, Desc: true},
	} {
		tok := c.Encode()
		got, err := engine.DecodeCursor(tok)
		if err != nil || got != c {
			t.Errorf("DecodeCursor(Encode(%+v)) = %+v, %v", c, got, err)
		}
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	good := engine.Cursor{Pos: engine.Position{Created: 1, ID: idN(1)}, Desc: true, Key: 1}.Encode()
	for _, tok := range []string{
		"", "!!!", "a", "0", good + "=", good + " ", "+/+/", b64("garbage"), b64("1|true|1|" + idN(1)),
		b64("1|true|123|not-a-uuid|ff"), b64("2|true|1|" + idN(1) + "|ff"), b64("1|maybe|1|" + idN(1) + "|ff"),
		b64("1|true|x|" + idN(1) + "|ff"), b64("1|true|1|" + idN(1) + "|zz"), b64("1|true|1|" + idN(1) + "|ff|extra"),
	} {
		if _, err := engine.DecodeCursor(tok); err == nil {
			t.Errorf("DecodeCursor(%q) accepted a malformed token", tok)
		} else {
			wantErr(t, "DecodeCursor("+tok+")", err, engine.ErrInvalid)
		}
	}
}

// walk pages through f with After = Page.Next, calling between(next, ids so
// far) after each page that has a successor. It checks that order holds across pages and
// that Next is the position of the page's last document.
func (e *env) walk(db int, f engine.Filter, desc bool, size int, between func(engine.Position, []string)) []string {
	e.t.Helper()
	var ids []string
	var prev *fact
	var after *engine.Position
	returned := map[string]bool{}
	for pages := 0; ; pages++ {
		if pages > 20000 {
			e.t.Fatal("cursor walk does not end")
		}
		p := e.list(db, engine.Query{Filter: f, Desc: desc, After: after, Count: size})
		for _, d := range p.Docs {
			x := readFact(e.t, d)
			if prev != nil && (compareFacts(*prev, x) >= 0) != desc {
				e.t.Fatalf("cursor walk out of order: %s (%d) then %s (%d), desc=%v", prev.id, prev.created, x.id, x.created, desc)
			}
			if returned[x.id] {
				e.t.Fatalf("cursor walk returned %s twice", x.id)
			}
			returned[x.id] = true
			prev = &x
			ids = append(ids, x.id)
		}
		if p.Next == nil {
			return ids
		}
		if len(p.Docs) == 0 || *p.Next != (engine.Position{Created: prev.created, ID: prev.id}) {
			e.t.Fatalf("Next = %+v, want the position of the last document %s", *p.Next, prev.id)
		}
		after = p.Next
		if between != nil {
			between(*p.Next, ids)
		}
	}
}

func testCursorWalk(t *testing.T, e *env) {
	facts := e.seedRandom(0, 150, 5)
	for _, nf := range randomFilters()[:12] {
		for _, desc := range []bool{true, false} {
			for _, size := range []int{1, 13} {
				equalIDs(t, nf.name+" cursor walk", e.walk(0, nf.f, desc, size, nil), expect(facts, nf.f, desc))
			}
		}
	}
}

// ahead reports whether (created, id) comes strictly after pos in query order.
func ahead(pos engine.Position, created int64, id string, desc bool) bool {
	c := compareFacts(fact{created: created, id: id}, fact{created: pos.Created, id: pos.ID})
	return c != 0 && (c < 0) == desc
}

func testCursorInterleaved(t *testing.T, e *env) {
	for db, desc := range []bool{true, false} {
		t.Run(map[bool]string{true: "DESC", false: "ASC"}[desc], func(t *testing.T) {
			e := e.with(t)
			r := rand.New(rand.NewPCG(6, uint64(db)))
			mustSee, mustNot := map[string]bool{}, map[string]bool{}
			unseen, seen, gone := map[string]bool{}, map[string]bool{}, map[string]bool{}
			saveAt := func(d time.Duration) (string, int64) {
				s := spec{ID: randUUID(r), CreatedAt: randStamp(r, at(d))}
				e.saveRaw(db, s.json())
				return s.ID, at(d).UnixNano()
			}
			for i := range 80 {
				id, _ := saveAt(time.Duration(i/2) * time.Minute)
				mustSee[id], unseen[id] = true, true
			}
			pick := func(set map[string]bool) string {
				var ids []string
				for _, id := range slices.Sorted(maps.Keys(set)) {
					if set[id] {
						ids = append(ids, id)
					}
				}
				if len(ids) == 0 {
					return ""
				}
				return ids[r.IntN(len(ids))]
			}
			step := 0
			got := e.walk(db, engine.AnyFilter(), desc, 7, func(pos engine.Position, got []string) {
				step++
				for _, id := range got {
					delete(unseen, id)
					seen[id] = !gone[id]
				}
				// Inserts around the cursor, one of them tying with it.
				for _, d := range []time.Duration{-90 * time.Second, 0, 90 * time.Second, time.Duration(r.IntN(40)) * time.Minute} {
					created := pos.Created + int64(d)
					s := spec{ID: randUUID(r), CreatedAt: ts(time.Unix(0, created))}
					e.saveRaw(db, s.json())
					if ahead(pos, created, s.ID, desc) {
						mustSee[s.ID], unseen[s.ID] = true, true
					} else {
						mustNot[s.ID] = true
					}
				}
				if id := pick(unseen); id != "" {
					e.del(db, id)
					delete(unseen, id)
					gone[id] = true
					delete(mustSee, id)
					mustNot[id] = true
				}
				if id := pick(seen); id != "" {
					e.del(db, id)
					gone[id] = true
				}
				if step%3 == 0 {
					e.del(db, pos.ID) // the cursor's own incident
					gone[pos.ID] = true
				}
			})
			checkWalk(t, got, mustSee, mustNot)
		})
	}
}

// checkWalk checks that a walk returned each of mustSee exactly once, none of
// mustNot, and nothing twice.
func checkWalk(t *testing.T, got []string, mustSee, mustNot map[string]bool) {
	t.Helper()
	count := map[string]int{}
	for _, id := range got {
		count[id]++
		if count[id] == 2 {
			t.Errorf("cursor walk returned %s twice", id)
		}
		if mustNot[id] {
			t.Errorf("cursor walk returned %s, which was deleted before it was reached or inserted behind the cursor", id)
		}
	}
	for id := range mustSee {
		if count[id] == 0 {
			t.Errorf("cursor walk never returned %s, which existed ahead of the cursor throughout", id)
		}
	}
}

func testCursorConcurrent(t *testing.T, e *env) {
	stable := map[string]bool{}
	var victims []string
	r := rand.New(rand.NewPCG(7, 7))
	for i := range 240 {
		s := spec{ID: randUUID(r), CreatedAt: randStamp(r, at(time.Duration(i/3)*time.Minute))}
		e.saveRaw(0, s.json())
		if i%4 == 0 {
			victims = append(victims, s.ID)
		} else {
			stable[s.ID] = true
		}
	}
	for _, desc := range []bool{true, false} {
		done := make(chan struct{})
		writer := make(chan error, 1)
		go func() {
			wr := rand.New(rand.NewPCG(8, 8))
			for i := 0; i < 4000; i++ {
				select {
				case <-done:
					writer <- nil
					return
				default:
				}
				s := spec{ID: randUUID(wr), CreatedAt: randStamp(wr, at(time.Duration(wr.IntN(120)-30)*time.Minute))}
				inc, err := engine.Parse(s.json(), maxBytes, epoch)
				if err == nil {
					err = e.s.Save(t.Context(), 0, inc)
				}
				if err == nil && len(victims) > 0 && i%2 == 0 {
					_, err = e.s.Delete(t.Context(), 0, []string{victims[wr.IntN(len(victims))], inc.ID})
				}
				if err != nil {
					writer <- err
					return
				}
			}
			writer <- nil
		}()
		got := e.walk(0, engine.AnyFilter(), desc, 5, nil)
		close(done)
		if err := <-writer; err != nil {
			t.Fatalf("concurrent writer: %v", err)
		}
		checkWalk(t, got, stable, nil)
	}
}
