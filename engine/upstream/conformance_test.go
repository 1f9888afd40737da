package upstream

import (
	"testing"

	"github.com/imredis/imredis/conformance"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/redistest"
)

// TestConformance runs the shared suite against one real redis-server,
// emptied before each case.
func TestConformance(t *testing.T) {
	srv := redistest.Start(t)
	admin := srv.Client(0)
	conformance.Run(t, func(t *testing.T, o engine.Options) engine.Store {
		if err := admin.FlushAll(t.Context()).Err(); err != nil {
			t.Fatalf("FLUSHALL: %v", err)
		}
		return open(t, srv.URL(), o)
	})
}
