// Package commands holds one file per command or family: a syntax comment, an
// args struct, a pure parser and a short handler. Register puts them all in
// the one resp.Table.
package commands

import (
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// Config is what the commands need to know of the server's settings.
type Config struct {
	Version          string // imredis version
	RedisVersion     string // the Redis version reported to clients
	Engine           string // engine URL with credentials redacted
	KeyPrefix        string
	Databases        int
	MaxIncidentBytes int
	MaxPageSize      int
	Port             int
	// NoRESP3 makes HELLO 3 answer NOPROTO, for users who need RESP2 only.
	NoRESP3 bool
	// Password is requirepass for the default user; Users holds other
	// user:password entries. Both empty means no authentication.
	Password string
	Users    map[string]string
	// Config holds extra CONFIG GET values (lower-case names).
	Config map[string]string
}

// Deps are the services the handlers use.
type Deps struct {
	Store  engine.Store
	Config Config
	Clock  func() time.Time

	temp *tempStore // the keyspace's temp sets, made by registerKeyspace
}

func (d *Deps) now() time.Time {
	if d.Clock != nil {
		return d.Clock()
	}
	return time.Now()
}

// AuthRequired reports whether connections must authenticate first.
func (c *Config) AuthRequired() bool { return c.Password != "" || len(c.Users) > 0 }

// Register adds every command to t.
func Register(t *resp.Table, d *Deps) {
	registerIncident(t, d)
	registerConnection(t, d)
	registerClient(t, d)
	registerServer(t, d)
	registerPubSub(t, d)
	registerPersist(t, d)
	registerSlowLog(t, d)
	registerMemory(t, d)
	registerKeyspace(t, d)
}
