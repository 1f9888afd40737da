package bench

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// poolSize is how many distinct requests a cell cycles through.
const poolSize = 4096

// listFilter is the INC.LIST / INC.COUNT filter of the list rows: P0 or P1, active.
var listFilter = []string{"SEVERITY", "P0", "SEVERITY", "P1", "ACTIVE"}

// cell measures op on p and appends the row to sec.
func (r *run) cell(sec *Section, name string, p *Proc, clients, pipeline int, op Op) (*Result, error) {
	res, err := r.measure(sec, name, p, clients, pipeline, op)
	if err == nil {
		sec.Rows = append(sec.Rows, Row{Clients: clients, Pipeline: pipeline, Target: name, Res: res})
	}
	return res, err
}

// measure measures op on p once, with the server's CPU time per request.
func (r *run) measure(sec *Section, name string, p *Proc, clients, pipeline int, op Op) (*Result, error) {
	r.logf("  %-48s c=%-2d P=%-2d ", name, clients, pipeline)
	cpu0, cpuErr := p.CPU()
	cell := Cell{Clients: clients, Pipeline: pipeline, Warmup: r.cfg.Warmup, Duration: r.cfg.CellTime, MaxRequests: r.cfg.MaxRequests}
	var res *Result
	run := func() (err error) {
		res, err = Measure(p.Addr, cell, op)
		return err
	}
	var err error
	if clients == 1 {
		err = Together(p.Pid(), run) // see Together
	} else {
		err = run()
	}
	if err != nil {
		r.logf("FAILED\n")
		return nil, fmt.Errorf("%s: %s (clients %d, pipeline %d): %w", sec.Title, name, clients, pipeline, err)
	}
	if cpu1, err := p.CPU(); err == nil && cpuErr == nil {
		res.ServerCPU = cpu1 - cpu0
	}
	r.logf("%12s ops/s  p50 %-10s p99 %-10s cpu/op %s\n", FormatOps(res.OpsPerSec()), FormatDur(res.Hist.Quantile(0.5)),
		FormatDur(res.Hist.Quantile(0.99)), FormatDur(res.CPUPerOp()))
	return res, nil
}

func (r *run) section(kind string, size int, title, note string, bases ...string) *Section {
	s := &Section{Title: title, Note: note, Kind: kind, Size: size, Bases: bases}
	r.rep.Sections = append(r.rep.Sections, s)
	r.logf("-- %s\n", title)
	return s
}

// seedWrites encodes the seed's write of each incident (see AppendSeedWrite).
func seedWrites(incs []Incident) [][]byte {
	out := make([][]byte, len(incs))
	for i := range incs {
		out[i] = AppendSeedWrite(nil, &incs[i])
	}
	return out
}

// encode encodes one command per element of list.
func encode[T any](list []T, args func(T) []string) [][]byte {
	out := make([][]byte, len(list))
	for i, v := range list {
		out[i] = AppendCommand(nil, args(v)...)
	}
	return out
}

