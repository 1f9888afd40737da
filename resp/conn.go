package resp

import (
	"bytes"
	"errors"
	"net"
	"time"

	"github.com/tidwall/redcon"
)

const (
	connReadSize = 16 << 10 // the read buffer; it grows for a larger command
	connKeepSize = 64 << 10 // a larger read buffer is released once empty
)

// Serve accepts connections on ln until Close, each served by its own
// goroutine. Every connection passes the RESP framing guard before its
// commands are parsed.
func (s *Server) Serve(ln net.Listener) error {
	g := NewGuardListener(ln, s.opts.Limits)
	g.OnProtocolError = func(msg string) {
		s.protoErrs.Add(1)
		if s.opts.OnProtocolError != nil {
			s.opts.OnProtocolError(msg)
		}
	}
	s.lnMu.Lock()
	if s.ctx.Err() != nil {
		s.lnMu.Unlock()
		return nil
	}
	s.lns = append(s.lns, g)
	s.lnMu.Unlock()
	var backoff time.Duration
	for {
		nc, err := g.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			// Out of descriptors and the like: wait, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn().Err(err).Dur("retry_in", backoff).Msg("accepting a connection failed")
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if s.ctx.Err() != nil { // accepted as Close ran
			nc.Close()
			return nil
		}
		go s.serveConn(s.accept(nc)) // registered here, so ids follow the order of accepting
	}
}

// Close stops accepting and closes every connection.
func (s *Server) Close() error {
	s.cancel()
	s.lnMu.Lock()
	var err error
	for _, ln := range s.lns {
		if cerr := ln.Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
			err = cerr
		}
	}
	s.lns = nil
	s.lnMu.Unlock()
	for _, c := range s.clients.list() {
		c.Kill()
	}
	return err
}

// batch is the commands parsed from one read. Their arguments are views of
// the read buffer, which stays as it is until every command of the batch
// has run; exec gives a command memory of its own first unless it borrows
// its arguments (FlagBorrowsArgs).
type batch struct {
	cmds  [][][]byte // reused; each entry's argument list is the batch's own
	marks []int      // reused: argument offsets, two per argument
	ends  []int      // reused: each command's end in marks
}

// serveConn reads, runs and answers one connection until it closes. The
// replies to what one read brought are written together, and the guard
// holds them back while more input is already there (see GuardConn.Write).
func (s *Server) serveConn(c *Client) {
	defer s.hangUp(c)
	var (
		buf        = make([]byte, connReadSize)
		start, end int
		b          batch
	)
	for {
		if start < end {
			used, err := b.parse(buf[start:end])
			start += used
			for i, args := range b.cmds {
				s.dispatch(c, args, i < len(b.cmds)-1)
				if c.wantDetach && !s.detach(c) {
					return
				}
				if c.closing || c.gone {
					c.flush()
					return
				}
				if len(c.wbuf) >= connKeepSize && !c.flush() { // large replies go out as they come
					return
				}
			}
			clear(b.cmds)
			b.cmds = b.cmds[:0]
			if err != nil {
				c.w.Reset(c.Proto())
				c.w.Error("ERR " + err.Error())
				c.reply(c.w.Bytes())
				c.flush()
				return
			}
		}
		if !c.flush() {
			return
		}
		switch {
		case start == end && len(buf) > connKeepSize:
			buf, start, end = make([]byte, connReadSize), 0, 0
		case start == end:
			start, end = 0, 0
		case end == len(buf) && start == 0: // one command larger than the buffer
			grown := make([]byte, 2*len(buf))
			copy(grown, buf)
			buf = grown
		case end == len(buf):
			end = copy(buf, buf[start:end])
			start = 0
		}
		n, err := c.conn.Read(buf[end:])
		end += n
		if err != nil && n == 0 {
			return
		}
	}
}

