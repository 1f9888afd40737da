package index

import (
	"context"
	"sync"

	"github.com/imredis/imredis/engine"
)

// Shard is one database's DB behind a read-write lock, with the read side
// that every in-process engine serves. Writers change Idx inside Write, which
// holds Lock and lets concurrent writers share its turns, or hold Lock themselves.
type Shard struct {
	sync.RWMutex
	Idx  *DB
	comb combiner // see Write
}

// NewShard returns an empty shard.
func NewShard() *Shard { return &Shard{Idx: New()} }

// Docs returns the documents of ids (matched case-insensitively) in order,
// nil for missing ones.
func (s *Shard) Docs(ids []string) [][]byte {
	out := make([][]byte, len(ids))
	s.RLock()
	defer s.RUnlock()
	for i, id := range ids {
		out[i] = s.doc(id)
	}
	return out
}

// Doc returns the document of id (matched case-insensitively), or nil.
func (s *Shard) Doc(id string) []byte {
	s.RLock()
	defer s.RUnlock()
	return s.doc(id)
}

// doc returns the document of id (in either case), or nil.
func (s *Shard) doc(id string) []byte {
	if m := s.Idx.Get(id); m != nil {
		return m.Doc
	}
	return nil
}

// Page answers q with documents.
func (s *Shard) Page(q *engine.Query) engine.Page {
	s.RLock()
	defer s.RUnlock()
	metas, next := s.Idx.List(q)
	docs := make([][]byte, len(metas))
	for i, m := range metas {
		docs[i] = m.Doc
	}
	return engine.Page{Docs: docs, Next: next}
}

// IDs returns the ids matching f.
func (s *Shard) IDs(f *engine.Filter) []string {
	s.RLock()
	defer s.RUnlock()
	return s.Idx.IDs(f)
}

// Count returns how many incidents match f.
func (s *Shard) Count(f *engine.Filter) int64 {
	s.RLock()
	defer s.RUnlock()
	return s.Idx.Count(f)
}

// Stats returns the per-severity and per-state counts.
func (s *Shard) Stats() engine.Stats {
	s.RLock()
	defer s.RUnlock()
	return s.Idx.Stats()
}

// Shards are an engine's databases. Their methods are the read side of
// engine.Store, so an in-process engine embeds them and writes its own.
type Shards struct {
	All   []*Shard
	ready func() error
}

// NewShards returns n empty databases; ready, when set, refuses every access
// while it returns an error (a loading or closed engine).
func NewShards(n int, ready func() error) *Shards {
	s := &Shards{All: make([]*Shard, n), ready: ready}
	for i := range s.All {
		s.All[i] = NewShard()
	}
	return s
}

// DB returns database n, or why it cannot be used.
func (s *Shards) DB(n int) (*Shard, error) {
	if s.ready != nil {
		if err := s.ready(); err != nil {
			return nil, err
		}
	}
	if err := engine.CheckDB(n, len(s.All)); err != nil {
		return nil, err
	}
	return s.All[n], nil
}

// Get returns the document of id, or nil.
func (s *Shards) Get(ctx context.Context, n int, id string) ([]byte, error) {
	d, err := s.DB(n)
	if err != nil {
		return nil, err
	}
	return d.Doc(id), nil
}

// MGet returns the documents of ids in order.
func (s *Shards) MGet(ctx context.Context, n int, ids []string) ([][]byte, error) {
	d, err := s.DB(n)
	if err != nil {
		return nil, err
	}
	return d.Docs(ids), nil
}

// List returns one page of q.
func (s *Shards) List(ctx context.Context, n int, q engine.Query) (engine.Page, error) {
	d, err := s.DB(n)
	if err != nil {
		return engine.Page{}, err
	}
	return d.Page(&q), nil
}

// IDs returns the ids matching f, as engine.IDLister asks.
func (s *Shards) IDs(ctx context.Context, n int, f engine.Filter) ([]string, error) {
	d, err := s.DB(n)
	if err != nil {
		return nil, err
	}
	return d.IDs(&f), nil
}

// Count returns how many incidents match f.
func (s *Shards) Count(ctx context.Context, n int, f engine.Filter) (int64, error) {
	d, err := s.DB(n)
	if err != nil {
		return 0, err
	}
	return d.Count(&f), nil
}

// Stats returns the counts of database n.
func (s *Shards) Stats(ctx context.Context, n int) (engine.Stats, error) {
	d, err := s.DB(n)
	if err != nil {
		return engine.Stats{}, err
	}
	return d.Stats(), nil
}
