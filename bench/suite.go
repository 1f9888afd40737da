package bench

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is one run of the harness.
type Config struct {
	Mode        string   // "quick" or "full": the name in the report and results file
	Imredis     string   // path of the imredis binary
	Engines     []string // imredis engines: memory:, buntdb:[PATH], redis://[host:port/db]
	Need        []string // engines that must start; any other that fails is skipped with a note
	Durable     string   // engine of the durable INC.SAVE comparison ("" = none)
	BuntFsync   string   // --fsync of buntdb engines outside the durable comparison
	Sizes       []int    // store sizes, ascending; incidents are loaded incrementally
	PointSize   int      // size at which GET/SAVE/COUNT run at every client count and depth
	Clients     []int    // client counts of the point matrix and the list rows
	Pipelines   []int    // pipeline depths of the point matrix
	CellTime    time.Duration
	Warmup      time.Duration
	Rounds      int   // the GET/SAVE/COUNT/durable rows are measured this many times, interleaved; the best counts
	MaxRequests int64 // per cell
	// LoadBudget bounds the loading of one size: an engine whose estimated
	// loading time (from its rate so far) exceeds it is dropped, with a note.
	LoadBudget time.Duration
	Only       []string // kinds to run (get save count list memory durable reopen); empty = all
	Seed       uint64
	Log        io.Writer // progress
	// Interrupt, when set, stops the run: on a receive Run kills every server
	// it started, removes its temporary directory and exits the process (130).
	Interrupt <-chan os.Signal
}

// DefaultConfig returns the settings of mode "quick" (10k incidents, short
// cells, well under a minute) or "full" (10k, 100k and 1M incidents).
func DefaultConfig(mode string) Config {
	c := Config{
		Mode: mode, Engines: []string{"memory:", "buntdb:", "redis://"}, Need: []string{"memory:"},
		Durable: "buntdb:", BuntFsync: "everysec", Clients: []int{1, 50}, Pipelines: []int{1, 16},
		Seed: 1, Log: os.Stderr,
	}
	if mode == "quick" {
		c.Sizes, c.PointSize = []int{10_000}, 10_000
		c.CellTime, c.Warmup, c.MaxRequests, c.Rounds = 200*time.Millisecond, 40*time.Millisecond, 2_000_000, 1
		c.LoadBudget = time.Minute
		return c
	}
	c.Sizes, c.PointSize = []int{10_000, 100_000, 1_000_000}, 100_000
	c.CellTime, c.Warmup, c.MaxRequests, c.Rounds = 1500*time.Millisecond, 150*time.Millisecond, 20_000_000, 2
	c.LoadBudget = 3 * time.Minute
	return c
}

// target is one imredis server under measurement.
type target struct {
	label     string // the engine as given, e.g. "memory:"
	name      string // as the tables show it
	proc      *Proc
	upstream  *Proc  // redis:// engines: the redis-server the harness started behind it
	dataFile  string // buntdb engines
	baseRSS   int64
	baseHeap  int64
	baseUp    int64
	baseUpRSS int64
	rate      float64 // incidents per second it loaded at so far (0: unknown)
}

// run is the state of one Run.
type run struct {
	cfg          Config
	rep          *Report
	gen          *Gen
	dir          string
	redis        *Proc
	redisBase    int64
	redisBaseRSS int64
	targets      []*target
	procs        []*Proc
	lock         *sync.Mutex
	dirs         int
	loaded       int
	mem          Table
}

