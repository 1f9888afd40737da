// Package resp is the RESP transport: the connection loop behind the framing
// guard, the command table, dispatch with arity and auth checks, panic
// recovery, timing, RESP2/RESP3 reply helpers and the one mapping from errors
// to wire codes.
package resp

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/monotime"
)

// Options configure a Server.
type Options struct {
	Logger zerolog.Logger
	Limits Limits
	// AuthRequired reports whether new connections must authenticate first.
	AuthRequired bool
	// Loading, when set, reports whether the engine is still loading.
	Loading func() bool
	// Observe, when set, is called after every command with its registered
	// name ("unknown" for the rest), duration and whether it replied an error.
	Observe func(name string, d time.Duration, failed bool)
	// OnConnect and OnDisconnect, when set, are called as clients come and go.
	OnConnect, OnDisconnect func()
	// OnProtocolError, when set, is called once per connection closed for
	// malformed RESP.
	OnProtocolError func(msg string)
	// SlowLogThreshold is slowlog-log-slower-than (default 10 ms); SlowLogLen
	// is slowlog-max-len (default 128).
	SlowLogThreshold time.Duration
	SlowLogLen       int
	// Hub routes pub/sub messages; nil makes a private one.
	Hub *Hub
	// OutputLimit bounds the bytes queued for one subscriber before it is
	// dropped (default 32 MiB).
	OutputLimit int
}

// Server serves a Table over RESP.
type Server struct {
	table      *Table
	opts       Options
	log        zerolog.Logger
	clients    clients
	started    time.Time
	lnMu       sync.Mutex
	lns        []*GuardListener // closed by Close
	ctx        context.Context
	cancel     context.CancelFunc
	hub        *Hub
	commands   atomic.Int64
	slow       slowlog
	errReplies atomic.Int64
	protoErrs  atomic.Int64
}

// NewServer returns a server for t.
func NewServer(t *Table, opts Options) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	if opts.OutputLimit <= 0 {
		opts.OutputLimit = 32 << 20
	}
	if opts.SlowLogThreshold <= 0 {
		opts.SlowLogThreshold = 10 * time.Millisecond
	}
	if opts.SlowLogLen <= 0 {
		opts.SlowLogLen = 128
	}
	if opts.Hub == nil {
		opts.Hub = NewHub()
	}
	s := &Server{table: t, opts: opts, log: opts.Logger, started: time.Now(), ctx: ctx, cancel: cancel, hub: opts.Hub}
	s.clients.byID = make(map[int64]*Client)
	s.slow.threshold, s.slow.max = opts.SlowLogThreshold, opts.SlowLogLen
	return s
}

// Table returns the command table.
func (s *Server) Table() *Table { return s.table }

// Started returns when the server was made.
func (s *Server) Started() time.Time { return s.started }

// Clients returns the open connections ordered by id.
func (s *Server) Clients() []*Client { return s.clients.list() }

// Client returns the open connection with id, or nil.
func (s *Server) Client(id int64) *Client {
	s.clients.mu.Lock()
	defer s.clients.mu.Unlock()
	return s.clients.byID[id]
}

// Counters returns the totals INFO stats reports.
func (s *Server) Counters() (connections, commands, errorReplies, protocolErrors int64) {
	return s.clients.total.Load(), s.commands.Load(), s.errReplies.Load(), s.protoErrs.Load()
}

// unauthLimits are Redis's tighter limits for connections that have not
// authenticated: at most 10 arguments and 16 KiB bulks.
func (s *Server) unauthLimits() Limits {
	return Limits{MaxMultibulk: 10, MaxBulk: 16 << 10, MaxInline: s.opts.Limits.MaxInline}
}

// accept registers a new connection.
func (s *Server) accept(nc net.Conn) *Client {
	c := &Client{
		ID:      s.clients.nextID.Add(1),
		Addr:    nc.RemoteAddr().String(),
		LAddr:   nc.LocalAddr().String(),
		Created: time.Now(),
		conn:    nc,
	}
	c.SetProto(2)
	c.authed.Store(!s.opts.AuthRequired)
	if g, ok := nc.(*GuardConn); ok {
		c.guard, c.limits, c.unauth = g, s.opts.Limits, s.unauthLimits()
		if s.opts.AuthRequired {
			g.SetLimits(c.unauth)
		}
	}
	c.ctx = Ctx{Client: c, W: &c.w, srv: s}
	s.clients.add(c)
	if s.opts.OnConnect != nil {
		s.opts.OnConnect()
	}
	return c
}

// hangUp closes a connection whose loop ended and forgets it. A subscribed
// connection's queue writes what it holds and then closes it.
func (s *Server) hangUp(c *Client) {
	if c.detached || c.subs.count() > 0 {
		s.hub.drop(c)
	}
	if c.detached {
		c.out.finish(true)
	} else {
		c.conn.Close()
	}
	s.clients.remove(c)
	if s.opts.OnDisconnect != nil {
		s.opts.OnDisconnect()
	}
}

