package main

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// incident returns a valid incident document.
func incident(severity, state, title string) string {
	return fmt.Sprintf(`{"severity":%q,"state":%q,"incident_type":"Infrastructure","source":"test","title":%q}`,
		severity, state, title)
}

// serveArgs are the flags of a test server: memory engine, free ports.
func serveArgs(extra ...string) []string {
	return append([]string{"--engine", "memory:", "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"}, extra...)
}

func TestEnvironmentChoosesTheAddress(t *testing.T) {
	p := startProc(t, environ("IMREDIS_ADDR=127.0.0.1:0", "IMREDIS_ENGINE=memory:", "IMREDIS_HTTP_ADDR=127.0.0.1:0", "IMREDIS_ADRR=typo"))
	host, port, err := net.SplitHostPort(p.addr)
	if err != nil || host != "127.0.0.1" || port == "6379" || port == "0" {
		t.Fatalf("serving on %q, want the address IMREDIS_ADDR gave", p.addr)
	}
	if err := p.client().Ping(t.Context()).Err(); err != nil {
		t.Fatalf("PING %s: %v", p.addr, err)
	}
	if !strings.Contains(p.log(), "ignoring environment variable IMREDIS_ADRR") {
		t.Errorf("no warning about the unknown variable:\n%s", p.log())
	}
}

func TestFirstLogLineIsJSON(t *testing.T) {
	p := startProc(t, environ(), serveArgs()...)
	first := p.logLines()[0]
	var m map[string]any
	if err := json.Unmarshal([]byte(first), &m); err != nil {
		t.Fatalf("first log line is not JSON: %v\n%s", err, first)
	}
	for _, k := range []string{"level", "time", "message"} {
		if _, ok := m[k]; !ok {
			t.Errorf("first log line lacks %q: %s", k, first)
		}
	}
	start := p.logLines()[len(p.logLines())-1]
	for _, want := range []string{`"version":"` + version + `"`, `"engine":"memory:"`, `"addr":"` + p.addr + `"`, `"fsync":"always"`} {
		if !strings.Contains(start, want) {
			t.Errorf("startup line lacks %s: %s", want, start)
		}
	}
}

func TestStartupLineRedactsEngineCredentials(t *testing.T) {
	// An unreachable engine fails to start, but the attempt is logged redacted.
	r := runBinary(t, environ(), "--engine", "redis://u:hunter2@127.0.0.1:1/0", "--addr", "127.0.0.1:0", "--http-addr", "")
	if strings.Contains(r.stderr+r.stdout, "hunter2") {
		t.Errorf("the engine password reached the output:\n%s", r.stderr)
	}
}

func TestProbes(t *testing.T) {
	p := startProc(t, environ(), serveArgs()...)
	if code, body := p.get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, body := p.get("/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if code, _ := p.get("/nothing"); code != 404 {
		t.Errorf("/nothing: %d, want 404", code)
	}
}

func TestHTTPSidePortOff(t *testing.T) {
	p := startProc(t, environ(), "--engine", "memory:", "--addr", "127.0.0.1:0", "--http-addr", "")
	if p.httpAddr != "" {
		t.Errorf("http_addr %q with --http-addr empty", p.httpAddr)
	}
}

// storageOp is the label set of a storage metric of the memory backend.
func storageOp(op string) map[string]string {
	return map[string]string{"operation": op, "backend": "memory"}
}

func storageErr(kind string) map[string]string {
	return map[string]string{"error_type": kind, "backend": "memory"}
}

func command(name string) map[string]string { return map[string]string{"command": name} }