// Run runs the whole harness and returns the report. A server that must start
// and does not, a command that errors or a failed sanity check is an error;
// the report gathered so far is returned with it.
func Run(cfg Config) (*Report, error) {
	started := time.Now()
	dir, err := os.MkdirTemp("", "imbench-")
	if err != nil {
		return nil, err
	}
	r := &run{cfg: cfg, gen: NewGen(cfg.Seed), dir: dir, rep: &Report{
		Title:   fmt.Sprintf("imredis vs redis-server, %s run, %s", cfg.Mode, started.Format("2006-01-02 15:04")),
		Machine: Machine(cfg.Imredis),
	}}
	r.mem = Table{Title: "Memory per incident", Header: []string{"incidents", "target", "heap bytes/incident", "ratio vs redis used_memory",
		"RSS bytes/incident", "RSS ratio vs redis", "detail"},
		Note: "Growth over the server's size before loading, measured right after MEMORY PURGE on every server. Heap: imredis's live Go heap (INFO used_memory after the collection), against Redis's INFO used_memory (jemalloc's bytes in use); for redis:// it is the upstream's used_memory. RSS: imredis's VmRSS (from /proc) against Redis's used_memory_rss. Lower ratio is better."}
	var mu sync.Mutex // guards r.procs against the interrupt handler
	cleanup := func() {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range r.procs {
			p.Kill()
		}
		os.RemoveAll(dir)
	}
	r.lock = &mu
	defer cleanup()
	if cfg.Interrupt != nil {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case s := <-cfg.Interrupt:
				fmt.Fprintf(os.Stderr, "imbench: %v: stopping the servers\n", s)
				cleanup()
				os.Exit(130)
			case <-done:
			}
		}()
	}
	r.rep.Notes = append(r.rep.Notes, fmt.Sprintf("Method: a cell is N clients, each on its own connection, "+
		"sending a pipeline of P requests and reading the P replies before the next; a request's latency runs from the "+
		"pipeline's write to its reply. %s warm-up (not recorded), then %s measured, at most %s requests. "+
		"One-client cells run the client and the server under test on one CPU (bench/README.md says why). "+
		"GET/SAVE/COUNT/durable rows: best of %d interleaved round(s). Server CPU/op = the server process's "+
		"user+system CPU time over the cell (/proc, 10 ms ticks) ÷ requests answered in it; for redis:// it "+
		"counts imredis only, not its upstream. Ratio = imredis ops/s ÷ Redis ops/s "+
		"(higher is better), except memory (lower is better).", r.cfg.Warmup, r.cfg.CellTime,
		FormatOps(float64(r.cfg.MaxRequests)), max(r.cfg.Rounds, 1)))
	err = r.all()
	r.rep.Elapsed = time.Since(started)
	r.rep.Machine = append(r.rep.Machine, [2]string{"load average at the end", LoadAvg()})
	if len(r.mem.Rows) > 0 {
		r.rep.Tables = append([]Table{r.mem}, r.rep.Tables...)
	}
	r.rep.Tables = append(r.rep.Tables, r.scaling()...)
	return r.rep, err
}

func (r *run) all() error {
	if err := r.start(); err != nil {
		return err
	}
	for _, size := range r.cfg.Sizes {
		if err := r.atSize(size); err != nil {
			return err
		}
	}
	if r.want("reopen") {
		if err := r.reopen(); err != nil {
			return err
		}
	}
	if r.want("durable") && r.cfg.Durable != "" {
		return r.durable()
	}
	return nil
}

func (r *run) atSize(size int) error {
	r.logf("== %d incidents: loading %d more\n", size, size-r.loaded)
	t0 := time.Now()
	if err := r.load(size); err != nil {
		return err
	}
	r.note("loading to %s incidents took %s (redis seed layout and %d imredis engine(s) in parallel)",
		FormatOps(float64(size)), time.Since(t0).Round(time.Millisecond), len(r.targets))
	if r.want("memory") {
		if err := r.memory(size); err != nil {
			return err
		}
	}
	if err := r.check(size); err != nil {
		return err
	}
	if r.want("list") {
		if err := r.list(size); err != nil {
			return err
		}
	}
	if err := r.count(size); err != nil {
		return err
	}
	return r.point(size)
}

// want reports whether kind is to run.
func (r *run) want(kind string) bool {
	return len(r.cfg.Only) == 0 || slices.Contains(r.cfg.Only, kind)
}

func (r *run) logf(format string, args ...any) {
	if r.cfg.Log != nil {
		fmt.Fprintf(r.cfg.Log, format, args...)
	}
}

// note records a line for the report's notes and prints it.
func (r *run) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	r.rep.Notes = append(r.rep.Notes, s)
	r.logf("NOTE: %s\n", s)
}

