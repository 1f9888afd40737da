package resp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tidwall/redcon"
)

const (
	pingCmd = "*1\r\n$4\r\nPING\r\n"
	echoHi  = "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n"
)

// guardHandler is the redcon handler behind the guard in these tests.
func guardHandler(conn redcon.Conn, cmd redcon.Command) {
	switch strings.ToLower(string(cmd.Args[0])) {
	case "ping":
		conn.WriteString("PONG")
	case "echo":
		if len(cmd.Args) != 2 {
			conn.WriteError("ERR wrong number of arguments for 'echo' command")
			return
		}
		conn.WriteBulk(cmd.Args[1])
	case "tighten":
		conn.NetConn().(*GuardConn).SetLimits(Limits{MaxMultibulk: 3, MaxBulk: 10, MaxInline: 100})
		conn.WriteString("OK")
	case "relax":
		conn.NetConn().(*GuardConn).SetLimits(DefaultLimits())
		conn.WriteString("OK")
	default:
		conn.WriteError("ERR unknown command")
	}
}

// testServer is a redcon server behind a guard on 127.0.0.1.
type testServer struct {
	addr string
	errs chan string
}

func startGuard(t *testing.T, lim Limits) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveGuard(t, ln, lim)
}

// serveGuard serves the test handler behind a guard on ln until the test ends.
func serveGuard(t *testing.T, ln net.Listener, lim Limits) *testServer {
	s := &testServer{addr: ln.Addr().String(), errs: make(chan string, 16)}
	gl := NewGuardListener(ln, lim)
	gl.OnProtocolError = func(msg string) { s.errs <- msg }
	done := make(chan struct{})
	go func() {
		_ = redcon.Serve(gl, guardHandler, nil, nil)
		close(done)
	}()
	t.Cleanup(func() {
		_ = gl.Close()
		<-done
	})
	return s
}

// testClient is a raw TCP client with a reply reader.
type testClient struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func (s *testServer) dial(t *testing.T) *testClient {
	t.Helper()
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &testClient{t: t, c: c, r: bufio.NewReader(c)}
}

// send writes s in the background (a hostile client may be cut off mid-write).
func (c *testClient) send(s string) {
	go func() { _, _ = c.c.Write([]byte(s)) }()
}

// sendNow writes s and fails the test on error.
func (c *testClient) sendNow(s string) {
	c.t.Helper()
	if _, err := c.c.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

// expect reads len(want) bytes and compares them with want.
func (c *testClient) expect(want string) {
	c.t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(want))
	n, err := io.ReadFull(c.r, got)
	if string(got[:n]) != want {
		c.t.Fatalf("got %q (err %v), want %q", got[:n], err, want)
	}
}

// expectClosed checks that the server closes the connection with nothing more to say.
func (c *testClient) expectClosed() {
	c.t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	rest, err := io.ReadAll(c.r)
	if len(rest) > 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
		c.t.Fatalf("after the error: %q, %v; want the connection closed", rest, err)
	}
}

// expectProtoErr checks for the protocol error reply msg, the close and the callback.
func (c *testClient) expectProtoErr(s *testServer, msg string) {
	c.t.Helper()
	c.expect("-" + msg + "\r\n")
	c.expectClosed()
	select {
	case got := <-s.errs:
		if got != msg {
			c.t.Fatalf("OnProtocolError(%q), want %q", got, msg)
		}
	case <-time.After(5 * time.Second):
		c.t.Fatal("OnProtocolError not called")
	}
}

func TestGuardPipelined(t *testing.T) {
	s := startGuard(t, DefaultLimits())
	c := s.dial(t)
	var in, want strings.Builder
	for i := range 100 {
		switch i % 3 {
		case 0:
			in.WriteString(pingCmd)
			want.WriteString("+PONG\r\n")
		case 1:
			in.WriteString(echoHi)
			want.WriteString("$2\r\nhi\r\n")
		default:
			in.WriteString("ECHO \"a b\"\r\n")
			want.WriteString("$3\r\na b\r\n")
		}
	}
	c.sendNow(in.String())
	c.expect(want.String())
}

