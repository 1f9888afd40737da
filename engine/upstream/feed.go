package upstream

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/imredis/imredis/engine"
	"github.com/redis/go-redis/v9"
)

// feed delivers the upstream change feed to Options.OnCommit. Every write
// script PUBLISHes its event on p:events, so the order in which Redis runs
// the scripts is the order subscribers receive the events, whichever process
// wrote. One subscription per Store reads that channel and calls OnCommit in
// that order.
//
// So that a write returns only after OnCommit has seen it, each script then
// publishes the write's op token on this process's fence channel
// p:fence:{node}, on the same subscription: when the token arrives, every
// event committed before it, the write's own included, has been delivered.
// Delivery is at most once: events published while the subscription is
// reconnecting are lost, and a writer whose fence does not arrive within the
// timeout returns anyway (its write is committed).
type feed struct {
	ps       *redis.PubSub
	fence    string
	onCommit func(engine.Event)
	mu       sync.Mutex
	waiters  map[string]chan struct{}
	done     chan struct{}
}

// startFeed subscribes to p:events and this node's fence channel and waits
// until Redis has confirmed both.
func startFeed(ctx context.Context, s *Store, onCommit func(engine.Event)) (*feed, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	f := &feed{fence: s.keys.fence(token()), onCommit: onCommit,
		waiters: map[string]chan struct{}{}, done: make(chan struct{})}
	f.ps = s.dbs[0].Subscribe(ctx, s.keys.events(), f.fence)
	for range 2 {
		if _, err := f.ps.ReceiveTimeout(ctx, s.timeout); err != nil {
			_ = f.ps.Close()
			return nil, err
		}
	}
	go f.run(f.ps.Channel(redis.WithChannelSize(4096)))
	return f, nil
}

func (f *feed) run(ch <-chan *redis.Message) {
	defer close(f.done)
	for msg := range ch {
		if msg.Channel == f.fence {
			f.mu.Lock()
			if w := f.waiters[msg.Payload]; w != nil {
				close(w)
				delete(f.waiters, msg.Payload)
			}
			f.mu.Unlock()
			continue
		}
		if ev, ok := parseEvent(msg.Payload); ok {
			f.onCommit(ev)
		}
	}
}

// expect registers a writer's op token before its script runs; it returns the
// channel to pass to wait, nil when there is no feed.
func (f *feed) expect(op string) chan struct{} {
	if f == nil {
		return nil
	}
	w := make(chan struct{})
	f.mu.Lock()
	f.waiters[op] = w
	f.mu.Unlock()
	return w
}

// wait blocks until the fence of op has arrived or ctx ends, then forgets op.
// It does nothing when w is nil.
func (f *feed) wait(ctx context.Context, op string, w chan struct{}) {
	if w == nil {
		return
	}
	select {
	case <-w:
	case <-ctx.Done():
	}
	f.forget(op)
}

// forget drops op's registration (the write did not commit).
func (f *feed) forget(op string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	delete(f.waiters, op)
	f.mu.Unlock()
}

// channel returns the fence channel to pass to the scripts, "" without a feed.
func (f *feed) channel() string {
	if f == nil {
		return ""
	}
	return f.fence
}

func (f *feed) close() error {
	err := f.ps.Close()
	<-f.done
	return err
}

// eventJSON renders a change-feed message: {"op","db",then fields}.
func eventJSON(op engine.Op, db int, fields string) string {
	return `{"op":"` + string(op) + `","db":` + strconv.Itoa(db) + "," + fields + "}"
}

// eventFields renders the id, severity, state and updated_at members of a
// change-feed message, stored in p:meta:{id} so that a delete can publish them.
func eventFields(id, severity, state, updatedAt string) string {
	b, _ := json.Marshal(id)
	out := `"id":` + string(b)
	for _, kv := range [][2]string{{"severity", severity}, {"state", state}, {"updated_at", updatedAt}} {
		b, _ = json.Marshal(kv[1])
		out += `,"` + kv[0] + `":` + string(b)
	}
	return out
}

// parseEvent reads a change-feed message; ok is false when it is not one.
func parseEvent(payload string) (engine.Event, bool) {
	var m struct {
		Op        engine.Op `json:"op"`
		DB        *int      `json:"db"`
		ID        string    `json:"id"`
		Severity  string    `json:"severity"`
		State     string    `json:"state"`
		UpdatedAt string    `json:"updated_at"`
	}
	if err := json.Unmarshal([]byte(payload), &m); err != nil || m.DB == nil || m.ID == "" {
		return engine.Event{}, false
	}
	sev, _ := engine.ParseSeverity(m.Severity, false)
	st, _ := engine.ParseState(m.State, false)
	at, _ := engine.ParseTime(m.UpdatedAt)
	return engine.Event{Op: m.Op, DB: *m.DB, ID: m.ID, Severity: sev, State: st, UpdatedAt: at}, true
}
