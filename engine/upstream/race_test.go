package upstream

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/redistest"
)

// TestDedupRaceTwoStores races 32 DEDUP saves of one new fingerprint through
// two stores (two imredis processes) on one Redis: exactly one creates.
func TestDedupRaceTwoStores(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	stores := []*Store{open(t, srv.URL(), opts()), open(t, srv.URL(), opts())}
	for round := range 5 {
		var created atomic.Int32
		ids := make([]string, 32)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				doc := fmt.Sprintf(`{"id":"aaaaaaaa-0000-4000-8000-%06x%06x","severity":"P1","incident_type":"Data","source":"race-%d","title":"t"}`, round, i, round)
				inc := parse(t, doc)
				<-start
				id, ok, err := stores[i%2].SaveDedup(ctx, 0, inc)
				if err != nil {
					t.Errorf("SaveDedup: %v", err)
				}
				if ok {
					created.Add(1)
				}
				ids[i] = id
			})
		}
		close(start)
		wg.Wait()
		if created.Load() != 1 {
			t.Fatalf("round %d: %d incidents created, want 1", round, created.Load())
		}
		for _, id := range ids {
			if id != ids[0] {
				t.Fatalf("round %d: SaveDedup answered %s and %s", round, ids[0], id)
			}
		}
	}
	if n, _ := stores[0].Count(ctx, 0, engine.AnyFilter()); n != 5 {
		t.Errorf("Count = %d, want 5", n)
	}
	checkLayout(t, srv.Client(0), "llm-im")
}

// TestOutage kills Redis under write load: writes fail with ErrUnavailable
// within the timeout, succeed again after a restart with no engine restart,
// every acknowledged write survives (appendfsync always), and no goroutine leaks.
func TestOutage(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, "--appendonly", "yes", "--appendfsync", "always")
	const timeout = 500 * time.Millisecond
	var events atomic.Int64
	o := opts()
	o.OnCommit = func(engine.Event) { events.Add(1) }
	s := openTimeout(t, srv.URL(), o, timeout)
	baseline := runtime.NumGoroutine()

	var mu sync.Mutex
	var acked []string
	var unavailable, slow, other, longest atomic.Int64
	var seq atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("bbbbbbbb-0000-4000-8000-%012x", seq.Add(1))
				inc := parse(t, `{"id":"`+id+`","severity":"P2","incident_type":"Data","source":"load","title":"t"}`)
				began := time.Now()
				err := s.Save(ctx, 0, inc)
				switch {
				case err == nil:
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				case errors.Is(err, engine.ErrUnavailable):
					unavailable.Add(1)
					d := time.Since(began)
					if d > timeout+500*time.Millisecond { // scheduling slack on a loaded -race run
						slow.Add(1)
					}
					for old := longest.Load(); int64(d) > old && !longest.CompareAndSwap(old, int64(d)); old = longest.Load() {
					}
				default:
					other.Add(1)
					t.Errorf("Save: %v", err)
				}
				if err != nil {
					time.Sleep(5 * time.Millisecond)
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	srv.Kill()
	time.Sleep(time.Second)
	if unavailable.Load() == 0 {
		t.Error("no write failed while Redis was down")
	}
	if _, err := s.Get(ctx, 0, "x"); !errors.Is(err, engine.ErrUnavailable) {
		t.Errorf("Get while down = %v, want ErrUnavailable", err)
	}
	srv.Restart()
	before := events.Load()
	recovered := time.Now()
	for s.Save(ctx, 0, parse(t, `{"severity":"P2","incident_type":"Data","source":"probe","title":"t"}`)) != nil {
		if time.Since(recovered) > 10*time.Second {
			t.Fatal("the engine did not recover within 10 s of the restart")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("recovered %v after the restart; %d writes failed (the slowest in %v), %d acknowledged",
		time.Since(recovered), unavailable.Load(), time.Duration(longest.Load()), len(acked))
	if slow.Load() > 0 {
		t.Errorf("%d failed writes took longer than the %v timeout", slow.Load(), timeout)
	}
	for _, id := range acked {
		if doc, err := s.Get(ctx, 0, id); doc == nil || err != nil {
			t.Fatalf("acknowledged write %s lost: %v", id, err)
		}
	}
	checkLayout(t, srv.Client(0), "llm-im")
	// go-redis resubscribes the feed on its own schedule; writes go on meanwhile.
	for events.Load() == before {
		if time.Since(recovered) > 15*time.Second {
			t.Fatal("OnCommit saw no write after the restart: the feed did not resubscribe")
		}
		if err := s.Save(ctx, 0, parse(t, `{"severity":"P2","incident_type":"Data","source":"probe","title":"t"}`)); err != nil {
			t.Fatalf("Save after recovery: %v", err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > baseline+4 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline+4 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after the outage, %d before:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}
