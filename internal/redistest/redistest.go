// Package redistest runs a real redis-server for tests: one process per
// Start, on a free loopback port, in the test's temporary directory, killed
// when the test ends. It never skips: a missing redis-server fails the test.
package redistest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// startAttempts bounds the retries when a picked port turns out to be taken.
const startAttempts = 8

// readyTimeout bounds the wait for a started server to answer PING.
const readyTimeout = 10 * time.Second

// Server is one redis-server process owned by a test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	args []string

	mu   sync.Mutex
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// Start launches redis-server on a free 127.0.0.1 port with persistence off
// and its working directory in t.TempDir(); args are appended to the command
// line (later options win, so "--appendonly", "yes" turns the AOF back on).
// The server is killed when the test ends.
func Start(t testing.TB, args ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server not found in PATH (%v): run `make deps` (apt-get install -y redis-server redis-tools)", err)
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir(), args: args}
	t.Cleanup(s.Kill)
	var last error
	for range startAttempts {
		port, err := freePort()
		if err != nil {
			t.Fatalf("redistest: pick a port: %v", err)
		}
		if last = s.start(port); last == nil {
			return s
		}
	}
	t.Fatalf("redistest: redis-server did not start: %v", last)
	return nil
}

// Addr returns the server's host:port.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// URL returns the redis:// URL of database 0.
func (s *Server) URL() string { return "redis://" + s.Addr() }

// Client returns a go-redis client for database db, closed when the test ends.
func (s *Server) Client(db int) *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), DB: db})
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// Kill stops the server with SIGKILL and waits for it to exit. It does
// nothing when the server is not running.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// Restart starts the server again on the same port, in the same directory and
// with the same arguments (so an AOF or RDB written there is loaded). It kills
// the running process first, if any.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	s.mu.Lock()
	port := s.port
	s.mu.Unlock()
	var err error
	for range startAttempts {
		if err = s.start(port); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond) // the port may still be draining
	}
	s.t.Fatalf("redistest: restart on port %d: %v", port, err)
}

// start runs redis-server on port and waits until it answers PING.
func (s *Server) start(port int) error {
	log := filepath.Join(s.dir, "redis.log")
	args := append([]string{
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", s.dir, "--logfile", log,
	}, s.args...)
	cmd := exec.Command(s.bin, args...)
	cmd.Dir = s.dir
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-done:
			return fmt.Errorf("exited early on port %d: %s", port, tail(log))
		default:
		}
		if ping(addr) {
			s.mu.Lock()
			s.port, s.cmd, s.done = port, cmd, done
			s.mu.Unlock()
			return nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("no PONG on port %d within %v: %s", port, readyTimeout, tail(log))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// freePort returns a port the kernel just handed out on 127.0.0.1. Another
// process may take it before redis-server binds it; Start retries then.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ping reports whether a Redis server at addr answers PING with +PONG.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// tail returns the last lines of the server log, for failure messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, "\n")
}
