package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/redis/go-redis/v9"

	"github.com/imredis/imredis/internal/testbin"

	dto "github.com/prometheus/client_model/go"
)

// binary is the imredis binary TestMain builds.
var binary string

func TestMain(m *testing.M) { testbin.Main(m, &binary) }

// environ returns the test's environment without IMREDIS_* variables, plus extra.
func environ(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// result is how a run of the binary ended.
type result struct {
	stdout, stderr string
	code           int
}

// runBinary runs imredis to completion (30 s at most) with env and args.
func runBinary(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
	default:
		t.Fatalf("imredis %s: %v", strings.Join(args, " "), err)
	}
	return result{out.String(), errOut.String(), cmd.ProcessState.ExitCode()}
}

// proc is a running imredis.
type proc struct {
	t        *testing.T
	cmd      *exec.Cmd
	addr     string // RESP address from the startup line
	httpAddr string // HTTP address from the startup line
	exited   chan struct{}
	state    *os.ProcessState

	mu    sync.Mutex
	lines []string // log lines read from stderr so far
}

// startProc starts imredis with env and args and waits for its startup
// line, whose addr and http_addr it records. The process is killed at cleanup
// if still running.
func startProc(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(binary, args...), exited: make(chan struct{})}
	p.cmd.Env = env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := make(chan map[string]any, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.mu.Unlock()
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["message"] == "imredis serving" {
				started <- m
			}
		}
		p.state, _ = p.cmd.Process.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	select {
	case m := <-started:
		p.addr, _ = m["addr"].(string)
		p.httpAddr, _ = m["http_addr"].(string)
	case <-p.exited:
		t.Fatalf("imredis exited before serving (status %d):\n%s", p.state.ExitCode(), p.log())
	case <-time.After(30 * time.Second):
		t.Fatalf("imredis did not log its startup line within 30s:\n%s", p.log())
	}
	return p
}

// log returns the log lines read so far.
func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// logLines returns a copy of the log lines read so far.
func (p *proc) logLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.lines...)
}

// signal sends sig to the process.
func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// wait waits up to d for the process to exit and returns its status.
func (p *proc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.state.ExitCode()
	case <-time.After(d):
		p.t.Fatalf("imredis still running %s after the signal:\n%s", d, p.log())
		return -1
	}
}

// client returns a go-redis client of the server with one connection.
func (p *proc) client(opts ...func(*redis.Options)) *redis.Client {
	o := &redis.Options{Addr: p.addr, PoolSize: 1, MaxRetries: -1}
	for _, f := range opts {
		f(o)
	}
	c := redis.NewClient(o)
	p.t.Cleanup(func() { c.Close() })
	return c
}

// get fetches path from the HTTP side port.
func (p *proc) get(path string) (int, string) {
	p.t.Helper()
	res, err := http.Get("http://" + p.httpAddr + path)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

// scrape is one /metrics answer: the text and the parsed families.
type scrape struct {
	text     string
	families map[string]*dto.MetricFamily
}

// scrape fetches and parses /metrics.
func (p *proc) scrape() scrape {
	p.t.Helper()
	code, body := p.get("/metrics")
	if code != http.StatusOK {
		p.t.Fatalf("/metrics: status %d: %s", code, body)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		p.t.Fatalf("parsing /metrics: %v\n%s", err, body)
	}
	return scrape{body, fams}
}

// value returns the value of the series of family name with exactly these
// labels (a histogram's sample count); ok is false when there is none.
func (s scrape) value(name string, labels map[string]string) (float64, bool) {
	fam := s.families[name]
	if fam == nil {
		return 0, false
	}
next:
	for _, m := range fam.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// want fails unless the series has value v.
func (s scrape) want(t *testing.T, name string, labels map[string]string, v float64) {
	t.Helper()
	got, ok := s.value(name, labels)
	if !ok {
		t.Errorf("%s%v: no such series", name, labels)
		return
	}
	if got != v {
		t.Errorf("%s%v = %v, want %v", name, labels, got, v)
	}
}
