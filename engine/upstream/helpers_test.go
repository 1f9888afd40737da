package upstream

import (
	"context"
	"errors"
	"github.com/redis/go-redis/v9"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

// open returns a Store on url, closed when the test ends.
func open(t testing.TB, url string, o engine.Options) *Store {
	t.Helper()
	return openTimeout(t, url, o, 0)
}

func openTimeout(t testing.TB, url string, o engine.Options, timeout time.Duration) *Store {
	t.Helper()
	s, err := New(context.Background(), url, o, timeout)
	if err != nil {
		t.Fatalf("New(%s): %v", url, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// epochForChecks is the clock of every test that does not care about it.
var epochForChecks = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// parse validates raw, failing the test on error.
func parse(t testing.TB, raw string) *engine.Incident {
	t.Helper()
	inc, err := engine.Parse([]byte(raw), 1<<20, epochForChecks)
	if err != nil {
		t.Fatalf("Parse(%s): %v", raw, err)
	}
	return inc
}

// opts returns the options of a test store with a fixed clock.
func opts() engine.Options {
	return engine.Options{Clock: func() time.Time { return epochForChecks }}
}

// isNotFound reports whether err is ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, engine.ErrNotFound) }

// redisZ is a score-0 zset member.
func redisZ(m string) redis.Z { return redis.Z{Member: m} }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
