package bench

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startAttempts bounds the retries when a picked port is taken before the
// server binds it.
const startAttempts = 5

// Proc is a server process the harness started on a loopback port.
type Proc struct {
	Name string
	Addr string
	Dir  string // working directory (data files, log)
	bin  string
	env  []string
	args func(port int) []string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedis starts redis-server in dir with persistence off; extra options
// are appended (later options win, so "--appendonly", "yes" turns the AOF on).
func StartRedis(name, dir string, extra ...string) (*Proc, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found (make deps installs it): %w", err)
	}
	p := &Proc{Name: name, Dir: dir, bin: bin, log: filepath.Join(dir, "redis.log")}
	p.args = func(port int) []string {
		return append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--appendonly", "no", "--dir", dir, "--logfile", p.log}, extra...)
	}
	return p, p.start(10 * time.Second)
}

// StartImredis starts the imredis binary bin serving engine, logging to a
// file in dir; extra flags are appended.
func StartImredis(name, bin, dir, engine string, extra ...string) (*Proc, error) {
	p := &Proc{Name: name, Dir: dir, bin: bin, log: filepath.Join(dir, "imredis.log")}
	// No IMREDIS_* setting leaks in from the caller's environment, and the
	// HTTP side port (a fixed default port) is off so that servers can coexist.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IMREDIS_") {
			p.env = append(p.env, kv)
		}
	}
	p.env = append(p.env, "IMREDIS_HTTP_ADDR=")
	p.args = func(port int) []string {
		return append([]string{"--addr", "127.0.0.1:" + strconv.Itoa(port), "--engine", engine,
			"--log-level", "warn"}, extra...)
	}
	return p, p.start(2 * time.Minute)
}

// Restart stops the process gracefully (SIGTERM) and starts it again on the
// same port, returning how long the new process took to answer PING.
func (p *Proc) Restart(ready time.Duration) (time.Duration, error) {
	p.Stop()
	_, port, _ := net.SplitHostPort(p.Addr)
	n, _ := strconv.Atoi(port)
	t0 := time.Now()
	err := p.run(n, ready)
	return time.Since(t0), err
}

// start picks a free port (listen on 127.0.0.1:0, close, hand the port to the
// server) and retries with another port when the server cannot bind it.
func (p *Proc) start(ready time.Duration) error {
	var err error
	for range startAttempts {
		l, lerr := net.Listen("tcp", "127.0.0.1:0")
		if lerr != nil {
			return lerr
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if err = p.run(port, ready); err == nil || !strings.Contains(err.Error(), "in use") {
			return err
		}
	}
	return err
}

// run starts the process on port and waits until it answers PING.
func (p *Proc) run(port int, ready time.Duration) error {
	logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(p.bin, p.args(port)...)
	cmd.Dir, cmd.Stdout, cmd.Stderr, cmd.Env = p.Dir, logf, logf, p.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p.cmd, p.done = cmd, done
	p.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(ready)
	for {
		select {
		case <-done:
			p.cmd = nil
			return fmt.Errorf("%s exited at start: %s", p.Name, p.Tail())
		default:
		}
		if c, err := Dial(p.Addr); err == nil {
			v, err := c.Do("PING")
			c.Close()
			if err == nil && string(v.Str) == "PONG" {
				return nil
			}
		}
		if time.Now().After(deadline) {
			p.Kill()
			return fmt.Errorf("%s did not answer PING within %v: %s", p.Name, ready, p.Tail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pid returns the process id, or 0 when it is not running.
func (p *Proc) Pid() int {
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Stop sends SIGTERM and waits up to a minute before killing.
func (p *Proc) Stop() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.cmd = nil
}

// Kill stops the process with SIGKILL.
func (p *Proc) Kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	p.cmd = nil
}

// Tail returns the last line of the process's log.
func (p *Proc) Tail() string {
	b, _ := os.ReadFile(p.log)
	s := strings.TrimSpace(string(b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// RSS returns the process's resident set size (VmRSS) in bytes.
func (p *Proc) RSS() (int64, error) {
	if p.cmd == nil {
		return 0, errors.New("not running")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// clockTick is the unit of utime and stime in /proc/<pid>/stat (USER_HZ,
// 100 on Linux).
const clockTick = 10 * time.Millisecond

// CPU returns the user plus system CPU time the process (all its threads)
// has used so far, with a resolution of 10 ms.
func (p *Proc) CPU() (time.Duration, error) {
	if p.cmd == nil {
		return 0, errors.New("not running")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("malformed /proc stat")
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// InfoField returns one field of INFO section from the server.
func (p *Proc) InfoField(section, field string) (string, error) {
	c, err := Dial(p.Addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	v, err := c.Do("INFO", section)
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(v.Str), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), field+":"); ok {
			return rest, nil
		}
	}
	return "", fmt.Errorf("%s: no %s in INFO %s", p.Name, field, section)
}
