// Package instrument wraps any engine.Store with the seed's common storage
// metrics, so no engine repeats the counting code: every call counts in
// storage_operations_total and storage_operation_duration_seconds, and every
// error in storage_errors_total by its sentinel kind.
package instrument

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/monotime"
	"github.com/imredis/imredis/metrics"
)

var _ engine.Store = (*Store)(nil)

// Operation indexes into Store.ops, in the order of metrics.Operations.
const (
	opSave = iota
	opSaveDedup
	opGet
	opMGet
	opUpdate
	opDelete
	opList
	opCount
	opStats
	opFlush
	opPing
	numOps
)

// opSeries are one operation's series, resolved once.
type opSeries struct {
	total    prometheus.Counter
	duration prometheus.Observer
}

// Store is an engine.Store that measures the one it wraps.
type Store struct {
	s    engine.Store
	ops  [numOps]opSeries
	errs map[string]prometheus.Counter // read-only after Wrap
}

// Wrap returns s measured under backend (e.g. "memory", "buntdb", "redis").
// Every series of backend is created at zero. The wrapper forwards
// InfoFields and Loading; callers reach any other method of the engine
// through Unwrap.
func Wrap(s engine.Store, backend string, m *metrics.Storage) *Store {
	w := &Store{s: s, errs: make(map[string]prometheus.Counter, len(metrics.ErrorTypes))}
	for i, op := range metrics.Operations[:numOps] {
		w.ops[i] = opSeries{m.Operations.WithLabelValues(op, backend), m.Duration.WithLabelValues(op, backend)}
	}
	for _, t := range metrics.ErrorTypes {
		w.errs[t] = m.Errors.WithLabelValues(t, backend)
	}
	return w
}

// Unwrap returns the wrapped engine.
func (w *Store) Unwrap() engine.Store { return w.s }

// done records one call of op that started at start and returned err.
func (w *Store) done(op int, start int64, err error) {
	s := &w.ops[op]
	s.total.Inc()
	s.duration.Observe(monotime.Since(start).Seconds())
	if err != nil {
		w.errs[metrics.ErrorType(err)].Inc()
	}
}

// Save calls the engine's Save.
func (w *Store) Save(ctx context.Context, db int, inc *engine.Incident) error {
	start := monotime.Now()
	err := w.s.Save(ctx, db, inc)
	w.done(opSave, start, err)
	return err
}

// SaveDedup calls the engine's SaveDedup.
func (w *Store) SaveDedup(ctx context.Context, db int, inc *engine.Incident) (string, bool, error) {
	start := monotime.Now()
	id, created, err := w.s.SaveDedup(ctx, db, inc)
	w.done(opSaveDedup, start, err)
	return id, created, err
}

// Get calls the engine's Get.
func (w *Store) Get(ctx context.Context, db int, id string) ([]byte, error) {
	start := monotime.Now()
	doc, err := w.s.Get(ctx, db, id)
	w.done(opGet, start, err)
	return doc, err
}

// MGet calls the engine's MGet.
func (w *Store) MGet(ctx context.Context, db int, ids []string) ([][]byte, error) {
	start := monotime.Now()
	docs, err := w.s.MGet(ctx, db, ids)
	w.done(opMGet, start, err)
	return docs, err
}

// Update calls the engine's Update.
func (w *Store) Update(ctx context.Context, db int, inc *engine.Incident, ifMatch *int64) (string, error) {
	start := monotime.Now()
	at, err := w.s.Update(ctx, db, inc, ifMatch)
	w.done(opUpdate, start, err)
	return at, err
}

// Delete calls the engine's Delete.
func (w *Store) Delete(ctx context.Context, db int, ids []string) (int, error) {
	start := monotime.Now()
	n, err := w.s.Delete(ctx, db, ids)
	w.done(opDelete, start, err)
	return n, err
}

// List calls the engine's List.
func (w *Store) List(ctx context.Context, db int, q engine.Query) (engine.Page, error) {
	start := monotime.Now()
	p, err := w.s.List(ctx, db, q)
	w.done(opList, start, err)
	return p, err
}

// Count calls the engine's Count.
func (w *Store) Count(ctx context.Context, db int, f engine.Filter) (int64, error) {
	start := monotime.Now()
	n, err := w.s.Count(ctx, db, f)
	w.done(opCount, start, err)
	return n, err
}

// Stats calls the engine's Stats.
func (w *Store) Stats(ctx context.Context, db int) (engine.Stats, error) {
	start := monotime.Now()
	st, err := w.s.Stats(ctx, db)
	w.done(opStats, start, err)
	return st, err
}

// Flush calls the engine's Flush.
func (w *Store) Flush(ctx context.Context, db int) error {
	start := monotime.Now()
	err := w.s.Flush(ctx, db)
	w.done(opFlush, start, err)
	return err
}

// Ping calls the engine's Ping.
func (w *Store) Ping(ctx context.Context) error {
	start := monotime.Now()
	err := w.s.Ping(ctx)
	w.done(opPing, start, err)
	return err
}

// Close closes the engine; it is not counted.
func (w *Store) Close() error { return w.s.Close() }

// InfoFields forwards commands.InfoSource: the engine's lines for an INFO
// section, or none when the engine adds no lines.
func (w *Store) InfoFields(section string) []string {
	if src, ok := w.s.(interface{ InfoFields(string) []string }); ok {
		return src.InfoFields(section)
	}
	return nil
}

// Loading forwards the engine's Loading; an engine without it never loads.
func (w *Store) Loading() bool {
	if l, ok := w.s.(interface{ Loading() bool }); ok {
		return l.Loading()
	}
	return false
}
