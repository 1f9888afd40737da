package upstream

import (
	"testing"

	"github.com/imredis/imredis/conformance"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/redistest"
)

// BenchmarkEngine is the suite every engine runs (conformance.Bench), here
// against a real redis-server of its own on a loopback port: each operation
// is the engine's round trips to it.
func BenchmarkEngine(b *testing.B) {
	srv := redistest.Start(b)
	conformance.Bench(b, func(b *testing.B, o engine.Options) engine.Store {
		return open(b, srv.URL(), o)
	})
}