// TestMetricsAfterWorkload runs a scripted workload and checks that every
// metric family moved by exactly the operations performed.
func TestMetricsAfterWorkload(t *testing.T) {
	p := startProc(t, environ(), serveArgs()...)
	ctx := t.Context()
	c := p.client()
	before := p.scrape()
	for _, op := range []string{"save", "get", "list", "stats"} {
		before.want(t, "storage_operations_total", storageOp(op), 0)
	}

	id, err := c.Do(ctx, "INC.SAVE", incident("P1", "Detected", "disk full on db-7")).Text()
	if err != nil {
		t.Fatal(err)
	}
	s := p.scrape()
	if !strings.Contains(s.text, `storage_operations_total{backend="memory",operation="save"} 1`+"\n") {
		t.Errorf("/metrics lacks the save counter line:\n%s", grep(s.text, "storage_operations_total"))
	}
	s.want(t, "storage_operation_duration_seconds", storageOp("save"), 1)

	mustErr(t, c.Do(ctx, "INC.SAVE", `{"severity":"P1"}`).Err(), "INVALID")
	mustErr(t, c.Do(ctx, "INC.SAVE", "{not json").Err(), "INVALID")
	for _, inc := range []string{incident("P0", "Triaged", "a"), incident("P0", "Resolved", "b"), incident("P3", "Closed", "c")} {
		if err := c.Do(ctx, "INC.SAVE", inc).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Do(ctx, "INC.SAVE", incident("P2", "Investigating", "d"), "DEDUP").Err(); err != nil {
		t.Fatal(err)
	}
	doc, err := c.Do(ctx, "INC.GET", id).Text()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "INC.MGET", id, "00000000-0000-4000-8000-000000000000").Err(); err != nil {
		t.Fatal(err)
	}
	var stored map[string]any
	if err := json.Unmarshal([]byte(doc), &stored); err != nil {
		t.Fatal(err)
	}
	stored["state"] = "Remediating"
	upd, _ := json.Marshal(stored)
	if err := c.Do(ctx, "INC.UPDATE", upd).Err(); err != nil {
		t.Fatal(err)
	}
	mustErr(t, c.Do(ctx, "INC.UPDATE", upd, "IFMATCH", "2000-01-01T00:00:00Z").Err(), "CONFLICT")
	stored["id"] = "11111111-1111-4111-8111-111111111111"
	missing, _ := json.Marshal(stored)
	mustErr(t, c.Do(ctx, "INC.UPDATE", missing).Err(), "NOTFOUND")
	if err := c.Do(ctx, "INC.LIST", "SEVERITY", "P0").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "INC.COUNT", "ACTIVE").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "INC.DEL", "22222222-2222-4222-8222-222222222222").Err(); err != nil {
		t.Fatal(err)
	}
	mustErr(t, c.Do(ctx, "NOSUCHCOMMAND").Err(), "ERR unknown command")
	reply, err := c.Do(ctx, "INC.STATS").Result()
	if err != nil {
		t.Fatal(err)
	}
	stats, ok := reply.(map[any]any)
	if !ok {
		t.Fatalf("INC.STATS under RESP3: %T, want a map", reply)
	}

	s = p.scrape()
	for op, n := range map[string]float64{"save": 4, "save_dedup": 1, "get": 1, "mget": 1, "update": 3,
		"delete": 1, "list": 1, "count": 1, "stats": 1, "flush": 0, "ping": 0} {
		s.want(t, "storage_operations_total", storageOp(op), n)
		s.want(t, "storage_operation_duration_seconds", storageOp(op), n)
	}
	// INVALID input is refused before the engine: it counts as a command
	// error, not a storage error.
	for kind, n := range map[string]float64{"invalid": 0, "not_found": 1, "conflict": 1, "unavailable": 0, "loading": 0, "other": 0} {
		s.want(t, "storage_errors_total", storageErr(kind), n)
	}
	for name, n := range map[string]float64{"inc.save": 7, "inc.get": 1, "inc.mget": 1, "inc.update": 3,
		"inc.list": 1, "inc.count": 1, "inc.del": 1, "inc.stats": 1, "unknown": 1} {
		s.want(t, "imredis_commands_processed_total", command(name), n)
		s.want(t, "imredis_command_duration_seconds", command(name), n)
	}
	for name, n := range map[string]float64{"inc.save": 2, "inc.update": 2, "unknown": 1, "inc.get": 0} {
		s.want(t, "imredis_command_errors_total", command(name), n)
	}
	s.want(t, "imredis_connected_clients", nil, 1)
	s.want(t, "imredis_pubsub_subscribers", nil, 0)
	s.want(t, "imredis_protocol_errors_total", nil, 0)
	s.want(t, "imredis_rejected_connections_total", nil, 0)

	// The incident gauges are INC.STATS (one database in use).
	for k, v := range stats {
		name, n := k.(string), float64(v.(int64))
		switch {
		case name == "total":
			s.want(t, "imredis_incidents", nil, n)
		case name == "active":
			s.want(t, "imredis_incidents_active", nil, n)
		case strings.HasPrefix(name, "severity:"):
			s.want(t, "imredis_incidents_by_severity", map[string]string{"severity": strings.TrimPrefix(name, "severity:")}, n)
		case strings.HasPrefix(name, "state:"):
			s.want(t, "imredis_incidents_by_state", map[string]string{"state": strings.TrimPrefix(name, "state:")}, n)
		}
	}
	s.want(t, "imredis_incidents", nil, 5)
	s.want(t, "imredis_incidents_by_severity", map[string]string{"severity": "P0"}, 2)
	s.want(t, "imredis_incidents_by_state", map[string]string{"state": "Remediating"}, 1)

	// Scraping reads the engine directly: it is not a storage operation.
	p.scrape().want(t, "storage_operations_total", storageOp("stats"), 1)
	for _, fam := range []string{"go_goroutines", "process_cpu_seconds_total", "imredis_build_info"} {
		if _, ok := s.families[fam]; !ok {
			t.Errorf("/metrics lacks %s", fam)
		}
	}
	if strings.Contains(p.log(), "disk full on db-7") {
		t.Error("an incident body reached the info-level log")
	}
}

