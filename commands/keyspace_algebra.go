package commands

import (
	"context"
	"slices"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// SINTER key [key ...]
// SUNION key [key ...]
// SDIFF key [key ...]
// SINTERCARD numkeys key [key ...] [LIMIT limit]
// SINTERSTORE destination key [key ...]
// SUNIONSTORE destination key [key ...]
// SDIFFSTORE destination key [key ...]

// setOp is a set-algebra operation.
type setOp uint8

const (
	opInter setOp = iota
	opUnion
	opDiff
)

// evalSets computes op over the sets at refs and passes the sorted result to
// then, inside the temp store's critical section, so that a *STORE reads
// its temp operands and writes its destination atomically. Index sets are
// read from the engine first; for an intersection they are folded into one
// engine query.
func (k *keyspace) evalSets(ctx context.Context, db int, op setOp, refs []keyRef, then func(t *tempDB, result []string)) error {
	vals := make([][]string, len(refs))
	var err error
	inter, folded := engine.AnyFilter(), -1
	for i := range refs {
		switch ref := &refs[i]; {
		case ref.kind == keyIndex && op == opInter:
			andFilter(&inter, &ref.filter)
			folded = i
		case ref.kind != keyTemp:
			vals[i], err = k.setMembers(ctx, db, ref)
		}
		if err != nil {
			return err
		}
	}
	if folded >= 0 {
		if vals[folded], err = k.indexIDs(ctx, db, inter); err != nil {
			return err
		}
	}
	k.temp.do(db, func(t *tempDB, now int64) {
		var sets [][]string
		for i := range refs {
			switch {
			case refs[i].kind == keyTemp:
				sets = append(sets, t.get(refs[i].name, now).sorted())
			case refs[i].kind != keyIndex || op != opInter || i == folded:
				sets = append(sets, vals[i])
			}
		}
		then(t, applyOp(op, sets))
	})
	return nil
}

// andFilter narrows f, an intersection of index sets, by g, one more.
func andFilter(f, g *engine.Filter) {
	f.Empty = f.Empty || g.Empty
	f.Severities = andMask(f.Severities, g.Severities, &f.Empty)
	f.States = andMask(f.States, g.States, &f.Empty)
	f.Sources = andValues(f.Sources, g.Sources, &f.Empty)
	f.Fingerprints = andValues(f.Fingerprints, g.Fingerprints, &f.Empty)
}

func andMask(a, b uint8, empty *bool) uint8 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	if a&b == 0 {
		*empty = true
	}
	return a & b
}

// andValues intersects two one-value lists (nil = any).
func andValues(a, b []string, empty *bool) []string {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	if !slices.Equal(a, b) {
		*empty = true
	}
	return a
}

// applyOp computes op over sorted sets, the first one first for a difference.
func applyOp(op setOp, sets [][]string) []string {
	if len(sets) == 0 {
		return nil
	}
	out := slices.Clone(sets[0])
	for _, s := range sets[1:] {
		switch op {
		case opInter:
			out = mergeSorted(out, s, true, false)
		case opUnion:
			out = mergeSorted(out, s, true, true)
		case opDiff:
			out = mergeSorted(out, s, false, false)
		}
	}
	return out
}

// mergeSorted walks two sorted lists: it keeps the common members when both
// is set, members of a only, and members of b only when bOnly is set.
func mergeSorted(a, b []string, both, bOnly bool) []string {
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			if !both || bOnly {
				out = append(out, a[i])
			}
			i++
		case i == len(a) || b[j] < a[i]:
			if bOnly {
				out = append(out, b[j])
			}
			j++
		default:
			if both {
				out = append(out, a[i])
			}
			i, j = i+1, j+1
		}
	}
	return out
}

// cmdAlgebra returns the SINTER, SUNION or SDIFF handler.
func (k *keyspace) cmdAlgebra(op setOp) resp.Handler {
	return func(c *resp.Ctx, a [][]byte) {
		refs, err := k.keys(a[1:])
		if err == nil {
			err = k.evalSets(c.Context(), c.DB(), op, refs, func(_ *tempDB, res []string) { writeSet(c.W, res) })
		}
		if err != nil {
			c.W.Err(err)
		}
	}
}

// cmdStore returns the SINTERSTORE, SUNIONSTORE or SDIFFSTORE handler. The
// destination must be a temp key; an empty result deletes it.
func (k *keyspace) cmdStore(op setOp) resp.Handler {
	return func(c *resp.Ctx, a [][]byte) {
		refs, err := k.keys(a[1:])
		if err == nil && refs[0].kind != keyTemp {
			err = resp.ErrOutsideKeys
		}
		if err == nil {
			err = k.evalSets(c.Context(), c.DB(), op, refs[1:], func(t *tempDB, res []string) {
				t.put(refs[0].name, res)
				c.W.Int(int64(len(res)))
			})
		}
		if err != nil {
			c.W.Err(err)
		}
	}
}

// interCardArgs is a parsed SINTERCARD.
type interCardArgs struct {
	keys  [][]byte
	limit int64 // 0 = no limit
}

// parseInterCard follows Redis's checks and wording.
func parseInterCard(a [][]byte) (interCardArgs, error) {
	var out interCardArgs
	n, err := parseInt(string(a[1]))
	if err != nil || n < 1 {
		return out, resp.ErrNumKeys
	}
	if n > int64(len(a)-2) {
		return out, resp.ErrNumKeysArgs
	}
	out.keys = a[2 : 2+n]
	r := newArgs(a[2+n:])
	for r.more() {
		if r.keyword() != "LIMIT" || !r.more() {
			return out, resp.ErrSyntax
		}
		l, err := r.int()
		if err != nil || l < 0 {
			return out, resp.ErrLimitNegative
		}
		out.limit = l
	}
	return out, nil
}

func (k *keyspace) cmdSInterCard(c *resp.Ctx, a [][]byte) {
	args, err := parseInterCard(a)
	var refs []keyRef
	if err == nil {
		refs, err = k.keys(args.keys)
	}
	if err == nil {
		err = k.evalSets(c.Context(), c.DB(), opInter, refs, func(_ *tempDB, res []string) {
			n := int64(len(res))
			if args.limit > 0 {
				n = min(n, args.limit)
			}
			c.W.Int(n)
		})
	}
	if err != nil {
		c.W.Err(err)
	}
}
