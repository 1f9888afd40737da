package resp

import (
	"strconv"
	"sync"
	"time"
)

// SlowEntry is one SLOWLOG record.
type SlowEntry struct {
	ID       int64
	At       time.Time
	Duration time.Duration
	Args     []string
	Addr     string
	Name     string
}

// slowlog keeps the last commands slower than a threshold, as Redis's
// slowlog-log-slower-than (10 ms) and slowlog-max-len (128) do.
type slowlog struct {
	mu        sync.Mutex
	threshold time.Duration
	max       int
	nextID    int64
	entries   []SlowEntry // newest last
}

// add records a command that started at and took d (the caller checked d
// against the threshold), copying at most 32 arguments of at most 128 bytes
// each, with Redis's "... (N more arguments)" marker.
func (l *slowlog) add(c *Client, args [][]byte, at time.Time, d time.Duration) {
	n := min(len(args), 32)
	out := make([]string, 0, n)
	for i, a := range args[:n] {
		if i == n-1 && len(args) > n {
			out = append(out, "... ("+strconv.Itoa(len(args)-n+1)+" more arguments)")
			break
		}
		if len(a) > 128 {
			out = append(out, string(a[:128])+"... ("+strconv.Itoa(len(a)-128)+" more bytes)")
			continue
		}
		out = append(out, string(a))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, SlowEntry{ID: l.nextID, At: at, Duration: d, Args: out, Addr: c.Addr, Name: c.Name()})
	l.nextID++
	if len(l.entries) > l.max {
		l.entries = l.entries[len(l.entries)-l.max:]
	}
}

// SlowLog returns up to n entries, newest first (all when n < 0).
func (s *Server) SlowLog(n int) []SlowEntry {
	l := &s.slow
	l.mu.Lock()
	defer l.mu.Unlock()
	if n < 0 || n > len(l.entries) {
		n = len(l.entries)
	}
	out := make([]SlowEntry, 0, n)
	for i := len(l.entries) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, l.entries[i])
	}
	return out
}

// SlowLogLen returns how many entries the slow log holds.
func (s *Server) SlowLogLen() int {
	s.slow.mu.Lock()
	defer s.slow.mu.Unlock()
	return len(s.slow.entries)
}

// SlowLogReset empties the slow log.
func (s *Server) SlowLogReset() {
	s.slow.mu.Lock()
	s.slow.entries = nil
	s.slow.mu.Unlock()
}
