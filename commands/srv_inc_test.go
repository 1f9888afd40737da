package commands_test

import (
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/imredis/imredis/internal/servertest"
)

func TestIncidentCommandsRaw(t *testing.T) {
	forProtos(t, func(t *testing.T, proto int) {
		s := servertest.Start(t)
		r := raw(t, s, proto)
		one, two := incident(1, "P1", "Detected"), incident(2, "P0", "Resolved")
		expect(t, r, bulk(id(1)), "INC.SAVE", one)
		expect(t, r, bulk(id(2)), "inc.save", two)
		expect(t, r, bulk(canon(t, one)), "INC.GET", id(1))
		expect(t, r, bulk(canon(t, one)), "INC.GET", strings.ToUpper(id(1)))
		expect(t, r, null(proto), "INC.GET", id(3))
		expect(t, r, "*3\r\n"+bulk(canon(t, two))+null(proto)+bulk(canon(t, one)), "INC.MGET", id(2), id(3), id(1))
		expect(t, r, "*2\r\n"+bulk(canon(t, two))+bulk(canon(t, one)), "INC.LIST")
		expect(t, r, "*2\r\n"+bulk(canon(t, one))+bulk(canon(t, two)), "INC.LIST", "ORDER", "ASC")
		expect(t, r, "*1\r\n"+bulk(canon(t, one)), "INC.LIST", "ACTIVE")
		expect(t, r, "*0\r\n", "INC.LIST", "SEVERITY", "P4")
		expect(t, r, "*2\r\n$1\r\n0\r\n*0\r\n", "INC.LIST", "STATE", "closed", "WITHCURSOR")
		expect(t, r, ":1\r\n", "INC.COUNT", "SEVERITY", "p0")
		expect(t, r, ":2\r\n", "INC.COUNT", "LABEL", "env", "prod")
		expect(t, r, ":0\r\n", "INC.COUNT", "LABEL", "env", "dev")
		expect(t, r, "*0\r\n", "INC.FP", "nosuch")
		expect(t, r, ":1\r\n", "INC.DEL", id(2), id(3), id(2))
		expect(t, r, ":0\r\n", "INC.DEL", id(2))
		expect(t, r, ":1\r\n", "DBSIZE")
		stats := []string{"total", "1", "active", "1", "severity:P0", "0", "severity:P1", "1", "severity:P2", "0",
			"severity:P3", "0", "severity:P4", "0", "state:Detected", "1", "state:Triaged", "0",
			"state:Investigating", "0", "state:Remediating", "0", "state:Resolved", "0", "state:Closed", "0"}
		want := "*26\r\n"
		if proto == 3 {
			want = "%13\r\n"
		}
		for i := 0; i < len(stats); i += 2 {
			want += bulk(stats[i]) + ":" + stats[i+1] + "\r\n"
		}
		expect(t, r, want, "INC.STATS")
	})
}

func TestUpdateRaw(t *testing.T) {
	s := servertest.Start(t)
	r := raw(t, s, 2)
	one := incident(1, "P1", "Detected")
	save(t, r, 1, "P1", "Detected")
	stale := "2024-01-01T00:01:00Z"
	sameInstant := "2024-01-01T01:01:00.000+01:00" // IFMATCH compares instants, not strings
	reply := call(t, r, "INC.UPDATE", strings.Replace(one, "Detected", "Triaged", 1), "IFMATCH", sameInstant)
	at := strings.TrimSuffix(strings.SplitN(reply, "\r\n", 2)[1], "\r\n")
	if at <= "2024-01-01T00:01:00Z" || !strings.HasSuffix(at, "Z") || len(at) != len("2024-01-01T00:00:00.000000000Z") {
		t.Fatalf("INC.UPDATE returned updated_at %q", at)
	}
	expect(t, r, ":0\r\n", "INC.COUNT", "STATE", "Detected")
	expect(t, r, ":1\r\n", "INC.COUNT", "STATE", "Triaged")
	expect(t, r, errLine("CONFLICT incident "+id(1)+" changed at "+at), "INC.UPDATE", one, "IFMATCH", stale)
	expect(t, r, ":1\r\n", "INC.COUNT", "STATE", "Triaged")
	if got := call(t, r, "INC.GET", id(1)); !strings.Contains(got, `"updated_at":"`+at+`"`) {
		t.Fatalf("INC.GET after update = %q, want updated_at %s", got, at)
	}
	if got := call(t, r, "INC.UPDATE", one, "ifmatch", at); !strings.HasPrefix(got, "$30\r\n") {
		t.Fatalf("INC.UPDATE with the current IFMATCH = %q", got)
	}
}

