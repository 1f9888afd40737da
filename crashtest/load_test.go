package crashtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// op is one write a lane sends.
type op struct {
	kind string    // "save", "update" or "del"
	id   string    //
	next *incident // save: the document sent; update: the document sent, updated_at then set from the reply
}

// lane is one writer: the ids it alone writes (so the last acknowledged
// state of each is well defined) and what the server acknowledged for them.
// Lanes live across crash cycles.
type lane struct {
	rng      *rand.Rand
	ids      []string
	cur      map[string]*incident // acknowledged and present
	docs     map[string]string    // the documents of cur, rendered once
	gone     map[string]bool      // acknowledged deleted
	inflight *op                  // sent but not acknowledged when the server died
	acked    tally                // acknowledged writes of the current cycle
}

// tally counts acknowledged writes by kind.
type tally struct{ saves, updates, dels int }

func (t tally) total() int { return t.saves + t.updates + t.dels }

// newLanes returns n lanes of ids ids each, drawn from seed.
func newLanes(seed uint64, n, ids int) []*lane {
	lanes := make([]*lane, n)
	for i := range lanes {
		l := &lane{rng: rand.New(rand.NewPCG(seed, uint64(i)+1)), cur: map[string]*incident{}, docs: map[string]string{}, gone: map[string]bool{}}
		for range ids {
			l.ids = append(l.ids, newID(l.rng))
		}
		lanes[i] = l
	}
	return lanes
}

// load runs every lane against s and kills s with SIGKILL killAfter after
// the first acknowledged write; when bgsaveAt is positive a BGSAVE starts a
// compaction that long after the first acknowledged write, so that some
// kills land inside a compaction. It returns once every writer has stopped,
// with the writes acknowledged.
func load(t *testing.T, s *server, lanes []*lane, killAfter, bgsaveAt time.Duration) tally {
	t.Helper()
	c := s.client(len(lanes))
	var wg sync.WaitGroup
	first, once := make(chan struct{}), sync.Once{}
	acked := func() { once.Do(func() { close(first) }) }
	for _, l := range lanes {
		l.acked = tally{}
		wg.Go(func() { l.run(t, c, acked) })
	}
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	select {
	case <-first:
	case <-stopped:
	case <-time.After(startTimeout):
	}
	select {
	case <-first:
		if bgsaveAt > 0 {
			time.Sleep(bgsaveAt)
			bgsave(t, s)
		}
		time.Sleep(killAfter - max(bgsaveAt, 0))
	default:
		t.Errorf("no write was acknowledged; the writers stopped or %s passed", startTimeout)
	}
	s.kill()
	<-stopped
	var sum tally
	for _, l := range lanes {
		sum.saves += l.acked.saves
		sum.updates += l.acked.updates
		sum.dels += l.acked.dels
	}
	return sum
}

// bgsave asks s to compact its data file in the background.
func bgsave(t *testing.T, s *server) {
	t.Helper()
	c := s.client(1)
	defer c.Close()
	res, err := c.Do(context.Background(), "BGSAVE").Text()
	if err != nil && !strings.Contains(err.Error(), "already in progress") || err == nil && res != "Background saving started" {
		t.Errorf("BGSAVE during the load: %q, %v", res, err)
	}
}

// run writes until the connection fails (the server was killed), calling
// acked after each acknowledged write. An error reply or a reply other than
// the contract's fails the test: nothing sent here is malformed.
func (l *lane) run(t *testing.T, c *redis.Client, acked func()) {
	ctx := context.Background()
	for {
		o := l.draw()
		l.inflight = o
		if err := l.send(ctx, c, o); err != nil {
			var reply redis.Error
			var bad *wrongReply
			if errors.As(err, &reply) || errors.As(err, &bad) {
				t.Errorf("%s %s: server replied %v", o.kind, o.id, err)
			}
			return
		}
		l.inflight = nil
		acked()
	}
}

// draw picks the next write: a save of an absent id; for a present one an
// update, a replacing save or a delete.
func (l *lane) draw() *op {
	id := pick(l.rng, l.ids)
	cur := l.cur[id]
	switch n := l.rng.IntN(10); {
	case cur == nil || (n >= 5 && n < 8):
		return &op{kind: "save", id: id, next: newIncident(l.rng, id)}
	case n < 5:
		return &op{kind: "update", id: id, next: cur.evolve(l.rng)}
	default:
		return &op{kind: "del", id: id}
	}
}

// send performs o and records it once acknowledged.
func (l *lane) send(ctx context.Context, c *redis.Client, o *op) error {
	switch o.kind {
	case "save":
		id, err := c.Do(ctx, "INC.SAVE", o.next.doc()).Text()
		if err != nil {
			return err
		}
		if id != o.id {
			return wrongf("INC.SAVE replied %q, want the id %s", id, o.id)
		}
		l.keep(o.id, o.next)
		delete(l.gone, o.id)
		l.acked.saves++
	case "update":
		prev := l.cur[o.id]
		at, err := c.Do(ctx, "INC.UPDATE", o.next.doc()).Text()
		if err != nil {
			return err
		}
		stamped, perr := time.Parse(time.RFC3339Nano, at)
		before, _ := time.Parse(time.RFC3339Nano, prev.UpdatedAt)
		if perr != nil || !stamped.After(before) {
			return wrongf("INC.UPDATE %s replied %q, want an instant after %s", o.id, at, prev.UpdatedAt)
		}
		o.next.UpdatedAt = at
		l.keep(o.id, o.next)
		l.acked.updates++
	case "del":
		n, err := c.Do(ctx, "INC.DEL", o.id).Int()
		if err != nil {
			return err
		}
		if n != 1 {
			return wrongf("INC.DEL %s replied %d, want 1 (it was acknowledged present)", o.id, n)
		}
		l.keep(o.id, nil)
		l.gone[o.id] = true
		l.acked.dels++
	}
	return nil
}

// keep records inc as the acknowledged state of id; nil records it absent.
func (l *lane) keep(id string, inc *incident) {
	if inc == nil {
		delete(l.cur, id)
		delete(l.docs, id)
		return
	}
	l.cur[id], l.docs[id] = inc, string(inc.doc())
}

// wrongReply is a reply that is not an error but not the one the contract promises.
type wrongReply struct{ msg string }

func (e *wrongReply) Error() string { return e.msg }

func wrongf(format string, args ...any) error {
	return &wrongReply{fmt.Sprintf(format, args...)}
}