// TestInfoAgreesWithMetrics checks that INFO and /metrics report the same counters.
func TestInfoAgreesWithMetrics(t *testing.T) {
	p := startProc(t, environ(), serveArgs()...)
	ctx := t.Context()
	c := p.client()
	for i := range 3 {
		if err := c.Do(ctx, "INC.SAVE", incident("P"+strconv.Itoa(i), "Detected", "x")).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Do(ctx, "SELECT", "3").Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(ctx, "INC.SAVE", incident("P4", "Closed", "y")).Err(); err != nil {
		t.Fatal(err)
	}
	info := parseInfo(t, c.Info(ctx, "stats", "clients", "incidents").Val())
	s := p.scrape()
	var processed float64
	for _, m := range s.families["imredis_commands_processed_total"].GetMetric() {
		processed += m.GetCounter().GetValue()
	}
	// INFO counts the commands before it; the scrape also counts INFO.
	if want := info["total_commands_processed"] + 1; processed != want {
		t.Errorf("sum of imredis_commands_processed_total = %v, INFO total_commands_processed+1 = %v", processed, want)
	}
	s.want(t, "imredis_connections_received_total", nil, info["total_connections_received"])
	s.want(t, "imredis_connected_clients", nil, info["connected_clients"])
	s.want(t, "imredis_protocol_errors_total", nil, info["protocol_errors"])
	s.want(t, "imredis_incidents", nil, info["incidents_total"])
	s.want(t, "imredis_incidents_active", nil, info["incidents_active"])
	s.want(t, "imredis_incidents_by_severity", map[string]string{"severity": "P4"}, info["incidents_severity_p4"])
	s.want(t, "imredis_incidents_by_state", map[string]string{"state": "Closed"}, info["incidents_state_closed"])
	s.want(t, "imredis_incidents", nil, 4)
}

func parseInfo(t *testing.T, text string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, line := range strings.Split(text, "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			out[k] = n
		}
	}
	return out
}

func TestPubSubAndProtocolErrorMetrics(t *testing.T) {
	p := startProc(t, environ(), serveArgs()...)
	ctx := t.Context()
	sub := p.client().Subscribe(ctx, "llm-im:events")
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	s := p.scrape()
	s.want(t, "imredis_pubsub_subscribers", nil, 1)
	s.want(t, "imredis_connected_clients", nil, 1)

	// The change feed is wired: a save is published on <prefix>:events.
	if err := p.client().Do(ctx, "INC.SAVE", incident("P1", "Detected", "feed")).Err(); err != nil {
		t.Fatal(err)
	}
	msg, err := sub.ReceiveMessage(ctx)
	if err != nil || !strings.Contains(msg.Payload, `"op":"saved"`) {
		t.Errorf("change feed: %v %v", msg, err)
	}

	conn, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte("*1\r\n$abc\r\n"))
	reply := make([]byte, 256)
	n, _ := conn.Read(reply)
	if !strings.HasPrefix(string(reply[:n]), "-ERR Protocol error") {
		t.Fatalf("reply to bad framing: %q", reply[:n])
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, _ := p.scrape().value("imredis_protocol_errors_total", nil)
		if v == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("imredis_protocol_errors_total = %v, want 1", v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCommandLinesOnlyAtDebug(t *testing.T) {
	for _, level := range []string{"info", "debug"} {
		t.Run(level, func(t *testing.T) {
			p := startProc(t, environ(), serveArgs("--log-level", level)...)
			if err := p.client().Do(t.Context(), "ECHO", "hi").Err(); err != nil {
				t.Fatal(err)
			}
			p.signal(syscall.SIGTERM)
			if code := p.wait(10 * time.Second); code != 0 {
				t.Fatalf("exit status %d", code)
			}
			if got := strings.Contains(p.log(), `"cmd":"echo"`); got != (level == "debug") {
				t.Errorf("at %s, per-command line present: %v\n%s", level, got, p.log())
			}
		})
	}
}

// mustErr fails unless err is a reply error starting with code.
func mustErr(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil || !strings.HasPrefix(err.Error(), code) {
		t.Errorf("error %v, want %s", err, code)
	}
}

// grep returns the lines of text containing s.
func grep(text, s string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
