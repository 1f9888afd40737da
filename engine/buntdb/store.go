package buntdb

import (
	"context"
	"errors"

	"github.com/imredis/imredis/engine"
	bunt "github.com/tidwall/buntdb"
)

// Save upserts inc: one set record, then the indexes.
func (s *Store) Save(ctx context.Context, n int, inc *engine.Incident) error {
	d, err := s.DB(n)
	if err != nil {
		return err
	}
	k := key(n, inc.ID)
	m := own(k, &inc.Meta)
	var b *batch
	d.Write(func() { b, err = s.put(n, d, k, m, engine.OpSaved) })
	if err != nil {
		return err
	}
	return s.await(ctx, b)
}

// SaveDedup saves inc unless an active incident with its fingerprint exists.
func (s *Store) SaveDedup(ctx context.Context, n int, inc *engine.Incident) (string, bool, error) {
	d, err := s.DB(n)
	if err != nil {
		return "", false, err
	}
	if inc.Fingerprint == "" {
		inc.SetFingerprint(inc.ComputeFingerprint())
	}
	k := key(n, inc.ID)
	m := own(k, &inc.Meta)
	var b *batch
	dupID := ""
	d.Write(func() {
		if dup := d.Idx.NewestActive(m.Fingerprint, m.ID); dup != nil {
			dupID = dup.ID
			return
		}
		b, err = s.put(n, d, k, m, engine.OpSaved)
	})
	if dupID != "" {
		return dupID, false, nil
	}
	if err != nil {
		return "", false, err
	}
	if err := s.await(ctx, b); err != nil {
		return "", false, err
	}
	return m.ID, true, nil
}

// Update replaces an existing incident under the IFMATCH rule.
func (s *Store) Update(ctx context.Context, n int, inc *engine.Incident, ifMatch *int64) (string, error) {
	d, err := s.DB(n)
	if err != nil {
		return "", err
	}
	var (
		b *batch
		m *engine.Meta
	)
	d.Write(func() {
		if err = d.Idx.PrepareUpdate(inc, ifMatch, s.opts.Now()); err != nil {
			return
		}
		k := key(n, inc.ID)
		m = own(k, &inc.Meta)
		b, err = s.put(n, d, k, m, engine.OpUpdated)
	})
	if err != nil {
		return "", err
	}
	if err := s.await(ctx, b); err != nil {
		return "", err
	}
	return engine.FormatTime(m.Updated), nil
}

// put writes m as one record under key k and indexes it; the caller holds d.
func (s *Store) put(n int, d *db, k string, m *engine.Meta, op engine.Op) (*batch, error) {
	return s.commit(func(tx *bunt.Tx) error {
		_, _, err := tx.Set(k, str(m.Doc), nil)
		return err
	}, func() {
		size := setSize(len(k), len(m.Doc))
		if old := d.Idx.Put(m); old != nil {
			size -= setSize(len(k), len(old.Doc))
		}
		s.live.Add(int64(size))
	}, []engine.Event{event(op, n, m)})
}

// Delete removes the incidents with ids, one del record each.
func (s *Store) Delete(ctx context.Context, n int, ids []string) (int, error) {
	d, err := s.DB(n)
	if err != nil {
		return 0, err
	}
	var (
		b    *batch
		gone []*engine.Meta
	)
	d.Write(func() {
		if gone = existing(d, ids); len(gone) == 0 {
			return
		}
		events := make([]engine.Event, len(gone))
		for i, m := range gone {
			events[i] = event(engine.OpDeleted, n, m)
		}
		b, err = s.remove(n, d, gone, events)
	})
	if err != nil || len(gone) == 0 {
		return 0, err
	}
	if err := s.await(ctx, b); err != nil {
		return 0, err
	}
	return len(gone), nil
}

// Flush removes every incident of database n.
func (s *Store) Flush(ctx context.Context, n int) error {
	d, err := s.DB(n)
	if err != nil {
		return err
	}
	d.Lock()
	var gone []*engine.Meta
	d.Idx.Ascend(func(m *engine.Meta) bool {
		gone = append(gone, m)
		return true
	})
	if len(gone) == 0 {
		d.Unlock()
		return nil
	}
	b, err := s.remove(n, d, gone, nil)
	d.Unlock()
	if err != nil {
		return err
	}
	return s.await(ctx, b)
}

// remove deletes the records of gone in one transaction and un-indexes them;
// the caller holds d.
func (s *Store) remove(n int, d *db, gone []*engine.Meta, events []engine.Event) (*batch, error) {
	return s.commit(func(tx *bunt.Tx) error {
		for _, m := range gone {
			if _, err := tx.Delete(key(n, m.ID)); err != nil && !errors.Is(err, bunt.ErrNotFound) {
				return err
			}
		}
		return nil
	}, func() {
		size := 0
		for _, m := range gone {
			d.Idx.Delete(m.ID)
			size += setSize(len(key(n, m.ID)), len(m.Doc))
		}
		s.live.Add(-int64(size))
	}, events)
}

// existing returns the distinct incidents among ids; the caller holds d.
func existing(d *db, ids []string) []*engine.Meta {
	var gone []*engine.Meta
	seen := make(map[*engine.Meta]bool, len(ids))
	for _, id := range ids {
		if m := d.Idx.Get(id); m != nil && !seen[m] {
			seen[m] = true
			gone = append(gone, m)
		}
	}
	return gone
}

// Ping reports whether the store can serve: loaded, open, and writable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.ready(); err != nil {
		return err
	}
	if h := s.health.Load(); h != nil {
		return unhealthy(h.err)
	}
	return nil
}

func event(op engine.Op, n int, m *engine.Meta) engine.Event {
	return engine.Event{Op: op, DB: n, ID: m.ID, Severity: m.Severity, State: m.State, UpdatedAt: m.Updated}
}