func TestGuardByteByByte(t *testing.T) {
	s := startGuard(t, DefaultLimits())
	c := s.dial(t)
	cmd := "*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\nPING\r\n"
	for i := range len(cmd) {
		c.sendNow(cmd[i : i+1])
		time.Sleep(time.Millisecond)
	}
	c.expect("$11\r\nhello world\r\n+PONG\r\n")
}

func TestGuardBigBulk(t *testing.T) {
	s := startGuard(t, DefaultLimits())
	c := s.dial(t)
	big := strings.Repeat("x", 3<<20)
	c.send("*2\r\n$4\r\nECHO\r\n$3145728\r\n" + big + "\r\n" + pingCmd)
	c.expect("$3145728\r\n" + big + "\r\n+PONG\r\n")
}

func TestGuardIgnoresEmpty(t *testing.T) {
	s := startGuard(t, DefaultLimits())
	c := s.dial(t)
	c.sendNow("*0\r\n*-1\r\n\r\n\n" + pingCmd)
	c.expect("+PONG\r\n")
	for _, part := range []string{"*0\r\n", "*-1\r\n", "\r\n", pingCmd} {
		c.sendNow(part)
	}
	c.expect("+PONG\r\n")
}

// hostileCases are inputs answered with a protocol error and a close.
var hostileCases = []struct {
	name string
	lim  Limits
	in   string
	want string
}{
	{"huge multibulk", Limits{}, "*9000000000000000000\r\n", protoErrMultibulkLen},
	{"multibulk over max", Limits{}, "*1048577\r\n", protoErrMultibulkLen},
	{"multibulk not a number", Limits{}, "*abc\r\n", protoErrMultibulkLen},
	{"multibulk plus sign", Limits{}, "*+5\r\n", protoErrMultibulkLen},
	{"multibulk space", Limits{}, "* 5\r\n", protoErrMultibulkLen},
	{"multibulk leading zero", Limits{}, "*05\r\n", protoErrMultibulkLen},
	{"multibulk minus zero", Limits{}, "*-0\r\n", protoErrMultibulkLen},
	{"multibulk overflow", Limits{}, "*-99999999999999999999\r\n", protoErrMultibulkLen},
	{"multibulk LF only", Limits{}, "*1\n", protoErrMultibulkLen},
	{"bulk over small max", Limits{MaxBulk: 1000}, "*1\r\n$1001\r\n", protoErrBulkLen},
	{"bulk over 512MB", Limits{}, "*1\r\n$536870913\r\n", protoErrBulkLen},
	{"bulk negative", Limits{}, "*1\r\n$-1\r\n", protoErrBulkLen},
	{"bulk plus sign", Limits{}, "*1\r\n$+4\r\n", protoErrBulkLen},
	{"bulk not a number", Limits{}, "*1\r\n$x\r\n", protoErrBulkLen},
	{"bulk without CRLF", Limits{}, "*1\r\n$4\r\nPINGxx", protoErrBulkLen},
	{"expected dollar", Limits{}, "*1\r\nPING\r\n", "ERR Protocol error: expected '$', got 'P'"},
	{"expected dollar CR", Limits{}, "*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '"},
	{"inline too big", Limits{}, strings.Repeat("a", 70<<10), protoErrInline},
	{"inline too big 10MB", Limits{}, strings.Repeat("a", 10<<20), protoErrInline},
	{"mbulk count too big", Limits{}, "*" + strings.Repeat("1", 70<<10), protoErrMbulkCount},
	{"bulk count too big", Limits{}, "*1\r\n$" + strings.Repeat("1", 70<<10), protoErrBulkCount},
}

