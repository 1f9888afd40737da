package upstream

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/memory"
	"github.com/imredis/imredis/internal/redistest"
)

// TestRepair damages the engine's keys every way it can and checks that
// Repair restores them exactly.
func TestRepair(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client(0)
	s := open(t, srv.URL(), opts())
	oracle := memory.New(opts())
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 200 {
		doc := seedDoc(r, i)
		for _, st := range []engine.Store{s, oracle} {
			if err := st.Save(ctx, 0, parse(t, doc)); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkLayout(t, c, "llm-im")
	const ghost = "66666666-0000-4000-8000-000000000000"
	c.Del(ctx, "llm-im:by:all", "llm-im:by:severity:P1") // lost zsets
	c.SAdd(ctx, "llm-im:state:Closed", ghost)            // stray set member
	c.ZAdd(ctx, "llm-im:by:type:Data", redisZ(member(0, ghost)))
	c.HSet(ctx, "llm-im:meta:"+ghost, "op", "x", "k", member(0, ghost), "sets", `["llm-im:incidents"]`, "zsets", "[]", "ev", "")
	c.SAdd(ctx, "llm-im:incidents", ghost)
	for _, k := range c.Keys(ctx, "llm-im:meta:*").Val()[:20] { // stale metas
		c.HSet(ctx, k, "zsets", "[]")
	}
	if err := s.Repair(ctx); err != nil {
		t.Fatalf("Repair: %v", err)
	}
	checkLayout(t, c, "llm-im")
	compareEngines(t, s, oracle)
}

// TestFlushAndBaseDB checks that the URL's database is the base of the
// mapping and that Flush removes only this layout's keys of one database.
func TestFlushAndBaseDB(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	s := open(t, srv.URL()+"/2", engine.Options{Databases: 3, Clock: opts().Clock})
	doc := `{"id":"77777777-0000-4000-8000-000000000000","severity":"P1","incident_type":"Data","source":"s","title":"t"}`
	for _, n := range []int{0, 1} {
		if err := s.Save(ctx, n, parse(t, doc)); err != nil {
			t.Fatal(err)
		}
	}
	up2, up3 := srv.Client(2), srv.Client(3)
	if up2.Exists(ctx, "llm-im:incident:77777777-0000-4000-8000-000000000000").Val() != 1 {
		t.Fatal("imredis db 0 did not land in upstream db 2")
	}
	up3.Set(ctx, "other:key", "v", 0)
	if err := s.Flush(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if keys := up3.Keys(ctx, "*").Val(); len(keys) != 1 || keys[0] != "other:key" {
		t.Errorf("upstream db 3 after Flush = %v, want only other:key", keys)
	}
	if n, _ := s.Count(ctx, 0, engine.AnyFilter()); n != 1 {
		t.Errorf("Flush of db 1 touched db 0: Count = %d", n)
	}
	if _, err := s.Get(ctx, 3, "x"); err == nil {
		t.Error("Get(db 3) of a 3-database store did not fail")
	}
}
