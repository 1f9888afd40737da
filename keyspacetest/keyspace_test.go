package keyspacetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/tidwall/gjson"

	"github.com/imredis/imredis/commands"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/memory"
	"github.com/imredis/imredis/internal/servertest"
)

// What imredis does on purpose unlike a plain Redis: the derived index sets,
// incident keys that only hold incidents, and the fence around the keyspace.

const (
	idA     = "0b0f5a0e-3c1e-4b0c-9a57-3b4f2f3f0a11"
	idB     = "1b0f5a0e-3c1e-4b0c-9a57-3b4f2f3f0a11"
	keyA    = "llm-im:incident:" + idA
	keyB    = "llm-im:incident:" + idB
	outside = "ERR key outside the incident keyspace"
	wrong   = "WRONGTYPE Operation against a key holding the wrong kind of value"
)

func doc(id, state, severity string) string {
	idField := ""
	if id != "" {
		idField = `"id":"` + id + `",`
	}
	return `{` + idField + `"state":"` + state + `","severity":"` + severity +
		`","incident_type":"Application","source":"sentinel","title":"t","fingerprint":"fp1"}`
}

func errText(err string) string { return "error: " + err }

func TestOutsideKeyspace(t *testing.T) {
	srv := servertest.Start(t)
	for _, proto := range []int{3, 2} {
		c := srv.Client(t, proto)
		for _, cmd := range [][]any{
			{"GET", "foo"}, {"MGET", keyA, "foo"}, {"SET", "foo", "{}"}, {"DEL", keyA, "foo"}, {"EXISTS", "foo"},
			{"TYPE", "llm-im:events"}, {"EXPIRE", "foo", 10}, {"PEXPIRE", "foo", 10}, {"TTL", "foo"}, {"PTTL", "foo"},
			{"PERSIST", "foo"}, {"SMEMBERS", "llm-im:type:Data"}, {"SCARD", "llm-im"}, {"SISMEMBER", "x", "y"},
			{"SMISMEMBER", "x", "y"}, {"SADD", "x", "y"}, {"SREM", "x", "y"}, {"SINTER", "llm-im:incidents", "x"},
			{"SUNION", "x"}, {"SDIFF", "x"}, {"SINTERCARD", 1, "x"}, {"SINTERSTORE", "llm-im:temp:t", "x"},
			{"SUNIONSTORE", "x", "llm-im:incidents"}, {"SDIFFSTORE", "llm-im:incidents", "llm-im:incidents"},
			{"SUNIONSTORE", keyA, "llm-im:incidents"}, {"sunionstore", "LLM-IM:temp:x", "llm-im:incidents"},
		} {
			expect(t, c, errText(outside), cmd...)
		}
	}
	// Nothing was written by the refused commands.
	expect(t, srv.Client(t, 3), []any{}, "KEYS", "*")
}

func TestDerivedSetsAreInert(t *testing.T) {
	srv := servertest.Start(t)
	c := srv.Client(t, 3)
	expect(t, c, "OK", "SET", keyA, doc(idA, "Detected", "P1"))
	for _, cmd := range []struct {
		want any
		args []any
	}{
		{int64(0), []any{"SADD", "llm-im:incidents", idA}},
		{int64(1), []any{"SADD", "llm-im:incidents", idB, idB}},             // distinct members, as Redis counts
		{int64(3), []any{"SADD", "llm-im:severity:P0", idA, "x", idA, "y"}}, // A is P1
		{int64(1), []any{"SADD", "llm-im:severity:p1", idA}},                // exact spelling: another, empty set
		{int64(1), []any{"SADD", "llm-im:incidents", strings.ToUpper(idA)}},
		{int64(1), []any{"SREM", "llm-im:incidents", idA, idA, idB}},
		{int64(1), []any{"SREM", "llm-im:state:Detected", idA}},
		{int64(1), []any{"SREM", "llm-im:fingerprint:fp1", idA}},
		{int64(0), []any{"SREM", "llm-im:fingerprint:fp2", idA}},
		{[]any{idA}, []any{"SMEMBERS", "llm-im:incidents"}},
		{[]any{idA}, []any{"SMEMBERS", "llm-im:state:Detected"}},
		{[]any{}, []any{"SMEMBERS", "llm-im:severity:P0"}},
		{int64(1), []any{"DEL", "llm-im:incidents", "llm-im:severity:P0"}}, // counted, not removed
		{int64(1), []any{"EXISTS", "llm-im:incidents"}},
		{errText("ERR only temp keys can expire"), []any{"EXPIRE", "llm-im:incidents", 10}},
		{errText("ERR only temp keys can expire"), []any{"PEXPIRE", keyA, 10}},
		{int64(0), []any{"EXPIRE", keyB, 10}},
		{int64(0), []any{"EXPIRE", "llm-im:severity:P0", 10}},
		{int64(-1), []any{"TTL", keyA}},
		{errText(wrong), []any{"SADD", keyB, "x"}}, // an incident key never holds a set
		{errText(wrong), []any{"SET", "llm-im:incidents", doc(idA, "Detected", "P1")}},
		{errText(wrong), []any{"SET", "llm-im:temp:x", doc(idA, "Detected", "P1")}},
	} {
		expect(t, c, cmd.want, cmd.args...)
	}
}

