package bench

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Op is what one request of a cell sends.
type Op struct {
	// Cmds is a pool of encoded commands; each worker walks it from its own
	// offset, one command per request.
	Cmds [][]byte
	// Replies is how many replies one element of Cmds produces (0 means 1);
	// a request's latency runs until its last reply.
	Replies int
	// Do, when set, runs one whole request (possibly several round trips)
	// instead of sending from Cmds; the pipeline depth is then 1 and there is
	// no warm-up, so that even a request slower than the cell is measured.
	Do func(c *Conn, worker, k int) error
}

// Cell bounds one measurement: Clients connections, each sending pipelines
// of Pipeline requests, for Warmup (not recorded) plus Duration, and at most
// MaxRequests requests in all (0: no bound). Every worker records at least one
// request, however long it takes.
type Cell struct {
	Clients     int
	Pipeline    int
	Warmup      time.Duration
	Duration    time.Duration
	MaxRequests int64
}

// Result is what a cell measured.
type Result struct {
	Ops     uint64        // requests answered in the measured window
	Total   uint64        // requests answered, warm-up included
	Elapsed time.Duration // the measured window
	Hist    Hist
	// ServerCPU is the CPU time the server used during the whole cell (set
	// by the caller; zero when unknown).
	ServerCPU time.Duration
}

// CPUPerOp returns the server's CPU time per request, or 0 when unknown.
func (r *Result) CPUPerOp() time.Duration {
	if r.ServerCPU <= 0 || r.Total == 0 {
		return 0
	}
	return r.ServerCPU / time.Duration(r.Total)
}

// OpsPerSec returns the throughput over the measured window.
func (r *Result) OpsPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// Measure runs op against addr as cell describes. A connection error or an
// error reply stops the cell and is returned.
func Measure(addr string, cell Cell, op Op) (*Result, error) {
	if op.Do == nil && len(op.Cmds) == 0 {
		return nil, errors.New("bench: empty op")
	}
	p := max(cell.Pipeline, 1)
	warm := cell.Warmup
	if op.Do != nil {
		p, warm = 1, 0
	}
	conns := make([]*Conn, max(cell.Clients, 1))
	for i := range conns {
		c, err := Dial(addr)
		if err != nil {
			closeAll(conns)
			return nil, err
		}
		conns[i] = c
	}
	defer closeAll(conns)

	budget := atomic.Int64{}
	budget.Store(cell.MaxRequests)
	if cell.MaxRequests <= 0 {
		budget.Store(1 << 62)
	}
	var failed atomic.Bool
	start := time.Now()
	w := &window{from: start.Add(warm), end: start.Add(warm + cell.Duration)}
	type out struct {
		ops  uint64
		all  uint64
		last time.Time
		hist Hist
		err  error
	}
	outs := make([]out, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			o := &outs[i]
			k := i * 7919
			for !failed.Load() {
				now := time.Now()
				if (now.After(w.end) && o.ops > 0) || budget.Add(-int64(p)) < 0 && o.ops > 0 {
					return
				}
				measured := !now.Before(w.from)
				var n int
				n, o.err = batch(c, op, p, i, &k, measured, &o.hist)
				if o.err != nil {
					failed.Store(true)
					return
				}
				o.all += uint64(n)
				if measured {
					o.ops += uint64(n)
					o.last = time.Now()
				}
			}
		})
	}
	wg.Wait()
	res := &Result{}
	var last time.Time
	for i := range outs {
		if err := outs[i].err; err != nil {
			return nil, fmt.Errorf("client %d: %w", i, err)
		}
		res.Ops += outs[i].ops
		res.Total += outs[i].all
		res.Hist.Merge(&outs[i].hist)
		if outs[i].last.After(last) {
			last = outs[i].last
		}
	}
	res.Elapsed = last.Sub(w.from)
	return res, nil
}

type window struct{ from, end time.Time }

// batch sends one request (Do) or one pipeline of p commands and reads the
// replies, recording each request's latency when measured.
func batch(c *Conn, op Op, p, worker int, k *int, measured bool, h *Hist) (int, error) {
	if op.Do != nil {
		t0 := time.Now()
		if err := op.Do(c, worker, *k); err != nil {
			return 0, err
		}
		*k++
		if measured {
			h.Record(time.Since(t0))
		}
		return 1, nil
	}
	for range p {
		c.AppendRaw(op.Cmds[*k%len(op.Cmds)])
		*k++
	}
	t0 := time.Now()
	if err := c.Flush(); err != nil {
		return 0, err
	}
	for range p {
		for range max(op.Replies, 1) {
			if err := c.Skip(); err != nil {
				return 0, err
			}
		}
		if measured {
			h.Record(time.Since(t0))
		}
	}
	return p, nil
}

func closeAll(conns []*Conn) {
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
}