// point runs GET and SAVE: every client count and depth at PointSize, the
// busiest combination only at the other sizes (to show how cost scales).
func (r *run) point(size int) error {
	clients, pipes := r.cfg.Clients, r.cfg.Pipelines
	if size != r.cfg.PointSize {
		clients, pipes = clients[len(clients)-1:], pipes[len(pipes)-1:]
	}
	n := min(size, poolSize)
	rng := rand.New(rand.NewPCG(r.cfg.Seed, 99))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = r.gen.ID(rng.IntN(size))
	}
	if r.want("get") {
		getInc := encode(ids, func(id string) []string { return []string{"INC.GET", id} })
		getRed := encode(ids, func(id string) []string { return []string{"GET", IncidentKey(id)} })
		sec := r.section("get", size, fmt.Sprintf("INC.GET vs Redis GET, %s incidents", FormatOps(float64(size))),
			"The same document (random ids of the store); ratio = imredis ops/s ÷ Redis ops/s.", "redis GET")
		if err := r.matrix(sec, clients, pipes, append([]named{{"redis GET", r.redis, Op{Cmds: getRed}}},
			r.each(func(t *target) named { return named{t.name + " INC.GET", t.proc, Op{Cmds: getInc}} })...)); err != nil {
			return err
		}
	}
	if !r.want("save") {
		return nil
	}
	incs := make([]Incident, n)
	for i := range incs {
		incs[i] = r.gen.Incident(i)
	}
	save := encode(incs, func(inc Incident) []string { return []string{"INC.SAVE", string(inc.JSON)} })
	set := encode(incs, func(inc Incident) []string { return []string{"SET", IncidentKey(inc.ID), string(inc.JSON)} })
	seed := seedWrites(incs)
	sec := r.section("save", size, fmt.Sprintf("INC.SAVE vs Redis SET and the seed's write, %s incidents", FormatOps(float64(size))),
		"Upserts of existing incidents (a pool of 4096 documents), after 1.25 times as many unrecorded upserts as "+
			"the store holds incidents and the end of any compaction they started. The seed's write is SET + SADD into the five "+
			"index sets in one MULTI/EXEC, one request. Ratio = imredis ops/s ÷ Redis ops/s.", "redis SET", "redis seed write")
	rows := append([]named{
		{"redis SET", r.redis, Op{Cmds: set}},
		{"redis seed write", r.redis, Op{Cmds: seed, Replies: SeedWriteReplies}},
	}, r.each(func(t *target) named { return named{t.name + " INC.SAVE", t.proc, Op{Cmds: save}} })...)
	if err := r.warmWrites(size, rows); err != nil {
		return err
	}
	return r.matrix(sec, clients, pipes, rows)
}

// warmWrites sends each row's writes, unrecorded, 1.25 times as many as the
// store holds incidents (50 clients, pipeline 16), and waits for the
// compactions they start. A store just loaded has not yet run in the steady
// state of its writes:
//   - imredis's collector lets the heap grow to twice the live data before a
//     cycle, and the first time it does the process faults in fresh pages
//     (0.15 page faults per INC.SAVE in a run at 1.5M incidents, 0.002 once
//     the heap had been there);
//   - the upserts take a freshly loaded buntdb file past twice its live data,
//     the engine's default shrink ratio, and it compacts: a rewrite of the
//     whole file beside the writes the cells would measure.
//
// The cells then measure the cost of a write at the store's size rather than
// the first touch of memory or a compaction after a bulk load.
func (r *run) warmWrites(size int, rows []named) error {
	start := time.Now()
	n := int64(size + size/4)
	for _, x := range rows {
		if _, err := Measure(x.proc.Addr, Cell{Clients: 50, Pipeline: 16, Duration: time.Hour, MaxRequests: n}, x.op); err != nil {
			return fmt.Errorf("warming %s: %w", x.name, err)
		}
	}
	warm := time.Since(start)
	// The buntdb engine checks its file once a second: a compaction may
	// start up to a second after the last write.
	settled, deadline := time.Now().Add(1500*time.Millisecond), time.Now().Add(rewriteWait)
	for _, x := range rows {
		for ; time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			v, err := x.proc.InfoField("persistence", "aof_rewrite_in_progress")
			if (err != nil || v != "1") && time.Now().After(settled) {
				break
			}
		}
	}
	r.logf("  (%s unrecorded writes per target took %s, then %s until no compaction ran)\n",
		FormatOps(float64(n)), FormatDur(warm), FormatDur(time.Since(start)-warm))
	return nil
}

// rewriteWait bounds the wait for compactions after warmWrites.
const rewriteWait = 5 * time.Minute

// named is one row's target.
type named struct {
	name string
	proc *Proc
	op   Op
}

