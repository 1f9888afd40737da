package index

import (
	"sync"
	"testing"
	"time"
)

// TestShardWriteCombines has writers race to change shared state through
// Write while readers read it under RLock: every write happens exactly once,
// one at a time (the race detector watches), each writer's writes in its
// order, and writers share turns of the lock.
func TestShardWriteCombines(t *testing.T) {
	const writers, each = 16, 500
	s := NewShard()
	var (
		total int
		last  [writers]int
	)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() { // a reader
		for {
			select {
			case <-stop:
				return
			default:
			}
			s.RLock()
			_ = total
			s.RUnlock()
		}
	}()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= each; i++ {
				s.Write(func() {
					if last[w] != i-1 {
						t.Errorf("writer %d: write %d ran after %d", w, i, last[w])
					}
					last[w] = i
					total++
					spin(2 * time.Microsecond)
				})
			}
		}()
	}
	wg.Wait()
	close(stop)
	if total != writers*each {
		t.Fatalf("%d writes ran, want %d", total, writers*each)
	}
	if turns := s.comb.turns; turns >= writers*each {
		t.Fatalf("%d writes took %d turns of the lock: none were combined", total, turns)
	} else {
		t.Logf("%d writes took %d turns of the lock", total, turns)
	}
	if s.comb.leading || len(s.comb.queue) != 0 {
		t.Fatalf("after the writers: leading %v, %d queued", s.comb.leading, len(s.comb.queue))
	}
}

// TestShardWritePanic checks that a function's panic comes out of its own
// writer's Write, whoever ran it, and leaves the shard usable.
func TestShardWritePanic(t *testing.T) {
	s := NewShard()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				bad := (w+i)%7 == 0
				got := func() (p any) {
					defer func() { p = recover() }()
					s.Write(func() {
						if bad {
							panic(w)
						}
					})
					return nil
				}()
				if bad && got != w || !bad && got != nil {
					t.Errorf("writer %d write %d: panic %v", w, i, got)
				}
			}
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	go func() {
		s.Write(func() {})
		s.Lock()
		s.Unlock()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the shard is stuck after panics")
	}
}

// spin busies the goroutine for d, as index work under the lock does.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}
