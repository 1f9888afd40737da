package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/metrics"
)

func TestErrorType(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{engine.Invalidf("bad"), "invalid"},
		{engine.NotFound("x"), "not_found"},
		{engine.Conflict("x", "y"), "conflict"},
		{engine.Unavailable(errors.New("down")), "unavailable"},
		{fmt.Errorf("wrapped: %w", engine.ErrLoading), "loading"},
		{context.DeadlineExceeded, "other"},
	}
	for _, c := range cases {
		if got := metrics.ErrorType(c.err); got != c.want {
			t.Errorf("ErrorType(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestTwoRegistriesDoNotCollide(t *testing.T) {
	for range 2 {
		reg := metrics.NewRegistry()
		metrics.NewStorage(reg)
		metrics.NewServer(reg, []string{"ping"})
		if err := metrics.RegisterBuildInfo(reg, "v", "memory"); err != nil {
			t.Fatal(err)
		}
		if _, err := reg.Gather(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestServerObserve(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := metrics.NewServer(reg, []string{"ping", "inc.save"})
	s.Observe("ping", time.Millisecond, false)
	s.Observe("inc.save", time.Millisecond, true)
	s.Observe("not-registered", time.Millisecond, false)
	s.Observe("unknown", time.Millisecond, true)
	s.SetHooks(metrics.Hooks{
		Clients:        func() int { return 3 },
		Connections:    func() int64 { return 7 },
		ProtocolErrors: func() int64 { return 2 },
		Subscribers:    func() int { return 1 },
	})
	want := `
# HELP imredis_commands_processed_total Commands processed, by registered command name (unknown for the rest).
# TYPE imredis_commands_processed_total counter
imredis_commands_processed_total{command="inc.save"} 1
imredis_commands_processed_total{command="ping"} 1
imredis_commands_processed_total{command="unknown"} 2
# HELP imredis_command_errors_total Commands that replied an error, by registered command name (unknown for the rest).
# TYPE imredis_command_errors_total counter
imredis_command_errors_total{command="inc.save"} 1
imredis_command_errors_total{command="ping"} 0
imredis_command_errors_total{command="unknown"} 1
# HELP imredis_connected_clients Open client connections (INFO connected_clients).
# TYPE imredis_connected_clients gauge
imredis_connected_clients 3
# HELP imredis_connections_received_total Connections accepted since start (INFO total_connections_received).
# TYPE imredis_connections_received_total counter
imredis_connections_received_total 7
# HELP imredis_protocol_errors_total Connections closed because the client broke the RESP framing (INFO protocol_errors).
# TYPE imredis_protocol_errors_total counter
imredis_protocol_errors_total 2
# HELP imredis_pubsub_subscribers Clients subscribed to at least one channel or pattern.
# TYPE imredis_pubsub_subscribers gauge
imredis_pubsub_subscribers 1
# HELP imredis_rejected_connections_total Connections refused since start (INFO rejected_connections).
# TYPE imredis_rejected_connections_total counter
imredis_rejected_connections_total 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"imredis_commands_processed_total", "imredis_command_errors_total", "imredis_connected_clients",
		"imredis_connections_received_total", "imredis_protocol_errors_total", "imredis_pubsub_subscribers",
		"imredis_rejected_connections_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "imredis_command_duration_seconds"); n != 3 {
		t.Errorf("%d duration series, want 3 (ping, inc.save, unknown)", n)
	}
}

// fakeStats returns fixed Stats per database, or an error.
type fakeStats struct {
	per   map[int]engine.Stats
	err   error
	calls int
}

func (f *fakeStats) Stats(_ context.Context, db int) (engine.Stats, error) {
	f.calls++
	return f.per[db], f.err
}

func TestIncidentsSumsDatabases(t *testing.T) {
	src := &fakeStats{per: map[int]engine.Stats{
		0: {Total: 3, Active: 2, BySeverity: [5]int64{1, 2}, ByState: [6]int64{2, 0, 0, 0, 1}},
		2: {Total: 1, Active: 0, BySeverity: [5]int64{0, 0, 0, 0, 1}, ByState: [6]int64{0, 0, 0, 0, 0, 1}},
	}}
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewIncidents(src, 4, time.Second))
	want := `
# HELP imredis_incidents Incidents stored, over all databases (INC.STATS total).
# TYPE imredis_incidents gauge
imredis_incidents 4
# HELP imredis_incidents_active Incidents in an active state, over all databases (INC.STATS active).
# TYPE imredis_incidents_active gauge
imredis_incidents_active 2
# HELP imredis_incidents_by_severity Incidents by severity, over all databases (INC.STATS severity:*).
# TYPE imredis_incidents_by_severity gauge
imredis_incidents_by_severity{severity="P0"} 1
imredis_incidents_by_severity{severity="P1"} 2
imredis_incidents_by_severity{severity="P2"} 0
imredis_incidents_by_severity{severity="P3"} 0
imredis_incidents_by_severity{severity="P4"} 1
# HELP imredis_incidents_by_state Incidents by state, over all databases (INC.STATS state:*).
# TYPE imredis_incidents_by_state gauge
imredis_incidents_by_state{state="Closed"} 1
imredis_incidents_by_state{state="Detected"} 2
imredis_incidents_by_state{state="Investigating"} 0
imredis_incidents_by_state{state="Remediating"} 0
imredis_incidents_by_state{state="Resolved"} 1
imredis_incidents_by_state{state="Triaged"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	if src.calls != 4 {
		t.Errorf("%d Stats calls per scrape, want one per database (4)", src.calls)
	}
}

func TestIncidentsEngineFailure(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.NewIncidents(&fakeStats{err: engine.Unavailable(errors.New("connection refused"))}, 2, time.Second))
	_, err := reg.Gather()
	if err == nil || !strings.Contains(err.Error(), "stats of db 0: connection refused") {
		t.Errorf("Gather: %v, want the engine's cause", err)
	}
}

// engineWithMetrics is an engine exporting its own metric.
type engineWithMetrics struct {
	size prometheus.Gauge
}

func (e *engineWithMetrics) Describe(ch chan<- *prometheus.Desc) { e.size.Describe(ch) }
func (e *engineWithMetrics) Collect(ch chan<- prometheus.Metric) { e.size.Collect(ch) }

func TestRegisterEngine(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := &engineWithMetrics{prometheus.NewGauge(prometheus.GaugeOpts{Name: "storage_test_size_bytes", Help: "Size."})}
	e.size.Set(42)
	if ok, err := metrics.RegisterEngine(reg, e); !ok || err != nil {
		t.Fatalf("RegisterEngine = %v, %v", ok, err)
	}
	if v := testutil.ToFloat64(e.size); v != 42 {
		t.Errorf("size = %v", v)
	}
	if n := testutil.CollectAndCount(reg, "storage_test_size_bytes"); n != 1 {
		t.Errorf("%d series registered", n)
	}
	if ok, err := metrics.RegisterEngine(reg, struct{}{}); ok || err != nil {
		t.Errorf("RegisterEngine of a plain engine = %v, %v; want false, nil", ok, err)
	}
}
