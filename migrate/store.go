package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/factory"
	"github.com/tidwall/gjson"
)

// storeEnd is an engine opened through the factory, on either side.
type storeEnd struct {
	s       engine.Store
	workers int
	closed  bool
	err     error
}

// openStore opens an engine and, for buntdb, waits until it is loaded.
func openStore(ctx context.Context, rawURL string, o Options) (*storeEnd, error) {
	opts := engine.Options{Databases: o.Databases, KeyPrefix: o.KeyPrefix, Logger: o.Logger}
	s, err := factory.Open(ctx, rawURL, opts, o.Settings)
	if err != nil {
		return nil, err
	}
	if w, ok := s.(interface{ Wait() error }); ok {
		if err := w.Wait(); err != nil {
			s.Close()
			return nil, err
		}
	}
	return &storeEnd{s: s, workers: o.Workers}, nil
}

// Count returns Stats.Total of database db.
func (e *storeEnd) Count(ctx context.Context, db int) (int64, error) {
	st, err := e.s.Stats(ctx, db)
	return st.Total, err
}

// Scan pages through database db in ascending order, n documents a page.
func (e *storeEnd) Scan(ctx context.Context, db, n int, fn func([]*engine.Incident) error) error {
	q := engine.Query{Filter: engine.AnyFilter(), Count: n}
	for {
		page, err := e.s.List(ctx, db, q)
		if err != nil {
			return err
		}
		if len(page.Docs) == 0 {
			return nil
		}
		incs := make([]*engine.Incident, len(page.Docs))
		for i, doc := range page.Docs {
			if incs[i], err = engine.Parse(doc, 0, time.Now()); err != nil {
				return fmt.Errorf("stored incident %q fails validation: %w", gjson.GetBytes(doc, "id").Str, err)
			}
		}
		if err := fn(incs); err != nil {
			return err
		}
		if page.Next == nil {
			return nil
		}
		q.After = page.Next
	}
}

// Write saves the incidents whose document the target does not hold byte
// for byte, a few at a time.
func (e *storeEnd) Write(ctx context.Context, db int, incs []*engine.Incident) (int, error) {
	ids := make([]string, len(incs))
	for i, inc := range incs {
		ids[i] = inc.ID
	}
	stored, err := e.s.MGet(ctx, db, ids)
	if err != nil {
		return 0, err
	}
	var changed []*engine.Incident
	for i, inc := range incs {
		if i >= len(stored) || string(stored[i]) != string(inc.Doc) {
			changed = append(changed, inc)
		}
	}
	if err := saveAll(ctx, e.s, db, changed, e.workers); err != nil {
		return 0, err
	}
	return len(changed), nil
}

// Done does nothing: every Save is already durable as the engine makes it.
func (e *storeEnd) Done(context.Context, int) error { return nil }

// Commit does nothing: an engine's writes take effect one by one.
func (e *storeEnd) Commit(context.Context) error { return nil }

// Close closes the engine once and returns that first result ever after.
func (e *storeEnd) Close() error {
	if !e.closed {
		e.closed, e.err = true, e.s.Close()
	}
	return e.err
}
