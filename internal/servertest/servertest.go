// Package servertest starts the real imredis server for tests, assembled as
// cmd/imredis assembles it, on a listener opened at 127.0.0.1:0, and gives
// tests go-redis clients and raw RESP connections to it.
package servertest

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"

	"github.com/imredis/imredis/commands"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/memory"
	"github.com/imredis/imredis/resp"
)

// RedisVersion is the Redis version the test server reports, as cmd/imredis does.
const RedisVersion = "7.2.4"

// Version is the imredis version the test server reports.
const Version = "0.0.0-test"

// Option changes how Start assembles the server.
type Option func(*setup)

type setup struct {
	store  engine.Store
	open   func(engine.Options) engine.Store
	config func(*commands.Config)
	extra  func(*resp.Table)
	opts   func(*resp.Options)
}

// WithStore serves store instead of a fresh memory engine; Start does not
// close it. Its commits do not reach the change feed: use WithEngine for that.
func WithStore(store engine.Store) Option { return func(s *setup) { s.store = store } }

// WithEngine opens the served store with open, given the engine.Options
// cmd/imredis would pass (16 databases, prefix llm-im, the change feed as
// OnCommit). The store is closed when the test ends.
func WithEngine(open func(engine.Options) engine.Store) Option {
	return func(s *setup) { s.open = open }
}

// WithConfig lets fn change the commands.Config (Password, Users, MaxPageSize, ...)
// after the defaults cmd/imredis uses are filled in.
func WithConfig(fn func(*commands.Config)) Option { return func(s *setup) { s.config = fn } }

// WithCommands lets fn register extra commands after commands.Register.
func WithCommands(fn func(*resp.Table)) Option { return func(s *setup) { s.extra = fn } }

// WithOptions lets fn change the resp.Options (Observe, Loading, Limits, ...).
func WithOptions(fn func(*resp.Options)) Option { return func(s *setup) { s.opts = fn } }

// Server is one running imredis server owned by a test.
type Server struct {
	addr   string
	Store  engine.Store
	Config commands.Config
	Table  *resp.Table
	Srv    *resp.Server
	Hub    *resp.Hub
}

// Start serves a new server until the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	var set setup
	for _, o := range opts {
		o(&set)
	}
	hub := resp.NewHub()
	store := set.store
	if store == nil {
		eopts := engine.Options{Databases: engine.Databases, KeyPrefix: "llm-im", OnCommit: commands.ChangeFeed(hub, "llm-im")}
		if set.open == nil {
			set.open = func(o engine.Options) engine.Store { return memory.New(o) }
		}
		store = set.open(eopts)
		t.Cleanup(func() { store.Close() })
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("servertest: listen: %v", err)
	}
	cfg := commands.Config{
		Version: Version, RedisVersion: RedisVersion, Engine: "memory:", KeyPrefix: "llm-im",
		Databases: engine.Databases, MaxIncidentBytes: 1 << 20, MaxPageSize: 1000,
		Port:   ln.Addr().(*net.TCPAddr).Port,
		Config: map[string]string{"proto-max-bulk-len": strconv.FormatInt(resp.DefaultLimits().MaxBulk, 10)},
	}
	if set.config != nil {
		set.config(&cfg)
	}
	table := resp.NewTable()
	commands.Register(table, &commands.Deps{Store: store, Config: cfg})
	if set.extra != nil {
		set.extra(table)
	}
	ropts := resp.Options{Logger: zerolog.Nop(), Limits: resp.DefaultLimits(), AuthRequired: cfg.AuthRequired(), Hub: hub}
	if set.opts != nil {
		set.opts(&ropts)
	}
	srv := resp.NewServer(table, ropts)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		ln.Close() // also ends Serve when Close ran before Serve took the listener
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("servertest: Serve did not return after Close")
		}
	})
	return &Server{addr: ln.Addr().String(), Store: store, Config: cfg, Table: table, Srv: srv, Hub: hub}
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.addr }

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.Config.Port }

// Client returns a go-redis client closed when the test ends. proto 3 keeps
// go-redis's default handshake (HELLO 3); proto 2 sets Protocol: 2.
func (s *Server) Client(t testing.TB, proto int) *redis.Client {
	t.Helper()
	return s.ClientWith(t, &redis.Options{Protocol: proto})
}

// ClientWith returns a go-redis client with opts (Addr is filled in), closed
// when the test ends.
func (s *Server) ClientWith(t testing.TB, opts *redis.Options) *redis.Client {
	t.Helper()
	o := *opts
	o.Addr = s.addr
	if o.DialTimeout == 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = 10 * time.Second
	}
	c := redis.NewClient(&o)
	t.Cleanup(func() { c.Close() })
	return c
}