// start launches the comparison redis-server and every imredis engine.
func (r *run) start() error {
	var err error
	if r.redis, err = r.startRedis("redis", "redis"); err != nil {
		return err
	}
	if r.redisBase, r.redisBaseRSS, err = purged(r.redis); err != nil {
		return err
	}
	for _, label := range r.cfg.Engines {
		t, err := r.startTarget(label, r.cfg.BuntFsync)
		if err != nil {
			if slices.Contains(r.cfg.Need, label) {
				return fmt.Errorf("engine %s: %w", label, err)
			}
			r.note("engine %s skipped: its server did not start: %v", label, err)
			continue
		}
		r.targets = append(r.targets, t)
		r.logf("started %s on %s (pid %d)\n", t.name, t.proc.Addr, t.proc.Pid())
	}
	if len(r.targets) == 0 {
		return errors.New("no imredis engine started")
	}
	return nil
}

func (r *run) startRedis(name, sub string, extra ...string) (*Proc, error) {
	dir := filepath.Join(r.dir, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p, err := StartRedis(name, dir, extra...)
	if err != nil {
		return nil, err
	}
	r.track(p)
	return p, nil
}

// startTarget resolves an engine label and starts imredis on it: "buntdb:"
// gets a data file in the run's directory, "redis://" a redis-server of its own.
func (r *run) startTarget(label, fsync string) (*target, error) {
	r.dirs++
	sub := fmt.Sprintf("imredis-%d", r.dirs)
	dir := filepath.Join(r.dir, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	t := &target{label: label, name: "imredis " + label}
	url := label
	var flags []string
	switch {
	case label == "buntdb:":
		t.dataFile = filepath.Join(dir, "data.db")
		url = "buntdb:" + t.dataFile
		fallthrough
	case strings.HasPrefix(label, "buntdb:"):
		if t.dataFile == "" {
			t.dataFile = strings.TrimPrefix(label, "buntdb:")
		}
		flags = []string{"--fsync", fsync}
		t.name += " (fsync " + fsync + ")"
	case label == "redis://":
		up, err := r.startRedis("upstream redis", sub+"-upstream")
		if err != nil {
			return nil, err
		}
		t.upstream, url = up, "redis://"+up.Addr+"/0"
		if t.baseUp, t.baseUpRSS, err = purged(up); err != nil {
			return nil, err
		}
	}
	p, err := StartImredis(t.name, r.cfg.Imredis, dir, url, flags...)
	if err != nil {
		return nil, err
	}
	r.track(p)
	t.proc = p
	if t.upstream == nil {
		if t.baseHeap, err = purgeHeap(p); err != nil {
			return nil, err
		}
	}
	t.baseRSS, err = p.RSS()
	return t, err
}

// track records p for the cleanup.
func (r *run) track(p *Proc) {
	r.lock.Lock()
	r.procs = append(r.procs, p)
	r.lock.Unlock()
}

// load brings every server to size incidents. An engine that would take
// longer than LoadBudget (at the rate it loaded so far) is dropped first,
// unless it is one that must run (Need).
func (r *run) load(size int) error {
	if size <= r.loaded {
		return nil
	}
	n := size - r.loaded
	kept := r.targets[:0]
	for _, t := range r.targets {
		if est := estimate(n, t.rate); est > r.cfg.LoadBudget && !slices.Contains(r.cfg.Need, t.label) {
			r.note("%s dropped from %s incidents on: loading %s more at its rate so far (%s/s) would take about %s, over the %s budget",
				t.name, FormatOps(float64(size)), FormatOps(float64(n)), FormatOps(t.rate), est.Round(time.Second), r.cfg.LoadBudget)
			t.proc.Kill()
			if t.upstream != nil {
				t.upstream.Kill()
			}
			continue
		}
		kept = append(kept, t)
	}
	r.targets = kept
	sinks := []Sink{SeedSink("redis", r.redis.Addr)}
	for _, t := range r.targets {
		sinks = append(sinks, SaveSink(t.name, t.proc.Addr))
	}
	busy, err := Load(r.gen, r.loaded, size, sinks)
	if err != nil {
		return err
	}
	for i, t := range r.targets {
		if b := busy[i+1]; b > 0 {
			t.rate = float64(n) / b.Seconds()
		}
	}
	r.loaded = size
	return nil
}

// estimate returns how long n incidents take at rate per second (0 when the
// rate is unknown).
func estimate(n int, rate float64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(float64(n) / rate * float64(time.Second))
}

// usedMemory returns INFO memory used_memory.
func usedMemory(p *Proc) (int64, error) {
	v, err := p.InfoField("memory", "used_memory")
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
}
