package commands

import (
	"context"
	"time"
)

// The sweep runs while any temp key has a time to live: every tick it checks a
// bounded sample of each database's expiring keys and drops the expired ones,
// so that keys nobody touches again are reclaimed without a full scan.
const (
	sweepEvery  = 100 * time.Millisecond
	sweepSample = 32 // keys checked per database per tick
)

// startSweep runs the sweep while any key has a time to live, until ctx ends.
// The caller holds s.mu.
func (s *tempStore) startSweep(ctx context.Context) {
	if s.sweeping {
		return
	}
	s.sweeping = true
	go s.sweep(ctx)
}

func (s *tempStore) sweep(ctx context.Context) {
	tick := time.NewTicker(sweepEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			s.mu.Lock()
			s.sweeping = false
			s.mu.Unlock()
			return
		case <-tick.C:
		}
		if !s.sweepOnce() {
			return
		}
	}
}

// sweepOnce deletes expired keys among a bounded sample of each database's
// volatile keys. It reports false, and stops sweeping, when none are left.
func (s *tempStore) sweepOnce() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, left := s.nowMS(), 0
	for _, t := range s.dbs {
		n := 0
		for k := range t.volatile {
			if n++; n > sweepSample {
				break
			}
			t.get(k, now)
		}
		left += len(t.volatile)
	}
	if left == 0 {
		s.sweeping = false
	}
	return left > 0
}
