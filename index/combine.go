package index

import "sync"

// combineRounds bounds the batches one writer runs for others before it
// hands the lead on, so that no client waits on the others for long.
const combineRounds = 2

// writeReq is a writer waiting for the leader to run its function.
type writeReq struct {
	fn    func()
	done  chan bool // true: lead, fn has not run; false: fn ran
	panic any       // what fn panicked with
}

var writeReqs = sync.Pool{New: func() any { return &writeReq{done: make(chan bool, 1)} }}

// combiner lets concurrent writers of a shard share one turn of its lock.
type combiner struct {
	mu      sync.Mutex
	queue   []*writeReq
	spare   []*writeReq
	leading bool // a writer holds the lead: it runs the queue
	turns   int  // turns of the lock taken by leaders; under the shard's lock
}

// Write runs fn with the shard write-locked. Concurrent writers are
// combined: the writer that has the lead runs the functions of those that
// queued behind it in the same turn of the lock, so that a contended lock
// changes hands once per batch rather than once per write (each change of
// hands waits for a goroutine to be scheduled). Functions run in the order
// their writers queued; a panic in fn comes out of Write, in the caller.
func (s *Shard) Write(fn func()) {
	c := &s.comb
	c.mu.Lock()
	if !c.leading {
		c.leading = true
		c.mu.Unlock()
		s.lead(fn)
		return
	}
	r := writeReqs.Get().(*writeReq)
	r.fn = fn
	c.queue = append(c.queue, r)
	c.mu.Unlock()
	lead := <-r.done
	p := r.panic
	r.fn, r.panic = nil, nil
	writeReqs.Put(r)
	if lead {
		s.lead(fn)
		return
	}
	if p != nil {
		panic(p)
	}
}

// lead runs fn and then the queued writers' functions, a batch at a time,
// under the write lock; after combineRounds batches it hands the lead to
// the first writer still queued.
func (s *Shard) lead(fn func()) {
	c := &s.comb
	s.Lock()
	c.turns++
	p := run(fn)
	for round := 0; ; round++ {
		c.mu.Lock()
		batch := c.queue
		if len(batch) == 0 {
			c.leading = false
			c.mu.Unlock()
			break
		}
		if round == combineRounds {
			next := batch[0]
			c.queue = batch[1:]
			c.mu.Unlock()
			s.Unlock()
			next.done <- true
			if p != nil {
				panic(p)
			}
			return
		}
		c.queue = c.spare[:0]
		c.mu.Unlock()
		for _, r := range batch {
			r.panic = run(r.fn)
			r.done <- false
		}
		clear(batch)
		c.spare = batch
	}
	s.Unlock()
	if p != nil {
		panic(p)
	}
}

// run calls fn and returns what it panicked with, if anything.
func run(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
}