func TestGuardHostile(t *testing.T) {
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			s := startGuard(t, tc.lim)
			c := s.dial(t)
			start := time.Now()
			c.send(tc.in)
			c.expectProtoErr(s, tc.want)
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

func TestGuardMultibulkAtMax(t *testing.T) {
	s := startGuard(t, DefaultLimits())
	c := s.dial(t)
	c.sendNow("*1048576\r\n" + pingCmd[4:])
	_ = c.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if b, err := c.r.ReadByte(); !isTimeout(err) {
		t.Fatalf("read %q, %v; want a timeout (header accepted, command pending)", b, err)
	}

	s = startGuard(t, Limits{MaxMultibulk: 2})
	c = s.dial(t)
	c.sendNow(echoHi)
	c.expect("$2\r\nhi\r\n")
	c.sendNow("*3\r\n")
	c.expectProtoErr(s, protoErrMultibulkLen)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestGuardRepliesBeforeError(t *testing.T) {
	s := startGuard(t, DefaultLimits())
	c := s.dial(t)
	c.sendNow("PING\r\n" + pingCmd + echoHi + "*1\r\n$4\r\nPI")
	c.expect("+PONG\r\n+PONG\r\n$2\r\nhi\r\n")
	c.sendNow("NGxx" + pingCmd)
	c.expectProtoErr(s, protoErrBulkLen)

	c = s.dial(t)
	c.sendNow(pingCmd + "*x\r\n")
	c.expect("+PONG\r\n")
	c.expectProtoErr(s, protoErrMultibulkLen)
}

func TestGuardIsolation(t *testing.T) {
	s := startGuard(t, DefaultLimits())
	good := s.dial(t)
	good.sendNow(pingCmd)
	good.expect("+PONG\r\n")
	slow := s.dial(t)
	slow.sendNow("*2\r\n$4\r\nECHO\r\n$100000000\r\nabc")
	bad := s.dial(t)
	bad.send("*9000000000000000000\r\n")
	bad.expectProtoErr(s, protoErrMultibulkLen)
	good.sendNow(pingCmd + echoHi)
	good.expect("+PONG\r\n$2\r\nhi\r\n")
}

func TestGuardSetLimits(t *testing.T) {
	s := startGuard(t, DefaultLimits())
	c := s.dial(t)
	long := "*2\r\n$4\r\nECHO\r\n$11\r\nhello world\r\n"
	c.sendNow(long)
	c.expect("$11\r\nhello world\r\n")
	c.sendNow("TIGHTEN\r\n")
	c.expect("+OK\r\n")
	c.sendNow(echoHi)
	c.expect("$2\r\nhi\r\n")
	c.sendNow(long)
	c.expectProtoErr(s, protoErrBulkLen)

	s = startGuard(t, Limits{MaxBulk: 10}) // like AUTH: relax, and pipeline a big command
	c = s.dial(t)
	c.sendNow("RELAX\r\n" + long)
	c.expect("+OK\r\n$11\r\nhello world\r\n")
}

func TestGuardMemory(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	gl := NewGuardListener(ln, Limits{MaxBulk: 2 << 30})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	forwarded := make(chan int64, 1)
	go func() {
		conn, err := gl.Accept()
		if err != nil {
			forwarded <- -1
			return
		}
		n, _ := io.Copy(io.Discard, conn) // returns at the client's close
		forwarded <- n
		_ = conn.Close()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("*2\r\n$4\r\nECHO\r\n$1000000000\r\n" + strings.Repeat("x", 4096)))
	_ = c.Close()
	if n := <-forwarded; n != 0 {
		t.Fatalf("forwarded %d bytes of an incomplete command", n)
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 32<<20 {
		t.Fatalf("allocated %d bytes for a 1 GB announced bulk", grew)
	}
}

// loopConn is an endless in-memory net.Conn that repeats data.
type loopConn struct {
	chunkConn
	data []byte
	off  int
}

func (c *loopConn) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], c.data[c.off:])
		n += k
		c.off = (c.off + k) % len(c.data)
	}
	return n, nil
}

