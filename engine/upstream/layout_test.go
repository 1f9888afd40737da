package upstream

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/redistest"
)

// TestLayoutExact checks after every kind of write that the seed's sets and
// the engine's keys equal exactly what the stored documents imply.
func TestLayoutExact(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client(0)
	s := open(t, srv.URL(), opts())
	const id = "44444444-0000-4000-8000-000000000001"
	save := func(doc string) {
		t.Helper()
		if err := s.Save(ctx, 0, parse(t, doc)); err != nil {
			t.Fatalf("Save: %v", err)
		}
	}
	save(`{"id":"` + id + `","state":"Detected","severity":"P1","incident_type":"Security","source":"a","title":"t","labels":{"env":"prod"},"fingerprint":"fp-1"}`)
	checkLayout(t, c, "llm-im")
	// Replace: every dimension moves.
	save(`{"id":"` + id + `","state":"Triaged","severity":"P3","incident_type":"Data","source":"b","title":"t","labels":{"team":"x"},"created_at":"2025-01-01T00:00:00+05:00"}`)
	checkLayout(t, c, "llm-im")
	for _, key := range []string{"llm-im:state:Detected", "llm-im:severity:P1", "llm-im:source:a", "llm-im:fingerprint:fp-1"} {
		if c.SIsMember(ctx, key, id).Val() {
			t.Errorf("%s still holds %s after the replace", key, id)
		}
	}
	// Update: state change.
	if _, err := s.Update(ctx, 0, parse(t, `{"id":"`+id+`","state":"Resolved","severity":"P3","incident_type":"Data","source":"b","title":"t"}`), nil); err != nil {
		t.Fatal(err)
	}
	checkLayout(t, c, "llm-im")
	if c.SIsMember(ctx, "llm-im:state:Triaged", id).Val() || !c.SIsMember(ctx, "llm-im:state:Resolved", id).Val() {
		t.Error("Update did not move the state set membership")
	}
	// Random writes of every kind, then delete everything.
	r := rand.New(rand.NewPCG(3, 4))
	var ids []string
	for i := range 30 {
		ids = append(ids, fmt.Sprintf("55555555-0000-4000-8000-%012x", i))
	}
	for range 300 {
		doc := randomDoc(r, ids[r.IntN(len(ids))])
		var err error
		switch r.IntN(4) {
		case 0:
			err = s.Save(ctx, 0, parse(t, doc))
		case 1:
			_, _, err = s.SaveDedup(ctx, 0, parse(t, doc))
		case 2:
			if _, err = s.Update(ctx, 0, parse(t, doc), nil); isNotFound(err) {
				err = nil
			}
		default:
			_, err = s.Delete(ctx, 0, []string{ids[r.IntN(len(ids))]})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	checkLayout(t, c, "llm-im")
	if _, err := s.Delete(ctx, 0, append(ids, id)); err != nil {
		t.Fatal(err)
	}
	checkLayout(t, c, "llm-im")
	for _, k := range c.Keys(ctx, "llm-im:*").Val() {
		if k != "llm-im:layout" {
			t.Errorf("key %s left after deleting everything", k)
		}
	}
}

// randomDoc returns a random valid incident with id.
func randomDoc(r *rand.Rand, id string) string {
	fp := ""
	if r.IntN(2) == 0 {
		fp = fmt.Sprintf(`,"fingerprint":"fp-%d"`, r.IntN(3))
	}
	return fmt.Sprintf(`{"id":"%s","created_at":"2024-01-01T00:%02d:00Z","state":"%s","severity":"%s","incident_type":"%s",`+
		`"source":"src-%d","title":"t","labels":{"env":"e%d"}%s}`, id, r.IntN(60), engine.States[r.IntN(6)],
		engine.Severities[r.IntN(5)], engine.Types[r.IntN(8)], r.IntN(3), r.IntN(2), fp)
}
