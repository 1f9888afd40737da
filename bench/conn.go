package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// Conn is a raw RESP2 client connection with little overhead: commands are
// appended to a buffer, flushed as one pipeline, and replies are read back
// one at a time, either skipped (Skip) or decoded (Read).
type Conn struct {
	nc  net.Conn
	r   *bufio.Reader
	out []byte
}

// ServerError is an error reply.
type ServerError string

func (e ServerError) Error() string { return string(e) }

// Dial connects to addr.
func Dial(addr string) (*Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &Conn{nc: nc, r: bufio.NewReaderSize(nc, 64<<10), out: make([]byte, 0, 64<<10)}, nil
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// AppendRaw appends an already encoded command.
func (c *Conn) AppendRaw(cmd []byte) { c.out = append(c.out, cmd...) }

// Append appends one command.
func (c *Conn) Append(args ...string) { c.out = AppendCommand(c.out, args...) }

// Flush sends every appended command.
func (c *Conn) Flush() error {
	_, err := c.nc.Write(c.out)
	c.out = c.out[:0]
	return err
}

// Do sends one command and reads its reply; an error reply is returned as a
// ServerError.
func (c *Conn) Do(args ...string) (Value, error) {
	c.Append(args...)
	if err := c.Flush(); err != nil {
		return Value{}, err
	}
	return c.Read()
}

// AppendCommand encodes args as a RESP array of bulk strings onto b.
func AppendCommand(b []byte, args ...string) []byte {
	b = append(b, '*')
	b = strconv.AppendInt(b, int64(len(args)), 10)
	b = append(b, '\r', '\n')
	for _, a := range args {
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(len(a)), 10)
		b = append(b, '\r', '\n')
		b = append(b, a...)
		b = append(b, '\r', '\n')
	}
	return b
}

// Value is a decoded reply. Kind is the RESP type byte ('+', '-', ':', '$',
// '*'); Null is set for a null bulk or array.
type Value struct {
	Kind  byte
	Null  bool
	Str   []byte
	Int   int64
	Elems []Value
}

// line reads one CRLF-terminated line without the CRLF; the slice is valid
// until the next read.
func (c *Conn) line() ([]byte, error) {
	l, err := c.r.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	if len(l) < 3 || l[len(l)-2] != '\r' {
		return nil, fmt.Errorf("bench: malformed reply line %q", l)
	}
	return l[:len(l)-2], nil
}

func parseLen(b []byte) (int, error) {
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, fmt.Errorf("bench: malformed length %q", b)
	}
	return n, nil
}

// Skip reads one reply and discards it; an error reply (even nested) is
// returned as a ServerError after the whole reply has been read.
func (c *Conn) Skip() error {
	l, err := c.line()
	if err != nil {
		return err
	}
	switch l[0] {
	case '+', ':':
		return nil
	case '-':
		return ServerError(l[1:])
	case '$':
		n, err := parseLen(l[1:])
		if err != nil || n < 0 {
			return err
		}
		_, err = c.r.Discard(n + 2)
		return err
	case '*':
		n, err := parseLen(l[1:])
		if err != nil {
			return err
		}
		var first error
		for range n {
			if err := c.Skip(); err != nil {
				var se ServerError
				if !errors.As(err, &se) {
					return err
				}
				if first == nil {
					first = err
				}
			}
		}
		return first
	}
	return fmt.Errorf("bench: unexpected reply type %q", l[0])
}

// Read reads and decodes one reply; an error reply is returned as a ServerError.
func (c *Conn) Read() (Value, error) {
	v, err := c.read()
	if err == nil && v.Kind == '-' {
		return v, ServerError(v.Str)
	}
	return v, err
}

func (c *Conn) read() (Value, error) {
	l, err := c.line()
	if err != nil {
		return Value{}, err
	}
	v := Value{Kind: l[0]}
	switch v.Kind {
	case '+', '-':
		v.Str = append([]byte(nil), l[1:]...)
	case ':':
		v.Int, err = strconv.ParseInt(string(l[1:]), 10, 64)
	case '$':
		n, err := parseLen(l[1:])
		if err != nil || n < 0 {
			v.Null = n < 0
			return v, err
		}
		v.Str = make([]byte, n+2)
		if _, err := io.ReadFull(c.r, v.Str); err != nil {
			return v, err
		}
		v.Str = v.Str[:n]
	case '*':
		n, err := parseLen(l[1:])
		if err != nil || n < 0 {
			v.Null = n < 0
			return v, err
		}
		v.Elems = make([]Value, n)
		for i := range v.Elems {
			if v.Elems[i], err = c.read(); err != nil {
				return v, err
			}
		}
	default:
		err = fmt.Errorf("bench: unexpected reply type %q", l[0])
	}
	return v, err
}
