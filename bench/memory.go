package bench

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// memory records the memory per incident of every server holding size
// incidents. Every server first gets MEMORY PURGE (jemalloc returns its free
// pages; imredis runs Go's collector and returns its free pages), so that both
// measures count live data: the allocator's bytes in use (Redis INFO
// used_memory, imredis's Go heap in INFO used_memory) and the RSS that the
// operating system sees.
func (r *run) memory(size int) error {
	red, redRSS, err := purged(r.redis)
	if err != nil {
		return err
	}
	per := func(v int64) float64 { return float64(v) / float64(size) }
	redisPer, redisRSSPer := per(red-r.redisBase), per(redRSS-r.redisBaseRSS)
	n := FormatOps(float64(size))
	r.mem.Rows = append(r.mem.Rows, []string{n, "redis-server, seed layout (string + 5 sets)", FormatBytes(redisPer), "",
		FormatBytes(redisRSSPer), "", "used_memory " + FormatBytes(float64(red)) + ", used_memory_rss " + FormatBytes(float64(redRSS))})
	for _, t := range r.targets {
		if t.upstream != nil {
			up, upRSS, err := purged(t.upstream)
			if err != nil {
				return err
			}
			rss, err := t.proc.RSS()
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			mine, mineRSS := per(up-t.baseUp), per(upRSS-t.baseUpRSS)
			r.mem.Rows = append(r.mem.Rows, []string{n, t.name, FormatBytes(mine), FormatRatio(mine / redisPer),
				FormatBytes(mineRSS), FormatRatio(mineRSS / redisRSSPer),
				"upstream used_memory " + FormatBytes(float64(up)) + "; imredis VmRSS growth " + FormatBytes(per(rss-t.baseRSS)) + "/incident"})
			continue
		}
		heap, err := purgeHeap(t.proc)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		rss, err := t.proc.RSS()
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		mine, mineRSS := per(heap-t.baseHeap), per(rss-t.baseRSS)
		detail := "Go heap " + FormatBytes(float64(heap)) + ", VmRSS " + FormatBytes(float64(rss))
		if t.dataFile != "" {
			if st, err := os.Stat(t.dataFile); err == nil {
				detail += fmt.Sprintf("; data file %s = %s/incident", FormatBytes(float64(st.Size())), FormatBytes(per(st.Size())))
			}
		}
		r.mem.Rows = append(r.mem.Rows, []string{n, t.name, FormatBytes(mine), FormatRatio(mine / redisPer),
			FormatBytes(mineRSS), FormatRatio(mineRSS / redisRSSPer), detail})
	}
	return nil
}

