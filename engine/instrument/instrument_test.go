package instrument_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/imredis/imredis/conformance"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/instrument"
	"github.com/imredis/imredis/engine/memory"
	"github.com/imredis/imredis/metrics"
)

// The wrapper is held to the whole engine contract.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T, o engine.Options) engine.Store {
		return instrument.Wrap(memory.New(o), "memory", metrics.NewStorage(prometheus.NewRegistry()))
	})
}

func TestOperationsAndErrors(t *testing.T) {
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	m := metrics.NewStorage(reg)
	s := instrument.Wrap(memory.New(engine.Options{Databases: 2}), "memory", m)

	inc, err := engine.Parse([]byte(`{"severity":"P1","incident_type":"Data","source":"s","title":"t"}`), 1<<20, testNow())
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.Save(ctx, 0, inc))
	_, _, err = s.SaveDedup(ctx, 0, inc)
	must(t, err)
	_, err = s.Get(ctx, 0, inc.ID)
	must(t, err)
	_, err = s.MGet(ctx, 0, []string{inc.ID})
	must(t, err)
	_, err = s.List(ctx, 0, engine.Query{Count: 10})
	must(t, err)
	_, err = s.Count(ctx, 0, engine.Filter{})
	must(t, err)
	_, err = s.Stats(ctx, 0)
	must(t, err)
	must(t, s.Ping(ctx))
	missing, _ := engine.Parse([]byte(`{"id":"11111111-1111-4111-8111-111111111111","severity":"P1","incident_type":"Data","source":"s","title":"t"}`), 1<<20, testNow())
	if _, err := s.Update(ctx, 0, missing, nil); err == nil {
		t.Fatal("update of a missing incident succeeded")
	}
	if _, err := s.Stats(ctx, 9); err == nil { // db out of range: ErrInvalid from the engine
		t.Fatal("stats of db 9 succeeded")
	}
	_, err = s.Delete(ctx, 0, []string{inc.ID})
	must(t, err)
	must(t, s.Flush(ctx, 1))

	for op, n := range map[string]float64{"save": 1, "save_dedup": 1, "get": 1, "mget": 1, "update": 1, "delete": 1,
		"list": 1, "count": 1, "stats": 2, "flush": 1, "ping": 1} {
		if got := testutil.ToFloat64(m.Operations.WithLabelValues(op, "memory")); got != n {
			t.Errorf("storage_operations_total{operation=%q} = %v, want %v", op, got, n)
		}
	}
	for kind, n := range map[string]float64{"invalid": 1, "not_found": 1, "conflict": 0, "unavailable": 0, "loading": 0, "other": 0} {
		if got := testutil.ToFloat64(m.Errors.WithLabelValues(kind, "memory")); got != n {
			t.Errorf("storage_errors_total{error_type=%q} = %v, want %v", kind, got, n)
		}
	}
	if n := testutil.CollectAndCount(m.Duration); n != len(metrics.Operations) {
		t.Errorf("%d duration series, want one per operation (%d)", n, len(metrics.Operations))
	}
	if got := histogramCount(t, m.Duration.WithLabelValues("stats", "memory")); got != 2 {
		t.Errorf("stats duration count = %d, want 2", got)
	}
}

func histogramCount(t *testing.T, o prometheus.Observer) uint64 {
	t.Helper()
	var pb dto.Metric
	if err := o.(prometheus.Metric).Write(&pb); err != nil {
		t.Fatal(err)
	}
	return pb.GetHistogram().GetSampleCount()
}

func testNow() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// loadingEngine is an engine with the optional methods the server looks for.
type loadingEngine struct {
	engine.Store
	loading bool
}

func (e *loadingEngine) Loading() bool { return e.loading }
func (e *loadingEngine) InfoFields(section string) []string {
	return []string{"section_" + section + ":1"}
}

func TestForwardsOptionalMethods(t *testing.T) {
	inner := &loadingEngine{Store: memory.New(engine.Options{}), loading: true}
	s := instrument.Wrap(inner, "test", metrics.NewStorage(prometheus.NewRegistry()))
	if !s.Loading() {
		t.Error("Loading not forwarded")
	}
	if got := s.InfoFields("persistence"); len(got) != 1 || got[0] != "section_persistence:1" {
		t.Errorf("InfoFields = %v", got)
	}
	if s.Unwrap() != engine.Store(inner) {
		t.Error("Unwrap does not return the engine")
	}
	plain := instrument.Wrap(memory.New(engine.Options{}), "memory", metrics.NewStorage(prometheus.NewRegistry()))
	if plain.Loading() || plain.InfoFields("server") != nil {
		t.Error("an engine without the optional methods must report not loading and no INFO lines")
	}
}
