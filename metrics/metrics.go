// Package metrics defines imredis's Prometheus collectors. Every constructor
// takes the registry to register on; nothing here touches the global
// registry, so two servers in one process never collide. Label sets are
// bounded: operation and error_type come from fixed lists, command from the
// registered command table (anything else is "unknown").
package metrics

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// LatencyBuckets are the histogram buckets, in seconds, of the storage and
// command duration histograms: 50µs to 2.5s.
var LatencyBuckets = []float64{
	0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
	0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
}

// NewRegistry returns a fresh registry holding the Go runtime and process
// collectors.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return reg
}

// RegisterBuildInfo registers imredis_build_info{version,goversion,backend},
// a constant 1 that dashboards join on.
func RegisterBuildInfo(reg prometheus.Registerer, version, backend string) error {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "imredis_build_info",
		Help:        "Constant 1, labelled with the imredis version, the Go version and the storage backend.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version(), "backend": backend},
	})
	g.Set(1)
	return reg.Register(g)
}

// EngineCollector is implemented by an engine that exports metrics of its
// own (buntdb file size, fsync duration and errors, compactions; upstream
// pool statistics and round-trip latency). The engine implements Describe
// and Collect on its Store type, names its families storage_<engine>_*
// (e.g. storage_buntdb_size_bytes, storage_redis_latency_seconds) and keeps
// its labels bounded; the server registers it with RegisterEngine. Collect
// runs at scrape time and must be cheap and non-blocking.
type EngineCollector interface {
	prometheus.Collector
}

// RegisterEngine registers store on reg when it implements EngineCollector
// and reports whether it did. Pass the engine itself, not an instrumented
// wrapper (see engine/instrument's Unwrap).
func RegisterEngine(reg prometheus.Registerer, store any) (bool, error) {
	c, ok := store.(EngineCollector)
	if !ok {
		return false, nil
	}
	return true, reg.Register(c)
}
