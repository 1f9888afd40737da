package commands

import (
	"math"
	"strings"

	"github.com/imredis/imredis/resp"
)

// EXPIRE key seconds [NX | XX | GT | LT]
// PEXPIRE key milliseconds [NX | XX | GT | LT]

// expireArgs is a parsed EXPIRE or PEXPIRE.
type expireArgs struct {
	when           int64 // seconds or milliseconds, as given
	nx, xx, gt, lt bool
}

// parseExpire checks the options first, then the time, as Redis does.
func parseExpire(a [][]byte) (expireArgs, error) {
	var e expireArgs
	for _, o := range a[3:] {
		switch strings.ToUpper(string(o)) {
		case "NX":
			e.nx = true
		case "XX":
			e.xx = true
		case "GT":
			e.gt = true
		case "LT":
			e.lt = true
		default:
			return e, resp.UnsupportedOption(string(o))
		}
	}
	if e.nx && (e.xx || e.gt || e.lt) {
		return e, resp.ErrExpireNX
	}
	if e.gt && e.lt {
		return e, resp.ErrExpireGTLT
	}
	var err error
	e.when, err = parseInt(string(a[2]))
	return e, err
}

// at returns the Unix millisecond the key expires at, given now and the unit
// of when in milliseconds; ok is false on overflow.
func (e expireArgs) at(now, unit int64) (int64, bool) {
	if e.when > math.MaxInt64/unit || e.when < math.MinInt64/unit {
		return 0, false
	}
	when := e.when * unit
	if when > math.MaxInt64-now {
		return 0, false
	}
	return when + now, true
}

// allow reports whether the options let a key whose expiry is cur (-1 for
// none) be set to expire at.
func (e expireArgs) allow(at int64) func(cur int64) bool {
	return func(cur int64) bool {
		switch {
		case e.nx:
			return cur == -1
		case e.xx && cur == -1,
			e.gt && (cur == -1 || at <= cur),
			e.lt && cur != -1 && at >= cur:
			return false
		}
		return true
	}
}

// cmdExpire returns the EXPIRE (unit 1000) or PEXPIRE (unit 1) handler.
// Incident keys and index sets cannot expire.
func (k *keyspace) cmdExpire(name string, unit int64) resp.Handler {
	return func(c *resp.Ctx, a [][]byte) {
		ref := k.key(a[1])
		e, err := parseExpire(a)
		if err == nil && ref.kind == keyOutside {
			err = resp.ErrOutsideKeys
		}
		if err != nil {
			c.W.Err(err)
			return
		}
		at, ok := e.at(k.temp.nowMS(), unit)
		if !ok {
			c.W.Err(resp.InvalidExpire(name))
			return
		}
		if ref.kind == keyTemp {
			c.W.Int(boolInt(k.temp.expire(c.Context(), c.DB(), ref.name, at, e.allow(at))))
			return
		}
		exists, err := k.exists(c.Context(), c.DB(), &ref)
		switch {
		case err != nil:
			c.W.Err(err)
		case exists:
			c.W.Err(resp.ErrNoExpire)
		default:
			c.W.Int(0)
		}
	}
}
