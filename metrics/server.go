package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Unknown is the command label of every name that is not registered.
const Unknown = "unknown"

// Hooks are read at scrape time by the server's gauge and counter funcs.
// The server is made after its metrics (it needs Observe), so they are set
// later with SetHooks; a nil hook reports 0.
type Hooks struct {
	// Clients returns the number of open client connections.
	Clients func() int
	// Connections returns the connections accepted since start.
	Connections func() int64
	// Rejected returns the connections refused since start. The server
	// refuses none yet (it has no maxclients): leave it nil until it does.
	Rejected func() int64
	// ProtocolErrors returns the connections closed for malformed RESP.
	ProtocolErrors func() int64
	// Subscribers returns the number of clients holding a subscription.
	Subscribers func() int
}

// cmdMetrics are one command's series, resolved once.
type cmdMetrics struct {
	processed prometheus.Counter
	failed    prometheus.Counter
	duration  prometheus.Observer
}

// Server holds the per-server metrics.
type Server struct {
	byName map[string]*cmdMetrics // read-only after NewServer
	hooks  atomic.Pointer[Hooks]
}

// NewServer creates the server metrics for the registered command names and
// registers them on reg. Every name, and "unknown", starts at zero.
func NewServer(reg prometheus.Registerer, names []string) *Server {
	processed := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "imredis_commands_processed_total",
		Help: "Commands processed, by registered command name (unknown for the rest).",
	}, []string{"command"})
	failed := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "imredis_command_errors_total",
		Help: "Commands that replied an error, by registered command name (unknown for the rest).",
	}, []string{"command"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "imredis_command_duration_seconds",
		Help:    "Time from dispatch to reply of a command, by registered command name (unknown for the rest).",
		Buckets: LatencyBuckets,
	}, []string{"command"})
	s := &Server{
		byName: make(map[string]*cmdMetrics, len(names)+1),
	}
	s.hooks.Store(&Hooks{})
	for _, n := range append([]string{Unknown}, names...) {
		s.byName[n] = &cmdMetrics{processed.WithLabelValues(n), failed.WithLabelValues(n), duration.WithLabelValues(n)}
	}
	reg.MustRegister(processed, failed, duration,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "imredis_connected_clients",
			Help: "Open client connections (INFO connected_clients).",
		}, func() float64 { return intHook(s.hooks.Load().Clients) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "imredis_connections_received_total",
			Help: "Connections accepted since start (INFO total_connections_received).",
		}, func() float64 { return int64Hook(s.hooks.Load().Connections) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "imredis_rejected_connections_total",
			Help: "Connections refused since start (INFO rejected_connections).",
		}, func() float64 { return int64Hook(s.hooks.Load().Rejected) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "imredis_protocol_errors_total",
			Help: "Connections closed because the client broke the RESP framing (INFO protocol_errors).",
		}, func() float64 { return int64Hook(s.hooks.Load().ProtocolErrors) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "imredis_pubsub_subscribers",
			Help: "Clients subscribed to at least one channel or pattern.",
		}, func() float64 { return intHook(s.hooks.Load().Subscribers) }),
	)
	return s
}

// SetHooks sets the functions read at scrape time.
func (s *Server) SetHooks(h Hooks) { s.hooks.Store(&h) }

// Observe records one command; it has the signature of resp.Options.Observe.
// A name that was not registered counts as "unknown".
func (s *Server) Observe(name string, d time.Duration, failed bool) {
	m, ok := s.byName[name]
	if !ok {
		m = s.byName[Unknown]
	}
	m.processed.Inc()
	m.duration.Observe(d.Seconds())
	if failed {
		m.failed.Inc()
	}
}

func intHook(f func() int) float64 {
	if f == nil {
		return 0
	}
	return float64(f())
}

func int64Hook(f func() int64) float64 {
	if f == nil {
		return 0
	}
	return float64(f())
}
