package keyspacetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestAgainstRedis loads the same incidents into imredis and a real
// redis-server the seed's way, then expects every command below to answer
// the same on both: reads of the index sets, set algebra, temp keys with
// their TTLs, and the errors, in RESP3 and RESP2.
func TestAgainstRedis(t *testing.T) {
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			ctx := context.Background()
			p := startPair(t, proto)
			incs := seedIncidents(30)
			for _, inc := range incs {
				for _, s := range []*seedStore{{c: p.im, prefix: "llm-im"}, {c: p.rd, prefix: "llm-im"}} {
					if _, err := s.save(ctx, inc); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, cmd := range redisScript(incs) {
				p.same(t, cmd...)
			}
		})
	}
}

func redisScript(incs []*seedIncident) [][]any {
	id0, id1 := incs[0].ID, incs[1].ID
	key0, key1 := "llm-im:incident:"+id0, "llm-im:incident:"+id1
	missing := "llm-im:incident:ffffffff-ffff-4fff-8fff-ffffffffffff"
	all, p0, p1, det := "llm-im:incidents", "llm-im:severity:P0", "llm-im:severity:P1", "llm-im:state:Detected"
	src, fp, none := "llm-im:source:sentinel", "llm-im:fingerprint:fp-oom", "llm-im:severity:P9"
	ta, tb, tc, td, te := "llm-im:temp:a", "llm-im:temp:b", "llm-im:temp:c", "llm-im:temp:d", "llm-im:temp:e"
	script := [][]any{
		// strings
		{"GET", key0}, {"get", key1}, {"GET", missing}, {"GET", all}, {"GET", none},
		{"MGET", key0, all, missing, key1, none},
		{"EXISTS", key0, key0, missing, all, none, src}, {"EXISTS", missing},
		{"TYPE", key0}, {"TYPE", missing}, {"TYPE", all}, {"TYPE", "llm-im:state:Nope"},
		{"TTL", key0}, {"PTTL", key0}, {"TTL", missing}, {"PTTL", missing}, {"TTL", all}, {"TTL", none},
		{"PERSIST", key0}, {"PERSIST", all}, {"PERSIST", missing},
		// index sets
		{"SMEMBERS", all}, {"SMEMBERS", p0}, {"SMEMBERS", none}, {"SMEMBERS", fp}, {"sMeMbErS", src},
		{"SCARD", all}, {"SCARD", det}, {"SCARD", none},
		{"SISMEMBER", all, id0}, {"SISMEMBER", all, strings.ToUpper(id0)}, {"SISMEMBER", "llm-im:severity:" + incs[0].Severity, id0},
		{"SISMEMBER", "llm-im:state:" + incs[0].State, id1}, {"SISMEMBER", none, id0}, {"SISMEMBER", all, "not-an-id"},
		{"SMISMEMBER", det, id0, id1, "nope", id0}, {"SMISMEMBER", none, id0},
		{"SINTER", p0, det}, {"SINTER", p0, p1}, {"SINTER", all, src, fp}, {"SINTER", all, none}, {"SINTER", all, missing},
		{"SUNION", p0, p1, none}, {"SUNION", fp, src},
		{"SDIFF", all, det, p0}, {"SDIFF", none, all}, {"SDIFF", src}, {"SDIFF", missing, all},
		{"SINTERCARD", 2, all, src}, {"SINTERCARD", 2, all, src, "LIMIT", 2}, {"SINTERCARD", 1, all, "LIMIT", 0},
		{"SINTERCARD", 1, all, "limit", 5, "LIMIT", 3}, {"SINTERCARD", 2, none, all},
		{"SREM", missing, "x"},
		// wrong type
		{"SMEMBERS", key0}, {"SCARD", key0}, {"SISMEMBER", key0, "x"}, {"SMISMEMBER", key0, "x"}, {"SREM", key0, "x"},
		{"SINTER", all, key0}, {"SUNION", key0}, {"SDIFF", all, key0}, {"SINTERCARD", 2, all, key0},
		{"SUNIONSTORE", ta, key0}, {"SADD", key0, "x"}, {"SMEMBERS", missing}, {"SCARD", missing},
		// temp keys
		{"SUNIONSTORE", ta, p0, p1}, {"TTL", ta}, {"EXPIRE", ta, 60}, {"TTL", ta}, {"TYPE", ta}, {"SMEMBERS", ta},
		{"SINTER", ta, det}, {"SINTERCARD", 2, ta, det},
		{"SINTERSTORE", tb, ta, src}, {"SDIFFSTORE", tc, all, ta}, {"SCARD", tb}, {"SCARD", tc}, {"TTL", tb},
		{"SUNIONSTORE", tc, tc, ta}, {"SCARD", tc},
		{"SINTERSTORE", ta, none, all}, {"EXISTS", ta}, {"TTL", ta}, {"SDIFFSTORE", tb, tb, tb}, {"EXISTS", tb},
		{"SADD", td, "x", "y", "x"}, {"SADD", td, "y", "z"}, {"SREM", td, "x", "nope", "x"}, {"SMEMBERS", td},
		{"SISMEMBER", td, "y"}, {"SMISMEMBER", td, "x", "y"}, {"SREM", td, "y", "z"}, {"EXISTS", td}, {"TYPE", td},
		{"SREM", td, "y"}, {"SCARD", td}, {"SMEMBERS", td},
		{"SADD", te, "m"}, {"EXPIRE", te, 100, "NX"}, {"EXPIRE", te, 200, "nx"}, {"EXPIRE", te, 50, "GT"},
		{"EXPIRE", te, 300, "GT"}, {"TTL", te}, {"EXPIRE", te, 400, "LT"}, {"EXPIRE", te, 10, "LT"}, {"TTL", te},
		{"EXPIRE", te, 20, "XX"}, {"TTL", te}, {"PERSIST", te}, {"PERSIST", te}, {"TTL", te}, {"PTTL", te},
		{"EXPIRE", te, 10, "XX"}, {"EXPIRE", te, 10, "GT"}, {"EXPIRE", te, 10, "XX", "LT"}, {"TTL", te},
		{"PEXPIRE", te, 100000}, {"TTL", te}, {"SADD", te, "n"}, {"TTL", te},
		{"PEXPIRE", te, -1}, {"EXISTS", te}, {"TTL", te}, {"EXPIRE", te, 10}, {"PERSIST", te},
		{"SADD", te, "m"}, {"EXPIRE", te, 0}, {"EXISTS", te},
		{"DEL", tc, "llm-im:temp:nope", tc}, {"EXISTS", tc},
		// errors
		{"EXPIRE", te, 10, "FOO"}, {"EXPIRE", te, 10, "NX", "XX"}, {"EXPIRE", te, 10, "GT", "LT"}, {"EXPIRE", te, 10, "LT", "NX"},
		{"EXPIRE", te, "x"}, {"EXPIRE", te, "x", "FOO"}, {"EXPIRE", te, "9223372036854775807"},
		{"PEXPIRE", te, "9223372036854775807"}, {"EXPIRE", te, "-9223372036854775808"}, {"EXPIRE", te, "1.5"},
		{"SINTERCARD", 0, all}, {"SINTERCARD", "x", all}, {"SINTERCARD", 3, all}, {"SINTERCARD", 1, all, "LIMIT"},
		{"SINTERCARD", 1, all, "LIMIT", -1}, {"SINTERCARD", 1, all, "LIMIT", "x"}, {"SINTERCARD", 1, all, "FOO", 1},
		{"SCAN", "x"}, {"SCAN", " 1"}, {"SCAN", 0, "COUNT", 0}, {"SCAN", 0, "COUNT", "x"}, {"SCAN", 0, "FOO", "x"},
		{"SCAN", 0, "MATCH"}, {"SCAN", "x", "COUNT", 0},
		{"SCAN", 0, "MATCH", "nothing*", "COUNT", 1000}, {"SCAN", 0, "TYPE", "hash", "COUNT", 1000},
		// KEYS
		{"KEYS", "llm-im:*"}, {"KEYS", "llm-im:severity:*"}, {"KEYS", "llm-im:incident:0000000?-*"}, {"KEYS", "*:temp:*"},
		{"KEYS", "llm-im:s[eo]*"}, {"KEYS", "llm-im:state:[^D]*"}, {"KEYS", "nothing"}, {"KEYS", "*"},
		// deletes that both stores see alike
		{"DEL", key1, missing}, {"GET", key1}, {"EXISTS", key1},
	}
	for _, name := range []string{"get", "mget", "set", "del", "exists", "type", "expire", "pexpire", "ttl", "pttl",
		"persist", "keys", "scan", "smembers", "scard", "sismember", "smismember", "sadd", "srem", "sinter",
		"sunion", "sdiff", "sintercard", "sinterstore", "sunionstore", "sdiffstore"} {
		script = append(script, []any{name}) // too few arguments for every one of them
	}
	script = append(script, []any{"GET", key0, key1}, []any{"TYPE", key0, key1}, []any{"TTL", key0, key1},
		[]any{"SCARD", all, all}, []any{"SISMEMBER", all, id0, id1}, []any{"KEYS", "*", "*"}, []any{"SET", key0},
		[]any{"SMEMBERS", all, all}, []any{"PTTL", key0, key1}, []any{"PERSIST", key0, key1})
	return script
}

