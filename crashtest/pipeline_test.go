package crashtest

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestCrashPipelined kills the server (fsync always) while writers send
// pipelines of 16 INC.SAVE and a PING: a pipeline's writes share fsyncs and
// their replies are held until then, so every save whose reply came back
// must be found after every restart, the same from one restart to the
// next. Each save is of a new id, so the writers need no ordering between
// pipelines. It runs a quarter of CRASH_CYCLES (at least 3).
func TestCrashPipelined(t *testing.T) {
	t.Parallel()
	const (
		pipeWriters = 8
		depth       = 16
	)
	sd, n := seed(t), max(cycles(t)/4, 3)
	t.Logf("%d cycles, CRASH_SEED=%d", n, sd)
	r := newRand(sd)
	path := filepath.Join(t.TempDir(), "data", "imredis.db")
	acked := map[string][]byte{} // id -> the document INC.GET gave once acknowledged
	total := 0
	for i := 0; ; i++ {
		s := startServer(t, path, "--fsync", "always")
		c := s.client(4)
		checkAcked(t, c, acked)
		if t.Failed() {
			t.Fatalf("restart %d of %d lost acknowledged pipelined writes; CRASH_SEED=%d", i, n, sd)
		}
		if i == n {
			s.stop()
			break
		}
		killAfter := 50*time.Millisecond + time.Duration(r.Int64N(int64(300*time.Millisecond)))
		got := pipeLoad(t, s, r.Uint64(), pipeWriters, depth, killAfter)
		total += len(got)
		for _, id := range got {
			acked[id] = nil
		}
	}
	t.Logf("%d pipelined saves acknowledged over %d kills, all found", total, n)
	if total == 0 {
		t.Error("no pipelined save was acknowledged")
	}
}

// pipeLoad runs writers that send pipelines of depth new incidents until
// s is killed killAfter after the first acknowledgement, and returns the
// ids whose INC.SAVE reply was the id.
func pipeLoad(t *testing.T, s *server, sd uint64, writers, depth int, killAfter time.Duration) []string {
	t.Helper()
	c := s.client(writers)
	var mu sync.Mutex
	var ids []string
	first, once := make(chan struct{}), sync.Once{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(sd, uint64(w)))
			for {
				pipe := c.Pipeline()
				cmds := make([]*redis.Cmd, depth)
				sent := make([]string, depth)
				for i := range cmds {
					sent[i] = newID(rng)
					cmds[i] = pipe.Do(ctx, "INC.SAVE", newIncident(rng, sent[i]).doc())
				}
				// A PING last: the saves' replies then go out only once
				// the waits they left to the end of the pipeline ran.
				pipe.Ping(ctx)
				_, err := pipe.Exec(ctx)
				mu.Lock()
				for i, cmd := range cmds {
					if id, cerr := cmd.Text(); cerr == nil && id == sent[i] {
						ids = append(ids, id)
						once.Do(func() { close(first) })
					}
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	select {
	case <-first:
		time.Sleep(killAfter)
	case <-time.After(startTimeout):
		t.Errorf("no pipelined save was acknowledged in %s", startTimeout)
	}
	s.kill()
	wg.Wait()
	c.Close()
	return ids
}

// checkAcked checks that every acknowledged id is stored, and that what is
// stored for it does not change from one restart to the next.
func checkAcked(t *testing.T, c *redis.Client, acked map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	for id, want := range acked {
		doc, err := c.Do(ctx, "INC.GET", id).Text()
		switch {
		case err != nil:
			t.Errorf("acknowledged pipelined save %s: INC.GET: %v", id, err)
		case want != nil && doc != string(want):
			t.Errorf("acknowledged pipelined save %s changed across a restart:\n got %s\nwant %s", id, doc, want)
		default:
			acked[id] = []byte(doc)
		}
	}
}
