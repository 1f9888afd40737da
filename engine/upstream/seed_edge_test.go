package upstream

import (
	"context"
	"errors"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/redistest"
	"github.com/tidwall/gjson"
)

// TestSeedEdgeCases covers seed documents with missing defaults, without an
// id field, or failing validation, and seed writes made after New.
func TestSeedEdgeCases(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t)
	c := srv.Client(0)
	const sparseID = "11111111-0000-4000-8000-000000000001"
	const noIDKey = "11111111-0000-4000-8000-000000000002"
	const badID = "11111111-0000-4000-8000-000000000003"
	seedWrite(t, c, `{"id":"`+sparseID+`","state":"Detected","severity":"P2","incident_type":"Data","source":"s","title":"sparse"}`)
	c.Set(ctx, "llm-im:incident:"+noIDKey, `{"created_at":"2024-01-02T00:00:00Z","updated_at":"2024-01-02T00:00:00Z","state":"Triaged","severity":"P1","incident_type":"Data","source":"s","title":"no id"}`, 0)
	c.SAdd(ctx, "llm-im:incidents", noIDKey)
	seedWrite(t, c, `{"id":"`+badID+`","state":"Detected","severity":"P9","incident_type":"Data","source":"s","title":"bad"}`)

	s := open(t, srv.URL(), opts())
	checkLayout(t, c, "llm-im")
	// Missing instants were filled from the clock and written back.
	doc, _ := s.Get(ctx, 0, sparseID)
	if got := gjson.GetBytes(doc, "created_at").Str; got != engine.FormatTime(epochForChecks.UnixNano()) {
		t.Errorf("sparse created_at = %q; document %s", got, doc)
	}
	doc, _ = s.Get(ctx, 0, noIDKey)
	if gjson.GetBytes(doc, "id").Str != noIDKey {
		t.Errorf("the id was not taken from the key: %s", doc)
	}
	// The invalid one is served by Get, counted by Stats, never listed.
	if doc, _ := s.Get(ctx, 0, badID); doc == nil {
		t.Error("Get(invalid seed document) = nil")
	}
	page, err := s.List(ctx, 0, engine.Query{Filter: engine.AnyFilter(), Desc: true, Count: 10})
	if err != nil || len(page.Docs) != 2 || gjson.GetBytes(page.Docs[0], "id").Str != noIDKey {
		t.Errorf("List = %s, %v; want the two valid ones, newest first", page.Docs, err)
	}
	if n, _ := c.SIsMember(ctx, "llm-im:invalid", badID).Result(); !n {
		t.Error("the invalid document is not in llm-im:invalid")
	}
	// Deleting it through the engine removes it from every set.
	if n, err := s.Delete(ctx, 0, []string{badID}); n != 1 || err != nil {
		t.Errorf("Delete(invalid) = %d, %v", n, err)
	}
	checkLayout(t, c, "llm-im")

	// The seed's service writes again while the engine runs.
	late := `{"id":"22222222-0000-4000-8000-000000000001","created_at":"2024-01-03T00:00:00Z","updated_at":"2024-01-03T00:00:00Z","state":"Detected","severity":"P0","incident_type":"Security","source":"late","title":"late","fingerprint":"fp-late"}`
	seedWrite(t, c, late)
	// A DEDUP save of the same fingerprint finds it, though no p:by: key knows it yet.
	id, created, err := s.SaveDedup(ctx, 0, parse(t, `{"severity":"P1","incident_type":"Data","source":"x","title":"t","fingerprint":"fp-late"}`))
	if err != nil || created || id != "22222222-0000-4000-8000-000000000001" {
		t.Errorf("SaveDedup = %s, %v, %v; want the seed-written duplicate", id, created, err)
	}
	checkLayout(t, c, "llm-im")
	seedWrite(t, c, `{"id":"22222222-0000-4000-8000-000000000002","created_at":"2024-01-03T00:00:00Z","updated_at":"2024-01-03T00:00:00Z","state":"Detected","severity":"P0","incident_type":"Security","source":"late","title":"late 2"}`)
	inc := parse(t, `{"id":"22222222-0000-4000-8000-000000000002","state":"Resolved","severity":"P3","incident_type":"Data","source":"s","title":"t"}`)
	if _, err := s.Update(ctx, 0, inc, nil); err != nil {
		t.Fatalf("Update(seed-written): %v", err)
	}
	seedWrite(t, c, `{"id":"22222222-0000-4000-8000-000000000003","created_at":"2024-01-03T00:00:00Z","updated_at":"2024-01-03T00:00:00Z","state":"Triaged","severity":"P0","incident_type":"Security","source":"late","title":"late 3"}`)
	if err := s.Save(ctx, 0, parse(t, `{"id":"22222222-0000-4000-8000-000000000003","severity":"P2","incident_type":"Data","source":"s","title":"t"}`)); err != nil {
		t.Fatalf("Save over seed-written: %v", err)
	}
	checkLayout(t, c, "llm-im")
	if st, _ := s.Stats(ctx, 0); st.BySeverity[0] != 1 || st.Total != 5 {
		t.Errorf("Stats = %+v", st)
	}
	_, err = s.Update(ctx, 0, parse(t, `{"id":"33333333-0000-4000-8000-000000000000","severity":"P2","incident_type":"Data","source":"s","title":"t"}`), nil)
	if !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("Update(missing) = %v", err)
	}
}
