package resp

import (
	"bytes"
	"io"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Protocol error replies, worded exactly as Redis 7 words them.
const (
	protoErrMultibulkLen = "ERR Protocol error: invalid multibulk length"
	protoErrBulkLen      = "ERR Protocol error: invalid bulk length"
	protoErrMbulkCount   = "ERR Protocol error: too big mbulk count string"
	protoErrBulkCount    = "ERR Protocol error: too big bulk count string"
	protoErrInline       = "ERR Protocol error: too big inline request"
)

const (
	guardReadSize = 16 << 10 // bytes asked of the socket per read at least
	guardKeepSize = 64 << 10 // an idle buffer larger than this is released
	guardMaxReady = 1024     // commands scanned ahead of the reader at most
	guardHoldSize = 64 << 10 // replies held back for one write at most
)

// Limits bound what one client may send before a command is parsed.
// A zero or negative field means the Redis default for that field.
type Limits struct {
	MaxMultibulk int   // max elements in one multibulk; Redis: 1048576
	MaxBulk      int64 // max bulk length; Redis proto-max-bulk-len default 512 MB (536870912)
	MaxInline    int   // max inline request line / count header length; Redis: 64 KiB (65536)
}

// DefaultLimits returns Redis's defaults.
func DefaultLimits() Limits {
	return Limits{MaxMultibulk: 1 << 20, MaxBulk: 512 << 20, MaxInline: 64 << 10}
}

// normalized returns lim with non-positive fields replaced by the defaults.
func (lim Limits) normalized() Limits {
	def := DefaultLimits()
	return Limits{
		MaxMultibulk: orDefault(lim.MaxMultibulk, def.MaxMultibulk),
		MaxBulk:      min(orDefault(lim.MaxBulk, def.MaxBulk), math.MaxInt64-2), // room for the CRLF
		MaxInline:    orDefault(lim.MaxInline, def.MaxInline),
	}
}

// orDefault returns v if positive, else def.
func orDefault[T int | int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// netListener and netConn let the guard types embed an unexported net.Listener / net.Conn.
type (
	netListener = net.Listener
	netConn     = net.Conn
)

// GuardListener is a net.Listener whose accepted connections are *GuardConn.
type GuardListener struct {
	netListener
	lim Limits
	// OnProtocolError, if set before Accept, is called once per connection
	// closed for a protocol error, with the error reply sent (without the
	// leading '-' and the CRLF), e.g. "ERR Protocol error: invalid bulk length".
	OnProtocolError func(msg string)
}

// NewGuardListener wraps ln; every accepted conn is a *GuardConn using lim.
func NewGuardListener(ln net.Listener, lim Limits) *GuardListener {
	return &GuardListener{netListener: ln, lim: lim}
}

// Accept waits for the next connection and wraps it in a *GuardConn.
func (l *GuardListener) Accept() (net.Conn, error) {
	conn, err := l.netListener.Accept()
	if err != nil {
		return nil, err
	}
	return newGuardConn(conn, l.lim, l.OnProtocolError), nil
}

// cmdSpan is a complete command in the read buffer: buf[lo:hi].
type cmdSpan struct{ lo, hi int }

// GuardConn is a net.Conn that forwards only complete, well-framed commands to its reader.
// A framing error is answered with Redis's error reply, written to the peer
// after the replies to the commands before it, and Read then returns io.EOF.
// Its methods may be called concurrently; Write never interleaves with the error reply.
//
// Replies written while commands the reader has not taken yet are already
// here are held back and go out with the next write, or before the reader
// waits on the socket: a pipeline that arrived in one read is answered in
// one write, however the reader above splits it up.
type GuardConn struct {
	netConn // Close, addresses and deadlines go straight to the connection
	lim     atomic.Pointer[Limits]
	onError func(msg string)
	wmu     sync.Mutex // serialises Write and the error write
	rmu     sync.Mutex // serialises Read

	sc       frameScanner
	buf      []byte
	cmdStart int       // start of the command being scanned
	scanned  int       // buf[:scanned] has been scanned
	end      int       // buf[:end] holds data read from conn
	ready    []cmdSpan // complete commands not yet handed to the reader
	next     int       // first entry of ready not yet (fully) handed over
	protoErr string    // framing error found after the ready commands
	readErr  error     // error from conn, returned once ready is drained
	failed   bool

	held   []byte      // replies held back (see Write); under wmu
	unread atomic.Bool // input the reader has not taken is here
	direct atomic.Bool // write at once: another goroutine may be the reader
}

// newGuardConn wraps conn; onError, if not nil, is called once if the
// connection ends with a protocol error.
func newGuardConn(conn net.Conn, lim Limits, onError func(msg string)) *GuardConn {
	c := &GuardConn{netConn: conn, onError: onError}
	c.SetLimits(lim)
	return c
}

// SetLimits changes the connection's limits (safe from another goroutine; used to give
// unauthenticated connections tighter limits and relax them after AUTH).
// Headers already scanned keep their verdict, except that a command refused
// is judged again, with the limits then in force, once the commands before
// it have been read: relaxing in a command applies to the commands pipelined after it.
func (c *GuardConn) SetLimits(lim Limits) {
	lim = lim.normalized()
	c.lim.Store(&lim)
}

// Read fills p with whole complete commands (or a prefix of the first one if it
// does not fit), reading and checking more input as needed.
func (c *GuardConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	defer c.rmu.Unlock()
	defer func() { c.unread.Store(c.next < len(c.ready) || c.scanned < c.end) }()
	for {
		switch {
		case c.next < len(c.ready):
			return c.copyOut(p), nil
		case c.protoErr != "":
			return 0, c.fail()
		case c.scanned < c.end:
			c.scan()
		case c.readErr != nil:
			err := c.readErr
			c.readErr = nil // not sticky: a timeout may be retried
			return 0, err
		default:
			c.fill()
		}
	}
}

// Pending reports whether a complete command has arrived that the reader
// has not taken yet: one the reader is sure to get by reading on.
func (c *GuardConn) Pending() bool {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.next == len(c.ready) && c.protoErr == "" && c.scanned < c.end {
		c.scan()
	}
	return c.next < len(c.ready)
}

// copyOut copies the ready commands that fit into p, or a prefix of the
// first one if it alone does not fit, and returns the number of bytes copied.
func (c *GuardConn) copyOut(p []byte) int {
	if first := &c.ready[c.next]; first.hi-first.lo > len(p) {
		n := copy(p, c.buf[first.lo:first.hi])
		first.lo += n
		return n
	}
	n := 0
	for ; c.next < len(c.ready) && c.ready[c.next].hi-c.ready[c.next].lo <= len(p)-n; c.next++ {
		n += copy(p[n:], c.buf[c.ready[c.next].lo:c.ready[c.next].hi])
	}
	if c.next == len(c.ready) {
		c.ready, c.next = c.ready[:0], 0
	}
	return n
}

// fill reads once from conn, after dropping consumed bytes and making at
// least guardReadSize bytes free. Called only when all input is scanned and
// no command is ready, so the only live bytes are buf[cmdStart:end].
func (c *GuardConn) fill() {
	live := c.end - c.cmdStart
	switch {
	case live == 0:
		c.cmdStart, c.scanned, c.end = 0, 0, 0
		if len(c.buf) > guardKeepSize {
			c.buf = nil // release the memory of a past big command
		}
	case c.cmdStart > 0:
		copy(c.buf, c.buf[c.cmdStart:c.end])
		c.cmdStart, c.scanned, c.end = 0, c.scanned-c.cmdStart, live
	}
	if len(c.buf)-c.end < guardReadSize {
		c.buf = append(c.buf[:c.end], make([]byte, max(len(c.buf), guardReadSize))...)
		c.buf = c.buf[:cap(c.buf)]
	}
	// Nothing more is here: the held replies go out before the wait.
	c.unread.Store(false)
	if err := c.flushHeld(); err != nil {
		c.readErr = err
		return
	}
	n, err := c.netConn.Read(c.buf[c.end:])
	c.end += n
	c.readErr = err
}

// scan advances the state machine over buf[scanned:end], recording complete
// commands in ready, stopping at the first framing error or when
// guardMaxReady commands are ready (which bounds the memory of ready).
// A command that fails while commands before it wait in ready is scanned
// again once they have run, with the limits they leave (AUTH may relax them).
func (c *GuardConn) scan() {
	lim := c.lim.Load()
	for c.scanned < c.end && c.protoErr == "" && len(c.ready) < guardMaxReady {
		if c.sc.st == scanStart { // here cmdStart == scanned
			if n := whole(c.buf[c.scanned:c.end], lim); n > 0 {
				c.scanned += n
				c.ready = append(c.ready, cmdSpan{c.cmdStart, c.scanned})
				c.cmdStart = c.scanned
				continue
			}
		}
		n, ev := c.sc.step(c.buf[c.scanned:c.end], lim)
		c.scanned += n
		switch ev {
		case frameCommand:
			c.ready = append(c.ready, cmdSpan{c.cmdStart, c.scanned})
			c.cmdStart = c.scanned
		case frameDrop:
			c.cmdStart = c.scanned
		case frameError:
			if c.next < len(c.ready) {
				c.sc, c.scanned = frameScanner{}, c.cmdStart
				return
			}
			c.protoErr = c.sc.err
		}
	}
}

// fail sends the pending protocol error to the peer, once, and returns io.EOF.
func (c *GuardConn) fail() error {
	if c.failed {
		return io.EOF
	}
	c.failed = true
	c.wmu.Lock()
	c.held = append(c.held, "-"+c.protoErr+"\r\n"...)
	_, _ = c.netConn.Write(c.held)
	c.held = nil
	c.wmu.Unlock()
	if c.onError != nil {
		c.onError(c.protoErr)
	}
	return io.EOF
}

// Write writes b to the underlying connection, after any replies held back.
// While input the reader has not taken is here, b is held back instead
// (up to guardHoldSize bytes): the reader is sure to come back for it, and
// Read writes the held replies before it waits on the socket.
func (c *GuardConn) Write(b []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.unread.Load() && !c.direct.Load() && len(c.held)+len(b) <= guardHoldSize {
		c.held = append(c.held, b...)
		return len(b), nil
	}
	if len(c.held) == 0 {
		return c.netConn.Write(b)
	}
	c.held = append(c.held, b...)
	_, err := c.netConn.Write(c.held)
	c.resetHeld()
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// flushHeld writes the replies held back.
func (c *GuardConn) flushHeld() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if len(c.held) == 0 {
		return nil
	}
	_, err := c.netConn.Write(c.held)
	c.resetHeld()
	return err
}

// resetHeld empties held, keeping a buffer of ordinary size. The caller holds wmu.
func (c *GuardConn) resetHeld() {
	if cap(c.held) > guardReadSize {
		c.held = nil
		return
	}
	c.held = c.held[:0]
}

// WriteDirect makes every later Write go out at once, after the replies
// held back: for a connection whose reads and writes part ways (a
// subscriber's output queue writes while its reader waits).
func (c *GuardConn) WriteDirect() error {
	c.direct.Store(true)
	return c.flushHeld()
}

// Close writes the replies held back, unless a write is in progress, and
// closes the connection.
func (c *GuardConn) Close() error {
	if c.wmu.TryLock() {
		if len(c.held) > 0 {
			_ = c.netConn.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.netConn.Write(c.held)
			c.held = nil
		}
		c.wmu.Unlock()
	}
	return c.netConn.Close()
}

// frameState is where the scanner is within a command.
type frameState uint8

const (
	scanStart    frameState = iota // at the first byte of a command
	scanInline                     // inside an inline line
	scanCount                      // inside "*N\r\n" after the '*'
	scanBulkHead                   // expecting the '$' of an element
	scanBulkLen                    // inside "$N\r\n" after the '$'
	scanBulkData                   // inside bulk data or the CRLF after it
)

// frameEvent is what step stopped at.
type frameEvent uint8

const (
	frameMore    frameEvent = iota // input used up inside a command
	frameCommand                   // a complete command to forward ended
	frameDrop                      // a complete command to ignore ended
	frameError                     // a framing error; see frameScanner.err
)

// frameScanner is the incremental RESP framing state machine. It looks at each
// input byte once and keeps no input bytes but a header number's first 21.
type frameScanner struct {
	st    frameState
	line  int      // bytes of the current inline or header line so far
	first byte     // first byte of the current inline line
	num   [21]byte // start of the header number's text: longer ones are invalid
	nlen  int
	cr    bool   // the header's '\r' was seen
	elems int    // elements still to come in the current multibulk
	bulk  int64  // bulk data bytes plus CRLF still to come
	err   string // the error reply, after frameError
}

// step consumes b up to and including the end of the next command, or all of
// b, and returns the bytes consumed and what it stopped at.
func (s *frameScanner) step(b []byte, lim *Limits) (int, frameEvent) {
	i := 0
	for i < len(b) {
		var ev frameEvent
		switch s.st {
		case scanStart:
			i = s.start(b, i)
		case scanInline:
			i, ev = s.inline(b, i, lim)
		case scanCount, scanBulkLen:
			i, ev = s.header(b, i, lim)
		case scanBulkHead:
			i, ev = s.bulkHead(b, i, lim)
		default:
			i, ev = s.bulkData(b, i)
		}
		if ev != frameMore {
			return i, ev
		}
	}
	return i, frameMore
}

// start begins the command at b[i].
func (s *frameScanner) start(b []byte, i int) int {
	if b[i] == '*' {
		s.beginHeader(scanCount)
		return i + 1
	}
	s.st, s.line, s.first = scanInline, 0, b[i]
	return i
}

// beginHeader starts a "*N" or "$N" line (st) after its first byte.
func (s *frameScanner) beginHeader(st frameState) {
	s.st, s.line, s.nlen, s.cr = st, 1, 0, false
}

// inline scans an inline line from b[i].
func (s *frameScanner) inline(b []byte, i int, lim *Limits) (int, frameEvent) {
	j := bytes.IndexByte(b[i:], '\n')
	if j < 0 {
		j = len(b) - i
	}
	s.line += j
	switch {
	case s.line > lim.MaxInline:
		return i + j, s.fail(protoErrInline)
	case i+j == len(b):
		return i + j, frameMore
	}
	s.st = scanStart
	if s.line == 0 || (s.line == 1 && s.first == '\r') {
		return i + j + 1, frameDrop
	}
	return i + j + 1, frameCommand
}

// header scans a header line from b[i] up to its "\r\n".
func (s *frameScanner) header(b []byte, i int, lim *Limits) (int, frameEvent) {
	if s.cr {
		if b[i] != '\n' {
			return i + 1, s.fail(s.headerErr(false))
		}
		return i + 1, s.headerDone(s.num[:s.nlen], lim)
	}
	j := i
	for j < len(b) && b[j] != '\r' && b[j] != '\n' {
		j++
	}
	s.line += j - i
	switch {
	case s.line > lim.MaxInline:
		return j, s.fail(s.headerErr(true))
	case j < len(b) && b[j] == '\n': // redcon wants "\r\n"; Redis would wait for a '\r'
		return j + 1, s.fail(s.headerErr(false))
	case s.nlen == 0 && j+1 < len(b) && b[j+1] == '\n': // the whole line is here
		return j + 2, s.headerDone(b[i:j], lim)
	}
	s.nlen += copy(s.num[s.nlen:], b[i:j])
	if j == len(b) {
		return j, frameMore
	}
	s.cr = true
	return j + 1, frameMore
}

// headerErr is Redis's error for a bad (or, if tooBig, unterminated) header.
func (s *frameScanner) headerErr(tooBig bool) string {
	switch {
	case s.st == scanCount && tooBig:
		return protoErrMbulkCount
	case s.st == scanCount:
		return protoErrMultibulkLen
	case tooBig:
		return protoErrBulkCount
	}
	return protoErrBulkLen
}

// headerDone acts on a complete header line whose number text is text.
func (s *frameScanner) headerDone(text []byte, lim *Limits) frameEvent {
	v, ok := parseLL(text)
	switch {
	case s.st == scanBulkLen && (!ok || v < 0 || v > lim.MaxBulk):
		return s.fail(protoErrBulkLen)
	case s.st == scanBulkLen:
		s.st, s.bulk = scanBulkData, v+2
	case !ok || v > int64(lim.MaxMultibulk):
		return s.fail(protoErrMultibulkLen)
	case v <= 0:
		s.st = scanStart
		return frameDrop
	default:
		s.st, s.elems = scanBulkHead, int(v)
	}
	return frameMore
}

// bulkHead checks the first byte of an element and goes on with its header.
func (s *frameScanner) bulkHead(b []byte, i int, lim *Limits) (int, frameEvent) {
	if c := b[i]; c != '$' {
		if c == '\r' || c == '\n' {
			c = ' ' // Redis never puts a newline in an error reply
		}
		return i + 1, s.fail("ERR Protocol error: expected '$', got '" + string([]byte{c}) + "'")
	}
	s.beginHeader(scanBulkLen)
	if i+1 < len(b) {
		return s.header(b, i+1, lim)
	}
	return i + 1, frameMore
}

// bulkData skips bulk data from b[i] and checks the CRLF after it.
func (s *frameScanner) bulkData(b []byte, i int) (int, frameEvent) {
	if s.bulk > 2 { // skip the data: all of it if it is here
		k := int(min(s.bulk-2, int64(len(b)-i)))
		i, s.bulk = i+k, s.bulk-int64(k)
	}
	for ; s.bulk > 0 && i < len(b); i++ { // s.bulk <= 2 here: the CRLF
		if b[i] != "\n\r"[s.bulk-1] {
			return i + 1, s.fail(protoErrBulkLen)
		}
		s.bulk--
	}
	if s.bulk > 0 {
		return i, frameMore
	}
	if s.elems--; s.elems > 0 {
		s.st = scanBulkHead
		return i, frameMore
	}
	s.st = scanStart
	return i, frameCommand
}

// whole returns the length of the multibulk command at the start of b when
// all of it is there and it breaks no rule, framing it in one pass without
// keeping state. It returns 0 for anything else (a part of a command, an
// inline command, an empty multibulk, a rule broken), and the state
// machine then takes the same bytes and reaches its own verdict. The usual
// pipelined command thus costs one pass over its headers.
func whole(b []byte, lim *Limits) int {
	count, i, ok := wholeHeader(b, 0, '*', lim)
	if !ok || count < 1 || count > int64(lim.MaxMultibulk) {
		return 0
	}
	for range count {
		size, j, ok := wholeHeader(b, i, '$', lim)
		if !ok || size < 0 || size > lim.MaxBulk || size > int64(len(b)-j-2) {
			return 0
		}
		end := j + int(size)
		if b[end] != '\r' || b[end+1] != '\n' {
			return 0
		}
		i = end + 2
	}
	return i
}

// wholeHeader reads the header line of kind ('*' or '$') at b[i:] for
// whole: its number and where the line ends, or false when the line is not
// all there or breaks a rule.
func wholeHeader(b []byte, i int, kind byte, lim *Limits) (int64, int, bool) {
	if i >= len(b) || b[i] != kind {
		return 0, 0, false
	}
	j := i + 1
	for j < len(b) && j-i <= 21 && b[j] != '\r' {
		j++
	}
	if j+1 >= len(b) || b[j] != '\r' || b[j+1] != '\n' || j-i > lim.MaxInline {
		return 0, 0, false
	}
	v, ok := parseLL(b[i+1 : j])
	return v, j + 2, ok
}

// fail records the error reply msg.
func (s *frameScanner) fail(msg string) frameEvent {
	s.err = msg
	return frameError
}

// parseLL parses b as Redis's string2ll does: plain decimal with an optional
// '-', no '+', spaces or leading zeros, no "-0", within int64.
func parseLL(b []byte) (int64, bool) {
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 || b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64 // at most 19 digits: no overflow
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	switch {
	case neg && v <= 1<<63:
		return int64(-v), true
	case !neg && v <= math.MaxInt64:
		return int64(v), true
	}
	return 0, false
}
