package commands

import (
	"strings"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// The llm-im: keyspace: plain Redis commands on the seed's key layout.
//
//	<prefix>:incident:{uuid}      string: the incident JSON
//	<prefix>:incidents            set of all ids
//	<prefix>:severity:{severity}  set of ids
//	<prefix>:state:{state}        set of ids
//	<prefix>:source:{source}      set of ids
//	<prefix>:fingerprint:{fp}     set of ids
//	<prefix>:temp:*               scratch sets that a client stores, with a TTL
//
// The index sets are derived from the incidents and always exact; SADD and
// SREM on them change nothing. Temp sets live in this process, per database.

// defaultKeyPrefix is the seed's prefix, used when the config has none.
const defaultKeyPrefix = "llm-im"

// keyKind is what a key of the keyspace names.
type keyKind uint8

const (
	keyOutside  keyKind = iota
	keyIncident         // <prefix>:incident:{id}
	keyIndex            // a derived index set
	keyTemp             // <prefix>:temp:*
)

// keyRef is a parsed key.
type keyRef struct {
	kind keyKind
	name string
	// id is the incident id of an incident key, lower-cased.
	id string
	// field and value say which incidents an index set holds: those whose
	// JSON field equals value; field is "" for <prefix>:incidents.
	field, value string
	// filter selects the same incidents; filter.Empty when none can match.
	filter engine.Filter
}

// parseKey classifies key under prefix. It is pure.
func parseKey(prefix, key string) keyRef {
	ref := keyRef{name: key}
	rest, ok := strings.CutPrefix(key, prefix+":")
	if !ok {
		return ref
	}
	if rest == "incidents" {
		ref.kind, ref.filter = keyIndex, engine.AnyFilter()
		return ref
	}
	kind, value, ok := strings.Cut(rest, ":")
	if !ok {
		return ref
	}
	switch kind {
	case "incident":
		ref.kind, ref.id = keyIncident, strings.ToLower(value)
	case "temp":
		ref.kind = keyTemp
	case "severity", "state", "source", "fingerprint":
		ref.kind, ref.field, ref.value = keyIndex, kind, value
		ref.filter = indexFilter(kind, value)
	}
	return ref
}

// indexFilter returns the filter of the index set for field = value; values
// are exact and case-sensitive, as the seed spells them.
func indexFilter(field, value string) engine.Filter {
	f := engine.AnyFilter()
	switch field {
	case "severity":
		s, ok := engine.ParseSeverity(value, false)
		f.Severities, f.Empty = 1<<s, !ok
	case "state":
		s, ok := engine.ParseState(value, false)
		f.States, f.Empty = 1<<s, !ok
	case "source":
		f.Sources, f.Empty = []string{value}, value == ""
	case "fingerprint":
		// A null fingerprint is "" in the engine; no set holds those.
		f.Fingerprints, f.Empty = []string{value}, value == ""
	}
	return f
}

// keyspace serves the plain Redis commands on the prefix's keys.
type keyspace struct {
	d      *Deps
	prefix string
	temp   *tempStore
	scans  *scanCache
}

func (k *keyspace) key(b []byte) keyRef { return parseKey(k.prefix, string(b)) }

// keys parses every key and refuses the command when one is outside.
func (k *keyspace) keys(list [][]byte) ([]keyRef, error) {
	out := make([]keyRef, len(list))
	for i, b := range list {
		if out[i] = k.key(b); out[i].kind == keyOutside {
			return nil, resp.ErrOutsideKeys
		}
	}
	return out, nil
}

func registerKeyspace(t *resp.Table, d *Deps) {
	prefix := d.Config.KeyPrefix
	if prefix == "" {
		prefix = defaultKeyPrefix
	}
	k := &keyspace{d: d, prefix: prefix, temp: newTempStore(d.now), scans: &scanCache{}}
	d.temp = k.temp
	r, w, f := resp.FlagReadOnly, resp.FlagWrite, resp.FlagFast
	one, all := [3]int{1, 1, 1}, [3]int{1, -1, 1}
	for _, c := range []resp.Command{
		{Name: "get", Arity: 2, Flags: r | f, Keys: one, Group: "string", Syntax: "key", Summary: "Returns the JSON of an incident key.", Handler: k.cmdGet},
		{Name: "mget", Arity: -2, Flags: r | f, Keys: all, Group: "string", Syntax: "key [key ...]", Summary: "Returns the JSON of several incident keys.", Handler: k.cmdMGet},
		{Name: "set", Arity: -3, Flags: w, Keys: one, Group: "string", Syntax: "key value", Summary: "Saves an incident under its key, as INC.SAVE.", Handler: k.cmdSet},
		{Name: "del", Arity: -2, Flags: w, Keys: all, Group: "generic", Syntax: "key [key ...]", Summary: "Deletes incident and temp keys; index sets are derived.", Handler: k.cmdDel},
		{Name: "exists", Arity: -2, Flags: r | f, Keys: all, Group: "generic", Syntax: "key [key ...]", Summary: "Counts the keys that exist.", Handler: k.cmdExists},
		{Name: "type", Arity: 2, Flags: r | f, Keys: one, Group: "generic", Syntax: "key", Summary: "Returns the type of a key.", Handler: k.cmdType},
		{Name: "expire", Arity: -3, Flags: w | f, Keys: one, Group: "generic", Syntax: "key seconds [NX | XX | GT | LT]", Summary: "Sets a temp key's time to live in seconds.", Handler: k.cmdExpire("expire", 1000)},
		{Name: "pexpire", Arity: -3, Flags: w | f, Keys: one, Group: "generic", Since: "2.6.0", Syntax: "key milliseconds [NX | XX | GT | LT]", Summary: "Sets a temp key's time to live in milliseconds.", Handler: k.cmdExpire("pexpire", 1)},
		{Name: "ttl", Arity: 2, Flags: r | f, Keys: one, Group: "generic", Syntax: "key", Summary: "Returns a key's time to live in seconds.", Handler: k.cmdTTL(1000)},
		{Name: "pttl", Arity: 2, Flags: r | f, Keys: one, Group: "generic", Since: "2.6.0", Syntax: "key", Summary: "Returns a key's time to live in milliseconds.", Handler: k.cmdTTL(1)},
		{Name: "persist", Arity: 2, Flags: w | f, Keys: one, Group: "generic", Since: "2.2.0", Syntax: "key", Summary: "Removes a temp key's time to live.", Handler: k.cmdPersist},
		{Name: "keys", Arity: 2, Flags: r, Group: "generic", Syntax: "pattern", Summary: "Returns the keys that match a pattern.", Handler: k.cmdKeys},
		{Name: "scan", Arity: -2, Flags: r, Group: "generic", Since: "2.8.0", Syntax: "cursor [MATCH pattern] [COUNT count] [TYPE type]", Summary: "Iterates over the keys.", Handler: k.cmdScan},
		{Name: "smembers", Arity: 2, Flags: r, Keys: one, Group: "set", Syntax: "key", Summary: "Returns the members of a set.", Handler: k.cmdSMembers},
		{Name: "scard", Arity: 2, Flags: r | f, Keys: one, Group: "set", Syntax: "key", Summary: "Returns the number of members of a set.", Handler: k.cmdSCard},
		{Name: "sismember", Arity: 3, Flags: r | f, Keys: one, Group: "set", Syntax: "key member", Summary: "Reports whether a member is in a set.", Handler: k.cmdSIsMember},
		{Name: "smismember", Arity: -3, Flags: r | f, Keys: one, Group: "set", Since: "6.2.0", Syntax: "key member [member ...]", Summary: "Reports whether each member is in a set.", Handler: k.cmdSMIsMember},
		{Name: "sadd", Arity: -3, Flags: w | f, Keys: one, Group: "set", Syntax: "key member [member ...]", Summary: "Adds members to a temp set; index sets are derived.", Handler: k.cmdSAdd},
		{Name: "srem", Arity: -3, Flags: w | f, Keys: one, Group: "set", Syntax: "key member [member ...]", Summary: "Removes members from a temp set; index sets are derived.", Handler: k.cmdSRem},
		{Name: "sinter", Arity: -2, Flags: r, Keys: all, Group: "set", Syntax: "key [key ...]", Summary: "Returns the intersection of sets.", Handler: k.cmdAlgebra(opInter)},
		{Name: "sunion", Arity: -2, Flags: r, Keys: all, Group: "set", Syntax: "key [key ...]", Summary: "Returns the union of sets.", Handler: k.cmdAlgebra(opUnion)},
		{Name: "sdiff", Arity: -2, Flags: r, Keys: all, Group: "set", Syntax: "key [key ...]", Summary: "Returns the difference of the first set and the others.", Handler: k.cmdAlgebra(opDiff)},
		{Name: "sintercard", Arity: -3, Flags: r, Group: "set", Since: "7.0.0", Syntax: "numkeys key [key ...] [LIMIT limit]", Summary: "Returns the size of the intersection of sets.", Handler: k.cmdSInterCard},
		{Name: "sinterstore", Arity: -3, Flags: w, Keys: all, Group: "set", Syntax: "destination key [key ...]", Summary: "Stores the intersection of sets in a temp key.", Handler: k.cmdStore(opInter)},
		{Name: "sunionstore", Arity: -3, Flags: w, Keys: all, Group: "set", Syntax: "destination key [key ...]", Summary: "Stores the union of sets in a temp key.", Handler: k.cmdStore(opUnion)},
		{Name: "sdiffstore", Arity: -3, Flags: w, Keys: all, Group: "set", Syntax: "destination key [key ...]", Summary: "Stores the difference of sets in a temp key.", Handler: k.cmdStore(opDiff)},
	} {
		t.Register(c)
	}
}