func TestSaveDedupRaw(t *testing.T) {
	s := servertest.Start(t)
	r := raw(t, s, 3)
	first := strings.Replace(incident(1, "P1", "Detected"), "disk full 1", "disk full", 1)
	dup := strings.Replace(incident(2, "P2", "Detected"), "disk full 2", "disk full", 1)
	expect(t, r, "*2\r\n"+bulk(id(1))+":1\r\n", "INC.SAVE", first, "DEDUP")
	expect(t, r, "*2\r\n"+bulk(id(1))+":0\r\n", "INC.SAVE", dup, "dedup")
	expect(t, r, null(3), "INC.GET", id(2))
	got := call(t, r, "INC.GET", id(1))
	fp := got[strings.Index(got, `"fingerprint":"`)+15:]
	fp = fp[:strings.IndexByte(fp, '"')]
	if len(fp) != 64 {
		t.Fatalf("DEDUP stored no computed fingerprint: %q", got)
	}
	if got := call(t, r, "INC.FP", fp, "ACTIVE", "LIMIT", "0", "5"); !strings.HasPrefix(got, "*1\r\n") || !strings.Contains(got, id(1)) {
		t.Fatalf("INC.FP %s = %q", fp, got)
	}
}

// TestCursorPaging pages through 7 incidents three at a time until the cursor is "0".
func TestCursorPaging(t *testing.T) {
	forProtos(t, func(t *testing.T, proto int) {
		s := servertest.Start(t)
		r, c := raw(t, s, proto), client(t, s, proto)
		for n := 1; n <= 7; n++ {
			save(t, r, n, "P1", "Detected")
		}
		var seen []string
		cursor := "0"
		for page := 0; ; page++ {
			res, err := c.Do(t.Context(), "INC.LIST", "SEVERITY", "P1", "LIMIT", "0", "3", "CURSOR", cursor, "WITHCURSOR").Slice()
			if err != nil || len(res) != 2 {
				t.Fatalf("page %d: %v %v", page, res, err)
			}
			docs := res[1].([]any)
			for _, d := range docs {
				seen = append(seen, d.(string)[7:43])
			}
			if cursor = res[0].(string); cursor == "0" {
				break
			}
			if page > 3 || len(docs) != 3 {
				t.Fatalf("page %d has %d docs and cursor %q", page, len(docs), cursor)
			}
			if page == 0 { // an insert older than the cursor shows up, a newer one does not
				expect(t, r, bulk(id(0)), "INC.SAVE", incident(0, "P1", "Detected"))
				expect(t, r, bulk(id(8)), "INC.SAVE", incident(8, "P1", "Detected"))
			}
		}
		want := []string{id(7), id(6), id(5), id(4), id(3), id(2), id(1), id(0)}
		if strings.Join(seen, " ") != strings.Join(want, " ") {
			t.Fatalf("paged ids\n got %v\nwant %v", seen, want)
		}
		expect(t, r, errLine("INVALID cursor was issued for other filters or another order"),
			"INC.LIST", "SEVERITY", "P2", "CURSOR", cursorAfter(t, r), "WITHCURSOR")
	})
}

// cursorAfter returns the cursor of the first page of INC.LIST SEVERITY P1 LIMIT 0 1.
func cursorAfter(t *testing.T, r *servertest.RawConn) string {
	t.Helper()
	got := call(t, r, "INC.LIST", "SEVERITY", "P1", "LIMIT", "0", "1", "WITHCURSOR")
	lines := strings.Split(got, "\r\n")
	if len(lines) < 3 || lines[0] != "*2" {
		t.Fatalf("WITHCURSOR reply %q", got)
	}
	return lines[2]
}

