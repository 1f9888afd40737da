// Package factory turns an engine URL into an engine.Store: the one explicit
// switch over the engines that exist.
package factory

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/buntdb"
	"github.com/imredis/imredis/engine/memory"
	"github.com/imredis/imredis/engine/upstream"
)

// Schemes lists the engine URL schemes that exist.
var Schemes = []string{"memory:", "buntdb:PATH", "redis://", "rediss://"}

// Settings are the engine-specific knobs the factory passes on.
type Settings struct {
	Fsync           string        // buntdb: always, everysec or never
	Repair          bool          // buntdb: truncate a damaged tail (keeping a copy)
	UpstreamTimeout time.Duration // redis: deadline of every upstream call
}

// Open returns the engine named by rawURL.
func Open(ctx context.Context, rawURL string, opts engine.Options, set Settings) (engine.Store, error) {
	scheme, rest, _ := strings.Cut(rawURL, ":")
	switch strings.ToLower(scheme) {
	case "memory":
		return memory.New(opts), nil
	case "buntdb":
		if rest == "" {
			return nil, fmt.Errorf("buntdb needs a path: buntdb:PATH")
		}
		// Async: the server answers -LOADING while the indexes are rebuilt.
		return buntdb.Open(rest, opts, buntdb.Config{Fsync: set.Fsync, Repair: set.Repair, Async: true})
	case "redis", "rediss":
		return upstream.New(ctx, rawURL, opts, set.UpstreamTimeout)
	}
	return nil, fmt.Errorf("unknown engine %q: the engines are %s", scheme, strings.Join(Schemes, ", "))
}

// Redact returns rawURL with any password replaced by "xxxxx", for logs and INFO.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
