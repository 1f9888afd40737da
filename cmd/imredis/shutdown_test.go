package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// shutdownEngines are the engines the shutdown tests run on, with extra
// flags. A durable engine is reopened after the exit and must hold every
// acknowledged write.
var shutdownEngines = []struct {
	name    string
	url     func(t *testing.T) string
	args    []string
	durable bool
}{
	{"memory", func(*testing.T) string { return "memory:" }, nil, false},
	{"buntdb-everysec", func(t *testing.T) string { return "buntdb:" + filepath.Join(t.TempDir(), "im.db") },
		[]string{"--fsync", "everysec"}, true},
}

// incidentID returns the fixed id of the i-th test incident.
func incidentID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

func idIncident(i int) string {
	return fmt.Sprintf(`{"id":%q,"severity":"P2","incident_type":"Application","source":"load","title":"incident %d"}`, incidentID(i), i)
}

// checkDurable restarts the engine and checks every acknowledged id is there.
func checkDurable(t *testing.T, engineURL string, acked []string) {
	t.Helper()
	p := startProc(t, environ(), "--engine", engineURL, "--addr", "127.0.0.1:0", "--http-addr", "")
	c := p.client()
	for deadline := time.Now().Add(30 * time.Second); ; {
		err := c.Do(t.Context(), "INC.COUNT").Err()
		if err == nil {
			break
		}
		if !strings.HasPrefix(err.Error(), "LOADING") || time.Now().After(deadline) {
			t.Fatalf("server not ready after restart: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, id := range acked {
		doc, err := c.Do(t.Context(), "INC.GET", id).Text()
		if err != nil || !strings.Contains(doc, id) {
			t.Fatalf("acknowledged incident %s after restart: %q %v", id, doc, err)
		}
	}
}

func TestSIGTERMAfterWrites(t *testing.T) {
	for _, e := range shutdownEngines {
		t.Run(e.name, func(t *testing.T) {
			url := e.url(t)
			p := startProc(t, environ(), append([]string{"--engine", url, "--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"}, e.args...)...)
			c := p.client(func(o *redis.Options) { o.PoolSize = 8 })
			var wg sync.WaitGroup
			errs := make(chan error, 500)
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < 500; i += 8 {
						if err := c.Do(context.Background(), "INC.SAVE", idIncident(i)).Err(); err != nil {
							errs <- err
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if n, err := c.Do(t.Context(), "INC.COUNT").Int(); err != nil || n != 500 {
				t.Fatalf("INC.COUNT = %d %v, want 500", n, err)
			}
			start := time.Now()
			p.signal(syscall.SIGTERM)
			if code := p.wait(10 * time.Second); code != 0 {
				t.Fatalf("exit status %d after SIGTERM:\n%s", code, p.log())
			}
			t.Logf("exited %s after SIGTERM", time.Since(start))
			for _, want := range []string{`"message":"shutting down"`, `"message":"imredis stopped"`} {
				if !strings.Contains(p.log(), want) {
					t.Errorf("log lacks %s:\n%s", want, p.log())
				}
			}
			if e.durable {
				var ids []string
				for i := range 500 {
					ids = append(ids, incidentID(i))
				}
				checkDurable(t, url, ids)
			}
		})
	}
}

// TestSIGTERMUnderLoad sends SIGTERM while clients write: the process exits
// 0 in time, every write is either acknowledged or failed, none hangs.
func TestSIGTERMUnderLoad(t *testing.T) {
	for _, e := range shutdownEngines {
		t.Run(e.name, func(t *testing.T) {
			url := e.url(t)
			p := startProc(t, environ(), append([]string{"--engine", url, "--addr", "127.0.0.1:0", "--http-addr", "", "--shutdown-timeout", "5s"}, e.args...)...)
			var (
				mu    sync.Mutex
				acked []string
				wg    sync.WaitGroup
			)
			for w := range 8 {
				c := p.client(func(o *redis.Options) { o.ReadTimeout = 10 * time.Second })
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; ; i += 8 {
						if err := c.Do(context.Background(), "INC.SAVE", idIncident(i)).Err(); err != nil {
							return // the server went away: this write was not acknowledged
						}
						mu.Lock()
						acked = append(acked, incidentID(i))
						mu.Unlock()
					}
				}()
			}
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 200 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			p.signal(syscall.SIGTERM)
			if code := p.wait(10 * time.Second); code != 0 {
				t.Fatalf("exit status %d after SIGTERM:\n%s", code, p.log())
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("writers still blocked after the server exited")
			}
			if e.durable {
				checkDurable(t, url, acked)
			}
		})
	}
}

func TestSIGHUPReopensLogFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "imredis.log")
	p := startFileLogged(t, path)
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	p.Signal(syscall.SIGHUP)
	waitForLine(t, path, `"message":"log output reopened"`)
	p.Signal(syscall.SIGTERM)
	state, err := p.Wait()
	if err != nil || state.ExitCode() != 0 {
		t.Fatalf("exit: %v %v", state, err)
	}
	rotated, _ := os.ReadFile(path + ".1")
	current, _ := os.ReadFile(path)
	if !strings.Contains(string(rotated), "imredis serving") || strings.Contains(string(rotated), "imredis stopped") {
		t.Errorf("rotated file:\n%s", rotated)
	}
	if !strings.Contains(string(current), "imredis stopped") {
		t.Errorf("reopened file lacks the last lines:\n%s", current)
	}
}

// startFileLogged starts imredis logging to path and waits for its startup line there.
func startFileLogged(t *testing.T, path string) *os.Process {
	t.Helper()
	p, err := os.StartProcess(binary, []string{binary, "--engine", "memory:", "--addr", "127.0.0.1:0",
		"--http-addr", "", "--log-file", path}, &os.ProcAttr{Env: environ(), Files: []*os.File{nil, os.Stderr, os.Stderr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.Signal(syscall.Signal(0)) == nil {
			p.Kill()
			p.Wait()
		}
	})
	waitForLine(t, path, `"message":"imredis serving"`)
	return p
}

// waitForLine waits up to 10 s for a line containing want in the file at path.
func waitForLine(t *testing.T, path, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(data), want) {
			return
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s has no line with %s:\n%s", path, want, data)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
