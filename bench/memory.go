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

// memory records the memory per incident of every server holding size incidents.
func (r *run) memory(size int) error {
	red, err := usedMemory(r.redis)
	if err != nil {
		return err
	}
	per := func(v int64) float64 { return float64(v) / float64(size) }
	redisPer := per(red - r.redisBase)
	n := FormatOps(float64(size))
	r.mem.Rows = append(r.mem.Rows, []string{n, "redis-server, seed layout (string + 5 sets)", FormatBytes(redisPer), "",
		"used_memory " + FormatBytes(float64(red))})
	for _, t := range r.targets {
		rss, err := t.proc.RSS()
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		mine := per(rss - t.baseRSS)
		detail := "VmRSS " + FormatBytes(float64(rss))
		if heap, err := t.proc.InfoField("memory", "used_memory"); err == nil {
			if h, err := strconv.ParseFloat(strings.TrimSpace(heap), 64); err == nil {
				detail += ", INFO used_memory (Go heap) " + FormatBytes(h)
			}
		}
		if t.upstream != nil {
			up, err := usedMemory(t.upstream)
			if err != nil {
				return err
			}
			detail = "imredis VmRSS growth " + FormatBytes(mine) + "/incident; upstream used_memory " + FormatBytes(float64(up))
			mine = per(up - t.baseUp)
		}
		if t.dataFile != "" {
			if st, err := os.Stat(t.dataFile); err == nil {
				detail += fmt.Sprintf("; data file %s = %s/incident", FormatBytes(float64(st.Size())), FormatBytes(per(st.Size())))
			}
		}
		r.mem.Rows = append(r.mem.Rows, []string{n, t.name, FormatBytes(mine), FormatRatio(mine / redisPer), detail})
	}
	return nil
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
// SET under appendonly yes, appendfsync always, both starting empty.
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
	sec := r.section("durable", 0, "Durable INC.SAVE vs Redis SET with appendfsync always",
		"Both acknowledge a write only once it is fsynced: imredis "+r.cfg.Durable+" with --fsync always, redis-server "+
			"with --appendonly yes --appendfsync always. Fresh stores, a pool of 4096 new incidents saved over and over. "+
			"Ratio = imredis ops/s ÷ Redis ops/s.", "redis SET (AOF always)")
	return r.matrix(sec, r.cfg.Clients, r.cfg.Pipelines, []named{
		{"redis SET (AOF always)", red, Op{Cmds: set}},
		{t.name + " INC.SAVE", t.proc, Op{Cmds: save}},
	})
}
