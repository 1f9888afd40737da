package commands

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestTempStoreExpiry(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	s := newTempStore(clock.Now)
	ctx := context.Background()
	allow := func(int64) bool { return true }
	if n := s.add(0, "k", []string{"b", "a", "b"}); n != 2 {
		t.Fatalf("add = %d", n)
	}
	if s.expire(ctx, 0, "missing", clock.Now().UnixMilli()+10, allow) {
		t.Error("expire of a missing key reported done")
	}
	if !s.expire(ctx, 0, "k", clock.Now().UnixMilli()+10, allow) {
		t.Fatal("expire not done")
	}
	if ms := s.ttl(0, "k"); ms != 10 {
		t.Errorf("ttl = %d", ms)
	}
	if got := s.members(0, "k"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("members = %v", got)
	}
	if s.card(1, "k") != 0 {
		t.Error("database 1 sees database 0's key")
	}
	clock.Add(10 * time.Millisecond)
	if s.ttl(0, "k") != -2 || s.card(0, "k") != 0 || len(s.keys(0)) != 0 {
		t.Error("key alive at its expiry instant")
	}
	s.add(0, "p", []string{"x"})
	s.expire(ctx, 0, "p", clock.Now().UnixMilli()+5, allow)
	if !s.persistKey(0, "p") || s.persistKey(0, "p") || s.ttl(0, "p") != -1 {
		t.Error("persist")
	}
	if !s.expire(ctx, 0, "p", clock.Now().UnixMilli(), allow) || s.card(0, "p") != 0 {
		t.Error("an expiry in the past must delete the key")
	}
	if n := s.rem(0, "missing", []string{"x"}); n != 0 {
		t.Errorf("rem of a missing key = %d", n)
	}
}

// TestTempStoreSweep checks that expired keys nobody touches are reclaimed
// by the sweep, which then stops.
func TestTempStoreSweep(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	s := newTempStore(clock.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	allow := func(int64) bool { return true }
	for db := range 3 {
		for _, k := range []string{"a", "b", "c", "d"} {
			s.add(db, k, []string{"m"})
			s.expire(ctx, db, k, clock.Now().UnixMilli()+50, allow)
		}
		s.add(db, "kept", []string{"m"})
	}
	clock.Add(time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.mu.Lock()
		left, sweeping := 0, s.sweeping
		for _, t := range s.dbs {
			left += len(t.sets)
		}
		s.mu.Unlock()
		if left == 3 && !sweeping {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the sweep: %d keys left, sweeping %v", left, sweeping)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The sweep starts again for new expiring keys, and stops with the server.
	s.add(0, "e", []string{"m"})
	s.expire(ctx, 0, "e", clock.Now().UnixMilli()+time.Hour.Milliseconds(), allow)
	cancel()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		sweeping := s.sweeping
		s.mu.Unlock()
		if !sweeping {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the sweep did not stop with its context")
		}
	}
}
