// Package memory is the simplest correct engine: every database is an
// index.DB behind a lock. It is the oracle the other engines are held to.
package memory

import (
	"context"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/index"
)

var (
	_ engine.Store    = (*Store)(nil)
	_ engine.IDLister = (*Store)(nil)
)

// Store keeps incidents in memory only.
type Store struct {
	*index.Shards // the read side
	opts          engine.Options
}

// New returns an empty in-memory store with opts.Databases databases.
func New(opts engine.Options) *Store {
	if opts.Databases <= 0 {
		opts.Databases = engine.Databases
	}
	return &Store{Shards: index.NewShards(opts.Databases, nil), opts: opts}
}

// Save upserts inc.
func (s *Store) Save(ctx context.Context, n int, inc *engine.Incident) error {
	d, err := s.DB(n)
	if err != nil {
		return err
	}
	m := inc.Meta
	d.Write(func() {
		d.Idx.Put(&m)
		s.emit(engine.OpSaved, n, &m)
	})
	return nil
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
	m := inc.Meta
	dupID := ""
	d.Write(func() {
		if dup := d.Idx.NewestActive(m.Fingerprint, m.ID); dup != nil {
			dupID = dup.ID
			return
		}
		d.Idx.Put(&m)
		s.emit(engine.OpSaved, n, &m)
	})
	if dupID != "" {
		return dupID, false, nil
	}
	return m.ID, true, nil
}

// Update replaces an existing incident under the IFMATCH rule.
func (s *Store) Update(ctx context.Context, n int, inc *engine.Incident, ifMatch *int64) (string, error) {
	d, err := s.DB(n)
	if err != nil {
		return "", err
	}
	at := ""
	d.Write(func() {
		if err = d.Idx.PrepareUpdate(inc, ifMatch, s.opts.Now()); err != nil {
			return
		}
		m := inc.Meta
		d.Idx.Put(&m)
		s.emit(engine.OpUpdated, n, &m)
		at = engine.FormatTime(m.Updated)
	})
	return at, err
}

// Delete removes the incidents with ids.
func (s *Store) Delete(ctx context.Context, n int, ids []string) (int, error) {
	d, err := s.DB(n)
	if err != nil {
		return 0, err
	}
	removed := 0
	d.Write(func() {
		for _, id := range ids {
			if m := d.Idx.Delete(id); m != nil {
				removed++
				s.emit(engine.OpDeleted, n, m)
			}
		}
	})
	return removed, nil
}

// Flush removes every incident of database n.
func (s *Store) Flush(ctx context.Context, n int) error {
	d, err := s.DB(n)
	if err != nil {
		return err
	}
	d.Lock()
	defer d.Unlock()
	d.Idx.Clear()
	return nil
}

// Ping always succeeds.
func (s *Store) Ping(ctx context.Context) error { return nil }

// Close does nothing; the data is gone with the process.
func (s *Store) Close() error { return nil }

func (s *Store) emit(op engine.Op, n int, m *engine.Meta) {
	s.opts.Emit(engine.Event{Op: op, DB: n, ID: m.ID, Severity: m.Severity, State: m.State, UpdatedAt: m.Updated})
}