// parse parses the complete commands at the start of p into b.cmds and
// returns how many bytes they took. A command that breaks the protocol ends
// the parse with an error worded as redcon words it; the guard in front of
// every connection has refused such input already, in Redis's words.
func (b *batch) parse(p []byte) (int, error) {
	b.marks, b.ends = b.marks[:0], b.ends[:0]
	var inline [][][]byte // inline commands, parsed by redcon with their own memory
	used := 0
	var err error
	for used < len(p) {
		var n int
		if p[used] == '*' {
			n, err = b.multibulk(p[used:], used)
		} else {
			var args [][]byte
			n, args, err = parseInline(p[used:])
			if n > 0 && len(args) > 0 {
				inline = append(inline, args)
				b.ends = append(b.ends, -len(inline)) // a negative end names an inline command
			}
		}
		if n == 0 || err != nil {
			break
		}
		used += n
	}
	if used == 0 {
		return 0, err
	}
	args := make([][]byte, len(b.marks)/2)
	for i := range args {
		args[i] = p[b.marks[2*i]:b.marks[2*i+1]:b.marks[2*i+1]]
	}
	from := 0
	for _, e := range b.ends {
		if e < 0 {
			b.cmds = append(b.cmds, inline[-e-1])
			continue
		}
		b.cmds = append(b.cmds, args[from:e:e])
		from = e
	}
	return used, err
}

// multibulk reads one "*N\r\n$L\r\n…" command at the start of p, which is
// base bytes into the parse, recording its arguments' offsets in b.marks. It
// returns 0 when p holds only part of the command.
func (b *batch) multibulk(p []byte, base int) (int, error) {
	line := bytes.IndexByte(p, '\n')
	if line < 0 {
		return 0, nil
	}
	if line < 2 || p[line-1] != '\r' {
		return 0, errProtocol("invalid multibulk length")
	}
	count, ok := parseLL(p[1 : line-1])
	if !ok || count <= 0 {
		return 0, errProtocol("invalid multibulk length")
	}
	mark := len(b.marks)
	i := line + 1
	for range count {
		if i >= len(p) {
			b.marks = b.marks[:mark]
			return 0, nil
		}
		if p[i] != '$' {
			return 0, errProtocol("expected '$', got '" + string(p[i]) + "'")
		}
		nl := bytes.IndexByte(p[i:], '\n')
		if nl < 0 {
			b.marks = b.marks[:mark]
			return 0, nil
		}
		nl += i
		if nl < i+2 || p[nl-1] != '\r' {
			return 0, errProtocol("invalid bulk length")
		}
		size, ok := parseLL(p[i+1 : nl-1])
		if !ok || size < 0 {
			return 0, errProtocol("invalid bulk length")
		}
		if size >= int64(len(p)-nl-2) {
			b.marks = b.marks[:mark]
			return 0, nil
		}
		data := nl + 1 + int(size)
		if p[data] != '\r' || p[data+1] != '\n' {
			return 0, errProtocol("invalid bulk length")
		}
		b.marks = append(b.marks, base+nl+1, base+data)
		i = data + 2
	}
	b.ends = append(b.ends, len(b.marks)/2)
	return i, nil
}

// parseInline reads one inline command line at the start of p with redcon's
// parser (quotes and escapes as redcon reads them); it returns 0 when the
// line is not complete yet, and no arguments for a blank line.
func parseInline(p []byte) (int, [][]byte, error) {
	nl := bytes.IndexByte(p, '\n')
	if nl < 0 {
		return 0, nil, nil
	}
	cmd, err := redcon.Parse(p[:nl+1]) // inline arguments are copies, not views of p
	switch {
	case err != nil && err.Error() == "incomplete command": // redcon's word for a blank line
		return nl + 1, nil, nil
	case err != nil:
		return 0, nil, err
	}
	return nl + 1, cmd.Args, nil
}

// errProtocol is a protocol error in redcon's wording.
type errProtocol string

func (e errProtocol) Error() string { return "Protocol error: " + string(e) }
