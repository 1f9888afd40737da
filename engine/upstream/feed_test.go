package upstream

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/redistest"
)

// TestFeed checks the exact messages on llm-im:events and that OnCommit of
// one store sees the writes of another store on the same Redis.
func TestFeed(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	sub := srv.Client(0).Subscribe(ctx, "llm-im:events")
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var seen []engine.Event
	o := opts()
	o.OnCommit = func(ev engine.Event) { mu.Lock(); seen = append(seen, ev); mu.Unlock() }
	watcher := open(t, srv.URL(), o)
	writer := open(t, srv.URL(), opts())
	_ = watcher

	const id = "88888888-0000-4000-8000-000000000000"
	inc := parse(t, `{"id":"`+id+`","updated_at":"2024-01-01T01:00:00+01:00","severity":"P1","incident_type":"Data","source":"s","title":"t"}`)
	if err := writer.Save(ctx, 3, inc); err != nil {
		t.Fatal(err)
	}
	if n, err := writer.Delete(ctx, 3, []string{id}); n != 1 || err != nil {
		t.Fatalf("Delete = %d, %v", n, err)
	}
	want := []string{
		`{"op":"saved","db":3,"id":"` + id + `","severity":"P1","state":"Detected","updated_at":"2024-01-01T00:00:00.000000000Z"}`,
		`{"op":"deleted","db":3,"id":"` + id + `","severity":"P1","state":"Detected","updated_at":"2024-01-01T00:00:00.000000000Z"}`,
	}
	for _, w := range want {
		msg, err := sub.ReceiveMessage(ctx)
		if err != nil || msg.Payload != w {
			t.Fatalf("message = %v, %v; want %s", msg, err, w)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	at := epochForChecks.UnixNano()
	wantEv := []engine.Event{{Op: engine.OpSaved, DB: 3, ID: id, Severity: 1, UpdatedAt: at},
		{Op: engine.OpDeleted, DB: 3, ID: id, Severity: 1, UpdatedAt: at}}
	if len(seen) != 2 || seen[0] != wantEv[0] || seen[1] != wantEv[1] {
		t.Errorf("OnCommit of another store saw %+v, want %+v", seen, wantEv)
	}
}

// TestRetriedScriptIsIdempotent replays a save and an update script call as
// a go-redis retry after a lost reply would: the replay writes and publishes
// nothing.
func TestRetriedScriptIsIdempotent(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client(0)
	s := open(t, srv.URL(), opts())
	sub := c.Subscribe(ctx, "llm-im:events")
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	const id = "99999999-0000-4000-8000-000000000000"
	inc := parse(t, `{"id":"`+id+`","severity":"P1","incident_type":"Data","source":"s","title":"t"}`)
	head := []string{s.keys.incident(id), s.keys.meta(id)}
	w := s.newWrite(0, &inc.Meta, inc.Doc, head, engine.OpSaved)
	for i, want := range []string{"OK", "DONE"} {
		if got, err := saveScript.Run(ctx, c, w.keys, w.args...).Text(); got != want || err != nil {
			t.Fatalf("save run %d = %q, %v; want %s", i, got, err, want)
		}
	}
	op := c.HGet(ctx, s.keys.meta(id), "op").Val()
	next := *inc
	next.Stamp(epochForChecks.Add(time.Hour).UnixNano())
	u := s.newWrite(0, &next.Meta, next.Doc, head, engine.OpUpdated)
	for i, want := range []string{"OK", "DONE"} {
		if got, err := updateScript.Run(ctx, c, u.keys, append(u.args, op)...).Text(); got != want || err != nil {
			t.Fatalf("update run %d = %q, %v; want %s", i, got, err, want)
		}
	}
	// A stale op token is refused.
	again := s.newWrite(0, &next.Meta, next.Doc, head, engine.OpUpdated)
	if got, _ := updateScript.Run(ctx, c, again.keys, append(again.args, op)...).Text(); got != "RETRY" {
		t.Errorf("update with a stale op token = %q, want RETRY", got)
	}
	for _, want := range []string{`"op":"saved"`, `"op":"updated"`} {
		msg, err := sub.ReceiveMessage(ctx)
		if err != nil || !contains(msg.Payload, want) {
			t.Fatalf("message %v, %v; want %s", msg, err, want)
		}
	}
	if msg, err := sub.ReceiveTimeout(ctx, 200*time.Millisecond); err == nil {
		t.Errorf("a replayed script published again: %v", msg)
	}
	checkLayout(t, c, "llm-im")
}
