package redistest

import (
	"context"
	"strings"
	"testing"
)

func TestStartKillRestart(t *testing.T) {
	ctx := context.Background()
	s := Start(t, "--appendonly", "yes", "--appendfsync", "always")
	if !strings.HasPrefix(s.URL(), "redis://127.0.0.1:") {
		t.Fatalf("URL() = %q", s.URL())
	}
	c := s.Client(3)
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatalf("SET: %v", err)
	}
	addr := s.Addr()
	s.Kill()
	if ping(addr) {
		t.Fatal("server still answers after Kill")
	}
	s.Restart()
	if s.Addr() != addr {
		t.Fatalf("Restart moved from %s to %s", addr, s.Addr())
	}
	if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("GET after restart = %q, %v; want the AOF to keep it", v, err)
	}
}

func TestTwoServers(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Addr() == b.Addr() {
		t.Fatalf("both servers on %s", a.Addr())
	}
}
