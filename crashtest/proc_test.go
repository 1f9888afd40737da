package crashtest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startTimeout bounds how long a start may take to serve or to exit.
const startTimeout = 60 * time.Second

// server is one run of the imredis binary on a buntdb data file.
type server struct {
	t       *testing.T
	cmd     *exec.Cmd
	addr    string // RESP address from the "imredis serving" line; "" if it never served
	began   time.Time
	exited  chan struct{}
	waitErr error

	mu    sync.Mutex
	lines []string // stderr so far
}

// launch starts imredis on the buntdb file path with extra flags and returns
// once it logs "imredis serving" or exits, whichever comes first. The process
// is killed at cleanup if still running.
func launch(t *testing.T, path string, extra ...string) *server {
	t.Helper()
	args := append([]string{"--addr", "127.0.0.1:0", "--engine", "buntdb:" + path, "--http-addr", ""}, extra...)
	s := &server{t: t, cmd: exec.Command(binary, args...), exited: make(chan struct{})}
	s.cmd.Env = environ()
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	s.began = time.Now()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	serving := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.lines = append(s.lines, line)
			s.mu.Unlock()
			var m struct{ Message, Addr string }
			if json.Unmarshal([]byte(line), &m) == nil && m.Message == "imredis serving" {
				serving <- m.Addr
			}
		}
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Kill()
			<-s.exited
		}
	})
	select {
	case s.addr = <-serving:
	case <-s.exited:
	case <-time.After(startTimeout):
		t.Fatalf("imredis neither served nor exited within %s:\n%s", startTimeout, s.log())
	}
	return s
}

// startServer launches imredis and waits until it answers PING and INC.COUNT;
// it fails the test when the server exits instead.
func startServer(t *testing.T, path string, extra ...string) *server {
	t.Helper()
	s := launch(t, path, extra...)
	if s.addr == "" {
		t.Fatalf("imredis exited before serving (%v):\n%s", s.waitErr, s.log())
	}
	s.waitReady()
	return s
}

// waitReady polls until PING and INC.COUNT answer without an error (the
// engine answers -LOADING while it rebuilds its indexes).
func (s *server) waitReady() {
	s.t.Helper()
	c := s.client(1)
	ctx := context.Background()
	deadline := time.Now().Add(startTimeout)
	for {
		err := c.Ping(ctx).Err()
		if err == nil {
			err = c.Do(ctx, "INC.COUNT").Err()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("imredis not ready within %s: %v\n%s", startTimeout, err, s.log())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// client returns a go-redis client of the server that never retries (a
// retried write would blur which writes were acknowledged).
func (s *server) client(pool int) *redis.Client {
	c := redis.NewClient(&redis.Options{
		Addr: s.addr, PoolSize: pool, MaxRetries: -1,
		DialTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
	})
	s.t.Cleanup(func() { c.Close() })
	return c
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatalf("kill -9: %v", err)
	}
	s.waitExit(startTimeout)
	s.checkLog()
}

// stop sends SIGTERM and requires a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatalf("SIGTERM: %v", err)
	}
	if code := s.waitExit(startTimeout); code != 0 {
		s.t.Fatalf("imredis exited with status %d after SIGTERM:\n%s", code, s.log())
	}
	s.checkLog()
}

// waitExit waits up to d for the process to exit and returns its status
// (-1 when a signal ended it).
func (s *server) waitExit(d time.Duration) int {
	s.t.Helper()
	select {
	case <-s.exited:
	case <-time.After(d):
		s.t.Fatalf("imredis still running after %s:\n%s", d, s.log())
	}
	var exit *exec.ExitError
	if s.waitErr != nil && !errors.As(s.waitErr, &exit) {
		s.t.Fatalf("waiting for imredis: %v", s.waitErr)
	}
	return s.cmd.ProcessState.ExitCode()
}

// checkLog fails the test when the server reported a data race or a panic.
func (s *server) checkLog() {
	s.t.Helper()
	out := s.log()
	for _, bad := range []string{"WARNING: DATA RACE", "panic:", "command panicked"} {
		if strings.Contains(out, bad) {
			s.t.Errorf("imredis stderr contains %q:\n%s", bad, out)
			return
		}
	}
}

// log returns what the server wrote to stderr so far.
func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

// environ is the test's environment without IMREDIS_* settings.
func environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IMREDIS_") {
			env = append(env, kv)
		}
	}
	return env
}