// TestIncidentCommandsGoRedis checks the reply types go-redis decodes.
func TestIncidentCommandsGoRedis(t *testing.T) {
	forProtos(t, func(t *testing.T, proto int) {
		s := servertest.Start(t)
		c, ctx := client(t, s, proto), t.Context()
		one := incident(1, "P3", "Investigating")
		if v, err := c.Do(ctx, "INC.SAVE", one).Text(); v != id(1) || err != nil {
			t.Fatalf("INC.SAVE = %q, %v", v, err)
		}
		if v, err := c.Do(ctx, "INC.SAVE", incident(2, "P3", "Closed"), "DEDUP").Slice(); err != nil || len(v) != 2 || v[0] != id(2) || v[1] != int64(1) {
			t.Fatalf("INC.SAVE DEDUP = %#v, %v", v, err)
		}
		if v, err := c.Do(ctx, "INC.GET", id(1)).Text(); v != canon(t, one) || err != nil {
			t.Fatalf("INC.GET = %q, %v", v, err)
		}
		if err := c.Do(ctx, "INC.GET", id(9)).Err(); err != redis.Nil {
			t.Fatalf("INC.GET of a missing id: %v, want redis.Nil", err)
		}
		if v, err := c.Do(ctx, "INC.MGET", id(9), id(1)).Slice(); err != nil || len(v) != 2 || v[0] != nil || v[1] != canon(t, one) {
			t.Fatalf("INC.MGET = %#v, %v", v, err)
		}
		if v, err := c.Do(ctx, "INC.LIST", "SEVERITY", "P0").Slice(); err != nil || v == nil || len(v) != 0 {
			t.Fatalf("empty INC.LIST = %#v, %v; want an empty array", v, err)
		}
		if v, err := c.Do(ctx, "INC.LIST", "STATE", "investigating", "STATE", "CLOSED", "ORDER", "ASC").StringSlice(); err != nil || len(v) != 2 || v[0] != canon(t, one) {
			t.Fatalf("INC.LIST = %q, %v", v, err)
		}
		at, err := c.Do(ctx, "INC.UPDATE", one).Text()
		if err != nil || !strings.HasPrefix(at, "20") {
			t.Fatalf("INC.UPDATE = %q, %v", at, err)
		}
		if n, err := c.Do(ctx, "INC.COUNT", "ACTIVE").Int(); n != 1 || err != nil {
			t.Fatalf("INC.COUNT ACTIVE = %d, %v", n, err)
		}
		if v, err := c.Do(ctx, "INC.FP", "none", "ACTIVE").Slice(); err != nil || len(v) != 0 {
			t.Fatalf("INC.FP = %#v, %v", v, err)
		}
		st, err := c.Do(ctx, "INC.STATS").Result()
		if err != nil {
			t.Fatal(err)
		}
		if proto == 3 {
			m, ok := st.(map[any]any)
			if !ok || len(m) != 13 || m["total"] != int64(2) || m["state:Closed"] != int64(1) || m["severity:P3"] != int64(2) {
				t.Fatalf("INC.STATS under RESP3 = %#v", st)
			}
		} else if a, ok := st.([]any); !ok || len(a) != 26 || a[0] != "total" || a[1] != int64(2) || a[2] != "active" || a[3] != int64(1) {
			t.Fatalf("INC.STATS under RESP2 = %#v", st)
		}
		if n, err := c.Do(ctx, "INC.DEL", id(1), id(2), id(3)).Int(); n != 2 || err != nil {
			t.Fatalf("INC.DEL = %d, %v", n, err)
		}
		if err := c.FlushDB(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if err := c.FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		if v, err := c.Do(ctx, "QUIT").Text(); v != "OK" || err != nil {
			t.Fatalf("QUIT = %q, %v", v, err)
		}
	})
}
