package main

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/imredis/imredis/resp"
)

// drainServer serves a table with PING and a SLOW command that takes d,
// through a drainListener.
func drainServer(t *testing.T, d time.Duration) (*resp.Server, *drainListener, chan error) {
	t.Helper()
	table := resp.NewTable()
	table.Register(resp.Command{Name: "ping", Arity: 1, Flags: resp.FlagNoAuth, Handler: func(c *resp.Ctx, _ [][]byte) { c.W.Simple("PONG") }})
	table.Register(resp.Command{Name: "slow", Arity: 1, Handler: func(c *resp.Ctx, _ [][]byte) {
		time.Sleep(d)
		c.W.Simple("DONE")
	}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dl := newDrainListener(ln)
	srv := resp.NewServer(table, resp.Options{Logger: zerolog.Nop()})
	done := make(chan error, 1)
	served := make(chan struct{})
	go func() {
		done <- srv.Serve(dl)
		close(served)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-served
	})
	return srv, dl, done
}

// dialRESP connects and checks the connection serves.
func dialRESP(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	conn.Write([]byte("PING\r\n"))
	if line, err := r.ReadString('\n'); err != nil || line != "+PONG\r\n" {
		t.Fatalf("PING: %q %v", line, err)
	}
	return conn, r
}

func TestDrainFinishesCommandsInFlight(t *testing.T) {
	_, dl, _ := drainServer(t, 300*time.Millisecond)
	busy, busyR := dialRESP(t, dl.Addr().String())
	_, idleR := dialRESP(t, dl.Addr().String())
	busy.Write([]byte("SLOW\r\n"))
	time.Sleep(50 * time.Millisecond) // SLOW is running
	start := time.Now()
	if left := dl.Drain(context.Background()); left != 0 {
		t.Fatalf("Drain left %d connections", left)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("Drain returned after %s, before SLOW finished", d)
	}
	if line, err := busyR.ReadString('\n'); err != nil || line != "+DONE\r\n" {
		t.Errorf("reply of the command in flight: %q %v", line, err)
	}
	if _, err := busyR.ReadString('\n'); err == nil {
		t.Error("busy connection still open after the drain")
	}
	if _, err := idleR.ReadString('\n'); err == nil {
		t.Error("idle connection still open after the drain")
	}
	if _, err := net.DialTimeout("tcp", dl.Addr().String(), time.Second); err == nil {
		t.Error("new connection accepted while draining")
	}
}

func TestDrainTimeout(t *testing.T) {
	srv, dl, done := drainServer(t, 5*time.Second)
	busy, busyR := dialRESP(t, dl.Addr().String())
	busy.Write([]byte("SLOW\r\n"))
	time.Sleep(50 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if left := dl.Drain(ctx); left != 1 {
		t.Errorf("Drain left %d connections, want 1", left)
	}
	srv.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Serve did not return after Close")
	}
	if _, err := busyR.ReadString('\n'); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Errorf("connection after the forced close: %v, want it closed", err)
	}
}
