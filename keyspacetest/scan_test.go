package keyspacetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/imredis/imredis/internal/servertest"
)

func TestTempKeyExpiry(t *testing.T) {
	srv := servertest.Start(t)
	c := srv.Client(t, 3)
	ctx := context.Background()
	for _, k := range []string{"llm-im:temp:short", "llm-im:temp:long", "llm-im:temp:persisted"} {
		expect(t, c, int64(2), "SADD", k, "a", "b")
	}
	expect(t, c, int64(1), "PEXPIRE", "llm-im:temp:short", 60)
	expect(t, c, int64(1), "EXPIRE", "llm-im:temp:long", 60)
	expect(t, c, int64(1), "PEXPIRE", "llm-im:temp:persisted", 80)
	expect(t, c, int64(1), "PERSIST", "llm-im:temp:persisted")
	if ms, err := c.PTTL(ctx, "llm-im:temp:short").Result(); err != nil || ms <= 0 || ms > 60*time.Millisecond {
		t.Fatalf("PTTL = %v, %v", ms, err)
	}
	time.Sleep(300 * time.Millisecond)
	expect(t, c, int64(0), "EXISTS", "llm-im:temp:short")
	expect(t, c, int64(-2), "TTL", "llm-im:temp:short")
	expect(t, c, int64(-2), "PTTL", "llm-im:temp:short")
	expect(t, c, "(nil)", "GET", "llm-im:temp:short")
	expect(t, c, []any{}, "SMEMBERS", "llm-im:temp:short")
	expect(t, c, int64(0), "PERSIST", "llm-im:temp:short")
	expect(t, c, int64(0), "EXPIRE", "llm-im:temp:short", 10)
	expect(t, c, []any{"llm-im:temp:long", "llm-im:temp:persisted"}, "KEYS", "llm-im:temp:*")
	expect(t, c, int64(-1), "TTL", "llm-im:temp:persisted")
	expect(t, c, int64(60), "TTL", "llm-im:temp:long")
	// An expired key is a new one for SADD: no time to live carried over.
	expect(t, c, int64(1), "SADD", "llm-im:temp:short", "c")
	expect(t, c, int64(-1), "TTL", "llm-im:temp:short")
	// Temp sets are per database.
	c1 := srv.ClientWith(t, &redis.Options{DB: 1})
	expect(t, c1, int64(0), "EXISTS", "llm-im:temp:long")
	expect(t, c1, []any{}, "KEYS", "*")
}

// TestScanCompleteness walks the keyspace with small COUNTs, with MATCH and
// TYPE, and while incidents come and go: every key present for the whole
// scan must come back.
func TestScanCompleteness(t *testing.T) {
	srv := servertest.Start(t)
	ctx := context.Background()
	c := srv.Client(t, 3)
	for i := range 300 {
		id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		sev := severities[i%5]
		d := `{"id":"` + id + `","severity":"` + sev + `","incident_type":"Data","source":"src-` + fmt.Sprint(i%7) +
			`","title":"t","fingerprint":"fp-` + fmt.Sprint(i%11) + `","state":"` + states[i%6] + `"}`
		if err := c.Set(ctx, "llm-im:incident:"+id, d, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 20 {
		c.SAdd(ctx, fmt.Sprintf("llm-im:temp:%d", i), "x")
	}
	all, err := c.Keys(ctx, "*").Result()
	if err != nil || len(all) != 300+1+5+6+7+11+20 {
		t.Fatalf("KEYS * = %d keys, %v", len(all), err)
	}
	for _, tc := range []struct {
		match, typ string
		count      int64
		want       func(string) bool
	}{
		{"", "", 7, func(string) bool { return true }},
		{"", "", 1, func(string) bool { return true }},
		{"", "", 10000, func(string) bool { return true }},
		{"llm-im:incident:*", "", 13, func(k string) bool { return strings.HasPrefix(k, "llm-im:incident:") }},
		{"", "string", 9, func(k string) bool { return strings.HasPrefix(k, "llm-im:incident:") }},
		{"", "SET", 9, func(k string) bool { return !strings.HasPrefix(k, "llm-im:incident:") }},
		{"*:s[eo]*", "set", 4, func(k string) bool { return strings.Contains(k, ":severity:") || strings.Contains(k, ":source:") }},
		{"", "hash", 50, func(string) bool { return false }},
	} {
		var want []string
		for _, k := range all {
			if tc.want(k) {
				want = append(want, k)
			}
		}
		got, calls := scanAll(t, c, tc.match, tc.typ, tc.count, nil)
		if !slices.Equal(got, want) {
			t.Errorf("SCAN MATCH %q TYPE %q COUNT %d: %d keys, want %d", tc.match, tc.typ, tc.count, len(got), len(want))
		}
		if tc.count == 7 && calls < len(all)/7 {
			t.Errorf("COUNT 7 took only %d calls for %d keys", calls, len(all))
		}
		if tc.count == 10000 && calls != 1 {
			t.Errorf("COUNT 10000 took %d calls", calls)
		}
	}
	// Incidents come and go during a scan; their source and fingerprint sets
	// are their own, so every other key is present throughout.
	doomed := func(i int) string { return fmt.Sprintf("%08d-0000-4000-8000-%012d", i, 1) }
	for i := range 40 {
		d := `{"id":"` + doomed(i) + `","severity":"P2","incident_type":"Data","source":"doomed","title":"t"}`
		c.Set(ctx, "llm-im:incident:"+doomed(i), d, 0)
	}
	step := 0
	got, _ := scanAll(t, c, "", "", 5, func() {
		c.Del(ctx, "llm-im:incident:"+doomed(step%40))
		id := fmt.Sprintf("%08d-0000-4000-8000-%012d", step, 2)
		c.Set(ctx, "llm-im:incident:"+id, `{"id":"`+id+`","severity":"P1","incident_type":"Data","source":"fresh","title":"t"}`, 0)
		step++
	})
	seen := map[string]bool{}
	for _, k := range got {
		seen[k] = true
	}
	for _, k := range all {
		if !seen[k] {
			t.Errorf("key %s, present for the whole scan, was not returned", k)
		}
	}
}

// scanAll runs a whole SCAN and returns the sorted distinct keys and the
// number of calls; between calls it runs between, when set.
func scanAll(t *testing.T, c *redis.Client, match, typ string, count int64, between func()) ([]string, int) {
	t.Helper()
	ctx := context.Background()
	seen := map[string]bool{}
	cursor, calls := uint64(0), 0
	for {
		var keys []string
		var err error
		if typ != "" {
			keys, cursor, err = c.ScanType(ctx, cursor, match, count, typ).Result()
		} else {
			keys, cursor, err = c.Scan(ctx, cursor, match, count).Result()
		}
		if err != nil {
			t.Fatalf("SCAN: %v", err)
		}
		calls++
		for _, k := range keys {
			seen[k] = true
		}
		if cursor == 0 {
			break
		}
		if calls > 100000 {
			t.Fatal("SCAN does not end")
		}
		if between != nil {
			between()
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out, calls
}