// each returns one row target per engine.
func (r *run) each(f func(*target) named) []named {
	out := make([]named, len(r.targets))
	for i, t := range r.targets {
		out[i] = f(t)
	}
	return out
}

// matrix measures every row target at each clients × pipeline, Rounds times
// interleaved (A B C A B C), keeping each target's best round: interference
// from elsewhere on the machine only ever slows a round down.
func (r *run) matrix(sec *Section, clients, pipes []int, rows []named) error {
	for _, c := range clients {
		for _, p := range pipes {
			best := make([]*Result, len(rows))
			for range max(r.cfg.Rounds, 1) {
				for i, x := range rows {
					res, err := r.measure(sec, x.name, x.proc, c, p, x.op)
					if err != nil {
						return err
					}
					if best[i] == nil || res.OpsPerSec() > best[i].OpsPerSec() {
						best[i] = res
					}
				}
			}
			for i, x := range rows {
				sec.Rows = append(sec.Rows, Row{Clients: c, Pipeline: p, Target: x.name, Res: best[i]})
			}
		}
	}
	return nil
}

// count compares INC.COUNT with SINTERCARD (two dimensions) and SCARD (one).
func (r *run) count(size int) error {
	if !r.want("count") || size != r.cfg.PointSize {
		return nil
	}
	pairs := []struct{ inc, red []string }{
		{[]string{"INC.COUNT", "SEVERITY", "P1", "STATE", "Investigating"},
			[]string{"SINTERCARD", "2", Prefix + ":severity:P1", Prefix + ":state:Investigating"}},
		{[]string{"INC.COUNT", "SEVERITY", "P2"}, []string{"SCARD", Prefix + ":severity:P2"}},
	}
	for _, pr := range pairs {
		if err := r.sameInt(pr.inc, pr.red); err != nil {
			return err
		}
		base := "redis " + pr.red[0]
		sec := r.section("count", size, fmt.Sprintf("%v vs %s, %s incidents", pr.inc, base, FormatOps(float64(size))),
			"Ratio = imredis ops/s ÷ Redis ops/s.", base)
		incOp, redOp := Op{Cmds: [][]byte{AppendCommand(nil, pr.inc...)}}, Op{Cmds: [][]byte{AppendCommand(nil, pr.red...)}}
		if err := r.matrix(sec, r.cfg.Clients, r.cfg.Pipelines, append([]named{{base, r.redis, redOp}},
			r.each(func(t *target) named { return named{t.name + " INC.COUNT", t.proc, incOp} })...)); err != nil {
			return err
		}
	}
	return nil
}

// sameInt checks that every engine answers inc with the integer Redis answers red with.
func (r *run) sameInt(inc, red []string) error {
	want, err := r.intReply(r.redis.Addr, red)
	if err != nil {
		return err
	}
	for _, t := range r.targets {
		got, err := r.intReply(t.proc.Addr, inc)
		if err != nil {
			return fmt.Errorf("%s: %v: %w", t.name, inc, err)
		}
		if got != want {
			return fmt.Errorf("%s: %v = %d, but Redis %v = %d", t.name, inc, got, red, want)
		}
	}
	return nil
}

func (r *run) intReply(addr string, args []string) (int64, error) {
	c, err := Dial(addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	v, err := c.Do(args...)
	if err == nil && v.Kind != ':' {
		err = fmt.Errorf("%v: want an integer reply, got %q", args, v.Kind)
	}
	return v.Int, err
}

// check verifies the load: every engine holds size incidents, as Redis does.
func (r *run) check(size int) error {
	if err := r.sameInt([]string{"INC.COUNT"}, []string{"SCARD", Prefix + ":incidents"}); err != nil {
		return err
	}
	n, err := r.intReply(r.redis.Addr, []string{"SCARD", Prefix + ":incidents"})
	if err == nil && n != int64(size) {
		err = fmt.Errorf("redis holds %d incidents after loading %d", n, size)
	}
	return err
}
