// Package upstream is the engine that keeps incidents in a real Redis (go-redis
// v9) under the seed's llm-im: layout, so that data written by the seed's
// service is served, and data written here reads back in that service. The
// layout, with the keys this engine adds for queries, is documented in
// keys.go; every multi-key write is one Lua script (scripts.go).
package upstream

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/rs/zerolog"
)

// DefaultTimeout bounds every engine call when New is given no timeout.
const DefaultTimeout = 2 * time.Second

// DefaultPrefix is the key prefix when Options.KeyPrefix is empty.
const DefaultPrefix = "llm-im"

// maxAttempts bounds the optimistic retries of one write.
const maxAttempts = 16

var _ engine.Store = (*Store)(nil)

// Store is the upstream engine: one go-redis client per database.
type Store struct {
	opts    engine.Options
	keys    keys
	timeout time.Duration
	dbs     []*redis.Client
	feed    *feed // nil unless Options.OnCommit is set
	log     zerolog.Logger
}

// New connects to the Redis at url (redis:// or rediss://, with user,
// password and TLS as go-redis's ParseURL reads them). The URL's database is
// the base: imredis database n is upstream database base+n, so the usual
// URL without a database (or with /0) maps n to n. Every call is bounded by
// timeout (DefaultTimeout when 0). New answers ErrUnavailable when Redis
// cannot be reached, and indexes, per database, the incidents that the
// p:by: keys do not know yet (data written by the seed's service). When
// opts.OnCommit is set it receives every write published on p:events, by this
// process or any other on the same Redis, in commit order (see feed.go).
func New(ctx context.Context, url string, opts engine.Options, timeout time.Duration) (*Store, error) {
	if opts.Databases <= 0 {
		opts.Databases = engine.Databases
	}
	if opts.KeyPrefix == "" {
		opts.KeyPrefix = DefaultPrefix
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	s := &Store{opts: opts, keys: keys{p: opts.KeyPrefix}, timeout: timeout,
		log: opts.Logger.With().Str("engine", "upstream").Logger()}
	for n := range opts.Databases {
		o, err := redis.ParseURL(url)
		if err != nil {
			s.Close()
			return nil, engine.Invalidf("upstream URL: %v", err)
		}
		o.DB += n
		o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = timeout, timeout, timeout, timeout
		o.ContextTimeoutEnabled = true
		o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
		s.dbs = append(s.dbs, redis.NewClient(o))
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if opts.OnCommit != nil {
		f, err := startFeed(ctx, s, opts.OnCommit)
		if err != nil {
			s.Close()
			return nil, s.fail(err)
		}
		s.feed = f
	}
	for n := range s.dbs {
		if err := s.ensureIndexed(ctx, n); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// client returns the client of database n, or ErrInvalid.
func (s *Store) client(n int) (*redis.Client, error) {
	if err := engine.CheckDB(n, len(s.dbs)); err != nil {
		return nil, err
	}
	return s.dbs[n], nil
}

// bound returns ctx limited to the configured timeout.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// fail maps an error to the engine's sentinels: engine errors pass, anything
// from go-redis or the network (refused, timeout, EOF, pool timeout, a server
// error) is ErrUnavailable. redis.Nil never reaches here: callers read it.
func (s *Store) fail(err error) error {
	var ee *engine.Error
	if err == nil || errors.As(err, &ee) {
		return err
	}
	return engine.Unavailable(fmt.Errorf("upstream redis: %w", err))
}

// token returns a fresh random op token.
func token() string { return rand.Text() }

// Get returns the stored document of id, or nil.
func (s *Store) Get(ctx context.Context, n int, id string) ([]byte, error) {
	c, err := s.client(n)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	doc, err := c.Get(ctx, s.keys.incident(strings.ToLower(id))).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return doc, s.fail(err)
}

// MGet returns the documents of ids in argument order, nil for missing ones.
func (s *Store) MGet(ctx context.Context, n int, ids []string) ([][]byte, error) {
	c, err := s.client(n)
	if err != nil || len(ids) == 0 {
		return [][]byte{}, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.mget(ctx, c, ids)
}

// mget reads the documents of ids with one MGET.
func (s *Store) mget(ctx context.Context, c *redis.Client, ids []string) ([][]byte, error) {
	ks := make([]string, len(ids))
	for i, id := range ids {
		ks[i] = s.keys.incident(strings.ToLower(id))
	}
	vals, err := c.MGet(ctx, ks...).Result()
	if err != nil {
		return nil, s.fail(err)
	}
	out := make([][]byte, len(vals))
	for i, v := range vals {
		if str, ok := v.(string); ok {
			out[i] = []byte(str)
		}
	}
	return out, nil
}

// Stats counts the seed's sets of database n in one pipeline.
func (s *Store) Stats(ctx context.Context, n int) (engine.Stats, error) {
	c, err := s.client(n)
	if err != nil {
		return engine.Stats{}, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ks := s.keys.statsKeys()
	cmds := make([]*redis.IntCmd, len(ks))
	if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range ks {
			cmds[i] = p.SCard(ctx, k)
		}
		return nil
	}); err != nil {
		return engine.Stats{}, s.fail(err)
	}
	var st engine.Stats
	st.Total = cmds[0].Val()
	for i := range st.BySeverity {
		st.BySeverity[i] = cmds[1+i].Val()
	}
	for i := range st.ByState {
		st.ByState[i] = cmds[1+len(st.BySeverity)+i].Val()
		if engine.State(i).Active() {
			st.Active += st.ByState[i]
		}
	}
	return st, nil
}

// Flush removes every key of this layout (p:*) from database n with SCAN and
// UNLINK; other keys stay. Each round trip is bounded by the timeout.
func (s *Store) Flush(ctx context.Context, n int) error {
	c, err := s.client(n)
	if err != nil {
		return err
	}
	return s.scan(ctx, c, s.keys.pattern(""), "", func(batch []string) error {
		ctx, cancel := s.bound(ctx)
		defer cancel()
		return c.Unlink(ctx, batch...).Err()
	})
}

// scan calls fn with each batch of keys matching pattern (and of type typ
// when not ""). Each SCAN is bounded by the timeout; fn bounds its own calls.
func (s *Store) scan(ctx context.Context, c *redis.Client, pattern, typ string, fn func([]string) error) error {
	var cursor uint64
	for {
		cctx, cancel := s.bound(ctx)
		batch, next, err := c.ScanType(cctx, cursor, pattern, 512, typ).Result()
		cancel()
		if err == nil && len(batch) > 0 {
			err = fn(batch)
		}
		if err != nil {
			return s.fail(err)
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// Ping sends PING to the upstream Redis.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.fail(s.dbs[0].Ping(ctx).Err())
}

// Close stops the change feed and closes every client. Acknowledged writes
// are as durable as the upstream Redis's persistence makes them.
func (s *Store) Close() error {
	var errs []error
	if s.feed != nil {
		errs = append(errs, s.feed.close())
	}
	for _, c := range s.dbs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
