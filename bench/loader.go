package bench

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// loadBatch is how many incidents one pipeline of the loader carries.
const loadBatch = 256

// Sink is a server the loader writes incidents into.
type Sink struct {
	Name string
	Addr string
	// Append appends the commands that store inc and returns how many
	// replies they produce.
	Append func(b []byte, inc *Incident) ([]byte, int)
}

// SaveSink stores incidents with INC.SAVE.
func SaveSink(name, addr string) Sink {
	return Sink{Name: name, Addr: addr, Append: func(b []byte, inc *Incident) ([]byte, int) {
		return AppendCommand(b, "INC.SAVE", string(inc.JSON)), 1
	}}
}

// SeedSink stores incidents with the seed's write (SET + five SADD in MULTI).
func SeedSink(name, addr string) Sink {
	return Sink{Name: name, Addr: addr, Append: func(b []byte, inc *Incident) ([]byte, int) {
		return AppendSeedWrite(b, inc), SeedWriteReplies
	}}
}

// loadConns is how many pipelining connections the loader opens per sink.
const loadConns = 2

// Load writes incidents [from, to) of g into every sink: generator goroutines
// render each batch once and every sink receives it over two pipelining
// connections. It returns, per sink, how long the sink was busy (the time its
// batches took, divided by its connection count): an estimate of how long the
// sink alone would have taken, since the slowest sink paces the others.
func Load(g *Gen, from, to int, sinks []Sink) ([]time.Duration, error) {
	type job struct {
		incs []Incident
	}
	chans := make([]chan job, len(sinks))
	for i := range chans {
		chans[i] = make(chan job, 8)
	}
	var next atomic.Int64
	next.Store(int64(from))
	var gens sync.WaitGroup
	for range max(runtime.NumCPU()-1, 1) {
		gens.Go(func() {
			for {
				lo := int(next.Add(loadBatch)) - loadBatch
				if lo >= to {
					return
				}
				j := job{incs: make([]Incident, 0, loadBatch)}
				for i := lo; i < min(lo+loadBatch, to); i++ {
					j.incs = append(j.incs, g.Incident(i))
				}
				for _, ch := range chans {
					ch <- j
				}
			}
		})
	}
	go func() {
		gens.Wait()
		for _, ch := range chans {
			close(ch)
		}
	}()
	errs := make(chan error, loadConns*len(sinks))
	busy := make([]atomic.Int64, len(sinks))
	var writers sync.WaitGroup
	for i, s := range sinks {
		for range loadConns {
			writers.Go(func() {
				c, err := Dial(s.Addr)
				if err != nil {
					errs <- fmt.Errorf("load %s: %w", s.Name, err)
					for range chans[i] {
					}
					return
				}
				defer c.Close()
				var failed error
				for j := range chans[i] {
					if failed == nil {
						t0 := time.Now()
						failed = c.store(s, j.incs)
						busy[i].Add(int64(time.Since(t0)))
					}
				}
				if failed != nil {
					errs <- fmt.Errorf("load %s: %w", s.Name, failed)
				}
			})
		}
	}
	writers.Wait()
	close(errs)
	out := make([]time.Duration, len(sinks))
	for i := range busy {
		out[i] = time.Duration(busy[i].Load() / loadConns)
	}
	return out, <-errs
}

// store sends one batch to s and reads every reply.
func (c *Conn) store(s Sink, incs []Incident) error {
	replies := 0
	for k := range incs {
		var n int
		c.out, n = s.Append(c.out, &incs[k])
		replies += n
	}
	if err := c.Flush(); err != nil {
		return err
	}
	var first error
	for range replies {
		if err := c.Skip(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
