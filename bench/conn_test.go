package bench

import (
	"bufio"
	"errors"
	"net"
	"testing"
)

// fake serves raw reply bytes once the client has sent something.
func fake(t *testing.T, replies string) *Conn {
	t.Helper()
	client, server := net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	go func() {
		buf := make([]byte, 4096)
		if _, err := server.Read(buf); err == nil {
			server.Write([]byte(replies))
		}
	}()
	return &Conn{nc: client, r: bufio.NewReader(client)}
}

func TestConnReadAndSkip(t *testing.T) {
	c := fake(t, "*3\r\n$3\r\nabc\r\n$-1\r\n:42\r\n+OK\r\n-ERR boom\r\n*2\r\n+QUEUED\r\n-WRONGTYPE x\r\n$2\r\nhi\r\n")
	c.Append("PING")
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	v, err := c.Read()
	if err != nil || len(v.Elems) != 3 || string(v.Elems[0].Str) != "abc" || !v.Elems[1].Null || v.Elems[2].Int != 42 {
		t.Fatalf("array: %+v %v", v, err)
	}
	if err := c.Skip(); err != nil {
		t.Fatalf("+OK: %v", err)
	}
	var se ServerError
	if err := c.Skip(); !errors.As(err, &se) || string(se) != "ERR boom" {
		t.Fatalf("error reply: %v", err)
	}
	if err := c.Skip(); !errors.As(err, &se) || string(se) != "WRONGTYPE x" {
		t.Fatalf("nested error: %v", err)
	}
	if v, err := c.Read(); err != nil || string(v.Str) != "hi" {
		t.Fatalf("after a nested error the next reply must be intact: %+v %v", v, err)
	}
}

func TestAppendCommand(t *testing.T) {
	got := string(AppendCommand(nil, "SET", "k", ""))
	if want := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
