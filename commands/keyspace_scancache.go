package commands

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// scanKeep is how long an unused snapshot may serve continuing scans.
const scanKeep = 30 * time.Second

// scanPage returns about count keys from hash cursor on (never splitting
// keys of one hash) and the cursor after them, 0 at the end.
func scanPage(keys []scanKey, cursor uint64, count int64) ([]scanKey, uint64) {
	i := sort.Search(len(keys), func(i int) bool { return keys[i].hash >= cursor })
	if count >= int64(len(keys)-i) {
		return keys[i:], 0
	}
	j := i + int(count)
	for j < len(keys) && keys[j].hash == keys[j-1].hash {
		j++
	}
	if j == len(keys) {
		return keys[i:], 0
	}
	return keys[i:j], keys[j-1].hash + 1
}

// keyHash is 64-bit FNV-1a.
func keyHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// scanCache keeps each database's keys in hash order between SCAN calls.
type scanCache struct {
	mu  sync.Mutex
	dbs map[int]*scanSnap
}

type scanSnap struct {
	keys []scanKey
	used time.Time
}

// get returns db's snapshot, rebuilt with build when fresh is set or when
// there is none recent enough.
func (s *scanCache) get(db int, fresh bool, build func() ([]scanKey, error)) ([]scanKey, error) {
	now := time.Now()
	s.mu.Lock()
	snap := s.dbs[db]
	if snap != nil && !fresh && now.Sub(snap.used) < scanKeep {
		snap.used = now
		s.mu.Unlock()
		return snap.keys, nil
	}
	s.mu.Unlock()
	keys, err := build()
	if err != nil {
		return nil, err
	}
	for i := range keys {
		keys[i].hash = keyHash(keys[i].name)
	}
	slices.SortFunc(keys, func(a, b scanKey) int {
		if a.hash != b.hash {
			if a.hash < b.hash {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dbs == nil {
		s.dbs = make(map[int]*scanSnap)
	}
	s.dbs[db] = &scanSnap{keys: keys, used: now}
	return keys, nil
}
