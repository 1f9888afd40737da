package metrics

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/imredis/imredis/engine"
)

// The operation label values of the storage metrics, one per engine.Store
// method (Close is not counted).
const (
	OpSave      = "save"
	OpSaveDedup = "save_dedup"
	OpGet       = "get"
	OpMGet      = "mget"
	OpUpdate    = "update"
	OpDelete    = "delete"
	OpList      = "list"
	OpCount     = "count"
	OpStats     = "stats"
	OpFlush     = "flush"
	OpPing      = "ping"
)

// Operations lists every operation label value.
var Operations = []string{OpSave, OpSaveDedup, OpGet, OpMGet, OpUpdate, OpDelete, OpList, OpCount, OpStats, OpFlush, OpPing}

// ErrorTypes lists every error_type label value, in the order ErrorType
// tests them; "other" is anything that wraps none of the engine sentinels.
var ErrorTypes = []string{"invalid", "not_found", "conflict", "unavailable", "loading", "other"}

var errorKinds = []error{engine.ErrInvalid, engine.ErrNotFound, engine.ErrConflict, engine.ErrUnavailable, engine.ErrLoading}

// ErrorType returns the error_type label of err ("" for nil), found with
// errors.Is on the engine sentinels.
func ErrorType(err error) string {
	if err == nil {
		return ""
	}
	for i, kind := range errorKinds {
		if errors.Is(err, kind) {
			return ErrorTypes[i]
		}
	}
	return "other"
}

// Storage holds the seed's common storage metrics, fed by the one
// instrumented wrapper in engine/instrument.
type Storage struct {
	// Operations is storage_operations_total{operation,backend}.
	Operations *prometheus.CounterVec
	// Duration is storage_operation_duration_seconds{operation,backend}.
	Duration *prometheus.HistogramVec
	// Errors is storage_errors_total{error_type,backend}.
	Errors *prometheus.CounterVec
}

// NewStorage creates the storage metrics and registers them on reg.
func NewStorage(reg prometheus.Registerer) *Storage {
	s := &Storage{
		Operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storage_operations_total",
			Help: "Storage engine calls, by operation and backend, failed ones included.",
		}, []string{"operation", "backend"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "storage_operation_duration_seconds",
			Help:    "Duration of storage engine calls, by operation and backend.",
			Buckets: LatencyBuckets,
		}, []string{"operation", "backend"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "storage_errors_total",
			Help: "Storage engine calls that returned an error, by error type (invalid, not_found, conflict, unavailable, loading, other) and backend.",
		}, []string{"error_type", "backend"}),
	}
	reg.MustRegister(s.Operations, s.Duration, s.Errors)
	return s
}
