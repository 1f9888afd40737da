package commands

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Temp sets: the <prefix>:temp:* keys a client stores with SUNIONSTORE and
// friends. They live in this process, per database, and expire like Redis
// keys: lazily when touched, and by a sweep (keyspace_sweep.go).

type tempSet struct {
	members map[string]struct{}
	expire  int64 // Unix milliseconds; 0 = no time to live
}

type tempDB struct {
	sets     map[string]*tempSet
	volatile map[string]struct{} // the keys with a time to live
}

// tempStore holds every database's temp sets behind one lock.
type tempStore struct {
	mu       sync.Mutex
	now      func() time.Time
	dbs      map[int]*tempDB
	sweeping bool
}

func newTempStore(now func() time.Time) *tempStore {
	return &tempStore{now: now, dbs: make(map[int]*tempDB)}
}

func (s *tempStore) nowMS() int64 { return s.now().UnixMilli() }

// flush drops every temp set of database db (FLUSHDB, FLUSHALL).
func (s *tempStore) flush(db int) {
	s.mu.Lock()
	delete(s.dbs, db)
	s.mu.Unlock()
}

// do runs fn on database db under the lock, with the current time.
func (s *tempStore) do(db int, fn func(t *tempDB, now int64)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.dbs[db]
	if t == nil {
		t = &tempDB{sets: make(map[string]*tempSet), volatile: make(map[string]struct{})}
		s.dbs[db] = t
	}
	fn(t, s.nowMS())
}

// get returns the live set at key, dropping it when it has expired.
func (t *tempDB) get(key string, now int64) *tempSet {
	ts := t.sets[key]
	if ts != nil && ts.expire != 0 && ts.expire <= now {
		t.del(key)
		return nil
	}
	return ts
}

// del removes key and reports whether it was there (expired or not).
func (t *tempDB) del(key string) bool {
	if _, ok := t.sets[key]; !ok {
		return false
	}
	delete(t.sets, key)
	delete(t.volatile, key)
	return true
}

// put replaces key with members (deleting it when empty), without a time to live.
func (t *tempDB) put(key string, members []string) {
	t.del(key)
	if len(members) == 0 {
		return
	}
	m := make(map[string]struct{}, len(members))
	for _, v := range members {
		m[v] = struct{}{}
	}
	t.sets[key] = &tempSet{members: m}
}

// setExpire sets the expiry of an existing key; at <= now deletes it.
func (t *tempDB) setExpire(key string, at, now int64) {
	if at <= now {
		t.del(key)
		return
	}
	t.sets[key].expire = at
	t.volatile[key] = struct{}{}
}

// persist clears key's expiry and reports whether it had one.
func (t *tempDB) persist(key string, now int64) bool {
	ts := t.get(key, now)
	if ts == nil || ts.expire == 0 {
		return false
	}
	ts.expire = 0
	delete(t.volatile, key)
	return true
}

// sorted returns the members of ts in order.
func (ts *tempSet) sorted() []string {
	if ts == nil {
		return nil
	}
	out := make([]string, 0, len(ts.members))
	for m := range ts.members {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

// members returns the sorted members of key, nil when it is missing.
func (s *tempStore) members(db int, key string) (out []string) {
	s.do(db, func(t *tempDB, now int64) { out = t.get(key, now).sorted() })
	return out
}

// card returns the number of members of key.
func (s *tempStore) card(db int, key string) (n int) {
	s.do(db, func(t *tempDB, now int64) {
		if ts := t.get(key, now); ts != nil {
			n = len(ts.members)
		}
	})
	return n
}

// keys returns the live temp keys of db.
func (s *tempStore) keys(db int) (out []string) {
	s.do(db, func(t *tempDB, now int64) {
		for k := range t.sets {
			if t.get(k, now) != nil {
				out = append(out, k)
			}
		}
	})
	slices.Sort(out)
	return out
}

// add adds members to key, creating it, and returns how many were new.
func (s *tempStore) add(db int, key string, members []string) (n int) {
	s.do(db, func(t *tempDB, now int64) {
		ts := t.get(key, now)
		if ts == nil {
			ts = &tempSet{members: make(map[string]struct{}, len(members))}
			t.sets[key] = ts
		}
		for _, m := range members {
			if _, ok := ts.members[m]; !ok {
				ts.members[m] = struct{}{}
				n++
			}
		}
	})
	return n
}

// rem removes members from key, deleting it when emptied, and returns how
// many were there.
func (s *tempStore) rem(db int, key string, members []string) (n int) {
	s.do(db, func(t *tempDB, now int64) {
		ts := t.get(key, now)
		if ts == nil {
			return
		}
		for _, m := range members {
			if _, ok := ts.members[m]; ok {
				delete(ts.members, m)
				n++
			}
		}
		if len(ts.members) == 0 {
			t.del(key)
		}
	})
	return n
}

// has reports, for each member, whether it is in key.
func (s *tempStore) has(db int, key string, members []string) []bool {
	out := make([]bool, len(members))
	s.do(db, func(t *tempDB, now int64) {
		if ts := t.get(key, now); ts != nil {
			for i, m := range members {
				_, out[i] = ts.members[m]
			}
		}
	})
	return out
}

// remove deletes key and reports whether it was live.
func (s *tempStore) remove(db int, key string) (ok bool) {
	s.do(db, func(t *tempDB, now int64) { ok = t.get(key, now) != nil && t.del(key) })
	return ok
}

// ttl returns key's remaining time to live in milliseconds: -2 when it is
// missing, -1 when it has no time to live.
func (s *tempStore) ttl(db int, key string) (ms int64) {
	s.do(db, func(t *tempDB, now int64) {
		switch ts := t.get(key, now); {
		case ts == nil:
			ms = -2
		case ts.expire == 0:
			ms = -1
		default:
			ms = ts.expire - now
		}
	})
	return ms
}

// expire sets key to expire at the Unix millisecond at when allow accepts the
// current expiry (-1 for none); at <= now deletes the key. It reports
// whether it did either; a missing key is never changed.
func (s *tempStore) expire(ctx context.Context, db int, key string, at int64, allow func(cur int64) bool) (done bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, now := s.dbs[db], s.nowMS()
	if t == nil {
		return false
	}
	ts := t.get(key, now)
	if ts == nil {
		return false
	}
	cur := ts.expire
	if cur == 0 {
		cur = -1
	}
	if !allow(cur) {
		return false
	}
	t.setExpire(key, at, now)
	if at > now {
		s.startSweep(ctx)
	}
	return true
}

// persistKey clears key's time to live and reports whether it had one.
func (s *tempStore) persistKey(db int, key string) (ok bool) {
	s.do(db, func(t *tempDB, now int64) { ok = t.persist(key, now) })
	return ok
}
