package commands

import (
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// DEL key [key ...]
// EXISTS key [key ...]
// TYPE key
// TTL key
// PTTL key
// PERSIST key

// cmdDel deletes incident keys (as INC.DEL) and temp keys. Index sets are
// derived: they stay, and count as Redis would count them, once each when
// not empty.
func (k *keyspace) cmdDel(c *resp.Ctx, a [][]byte) {
	refs, err := k.keys(a[1:])
	if err != nil {
		c.W.Err(err)
		return
	}
	ctx, db, n := c.Context(), c.DB(), 0
	var ids []string
	for i := range refs {
		switch ref := &refs[i]; ref.kind {
		case keyIndex:
			card, err := k.indexCard(ctx, db, ref)
			if err != nil {
				c.W.Err(err)
				return
			}
			n += min(int(card), 1)
		case keyIncident:
			if engine.ValidUUID(ref.id) {
				ids = append(ids, ref.id)
			}
		}
	}
	if len(ids) > 0 {
		removed, err := k.d.Store.Delete(ctx, db, ids)
		if err != nil {
			c.W.Err(err)
			return
		}
		n += removed
	}
	for i := range refs {
		if refs[i].kind == keyTemp && k.temp.remove(db, refs[i].name) {
			n++
		}
	}
	c.W.Int(int64(n))
}

// cmdExists counts the keys that exist, a key named twice twice.
func (k *keyspace) cmdExists(c *resp.Ctx, a [][]byte) {
	refs, err := k.keys(a[1:])
	if err != nil {
		c.W.Err(err)
		return
	}
	n := 0
	for i := range refs {
		ok, err := k.exists(c.Context(), c.DB(), &refs[i])
		if err != nil {
			c.W.Err(err)
			return
		}
		if ok {
			n++
		}
	}
	c.W.Int(int64(n))
}

func (k *keyspace) cmdType(c *resp.Ctx, a [][]byte) {
	ref := k.key(a[1])
	ok, err := k.exists(c.Context(), c.DB(), &ref)
	switch {
	case err != nil:
		c.W.Err(err)
	case !ok:
		c.W.Simple("none")
	case ref.kind == keyIncident:
		c.W.Simple("string")
	default:
		c.W.Simple("set")
	}
}

// cmdTTL returns the TTL (unit 1000) or PTTL (unit 1) handler.
func (k *keyspace) cmdTTL(unit int64) resp.Handler {
	return func(c *resp.Ctx, a [][]byte) {
		ref := k.key(a[1])
		if ref.kind == keyTemp {
			ms := k.temp.ttl(c.DB(), ref.name)
			if ms >= 0 && unit > 1 {
				ms = (ms + unit/2) / unit
			}
			c.W.Int(ms)
			return
		}
		exists, err := k.exists(c.Context(), c.DB(), &ref)
		switch {
		case err != nil:
			c.W.Err(err)
		case exists:
			c.W.Int(-1)
		default:
			c.W.Int(-2)
		}
	}
}

// cmdPersist clears a temp key's time to live; other keys never have one.
func (k *keyspace) cmdPersist(c *resp.Ctx, a [][]byte) {
	switch ref := k.key(a[1]); ref.kind {
	case keyOutside:
		c.W.Err(resp.ErrOutsideKeys)
	case keyTemp:
		c.W.Int(boolInt(k.temp.persistKey(c.DB(), ref.name)))
	default:
		c.W.Int(0)
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
