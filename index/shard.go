package index

import (
	"strings"
	"sync"

	"github.com/imredis/imredis/engine"
)

// Shard is one database's DB behind a read-write lock, with the read side
// that every in-process engine serves. Writers hold Lock while they change Idx.
type Shard struct {
	sync.RWMutex
	Idx *DB
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
		if m := s.Idx.Get(strings.ToLower(id)); m != nil {
			out[i] = m.Doc
		}
	}
	return out
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
