package main

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// drainListener gives the RESP server a graceful stop without changing it.
// resp.Server.Close closes every connection at once, losing the replies of
// commands in flight. Drain instead stops accepting at the socket, makes each
// connection's next read return io.EOF, so that the connection's loop
// finishes the commands it has read, writes their replies and closes the
// connection itself, and waits for that. Accept blocks meanwhile instead of
// failing; Close (from resp.Server.Close) releases it.
type drainListener struct {
	net.Listener
	closed    chan struct{}
	closeOnce sync.Once

	mu       sync.Mutex
	conns    map[*drainConn]struct{}
	draining bool
	empty    chan struct{} // closed when draining and no connection is left
}

func newDrainListener(ln net.Listener) *drainListener {
	return &drainListener{Listener: ln, closed: make(chan struct{}), conns: map[*drainConn]struct{}{}}
}

// Accept returns the next connection; once draining it waits for Close.
func (l *drainListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		l.mu.Lock()
		draining := l.draining
		if err == nil && !draining {
			dc := &drainConn{Conn: c, l: l}
			l.conns[dc] = struct{}{}
			l.mu.Unlock()
			return dc, nil
		}
		l.mu.Unlock()
		if !draining {
			return nil, err
		}
		if c != nil {
			c.Close()
			continue
		}
		<-l.closed
		return nil, net.ErrClosed
	}
}

// Close closes the socket and releases a waiting Accept.
func (l *drainListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	l.mu.Lock()
	draining := l.draining
	l.mu.Unlock()
	err := l.Listener.Close()
	if draining {
		return nil // closed already by Drain
	}
	return err
}

// Drain stops accepting, lets every connection finish the commands it has
// read, and waits until all are closed or ctx is done. It returns the
// number of connections still open.
func (l *drainListener) Drain(ctx context.Context) int {
	l.mu.Lock()
	l.draining = true
	l.empty = make(chan struct{})
	if len(l.conns) == 0 {
		close(l.empty)
	}
	conns := make([]*drainConn, 0, len(l.conns))
	for c := range l.conns {
		conns = append(conns, c)
	}
	empty := l.empty
	l.mu.Unlock()
	l.Listener.Close()
	for _, c := range conns {
		c.stopReading()
	}
	select {
	case <-empty:
		return 0
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		return len(l.conns)
	}
}

func (l *drainListener) remove(c *drainConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.conns, c)
	if l.draining && len(l.conns) == 0 {
		select {
		case <-l.empty:
		default:
			close(l.empty)
		}
	}
}

// drainConn is a connection whose reads end with io.EOF once draining.
type drainConn struct {
	net.Conn
	l         *drainListener
	draining  atomic.Bool
	closeOnce sync.Once
}

// pastDeadline wakes a blocked Read at once.
var pastDeadline = time.Unix(1, 0)

// stopReading makes the next (or the blocked) Read return io.EOF.
func (c *drainConn) stopReading() {
	c.draining.Store(true)
	c.Conn.SetReadDeadline(pastDeadline)
}

// Read reads from the connection, or returns io.EOF once draining.
func (c *drainConn) Read(p []byte) (int, error) {
	if c.draining.Load() {
		return 0, io.EOF
	}
	n, err := c.Conn.Read(p)
	if err != nil && c.draining.Load() {
		err = io.EOF
	}
	return n, err
}

// SetReadDeadline is ignored once draining, so nobody extends the drain.
func (c *drainConn) SetReadDeadline(t time.Time) error {
	if c.draining.Load() {
		return nil
	}
	return c.Conn.SetReadDeadline(t)
}

// SetDeadline sets only the write deadline once draining.
func (c *drainConn) SetDeadline(t time.Time) error {
	if c.draining.Load() {
		return c.Conn.SetWriteDeadline(t)
	}
	return c.Conn.SetDeadline(t)
}

// Close closes the connection and forgets it.
func (c *drainConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() { c.l.remove(c) })
	return err
}
