// Package conformance is the one suite every engine must pass. Run executes
// each rule of ../shared/API.md and of the engine.Store doc comments as a
// subtest against a fresh store, so later engines are held to exactly the
// behaviour of engine/memory.
package conformance

import (
	"sync"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

// Factory opens a fresh, empty store for one subtest; it registers its own cleanup.
type Factory func(t *testing.T, opts engine.Options) engine.Store

// testCase is one conformance rule, run against a fresh store.
type testCase struct {
	name string
	fn   func(t *testing.T, e *env)
}

// cases lists every rule, grouped by the file that implements it.
func cases() []testCase {
	var all []testCase
	for _, group := range [][]testCase{
		crudCases, upsertCases, listCases, orderCases, cursorCases, dedupCases,
		updateCases, validationCases, statsCases, eventCases, concurrencyCases,
	} {
		all = append(all, group...)
	}
	return all
}

// Run runs every conformance case against stores made by open, each case a subtest with a fresh store.
func Run(t *testing.T, open Factory) {
	t.Helper()
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, newEnv(t, open))
		})
	}
}

// epoch is where every test clock starts.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// clock is a deterministic, settable clock. Each reading advances it by step.
type clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

// Now returns the current reading and advances the clock by its step.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

// Set moves the clock to t (backwards too) and sets its step.
func (c *clock) Set(t time.Time, step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now, c.step = t, step
}

// recorder collects the events a store commits, in the order OnCommit saw them.
type recorder struct {
	mu     sync.Mutex
	events []engine.Event
}

func (r *recorder) add(ev engine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

// take returns the events recorded so far and forgets them.
func (r *recorder) take() []engine.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

// env is one subtest's store with its clock and event recorder.
type env struct {
	t      *testing.T
	s      engine.Store
	clock  *clock
	events *recorder
}

func newEnv(t *testing.T, open Factory) *env {
	t.Helper()
	e := &env{t: t, clock: &clock{now: epoch, step: time.Millisecond}, events: &recorder{}}
	e.s = open(t, engine.Options{
		Databases: engine.Databases,
		KeyPrefix: "llm-im",
		Clock:     e.clock.Now,
		OnCommit:  e.events.add,
	})
	if e.s == nil {
		t.Fatal("factory returned a nil store")
	}
	return e
}

// with returns e bound to subtest t.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}
