package commands

import (
	"context"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// SAVE | BGSAVE [SCHEDULE] | LASTSAVE

// Persister is implemented by engines that keep their data in a file.
type Persister interface {
	Snapshot(ctx context.Context) error // compact and fsync, synchronously
	BackgroundSnapshot() error          // start a compaction
	LastSave() time.Time
}

func registerPersist(t *resp.Table, d *Deps) {
	for _, c := range []resp.Command{
		{Name: "save", Arity: 1, Flags: resp.FlagAdmin, Summary: "Compacts the data file and fsyncs it.", Handler: d.cmdSnapshot},
		{Name: "bgsave", Arity: -1, Flags: resp.FlagAdmin, Syntax: "[SCHEDULE]", Summary: "Compacts the data file in the background.", Handler: d.cmdBGSave},
		{Name: "lastsave", Arity: 1, Flags: resp.FlagFast | resp.FlagLoading, Summary: "Returns the Unix time of the last successful save.", Handler: d.cmdLastSave},
	} {
		c.Group = "server"
		t.Register(c)
	}
}

// persister finds the Persister behind any wrappers of the store.
func (d *Deps) persister() Persister {
	p, _ := find[Persister](d.Store)
	return p
}

// find returns the first store in the chain of wrappers (each with Unwrap)
// that implements T.
func find[T any](s engine.Store) (T, bool) {
	for s != nil {
		if t, ok := s.(T); ok {
			return t, true
		}
		u, ok := s.(interface{ Unwrap() engine.Store })
		if !ok {
			break
		}
		s = u.Unwrap()
	}
	var zero T
	return zero, false
}

func (d *Deps) cmdSnapshot(c *resp.Ctx, a [][]byte) {
	p := d.persister()
	if p == nil {
		c.W.Err(resp.ErrNoPersist)
		return
	}
	if err := p.Snapshot(c.Context()); err != nil {
		c.W.Err(err)
		return
	}
	c.W.Simple("OK")
}

func (d *Deps) cmdBGSave(c *resp.Ctx, a [][]byte) {
	if len(a) > 2 || len(a) == 2 && !eqFold(a[1], "SCHEDULE") {
		c.W.Err(resp.ErrSyntax)
		return
	}
	p := d.persister()
	if p == nil {
		c.W.Err(resp.ErrNoPersist)
		return
	}
	if err := p.BackgroundSnapshot(); err != nil {
		c.W.Err(err)
		return
	}
	c.W.Simple("Background saving started")
}

func (d *Deps) cmdLastSave(c *resp.Ctx, a [][]byte) {
	p := d.persister()
	if p == nil {
		c.W.Err(resp.ErrNoPersist)
		return
	}
	c.W.Int(p.LastSave().Unix())
}
