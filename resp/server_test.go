package resp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// srvObserved records what Options.Observe saw.
type srvObserved struct {
	mu    sync.Mutex
	calls []string
}

func (o *srvObserved) observe(name string, _ time.Duration, failed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if failed {
		name += "!"
	}
	o.calls = append(o.calls, name)
}

func (o *srvObserved) get() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.calls, " ")
}

// srvTable is a small table exercising dispatch without the commands package.
func srvTable() *Table {
	tb := NewTable()
	tb.Register(Command{Name: "ping", Arity: -1, Flags: FlagLoading, Handler: func(c *Ctx, a [][]byte) { c.W.Simple("PONG") }})
	tb.Register(Command{Name: "echo", Arity: 2, Handler: func(c *Ctx, a [][]byte) { c.W.Bulk(a[1]) }})
	tb.Register(Command{Name: "login", Arity: 1, Flags: FlagNoAuth | FlagLoading, Handler: func(c *Ctx, a [][]byte) {
		c.SetAuthed("default")
		c.W.Simple("OK")
	}})
	tb.Register(Command{Name: "quit", Arity: 1, Flags: FlagNoAuth, Handler: func(c *Ctx, a [][]byte) {
		c.W.Simple("OK")
		c.Close()
	}})
	tb.Register(Command{Name: "boom", Arity: 1, Handler: func(c *Ctx, a [][]byte) {
		c.W.Array(2)
		var m map[string]int
		m["x"] = 1 // nil map write panics
	}})
	tb.Register(Command{Name: "proto3", Arity: 1, Handler: func(c *Ctx, a [][]byte) {
		c.SetProto(3)
		c.W.Reset(3)
		c.W.Null()
	}})
	tb.Register(Command{Name: "null", Arity: 1, Handler: func(c *Ctx, a [][]byte) { c.W.Null() }})
	var kept [][]byte // arguments "keep" held on to, as a handler may
	tb.Register(Command{Name: "keep", Arity: -1, Handler: func(c *Ctx, a [][]byte) {
		kept = append(kept, a[1:]...)
		c.W.Int(int64(len(kept)))
	}})
	tb.Register(Command{Name: "kept", Arity: 1, Handler: func(c *Ctx, a [][]byte) {
		c.W.Array(len(kept))
		for _, k := range kept {
			c.W.Bulk(k)
		}
	}})
	return tb
}

// srvConn is a raw client connection to a test server.
type srvConn struct {
	net.Conn
	rd *bufio.Reader
}

// startSrv serves srvTable on 127.0.0.1:0 until the test ends.
func startSrv(t *testing.T, opts Options) (string, *Server) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = zerolog.Nop()
	s := NewServer(srvTable(), opts)
	done := make(chan struct{})
	go func() { s.Serve(ln); close(done) }()
	t.Cleanup(func() { s.Close(); ln.Close(); <-done })
	return ln.Addr().String(), s
}

func dialSrv(t *testing.T, addr string) *srvConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	return &srvConn{Conn: c, rd: bufio.NewReader(c)}
}

// roundTrip writes send and reads exactly len(want) bytes.
func (c *srvConn) roundTrip(t *testing.T, send, want string) {
	t.Helper()
	if _, err := io.WriteString(c, send); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(want))
	n, err := io.ReadFull(c.rd, got)
	if string(got[:n]) != want {
		t.Fatalf("%q\n got %q (%v)\nwant %q", send, got[:n], err, want)
	}
}

func inline(args ...string) string { return strings.Join(args, " ") + "\r\n" }

func TestDispatch(t *testing.T) {
	var obs srvObserved
	addr, s := startSrv(t, Options{Observe: obs.observe})
	c := dialSrv(t, addr)
	c.roundTrip(t, inline("PING"), "+PONG\r\n")
	c.roundTrip(t, inline("eChO", "hi"), "$2\r\nhi\r\n")
	c.roundTrip(t, inline("echo"), "-ERR wrong number of arguments for 'echo' command\r\n")
	c.roundTrip(t, inline("echo", "a", "b"), "-ERR wrong number of arguments for 'echo' command\r\n")
	c.roundTrip(t, inline("nope", "x"), "-ERR unknown command 'nope', with args beginning with: 'x' \r\n")
	c.roundTrip(t, inline(strings.Repeat("n", 65)), "-ERR unknown command '"+strings.Repeat("n", 65)+"', with args beginning with: \r\n")
	c.roundTrip(t, inline("null"), "$-1\r\n")
	c.roundTrip(t, inline("proto3")+inline("null"), "_\r\n_\r\n")
	want := "ping echo echo! echo! unknown! unknown! null proto3 null"
	if got := obs.get(); got != want {
		t.Fatalf("Observe saw %q, want %q", got, want)
	}
	if _, cmds, errs, _ := s.Counters(); cmds != 9 || errs != 4 {
		t.Fatalf("Counters: %d commands, %d error replies; want 9, 4", cmds, errs)
	}
}

// TestDispatchPanic checks that a panicking handler answers ERR internal
// error, drops its half-written reply, and the server keeps serving.
func TestDispatchPanic(t *testing.T) {
	var obs srvObserved
	addr, _ := startSrv(t, Options{Observe: obs.observe})
	c := dialSrv(t, addr)
	c.roundTrip(t, inline("boom")+inline("ping"), "-ERR internal error\r\n+PONG\r\n")
	dialSrv(t, addr).roundTrip(t, inline("ping"), "+PONG\r\n")
	if got := obs.get(); got != "boom! ping ping" {
		t.Fatalf("Observe saw %q", got)
	}
}