func TestSetIsSave(t *testing.T) {
	srv := servertest.Start(t)
	c := srv.Client(t, 3)
	ctx := context.Background()
	invalid := func(msg string) string { return errText("INVALID " + msg) }
	for _, cmd := range []struct {
		want any
		args []any
	}{
		{"OK", []any{"SET", keyA, doc(idA, "Detected", "P1")}},
		{"OK", []any{"SET", keyB, doc("", "Triaged", "P0")}}, // no id: the key's
		{[]any{idB}, []any{"SMEMBERS", "llm-im:state:Triaged"}},
		{"OK", []any{"SET", keyB, `{"id":null,"severity":"P0","incident_type":"Data","source":"s","title":"t"}`}},
		{[]any{idA, idB}, []any{"SMEMBERS", "llm-im:state:Detected"}}, // sorted
		{"OK", []any{"SET", "llm-im:incident:" + strings.ToUpper(idA), doc(idA, "Resolved", "P1")}},
		{[]any{idB}, []any{"SMEMBERS", "llm-im:state:Detected"}}, // A moved out: the sets are exact
		{[]any{idA}, []any{"SMEMBERS", "llm-im:state:Resolved"}},
		{invalid("id " + idB + " does not match the key's id " + idA), []any{"SET", keyA, doc(idB, "Detected", "P1")}},
		{invalid("id must be a UUID"), []any{"SET", "llm-im:incident:nope", doc("", "Detected", "P1")}},
		{invalid("malformed JSON"), []any{"SET", keyA, "{"}},
		{invalid("incident must be a JSON object"), []any{"SET", keyA, "[]"}},
		{invalid("severity is required"), []any{"SET", keyA, `{"incident_type":"Data","source":"s","title":"t"}`}},
		{errText("ERR syntax error"), []any{"SET", keyA, doc(idA, "Detected", "P1"), "EX", 10}},
		{errText("ERR syntax error"), []any{"SET", keyA, doc(idA, "Detected", "P1"), "NX"}},
		{[]any{idA}, []any{"SMEMBERS", "llm-im:state:Resolved"}}, // the refused SETs changed nothing
		{int64(2), []any{"DEL", keyA, keyB, keyA}},
		{[]any{}, []any{"SMEMBERS", "llm-im:incidents"}},
		{[]any{}, []any{"KEYS", "*"}},
	} {
		expect(t, c, cmd.want, cmd.args...)
	}
	// SET is INC.SAVE: INC.GET sees what GET sees.
	c.Do(ctx, "SET", keyA, doc(idA, "Detected", "P1"))
	a, _ := c.Get(ctx, keyA).Result()
	b, _ := c.Do(ctx, "INC.GET", idA).Text()
	if a == "" || a != b {
		t.Errorf("GET %q, INC.GET %q", a, b)
	}
	if got := reply(c, "GET", "llm-im:incident:"+strings.ToUpper(idA)); got != a {
		t.Errorf("GET with an upper-case id = %v", got)
	}
}

