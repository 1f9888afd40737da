package servertest

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Timeout bounds every read and write of a RawConn.
const Timeout = 5 * time.Second

// RawConn is a plain TCP connection that sends and reads exact RESP bytes.
type RawConn struct {
	conn net.Conn
	rd   *bufio.Reader
}

// Raw dials the server; the connection is closed when the test ends.
func (s *Server) Raw(t testing.TB) *RawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr, Timeout)
	if err != nil {
		t.Fatalf("servertest: dial %s: %v", s.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return &RawConn{conn: c, rd: bufio.NewReader(c)}
}

// Close closes the connection.
func (r *RawConn) Close() error { return r.conn.Close() }

// Send writes raw bytes as they are.
func (r *RawConn) Send(t testing.TB, raw string) {
	t.Helper()
	r.conn.SetWriteDeadline(time.Now().Add(Timeout))
	if _, err := io.WriteString(r.conn, raw); err != nil {
		t.Fatalf("servertest: send %q: %v", raw, err)
	}
}

// Do sends one command encoded as a multibulk of args.
func (r *RawConn) Do(t testing.TB, args ...string) {
	t.Helper()
	r.Send(t, Encode(args...))
}

// Encode renders args as one RESP multibulk command.
func Encode(args ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	return b.String()
}

// ReadReply reads one complete reply (aggregates included) and returns its
// exact bytes.
func (r *RawConn) ReadReply(t testing.TB) string {
	t.Helper()
	r.conn.SetReadDeadline(time.Now().Add(Timeout))
	var b strings.Builder
	if err := readReply(r.rd, &b); err != nil {
		t.Fatalf("servertest: read reply (got %q so far): %v", b.String(), err)
	}
	return b.String()
}

// Expect reads whole replies until it has at least len(want) bytes and
// compares them with want.
func (r *RawConn) Expect(t testing.TB, want string) {
	t.Helper()
	var got strings.Builder
	for got.Len() < len(want) {
		got.WriteString(r.ReadReply(t))
	}
	if got.String() != want {
		t.Fatalf("reply mismatch\n got: %q\nwant: %q", got.String(), want)
	}
}

// ExpectClosed checks that the server closed the connection with nothing
// more to read.
func (r *RawConn) ExpectClosed(t testing.TB) {
	t.Helper()
	r.conn.SetReadDeadline(time.Now().Add(Timeout))
	rest, err := io.ReadAll(r.rd)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("servertest: connection still open after %v (read %q)", Timeout, rest)
	}
	if len(rest) > 0 {
		t.Fatalf("servertest: unexpected bytes before close: %q", rest)
	}
}

// readReply copies one reply from rd into b.
func readReply(rd *bufio.Reader, b *strings.Builder) error {
	line, err := rd.ReadString('\n')
	b.WriteString(line)
	if err != nil {
		return err
	}
	if len(line) < 3 || line[len(line)-2] != '\r' {
		return errors.New("malformed line")
	}
	head, body := line[0], line[1:len(line)-2]
	switch head {
	case '+', '-', ':', '_', '#', ',', '(':
		return nil
	case '$', '=', '!':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return err // $-1 is a null
		}
		buf := make([]byte, n+2)
		_, err = io.ReadFull(rd, buf)
		b.Write(buf)
		return err
	case '*', '~', '>', '%', '|':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return err
		}
		if head == '%' || head == '|' {
			n *= 2
		}
		for range n {
			if err := readReply(rd, b); err != nil {
				return err
			}
		}
		return nil
	}
	return errors.New("unknown reply type " + strconv.QuoteRune(rune(head)))
}
