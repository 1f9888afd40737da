package resp

import (
	"context"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/monotime"
)

// Client is the state of one connection. The connection's own goroutine
// changes it; other connections read it through CLIENT LIST, so the fields
// they read are guarded.
type Client struct {
	ID      int64
	Addr    string
	LAddr   string
	Created time.Time

	conn       net.Conn
	wbuf       []byte // replies not written yet (see reply and flush)
	w          Writer
	ctx        Ctx // what every handler of this connection sees; the same each time
	nameBuf    []byte
	closing    bool
	wantDetach bool
	detached   bool
	gone       bool      // its output queue refused a reply: the client is dropped
	out        *outQueue // set once detached: every write goes through it
	guard      *GuardConn
	limits     Limits // the guard's limits once authenticated
	unauth     Limits // the guard's limits before
	subs       subs   // changed by this connection only, under the hub's lock

	// Durable writes of a pipeline: while more commands of the pipeline are
	// read, a write's durability wait goes into waits and its reply, with
	// every reply after it, into held; the last command of the pipeline
	// runs the waits and sends the held replies (see Server.dispatch).
	waits     engine.Deferred
	waitsCtx  context.Context // the server's context carrying waits
	held      []heldReply
	deferring bool // the running command may defer its wait

	proto atomic.Int32
	nsub  atomic.Int32 // channel subscriptions, for CLIENT LIST
	npsub atomic.Int32 // pattern subscriptions, for CLIENT LIST

	db      atomic.Int32
	authed  atomic.Bool
	lastCmd atomic.Pointer[Command]
	active  atomic.Int64 // monotime reading at the last command's start

	mu      sync.Mutex
	name    string
	user    string
	libName string
	libVer  string
}

// DB returns the selected database.
func (c *Client) DB() int { return int(c.db.Load()) }

// SetDB selects database n.
func (c *Client) SetDB(n int) { c.db.Store(int32(n)) }

// Proto returns the protocol version (2 or 3).
func (c *Client) Proto() int { return int(c.proto.Load()) }

// SetProto switches the protocol version for the following replies.
func (c *Client) SetProto(p int) { c.proto.Store(int32(p)) }

// Authed reports whether the connection has authenticated (or needs not).
func (c *Client) Authed() bool { return c.authed.Load() }

// SetAuthed records a successful authentication as user.
func (c *Client) SetAuthed(user string) {
	c.mu.Lock()
	c.user = user
	c.mu.Unlock()
	c.authed.Store(true)
	if c.guard != nil {
		c.guard.SetLimits(c.limits)
	}
}

// Name returns the name set by CLIENT SETNAME.
func (c *Client) Name() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.name
}

// SetName sets the connection name.
func (c *Client) SetName(n string) {
	c.mu.Lock()
	c.name = n
	c.mu.Unlock()
}

// SetLib records CLIENT SETINFO LIB-NAME / LIB-VER.
func (c *Client) SetLib(name, ver *string) {
	c.mu.Lock()
	if name != nil {
		c.libName = *name
	}
	if ver != nil {
		c.libVer = *ver
	}
	c.mu.Unlock()
}

// Kill closes the connection from another goroutine.
func (c *Client) Kill() { c.conn.Close() }

// reply queues a command's reply: for the next flush, or on the output
// queue once the connection is detached.
func (c *Client) reply(b []byte) {
	if !c.detached {
		c.wbuf = append(c.wbuf, b...)
		return
	}
	if !c.gone && !c.out.push(b) {
		c.gone = true
	}
}

// flush writes the queued replies; false when the connection failed.
func (c *Client) flush() bool {
	if c.detached || len(c.wbuf) == 0 {
		return !c.gone
	}
	_, err := c.conn.Write(c.wbuf)
	if cap(c.wbuf) > connKeepSize {
		c.wbuf = nil
	} else {
		c.wbuf = c.wbuf[:0]
	}
	return err == nil
}

// Info renders the connection as one CLIENT LIST / CLIENT INFO line.
func (c *Client) Info(now time.Time) string {
	c.mu.Lock()
	name, user, lib, ver := c.name, c.user, c.libName, c.libVer
	c.mu.Unlock()
	if user == "" {
		user = "default"
	}
	last := "NULL"
	if cmd := c.lastCmd.Load(); cmd != nil {
		last = cmd.Name
	}
	idle := int64(0)
	if a := c.active.Load(); a > 0 {
		idle = int64(monotime.Since(a).Seconds())
	}
	fields := []string{
		"id=" + strconv.FormatInt(c.ID, 10),
		"addr=" + c.Addr,
		"laddr=" + c.LAddr,
		"fd=0",
		"name=" + name,
		"age=" + strconv.FormatInt(int64(now.Sub(c.Created).Seconds()), 10),
		"idle=" + strconv.FormatInt(idle, 10),
		"flags=N",
		"db=" + strconv.Itoa(c.DB()),
		"sub=" + strconv.Itoa(int(c.nsub.Load())), "psub=" + strconv.Itoa(int(c.npsub.Load())), "ssub=0", "multi=-1", "qbuf=0", "qbuf-free=0", "argv-mem=0",
		"multi-mem=0", "rbs=0", "rbp=0", "obl=0", "oll=0", "omem=0", "tot-mem=0", "events=r",
		"cmd=" + last,
		"user=" + user,
		"redir=-1",
		"resp=" + strconv.Itoa(c.Proto()),
		"lib-name=" + lib,
		"lib-ver=" + ver,
	}
	return strings.Join(fields, " ")
}

// clients is the registry of open connections.
type clients struct {
	mu     sync.Mutex
	byID   map[int64]*Client
	nextID atomic.Int64
	total  atomic.Int64
}

func (r *clients) add(c *Client) {
	r.mu.Lock()
	r.byID[c.ID] = c
	r.mu.Unlock()
	r.total.Add(1)
}

func (r *clients) remove(c *Client) {
	r.mu.Lock()
	delete(r.byID, c.ID)
	r.mu.Unlock()
}

func (r *clients) list() []*Client {
	r.mu.Lock()
	out := make([]*Client, 0, len(r.byID))
	for _, c := range r.byID {
		out = append(out, c)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Reset returns the connection to its initial state, as RESET does: database
// 0, RESP2, no name, and authenticated only when no authentication is required.
func (c *Client) Reset(authed bool) {
	c.SetDB(0)
	c.SetProto(2)
	c.mu.Lock()
	c.user = ""
	c.name = ""
	c.mu.Unlock()
	c.authed.Store(authed)
	if c.guard != nil && !authed {
		c.guard.SetLimits(c.unauth)
	}
}
