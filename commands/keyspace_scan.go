package commands

import (
	"context"
	"github.com/imredis/imredis/internal/glob"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// KEYS pattern
// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
//
// Both walk every incident key, every non-empty index set and every live
// temp key. A SCAN cursor is a position in the order of the keys' 64-bit
// FNV-1a hashes: a call returns the keys from that hash on and the cursor
// just past the last one, so a key present for the whole scan is returned.
// To keep a call cheap, the sorted keys are kept per database from the
// latest SCAN 0 (or rebuild): such a snapshot is newer than the start of any
// scan still running, so it holds every key present for the whole of it.

const scanDefaultCount = 10

// scanKey is one key of the keyspace.
type scanKey struct {
	hash uint64
	name string
	set  bool // a set, else a string (an incident)
	temp bool // a temp set, which may expire while a snapshot holds it
}

// allKeys lists the keyspace of db, unordered.
func (k *keyspace) allKeys(ctx context.Context, db int) ([]scanKey, error) {
	var out []scanKey
	sets := map[string]struct{}{}
	p := k.prefix + ":"
	q := engine.Query{Filter: engine.AnyFilter(), Count: idPage}
	for {
		page, err := k.d.Store.List(ctx, db, q)
		if err != nil {
			return nil, err
		}
		for _, doc := range page.Docs {
			r := gjson.GetManyBytes(doc, "id", "severity", "state", "source", "fingerprint")
			out = append(out, scanKey{name: p + "incident:" + r[0].Str})
			sets[p+"incidents"] = struct{}{}
			sets[p+"severity:"+r[1].Str] = struct{}{}
			sets[p+"state:"+r[2].Str] = struct{}{}
			sets[p+"source:"+r[3].Str] = struct{}{}
			if r[4].Type == gjson.String && r[4].Str != "" {
				sets[p+"fingerprint:"+r[4].Str] = struct{}{}
			}
		}
		if page.Next == nil || len(page.Docs) == 0 {
			break
		}
		q.After = page.Next
	}
	for name := range sets {
		out = append(out, scanKey{name: name, set: true})
	}
	for _, name := range k.temp.keys(db) {
		out = append(out, scanKey{name: name, set: true, temp: true})
	}
	return out, nil
}

func (k *keyspace) cmdKeys(c *resp.Ctx, a [][]byte) {
	all, err := k.allKeys(c.Context(), c.DB())
	if err != nil {
		c.W.Err(err)
		return
	}
	pattern := string(a[1])
	var names []string
	for _, key := range all {
		if pattern == "*" || glob.Match(pattern, key.name) {
			names = append(names, key.name)
		}
	}
	slices.Sort(names)
	c.W.StringList(names)
}

// scanArgs is a parsed SCAN.
type scanArgs struct {
	cursor  uint64
	count   int64
	match   string // "" or "*" = every key
	typ     string // "" = every type
	hasType bool
}

// parseScan follows Redis: the cursor first, then options in any order, a
// repeated option overriding the earlier one.
func parseScan(a [][]byte) (scanArgs, error) {
	out := scanArgs{count: scanDefaultCount}
	var ok bool
	if out.cursor, ok = parseCursor(string(a[1])); !ok {
		return out, resp.ErrInvalidCursor
	}
	for i := 2; i < len(a); i += 2 {
		if i+1 == len(a) {
			return out, resp.ErrSyntax
		}
		v := string(a[i+1])
		switch strings.ToUpper(string(a[i])) {
		case "COUNT":
			n, err := parseInt(v)
			if err != nil {
				return out, err
			}
			if n < 1 {
				return out, resp.ErrSyntax
			}
			out.count = n
		case "MATCH":
			out.match = v
		case "TYPE":
			out.typ, out.hasType = v, true
		default:
			return out, resp.ErrSyntax
		}
	}
	return out, nil
}

// parseCursor reads a cursor as Redis's strtoul does: an optional sign (a
// minus wraps around), decimal digits, nothing else; "" is 0.
func parseCursor(s string) (uint64, bool) {
	t := s
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg, t = t[0] == '-', t[1:]
		if t == "" {
			return 0, false
		}
	}
	if t == "" {
		return 0, true
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// keep reports whether key passes the MATCH and TYPE options.
func (s *scanArgs) keep(key scanKey) bool {
	if s.hasType {
		typ := "string"
		if key.set {
			typ = "set"
		}
		if !strings.EqualFold(s.typ, typ) {
			return false
		}
	}
	return s.match == "" || s.match == "*" || glob.Match(s.match, key.name)
}

func (k *keyspace) cmdScan(c *resp.Ctx, a [][]byte) {
	args, err := parseScan(a)
	if err != nil {
		c.W.Err(err)
		return
	}
	keys, err := k.scans.get(c.DB(), args.cursor == 0, func() ([]scanKey, error) {
		return k.allKeys(c.Context(), c.DB())
	})
	if err != nil {
		c.W.Err(err)
		return
	}
	page, next := scanPage(keys, args.cursor, args.count)
	var names []string
	for _, key := range page {
		if args.keep(key) && (!key.temp || k.temp.card(c.DB(), key.name) > 0) {
			names = append(names, key.name)
		}
	}
	c.W.Array(2)
	c.W.BulkString(strconv.FormatUint(next, 10))
	c.W.StringList(names)
}
