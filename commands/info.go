package commands

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// INFO [section [section ...]]

var infoSections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "keyspace", "incidents"}

// InfoSource is implemented by engines that add lines to an INFO section.
type InfoSource interface {
	InfoFields(section string) []string // "name:value" lines
}

func parseInfo(a [][]byte) map[string]bool {
	want := map[string]bool{}
	for _, s := range a {
		switch sec := strings.ToLower(string(s)); sec {
		case "all", "default", "everything":
			for _, n := range infoSections {
				want[n] = true
			}
		default:
			want[sec] = true
		}
	}
	if len(a) == 0 {
		for _, n := range infoSections {
			want[n] = true
		}
	}
	return want
}

func (d *Deps) cmdInfo(c *resp.Ctx, a [][]byte) {
	want := parseInfo(a[1:])
	var b strings.Builder
	for _, sec := range infoSections {
		if !want[sec] {
			continue
		}
		lines, err := d.infoSection(c, sec)
		if err != nil {
			c.W.Err(err)
			return
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + strings.ToUpper(sec[:1]) + sec[1:] + "\r\n")
		for _, l := range lines {
			b.WriteString(l + "\r\n")
		}
	}
	c.W.Verbatim("txt", b.String())
}

func (d *Deps) infoSection(c *resp.Ctx, sec string) ([]string, error) {
	srv := c.Server()
	var lines []string
	switch sec {
	case "server":
		up := time.Since(srv.Started())
		lines = []string{
			"redis_version:" + d.Config.RedisVersion,
			"redis_git_sha1:00000000", "redis_git_dirty:0", "redis_build_id:0",
			"redis_mode:standalone",
			"os:" + runtime.GOOS + " " + runtime.GOARCH,
			"arch_bits:64", "multiplexing_api:epoll", "gcc_version:0.0.0",
			"process_id:" + strconv.Itoa(os.Getpid()),
			"tcp_port:" + strconv.Itoa(d.Config.Port),
			"server_time_usec:" + strconv.FormatInt(time.Now().UnixMicro(), 10),
			"uptime_in_seconds:" + strconv.FormatInt(int64(up.Seconds()), 10),
			"uptime_in_days:" + strconv.FormatInt(int64(up.Hours()/24), 10),
			"hz:10",
			"imredis_version:" + d.Config.Version,
			"imredis_engine:" + d.Config.Engine,
		}
	case "clients":
		lines = []string{"connected_clients:" + strconv.Itoa(len(srv.Clients())), "blocked_clients:0", "maxclients:10000"}
	case "memory":
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		lines = []string{
			"used_memory:" + strconv.FormatUint(ms.HeapAlloc, 10),
			"used_memory_human:" + human(ms.HeapAlloc),
			"used_memory_rss:" + strconv.FormatUint(residentBytes(ms.Sys), 10),
			"maxmemory:0", "maxmemory_policy:noeviction", "mem_allocator:go",
		}
	case "persistence":
		loading := "0"
		if l, ok := d.Store.(interface{ Loading() bool }); ok && l.Loading() {
			loading = "1"
		}
		lines = []string{"loading:" + loading}
	case "stats":
		conns, cmds, errReplies, protoErrs := srv.Counters()
		lines = []string{
			"total_connections_received:" + strconv.FormatInt(conns, 10),
			"total_commands_processed:" + strconv.FormatInt(cmds, 10),
			"rejected_connections:0",
			"total_error_replies:" + strconv.FormatInt(errReplies, 10),
			"protocol_errors:" + strconv.FormatInt(protoErrs, 10),
			"pubsub_channels:" + strconv.Itoa(len(srv.Hub().Channels(""))),
			"pubsub_patterns:" + strconv.Itoa(srv.Hub().NumPat()),
			"keyspace_hits:0",
			"keyspace_misses:0",
		}
	case "replication":
		lines = []string{"role:master", "connected_slaves:0", "master_repl_offset:0"}
	case "keyspace", "incidents":
		return d.statsLines(c, sec)
	}
	if src, ok := d.Store.(InfoSource); ok {
		lines = append(lines, src.InfoFields(sec)...)
	}
	return lines, nil
}

// statsLines renders the keyspace and incidents sections from engine stats.
func (d *Deps) statsLines(c *resp.Ctx, sec string) ([]string, error) {
	var lines []string
	var sum engine.Stats
	for db := 0; db < d.Config.Databases; db++ {
		st, err := d.Store.Stats(c.Context(), db)
		if err != nil {
			return nil, err
		}
		if sec == "keyspace" && st.Total > 0 {
			lines = append(lines, fmt.Sprintf("db%d:keys=%d,expires=0,avg_ttl=0", db, st.Total))
		}
		sum.Total += st.Total
		sum.Active += st.Active
		for i := range st.BySeverity {
			sum.BySeverity[i] += st.BySeverity[i]
		}
		for i := range st.ByState {
			sum.ByState[i] += st.ByState[i]
		}
	}
	if sec == "keyspace" {
		return lines, nil
	}
	lines = append(lines, "incidents_total:"+strconv.FormatInt(sum.Total, 10), "incidents_active:"+strconv.FormatInt(sum.Active, 10))
	for i, n := range sum.BySeverity {
		lines = append(lines, "incidents_severity_"+strings.ToLower(engine.Severities[i])+":"+strconv.FormatInt(n, 10))
	}
	for i, n := range sum.ByState {
		lines = append(lines, "incidents_state_"+strings.ToLower(engine.States[i])+":"+strconv.FormatInt(n, 10))
	}
	return lines, nil
}

func human(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2fG", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.2fM", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.2fK", float64(n)/(1<<10))
	}
	return strconv.FormatUint(n, 10) + "B"
}

// residentBytes returns the process's resident set size, which Redis reports
// as used_memory_rss, from /proc/self/statm; elsewhere it returns fallback
// (the memory the Go runtime holds from the system).
func residentBytes(fallback uint64) uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return fallback
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return fallback
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return fallback
	}
	return pages * uint64(os.Getpagesize())
}