// dispatch runs one command; more says that further commands of the same
// pipeline were read with it.
func (s *Server) dispatch(c *Client, args [][]byte, more bool) {
	// A write followed by more commands of the same pipeline may leave its
	// durability wait for the end of the pipeline (see Client.waits).
	more = more || s.moreReady(c)
	mark := c.waits.Len()
	c.deferring = more
	out := s.exec(c, args)
	c.deferring = false
	switch {
	case c.waits.Len() > mark || len(c.held) > 0:
		c.held = append(c.held, heldReply{reply: bytes.Clone(out), from: mark, to: c.waits.Len()})
		if !more || c.closing || c.wantDetach {
			s.release(c)
		}
	default:
		c.reply(out)
	}
}

// moreReady reports whether the guard of an authenticated client holds
// further complete commands, which the connection reads next: the pipeline
// goes on beyond what was read at once. (Before authentication the guard
// is not asked to scan ahead: AUTH may change the limits it scans with.)
func (s *Server) moreReady(c *Client) bool {
	return c.guard != nil && c.Authed() && c.guard.Pending()
}

// heldReply is a reply held until the durability waits [from, to) of its
// command (none for a command that wrote nothing) have run.
type heldReply struct {
	reply    []byte
	from, to int
}

// release runs the connection's deferred durability waits and writes the
// held replies in order: a reply whose write did not become durable is
// replaced by that error, so that no write is acknowledged before its fsync.
func (s *Server) release(c *Client) {
	errs := c.waits.Wait()
	for _, h := range c.held {
		var err error
		for _, e := range errs[h.from:h.to] {
			if e != nil {
				err = e
				break
			}
		}
		if err == nil {
			c.reply(h.reply)
			continue
		}
		w := Writer{proto: c.Proto()}
		w.Err(err)
		c.reply(w.b)
	}
	clear(c.held)
	c.held = c.held[:0]
}

// exec runs one command: lookup, arity, auth, loading and subscribed-mode
// checks, the handler under recover, timing. It returns the reply bytes,
// valid until the next exec on c.
func (s *Server) exec(c *Client, args [][]byte) []byte {
	start := monotime.Now()
	proto := c.Proto()
	c.w.Reset(proto)
	cmd := s.lookup(c, args[0])
	name := "unknown"
	if cmd != nil {
		name = cmd.Name
	}
	switch {
	case cmd == nil:
		c.w.Err(UnknownCommand(args))
	case !ArityOK(cmd.Arity, len(args)):
		c.w.Err(WrongArity(cmd.Name))
	case !c.Authed() && cmd.Flags&FlagNoAuth == 0:
		c.w.Err(ErrNoAuth)
	case proto == 2 && c.subs.count() > 0 && cmd.Flags&FlagSubscribed == 0:
		c.w.Err(Reply(fmt.Sprintf(string(ErrSubscribed), cmd.Name)))
	case s.opts.Loading != nil && cmd.Flags&FlagLoading == 0 && s.opts.Loading():
		c.w.Err(ErrLoading)
	default:
		c.lastCmd.Store(cmd)
		if cmd.Flags&FlagBorrowsArgs == 0 {
			own(args) // only a handler may keep arguments
		}
		s.run(c, cmd, args)
	}
	out := c.w.Bytes()
	failed := len(out) > 0 && out[0] == '-'
	s.commands.Add(1)
	if failed {
		s.errReplies.Add(1)
	}
	c.active.Store(start)
	d := monotime.Since(start)
	if cmd != nil && d >= s.slow.threshold {
		s.slow.add(c, args, time.Now().Add(-d), d)
	}
	if s.opts.Observe != nil {
		s.opts.Observe(name, d, failed)
	}
	return out
}

// own gives args, views of a connection's read buffer, one allocation of
// their own, so that the handler may keep them.
func own(args [][]byte) {
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	for i, a := range args {
		buf = append(buf, a...)
		args[i] = buf[len(buf)-len(a) : len(buf) : len(buf)]
	}
}

// run calls the handler, turning a panic into ERR internal error.
func (s *Server) run(c *Client, cmd *Command, args [][]byte) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error().Str("cmd", cmd.Name).Interface("panic", r).Bytes("stack", debug.Stack()).Msg("command panicked")
			c.w.Reset(c.Proto())
			c.w.Err(ErrInternal)
		}
	}()
	cmd.Handler(&c.ctx, args)
}

// lookup lower-cases the name into the client's scratch buffer and finds it.
func (s *Server) lookup(c *Client, name []byte) *Command {
	if len(name) > 64 {
		return nil
	}
	c.nameBuf = c.nameBuf[:0]
	for _, b := range name {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		c.nameBuf = append(c.nameBuf, b)
	}
	return s.table.Lookup(string(c.nameBuf))
}

// Ctx is what a handler sees: its connection, the reply writer and the server.
type Ctx struct {
	*Client
	W   *Writer
	srv *Server
}

// Context returns the server's context, cancelled at shutdown.
// While a pipeline's command runs, it carries the connection's deferred
// durability waits (engine.Deferred).
func (c *Ctx) Context() context.Context {
	if !c.deferring {
		return c.srv.ctx
	}
	if c.waitsCtx == nil {
		c.waitsCtx = engine.WithDeferred(c.srv.ctx, &c.waits)
	}
	return c.waitsCtx
}

// Server returns the server the command runs in.
func (c *Ctx) Server() *Server { return c.srv }

// Close marks the connection to be closed once the reply is written; nothing
// after it runs.
func (c *Ctx) Close() { c.closing = true }