// purge sends MEMORY PURGE to p.
func purge(p *Proc) error {
	c, err := Dial(p.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Do("MEMORY", "PURGE")
	return err
}

// purged purges a redis-server and returns its INFO used_memory and
// used_memory_rss.
func purged(p *Proc) (used, rss int64, err error) {
	if err := purge(p); err != nil {
		return 0, 0, err
	}
	if used, err = usedMemory(p); err != nil {
		return 0, 0, err
	}
	v, err := p.InfoField("memory", "used_memory_rss")
	if err != nil {
		return 0, 0, err
	}
	rss, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	return used, rss, err
}

// purgeHeap purges an imredis server and returns its Go heap in use, which
// after the collection is its live heap.
func purgeHeap(p *Proc) (int64, error) {
	if err := purge(p); err != nil {
		return 0, err
	}
	return usedMemory(p)
}

// reopen restarts every buntdb engine on its data file and measures how long
// until it answers INC.COUNT (not LOADING) with every incident.
func (r *run) reopen() error {
	t := Table{Title: fmt.Sprintf("buntdb reopen, %s incidents", FormatOps(float64(r.loaded))),
		Header: []string{"target", "data file", "bytes/incident", "until PING", "until INC.COUNT answers"},
		Note:   "SIGTERM, then a new process on the same data file; time from exec to the first PONG and to the first INC.COUNT that is not LOADING."}
	for _, tg := range r.targets {
		if tg.dataFile == "" {
			continue
		}
		st, err := os.Stat(tg.dataFile)
		if err != nil {
			return err
		}
		r.logf("-- reopen %s (%s)\n", tg.name, FormatBytes(float64(st.Size())))
		t0 := time.Now()
		ping, err := tg.proc.Restart(5 * time.Minute)
		if err != nil {
			return fmt.Errorf("%s: reopen: %w", tg.name, err)
		}
		var n int64
		for {
			n, err = r.intReply(tg.proc.Addr, []string{"INC.COUNT"})
			var se ServerError
			if errors.As(err, &se) && strings.HasPrefix(string(se), "LOADING") && time.Since(t0) < 5*time.Minute {
				time.Sleep(5 * time.Millisecond)
				continue
			}
			break
		}
		ready := time.Since(t0)
		if err != nil {
			return fmt.Errorf("%s: INC.COUNT after reopen: %w", tg.name, err)
		}
		if n != int64(r.loaded) {
			return fmt.Errorf("%s: %d incidents after reopen, want %d", tg.name, n, r.loaded)
		}
		if tg.baseHeap, err = purgeHeap(tg.proc); err != nil {
			return err
		}
		if tg.baseRSS, err = tg.proc.RSS(); err != nil {
			return err
		}
		t.Rows = append(t.Rows, []string{tg.name, FormatBytes(float64(st.Size())),
			FormatBytes(float64(st.Size()) / float64(r.loaded)), FormatDur(ping), FormatDur(ready)})
	}
	if len(t.Rows) > 0 {
		r.rep.Tables = append(r.rep.Tables, t)
	} else {
		r.note("buntdb reopen not measured: no buntdb engine ran")
	}
	return nil
}

// durable compares INC.SAVE on a buntdb engine with --fsync always with Redis
// SET and the seed's write under appendonly yes, appendfsync always, all
// starting empty.
func (r *run) durable() error {
	red, err := r.startRedis("redis (AOF always)", "redis-aof", "--appendonly", "yes", "--appendfsync", "always")
	if err != nil {
		return err
	}
	defer red.Kill()
	t, err := r.startTarget(r.cfg.Durable, "always")
	if err != nil {
		if slices.Contains(r.cfg.Need, r.cfg.Durable) {
			return fmt.Errorf("durable engine %s: %w", r.cfg.Durable, err)
		}
		r.note("durable comparison skipped: engine %s did not start: %v", r.cfg.Durable, err)
		return nil
	}
	defer t.proc.Kill()
	incs := make([]Incident, poolSize)
	for i := range incs {
		incs[i] = r.gen.Incident(r.loaded + i)
	}
	save := encode(incs, func(inc Incident) []string { return []string{"INC.SAVE", string(inc.JSON)} })
	set := encode(incs, func(inc Incident) []string { return []string{"SET", IncidentKey(inc.ID), string(inc.JSON)} })
	seed := seedWrites(incs)
	sec := r.section("durable", 0, "Durable INC.SAVE vs Redis SET and the seed's write with appendfsync always",
		"All acknowledge a write only once it is fsynced: imredis "+r.cfg.Durable+" with --fsync always, redis-server "+
			"with --appendonly yes --appendfsync always. Fresh stores, a pool of 4096 new incidents saved over and over. "+
			"The seed's write is SET + SADD into the five index sets in one MULTI/EXEC, one request, which is what a "+
			"durable write of the seed's Redis store costs. Ratio = imredis ops/s ÷ Redis ops/s.",
		"redis SET (AOF always)", "redis seed write (AOF always)")
	return r.matrix(sec, r.cfg.Clients, r.cfg.Pipelines, []named{
		{"redis SET (AOF always)", red, Op{Cmds: set}},
		{"redis seed write (AOF always)", red, Op{Cmds: seed, Replies: SeedWriteReplies}},
		{t.name + " INC.SAVE", t.proc, Op{Cmds: save}},
	})
}
