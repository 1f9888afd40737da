package commands

import (
	"context"
	"slices"

	"github.com/imredis/imredis/resp"
)

// SMEMBERS key
// SCARD key
// SISMEMBER key member
// SMISMEMBER key member [member ...]
// SADD key member [member ...]
// SREM key member [member ...]

func (k *keyspace) cmdSMembers(c *resp.Ctx, a [][]byte) {
	ref := k.key(a[1])
	members, err := k.setMembers(c.Context(), c.DB(), &ref)
	if err != nil {
		c.W.Err(err)
		return
	}
	writeSet(c.W, members)
}

// writeSet writes sorted members as a set (an array under RESP2).
func writeSet(w *resp.Writer, members []string) {
	w.Set(len(members))
	for _, m := range members {
		w.BulkString(m)
	}
}

func (k *keyspace) cmdSCard(c *resp.Ctx, a [][]byte) {
	ref := k.key(a[1])
	var n int64
	var err error
	switch ref.kind {
	case keyIndex:
		n, err = k.indexCard(c.Context(), c.DB(), &ref)
	case keyTemp:
		n = int64(k.temp.card(c.DB(), ref.name))
	default:
		_, err = k.setMembers(c.Context(), c.DB(), &ref) // WRONGTYPE or outside
	}
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.Int(n)
}

// hasMembers reports, for each member, whether it is in the set at ref.
func (k *keyspace) hasMembers(ctx context.Context, db int, ref *keyRef, members []string) ([]bool, error) {
	switch ref.kind {
	case keyIndex:
		return k.isIndexMember(ctx, db, ref, members)
	case keyTemp:
		return k.temp.has(db, ref.name, members), nil
	}
	_, err := k.setMembers(ctx, db, ref) // WRONGTYPE or outside
	return make([]bool, len(members)), err
}

func (k *keyspace) cmdSIsMember(c *resp.Ctx, a [][]byte) {
	ref := k.key(a[1])
	in, err := k.hasMembers(c.Context(), c.DB(), &ref, []string{string(a[2])})
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.Int(boolInt(in[0]))
}

func (k *keyspace) cmdSMIsMember(c *resp.Ctx, a [][]byte) {
	ref := k.key(a[1])
	in, err := k.hasMembers(c.Context(), c.DB(), &ref, strs(a[2:]))
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.Array(len(in))
	for _, v := range in {
		c.W.Int(boolInt(v))
	}
}

// cmdSAdd adds to a temp set. On an index set it changes nothing and
// answers what Redis would: how many distinct members are not in the set.
func (k *keyspace) cmdSAdd(c *resp.Ctx, a [][]byte) {
	k.setWrite(c, a, true)
}

// cmdSRem removes from a temp set. On an index set it changes nothing and
// answers what Redis would: how many distinct members are in the set.
func (k *keyspace) cmdSRem(c *resp.Ctx, a [][]byte) {
	k.setWrite(c, a, false)
}

func (k *keyspace) setWrite(c *resp.Ctx, a [][]byte, add bool) {
	ref, members := k.key(a[1]), strs(a[2:])
	switch ref.kind {
	case keyTemp:
		if add {
			c.W.Int(int64(k.temp.add(c.DB(), ref.name, members)))
		} else {
			c.W.Int(int64(k.temp.rem(c.DB(), ref.name, members)))
		}
		return
	case keyIncident:
		if add { // an incident key only ever holds a string
			c.W.Err(resp.ErrWrongType)
			return
		}
	}
	slices.Sort(members)
	members = slices.Compact(members)
	in, err := k.hasMembers(c.Context(), c.DB(), &ref, members)
	if err != nil {
		c.W.Err(err)
		return
	}
	n := 0 // SADD counts the members not in the set, SREM those in it
	for _, v := range in {
		if v != add {
			n++
		}
	}
	c.W.Int(int64(n))
}
