package buntdb

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/imredis/imredis/conformance"
	"github.com/imredis/imredis/engine"
)

func TestConformance(t *testing.T) {
	for _, policy := range []string{FsyncNever, FsyncAlways} {
		t.Run(policy, func(t *testing.T) {
			conformance.Run(t, func(t *testing.T, o engine.Options) engine.Store {
				return openWith(t, dataPath(t), o, Config{Fsync: policy})
			})
		})
	}
	t.Run("reopen", func(t *testing.T) {
		conformance.Run(t, func(t *testing.T, o engine.Options) engine.Store {
			r := &reopening{t: t, path: dataPath(t), opts: o, cfg: Config{Fsync: FsyncNever}}
			r.Store = r.open()
			t.Cleanup(func() { r.Store.Close() })
			return r
		})
	})
}

// reopening closes and reopens its store before every read that follows a
// write, so each read sees only what survived a reopen. Writes share the
// store; a read waits for them and has it to itself.
type reopening struct {
	*Store
	mu    sync.RWMutex
	wrote atomic.Bool // a write was attempted since the last reopen
	t     *testing.T
	path  string
	opts  engine.Options
	cfg   Config
}

func (r *reopening) open() *Store {
	s, err := Open(r.path, r.opts, r.cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// reopen closes the store and opens it again if it was written to; the
// caller holds mu.
func (r *reopening) reopen() {
	if !r.wrote.Swap(false) {
		return
	}
	if err := r.Store.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.Store = r.open()
}

func (r *reopening) Save(ctx context.Context, db int, inc *engine.Incident) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.wrote.Store(true)
	return r.Store.Save(ctx, db, inc)
}

func (r *reopening) SaveDedup(ctx context.Context, db int, inc *engine.Incident) (string, bool, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.wrote.Store(true)
	return r.Store.SaveDedup(ctx, db, inc)
}

func (r *reopening) Update(ctx context.Context, db int, inc *engine.Incident, ifMatch *int64) (string, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.wrote.Store(true)
	return r.Store.Update(ctx, db, inc, ifMatch)
}

func (r *reopening) Delete(ctx context.Context, db int, ids []string) (int, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.wrote.Store(true)
	return r.Store.Delete(ctx, db, ids)
}

func (r *reopening) Flush(ctx context.Context, db int) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	r.wrote.Store(true)
	return r.Store.Flush(ctx, db)
}

func (r *reopening) Get(ctx context.Context, db int, id string) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reopen()
	return r.Store.Get(ctx, db, id)
}

func (r *reopening) MGet(ctx context.Context, db int, ids []string) ([][]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reopen()
	return r.Store.MGet(ctx, db, ids)
}

func (r *reopening) List(ctx context.Context, db int, q engine.Query) (engine.Page, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reopen()
	return r.Store.List(ctx, db, q)
}

func (r *reopening) Count(ctx context.Context, db int, f engine.Filter) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reopen()
	return r.Store.Count(ctx, db, f)
}

func (r *reopening) Stats(ctx context.Context, db int) (engine.Stats, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reopen()
	return r.Store.Stats(ctx, db)
}

func (r *reopening) Ping(ctx context.Context) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.Store.Ping(ctx)
}

func (r *reopening) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.Store.Close()
}