// BenchmarkGuard reads 64 KiB of pipelined small commands per op through a
// GuardConn ("guard"), next to redcon parsing the same input ("redcon"), for scale.
func BenchmarkGuard(b *testing.B) {
	var payload []byte
	for len(payload) < 64<<10 {
		payload = append(payload, "*3\r\n$3\r\nSET\r\n$6\r\nkey:42\r\n$10\r\nvalue-1234\r\n"+pingCmd...)
	}
	b.Run("guard", func(b *testing.B) {
		g := newGuardConn(&loopConn{data: payload}, DefaultLimits(), nil)
		p := make([]byte, 4096)
		benchLoop(b, len(payload), func() int { n, _ := g.Read(p); return n })
	})
	b.Run("redcon", func(b *testing.B) {
		rd := redcon.NewReader(&loopConn{data: payload})
		benchLoop(b, len(payload), func() (n int) {
			cmds, _ := rd.ReadCommands()
			for _, cmd := range cmds {
				n += len(cmd.Raw)
			}
			return n
		})
	})
}

// benchLoop calls read until size bytes per op went through.
func benchLoop(b *testing.B, size int, read func() int) {
	b.SetBytes(int64(size))
	b.ReportAllocs()
	total := 0
	for i := 0; b.Loop(); i++ {
		for total < (i+1)*size {
			total += read()
		}
	}
}

// countingListener's connections count the writes made on them.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return &countingConn{Conn: c, writes: &l.writes}, err
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// TestGuardOneWritePerPipeline checks that a pipeline that arrives in one
// read is answered in one write, although redcon takes it in 4 KiB pieces
// and flushes after each, and that replies still come in order.
func TestGuardOneWritePerPipeline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	c := serveGuard(t, cl, DefaultLimits()).dial(t)
	for round := range 20 {
		var in, want strings.Builder
		for i := range 16 { // 16 × 720 bytes: one guard read, four redcon reads
			arg := strings.Repeat(string(rune('a'+i)), 700) + strconv.Itoa(round)
			fmt.Fprintf(&in, "*2\r\n$4\r\nECHO\r\n$%d\r\n%s\r\n", len(arg), arg)
			fmt.Fprintf(&want, "$%d\r\n%s\r\n", len(arg), arg)
		}
		before := cl.writes.Load()
		c.sendNow(in.String())
		c.expect(want.String())
		if n := cl.writes.Load() - before; n != 1 {
			t.Fatalf("round %d: the pipeline was answered in %d writes, want 1", round, n)
		}
	}
	// A command on its own is answered at once.
	c.sendNow(pingCmd)
	c.expect("+PONG\r\n")
}

// TestWhole checks the guard's one-pass framing of complete commands: it
// takes only a whole, valid multibulk, and leaves everything else (0) to
// the state machine, which FuzzGuard holds the guard's output to.
func TestWhole(t *testing.T) {
	lim := DefaultLimits()
	small := Limits{MaxMultibulk: 2, MaxBulk: 3, MaxInline: 3}
	for _, tc := range []struct {
		in   string
		lim  Limits
		want int
	}{
		{pingCmd, lim, len(pingCmd)},
		{pingCmd + pingCmd, lim, len(pingCmd)},
		{"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", lim, 19},
		{"*1\r\n$4\r\nPIN", lim, 0},                           // not all here
		{"*1\r\n$4\r\nPING\r", lim, 0},                        // nor here
		{"*1\r", lim, 0},                                      // nor here
		{"PING\r\n", lim, 0},                                  // inline
		{"*0\r\n", lim, 0},                                    // empty: dropped by the state machine
		{"*-1\r\n", lim, 0},                                   // likewise
		{"*01\r\n$4\r\nPING\r\n", lim, 0},                     // leading zero
		{"*1\r\n$4\r\nPINGX\r\n", lim, 0},                     // no CRLF after the data
		{"*1\r\n+4\r\nPING\r\n", lim, 0},                      // not a bulk
		{"*1\r\n$4\n\nPING\r\n", lim, 0},                      // LF alone
		{"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", small, 0}, // too many elements
		{"*1\r\n$4\r\nPING\r\n", small, 0},                    // too long a bulk
		{"*1\r\n$1000\r\n", small, 0},                         // too long a header
		{"*1\r\n$9223372036854775807\r\n", lim, 0},
	} {
		lim := tc.lim.normalized()
		if got := whole([]byte(tc.in), &lim); got != tc.want {
			t.Errorf("whole(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}