func TestDispatchAuthAndLoading(t *testing.T) {
	loading := true
	var mu sync.Mutex
	addr, _ := startSrv(t, Options{AuthRequired: true, Loading: func() bool { mu.Lock(); defer mu.Unlock(); return loading }})
	c := dialSrv(t, addr)
	c.roundTrip(t, inline("echo", "x"), "-NOAUTH Authentication required.\r\n")
	c.roundTrip(t, inline("echo"), "-ERR wrong number of arguments for 'echo' command\r\n")
	c.roundTrip(t, inline("nope"), "-ERR unknown command 'nope', with args beginning with: \r\n")
	c.roundTrip(t, inline("login"), "+OK\r\n")
	c.roundTrip(t, inline("echo", "x"), "-LOADING imredis is loading the dataset in memory\r\n")
	c.roundTrip(t, inline("ping"), "+PONG\r\n")
	mu.Lock()
	loading = false
	mu.Unlock()
	c.roundTrip(t, inline("echo", "x"), "$1\r\nx\r\n")
	dialSrv(t, addr).roundTrip(t, inline("echo", "x"), "-NOAUTH Authentication required.\r\n")
}

// TestDispatchQuitPipeline checks that nothing pipelined after QUIT runs.
func TestDispatchQuitPipeline(t *testing.T) {
	var obs srvObserved
	addr, s := startSrv(t, Options{Observe: obs.observe})
	c := dialSrv(t, addr)
	c.roundTrip(t, inline("ping")+inline("quit")+inline("echo", "after")+inline("ping"), "+PONG\r\n+OK\r\n")
	if rest, err := io.ReadAll(c.rd); len(rest) != 0 || err != nil {
		t.Fatalf("after QUIT read %q, %v; want EOF", rest, err)
	}
	if got := obs.get(); got != "ping quit" {
		t.Fatalf("Observe saw %q, want only ping and quit", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(s.Clients()) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(s.Clients()); n != 0 {
		t.Fatalf("%d clients still registered after QUIT", n)
	}
}

func TestClientsRegistry(t *testing.T) {
	addr, s := startSrv(t, Options{})
	a, b := dialSrv(t, addr), dialSrv(t, addr)
	a.roundTrip(t, inline("ping"), "+PONG\r\n")
	b.roundTrip(t, inline("ping"), "+PONG\r\n")
	cl := s.Clients()
	if len(cl) != 2 || cl[0].ID >= cl[1].ID || s.Client(cl[1].ID) != cl[1] || s.Client(999) != nil {
		t.Fatalf("Clients() = %v", cl)
	}
	info := cl[0].Info(time.Now())
	for _, want := range []string{"id=", " addr=" + a.LocalAddr().String() + " ", " db=0 ", " cmd=ping ", " user=default ", " resp=2 "} {
		if !strings.Contains(info, want) {
			t.Errorf("Info() = %q, missing %q", info, want)
		}
	}
	if conns, _, _, _ := s.Counters(); conns != 2 {
		t.Fatalf("connections = %d, want 2", conns)
	}
}

// bulk encodes one multibulk command.
func bulk(args ...string) string {
	out := "*" + strconv.Itoa(len(args)) + "\r\n"
	for _, a := range args {
		out += "$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n"
	}
	return out
}

// The connection loop reuses its read buffer, never the memory of arguments
// it handed to a command; it reads a command larger than that buffer, and
// inline and multibulk commands mixed in one pipeline.
func TestConnLoop(t *testing.T) {
	addr, _ := startSrv(t, Options{})
	c := dialSrv(t, addr)
	big := strings.Repeat("b", 3*connReadSize+5)
	c.roundTrip(t, bulk("keep", "first", "second")+inline("keep", "third"), ":2\r\n:3\r\n")
	c.roundTrip(t, bulk("keep", big)+bulk("echo", "after"), ":4\r\n$5\r\nafter\r\n")
	for range 3 { // overwrite the read buffer
		c.roundTrip(t, bulk("echo", strings.Repeat("x", connReadSize/2)), "$"+strconv.Itoa(connReadSize/2)+"\r\n"+strings.Repeat("x", connReadSize/2)+"\r\n")
	}
	c.roundTrip(t, inline("kept"), "*4\r\n$5\r\nfirst\r\n$6\r\nsecond\r\n$5\r\nthird\r\n$"+strconv.Itoa(len(big))+"\r\n"+big+"\r\n")
	c.roundTrip(t, inline("echo", `"unbalanced`)+inline("ping"), "-ERR Protocol error: unbalanced quotes in request\r\n")
	if _, err := c.rd.ReadByte(); err != io.EOF {
		t.Fatalf("after a protocol error the connection stays open (%v)", err)
	}
}

// TestOwn checks that own gives arguments memory of their own, apart from
// the buffer they were read into, and that appending to one leaves the next
// one alone.
func TestOwn(t *testing.T) {
	buf := []byte("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n")
	args := [][]byte{buf[8:11], buf[17:20]}
	own(args)
	copy(buf, bytes.Repeat([]byte("x"), len(buf))) // the loop reads over its buffer
	if string(args[0]) != "GET" || string(args[1]) != "key" {
		t.Fatalf("owned arguments changed with the buffer: %q", args)
	}
	_ = append(args[0], "XYZ"...)
	if string(args[1]) != "key" {
		t.Fatalf("appending to one argument overwrote the next: %q", args[1])
	}
}
