package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/gjson"
)

var dedupCases = []testCase{
	{"DedupComputesSeedFingerprint", testDedupFingerprint},
	{"DedupActiveDuplicateWritesNothing", testDedupActive},
	{"DedupIgnoresResolvedAndClosed", testDedupInactive},
	{"DedupSameIDIsNotADuplicate", testDedupSameID},
	{"DedupRace32", testDedupRace},
}

// seedFingerprint is the seed's rule, computed independently of the engine.
func seedFingerprint(source, typ, title string, resources ...string) string {
	h := sha256.Sum256([]byte(source + typ + title + strings.Join(resources, "")))
	return hex.EncodeToString(h[:])
}

// saveDedup calls SaveDedup in db 0 and checks the result.
func (e *env) saveDedup(s spec, wantID string, wantCreated bool) {
	e.t.Helper()
	inc := e.parse(s)
	id, created, err := e.s.SaveDedup(e.t.Context(), 0, inc)
	if err != nil {
		e.t.Fatalf("SaveDedup(%s): %v", s.json(), err)
	}
	if id != wantID || created != wantCreated {
		e.t.Errorf("SaveDedup(%s) = (%s, %v), want (%s, %v)", s.ID, id, created, wantID, wantCreated)
	}
}

func testDedupFingerprint(t *testing.T, e *env) {
	for i, c := range []spec{
		{Source: "nagios", Type: "Infrastructure", Title: "Disk füll", Resources: []string{"host-1", "/var"}},
		{Source: "s", Type: "Data", Title: `quote " and \ slash`},
		{Source: "ünï", Type: "Compliance", Title: "t", Resources: []string{"a", "", "b"}},
	} {
		c.ID = idN(i)
		e.saveDedup(c, c.ID, true)
		want := seedFingerprint(c.Source, c.Type, c.Title, c.Resources...)
		if got := gjson.GetBytes(e.mustGet(0, c.ID), "fingerprint").Str; got != want {
			t.Errorf("stored fingerprint of %s = %q, want %q", c.json(), got, want)
		}
		f := filter(func(f *engine.Filter) { f.Fingerprints = []string{want} })
		if n := e.count(0, f); n != 1 {
			t.Errorf("Count(fingerprint %s) = %d, want 1", want, n)
		}
	}
	given := spec{ID: idN(9), Fingerprint: "Given-FP"}
	e.saveDedup(given, given.ID, true)
	if got := gjson.GetBytes(e.mustGet(0, given.ID), "fingerprint").Str; got != "Given-FP" {
		t.Errorf("a given fingerprint was stored as %q, want it unchanged", got)
	}
}

func testDedupActive(t *testing.T, e *env) {
	base := spec{Source: "s", Type: "Security", Title: "dup", Resources: []string{"r"}}
	first := base
	first.ID, first.CreatedAt = idN(1), ts(at(time.Minute))
	e.saveDedup(first, idN(1), true)
	e.events.take()

	dup := base
	dup.ID, dup.State = idN(2), "Remediating"
	e.saveDedup(dup, idN(1), false)
	if doc := e.get(0, idN(2)); doc != nil {
		t.Errorf("a dedup hit wrote %s", doc)
	}
	if n := e.count(0, engine.AnyFilter()); n != 1 {
		t.Errorf("Count = %d after a dedup hit, want 1", n)
	}
	if ev := e.events.take(); len(ev) != 0 {
		t.Errorf("a dedup hit emitted %+v", ev)
	}

	// The newest active one wins; a newer resolved one does not count.
	fp := seedFingerprint("s", "Security", "dup", "r")
	e.save(spec{ID: idN(3), State: "Triaged", Fingerprint: fp, CreatedAt: ts(at(2 * time.Minute))})
	e.save(spec{ID: idN(4), State: "Resolved", Fingerprint: fp, CreatedAt: ts(at(3 * time.Minute))})
	e.save(spec{ID: idN(5), State: "Detected", Fingerprint: fp, CreatedAt: ts(at(90 * time.Second))})
	dup.ID = idN(6)
	e.saveDedup(dup, idN(3), false)
	// An explicit fingerprint dedups the same way.
	e.saveDedup(spec{ID: idN(7), Title: "other", Fingerprint: fp}, idN(3), false)
	if n := e.count(0, engine.AnyFilter()); n != 4 {
		t.Errorf("Count = %d, want 4", n)
	}
}

func testDedupInactive(t *testing.T, e *env) {
	base := spec{Source: "s", Type: "Data", Title: "gone"}
	for i, st := range []string{"Resolved", "Closed"} {
		s := base
		s.ID, s.State = idN(i), st
		e.saveDedup(s, s.ID, true)
	}
	s := base
	s.ID = idN(5)
	e.saveDedup(s, idN(5), true)
	if n := e.count(0, engine.AnyFilter()); n != 3 {
		t.Errorf("Count = %d, want 3", n)
	}
	s.ID = idN(6)
	e.saveDedup(s, idN(5), false)
}

func testDedupSameID(t *testing.T, e *env) {
	s := spec{ID: "ABCDEF12-3456-4789-ABCD-EF0123456789", Title: "same"}
	id := strings.ToLower(s.ID)
	e.saveDedup(s, id, true)
	s.State = "Investigating"
	e.saveDedup(s, id, true)
	if got := gjson.GetBytes(e.mustGet(0, id), "state").Str; got != "Investigating" {
		t.Errorf("re-save with DEDUP stored state %q, want Investigating", got)
	}
	if n := e.count(0, engine.AnyFilter()); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
}

func testDedupRace(t *testing.T, e *env) {
	const n = 32
	incs := make([]*engine.Incident, n)
	for i := range incs {
		incs[i] = e.parse(spec{ID: idN(100 + i), Source: "race", Title: "one fingerprint", Resources: []string{"x"}})
	}
	type result struct {
		id      string
		created bool
		err     error
	}
	results := make([]result, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			id, created, err := e.s.SaveDedup(t.Context(), 0, incs[i])
			results[i] = result{id, created, err}
		})
	}
	close(start)
	wg.Wait()
	winner := ""
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("SaveDedup %d: %v", i, r.err)
		}
		if r.created {
			if winner != "" {
				t.Errorf("two incidents created: %s and %s", winner, r.id)
			}
			winner = r.id
			if r.id != idN(100+i) {
				t.Errorf("created incident reported id %s, want its own %s", r.id, idN(100+i))
			}
		}
	}
	if winner == "" {
		t.Fatal("no SaveDedup created the incident")
	}
	for i, r := range results {
		if r.id != winner {
			t.Errorf("SaveDedup %d returned %s, want the winner %s", i, r.id, winner)
		}
	}
	if c := e.count(0, engine.AnyFilter()); c != 1 {
		t.Errorf("Count = %d after the race, want 1", c)
	}
	fp := filter(func(f *engine.Filter) {
		f.Fingerprints = []string{seedFingerprint("race", "Application", "one fingerprint", "x")}
	})
	equalIDs(t, "List(fingerprint)", e.listIDs(0, fp, true), []string{winner})
}