func TestCustomPrefix(t *testing.T) {
	srv := servertest.Start(t, servertest.WithConfig(func(c *commands.Config) { c.KeyPrefix = "ops" }))
	c := srv.Client(t, 2)
	expect(t, c, "OK", "SET", "ops:incident:"+idA, doc(idA, "Detected", "P1"))
	expect(t, c, []any{idA}, "SMEMBERS", "ops:severity:P1")
	expect(t, c, int64(1), "SUNIONSTORE", "ops:temp:x", "ops:severity:P1", "ops:severity:P2")
	expect(t, c, []any{"ops:fingerprint:fp1", "ops:incident:" + idA, "ops:incidents", "ops:severity:P1",
		"ops:source:sentinel", "ops:state:Detected", "ops:temp:x"}, "KEYS", "*")
	expect(t, c, errText(outside), "GET", keyA)
}

// TestRawReplies pins the exact bytes: sets, nulls and simple strings in both
// protocols.
func TestRawReplies(t *testing.T) {
	srv := servertest.Start(t)
	setup := srv.Client(t, 3)
	expect(t, setup, "OK", "SET", keyA, doc(idA, "Detected", "P1"))
	expect(t, setup, int64(1), "SADD", "llm-im:temp:t", "m")
	for _, proto := range []int{2, 3} {
		r := srv.Raw(t)
		if proto == 3 {
			r.Do(t, "HELLO", "3")
			r.ReadReply(t)
		}
		pick := func(resp3, resp2 string) string {
			if proto == 3 {
				return resp3
			}
			return resp2
		}
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"SMEMBERS", "llm-im:incidents"}, pick("~1\r\n", "*1\r\n") + "$36\r\n" + idA + "\r\n"},
			{[]string{"SMEMBERS", "llm-im:severity:P0"}, pick("~0\r\n", "*0\r\n")},
			{[]string{"SINTER", "llm-im:incidents", "llm-im:temp:t"}, pick("~0\r\n", "*0\r\n")},
			{[]string{"SUNION", "llm-im:temp:t"}, pick("~1\r\n", "*1\r\n") + "$1\r\nm\r\n"},
			{[]string{"GET", keyB}, pick("_\r\n", "$-1\r\n")},
			{[]string{"MGET", keyB, "llm-im:incidents"}, "*2\r\n" + pick("_\r\n_\r\n", "$-1\r\n$-1\r\n")},
			{[]string{"TYPE", keyA}, "+string\r\n"},
			{[]string{"TYPE", "llm-im:temp:t"}, "+set\r\n"},
			{[]string{"TYPE", keyB}, "+none\r\n"},
			{[]string{"SMISMEMBER", "llm-im:incidents", idA, idB}, "*2\r\n:1\r\n:0\r\n"},
			{[]string{"KEYS", "nothing*"}, "*0\r\n"},
			{[]string{"SCAN", "0", "MATCH", "nothing*", "COUNT", "1000"}, "*2\r\n$1\r\n0\r\n*0\r\n"},
			{[]string{"SET", keyA, doc(idA, "Detected", "P1")}, "+OK\r\n"},
			{[]string{"TTL", keyB}, ":-2\r\n"},
			{[]string{"GET", "foo"}, "-" + outside + "\r\n"},
			{[]string{"SmEmBeRs", "llm-im:state:Detected"}, pick("~1\r\n", "*1\r\n") + "$36\r\n" + idA + "\r\n"},
		} {
			r.Do(t, c.args...)
			r.Expect(t, c.want)
		}
	}
}