// TestCommandInfo expects COMMAND INFO to give each keyspace command Redis's
// arity and key positions.
func TestCommandInfo(t *testing.T) {
	p := startPair(t, 3)
	for _, name := range []string{"get", "mget", "set", "del", "exists", "type", "expire", "pexpire", "ttl", "pttl",
		"persist", "keys", "scan", "smembers", "scard", "sismember", "smismember", "sadd", "srem", "sinter",
		"sunion", "sdiff", "sintercard", "sinterstore", "sunionstore", "sdiffstore"} {
		im, rd := reply(p.im, "COMMAND", "INFO", name), reply(p.rd, "COMMAND", "INFO", name)
		a, ok1 := im.([]any)
		b, ok2 := rd.([]any)
		if !ok1 || !ok2 || len(a) != 1 || len(b) != 1 {
			t.Fatalf("COMMAND INFO %s: imredis %#v, redis %#v", name, im, rd)
		}
		ai, bi := a[0].([]any), b[0].([]any)
		for _, i := range []int{0, 1, 3, 4, 5} { // name, arity, first key, last key, step
			if fmt.Sprint(ai[i]) != fmt.Sprint(bi[i]) {
				t.Errorf("COMMAND INFO %s [%d]: imredis %v, redis %v", name, i, ai[i], bi[i])
			}
		}
	}
}