// TestPipelineAndConcurrency sends a 100-command pipeline and runs clients
// side by side, each on its own temp keys and incidents, under -race.
func TestPipelineAndConcurrency(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	c := srv.Client(t, 3)
	pipe := c.Pipeline()
	var cmds []*redis.Cmd
	for i := range 25 {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		cmds = append(cmds,
			pipe.Do(ctx, "SET", "llm-im:incident:"+id, doc(id, "Detected", "P2")),
			pipe.Do(ctx, "SADD", "llm-im:temp:p", id),
			pipe.Do(ctx, "SINTERCARD", 2, "llm-im:temp:p", "llm-im:severity:P2"),
			pipe.Do(ctx, "SISMEMBER", "llm-im:incidents", id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	for i := range 25 {
		if v, _ := cmds[4*i+2].Int64(); v != int64(i+1) {
			t.Errorf("SINTERCARD after %d saves = %d", i+1, v)
		}
		if v, _ := cmds[4*i+3].Int64(); v != 1 {
			t.Errorf("SISMEMBER %d = %d", i, v)
		}
	}
	done := make(chan error)
	for w := range 8 {
		go func() {
			done <- worker(srv, w)
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func worker(srv *servertest.Server, w int) error {
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: 2 + w%2})
	defer c.Close()
	temp := fmt.Sprintf("llm-im:temp:w%d", w)
	for i := range 30 {
		id := fmt.Sprintf("%08d-0000-4000-8000-%012d", w, i)
		key := "llm-im:incident:" + id
		if err := c.Set(ctx, key, doc(id, "Triaged", "P3"), 0).Err(); err != nil {
			return err
		}
		if n, err := c.SUnionStore(ctx, temp, temp, "llm-im:state:Triaged").Result(); err != nil || n < 1 {
			return fmt.Errorf("worker %d: SUNIONSTORE = %d, %v", w, n, err)
		}
		if ok, err := c.SIsMember(ctx, temp, id).Result(); err != nil || !ok {
			return fmt.Errorf("worker %d: %s not in %s: %v", w, id, temp, err)
		}
		c.Expire(ctx, temp, 30e9)
		c.Scan(ctx, 0, "llm-im:temp:*", 5)
		if i%2 == 0 {
			if n, err := c.Del(ctx, key).Result(); err != nil || n != 1 {
				return fmt.Errorf("worker %d: DEL = %d, %v", w, n, err)
			}
		}
	}
	return nil
}

// idStore is a memory engine that also lists ids, counting the calls.
type idStore struct {
	engine.Store
	calls atomic.Int64
}

func (s *idStore) IDs(ctx context.Context, db int, f engine.Filter) ([]string, error) {
	s.calls.Add(1)
	page, err := s.List(ctx, db, engine.Query{Filter: f, Desc: true, Count: 1 << 20})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(page.Docs))
	for i, d := range page.Docs {
		out[i] = gjson.GetBytes(d, "id").Str
	}
	return out, nil
}

// TestIDLister runs the same set reads over a store without engine.IDLister
// (paging through List) and one with it, on more incidents than one page.
func TestIDLister(t *testing.T) {
	ids := &idStore{Store: memory.New(engine.Options{Databases: engine.Databases, KeyPrefix: "llm-im"})}
	plain, lister := servertest.Start(t), servertest.Start(t, servertest.WithStore(ids))
	ctx := context.Background()
	a, b := plain.Client(t, 3), lister.Client(t, 3)
	for _, c := range []*redis.Client{a, b} {
		pipe := c.Pipeline()
		for i := range 2500 {
			id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
			pipe.Set(ctx, "llm-im:incident:"+id, doc(id, states[i%6], severities[i%5]), 0)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, cmd := range [][]any{
		{"SMEMBERS", "llm-im:incidents"}, {"SINTER", "llm-im:severity:P1", "llm-im:state:Detected"},
		{"SUNION", "llm-im:severity:P1", "llm-im:state:Detected"}, {"SDIFF", "llm-im:incidents", "llm-im:severity:P1"},
		{"SINTERCARD", 3, "llm-im:incidents", "llm-im:source:sentinel", "llm-im:fingerprint:fp1"},
		{"SUNIONSTORE", "llm-im:temp:x", "llm-im:severity:P0", "llm-im:severity:P4"}, {"SCARD", "llm-im:temp:x"},
	} {
		x, y := reply(a, cmd...), reply(b, cmd...)
		if !reflect.DeepEqual(x, y) {
			t.Errorf("%v: without IDLister %.200v, with it %.200v", cmd, x, y)
		}
	}
	if all, _ := a.SMembers(ctx, "llm-im:incidents").Result(); len(all) != 2500 || !slices.IsSorted(all) {
		t.Errorf("SMEMBERS: %d ids, sorted %v", len(all), slices.IsSorted(all))
	}
	if n, _ := a.Keys(ctx, "llm-im:incident:*").Result(); len(n) != 2500 {
		t.Errorf("KEYS: %d incident keys", len(n))
	}
	if ids.calls.Load() == 0 {
		t.Error("the IDLister was never used")
	}
}
