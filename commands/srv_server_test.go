package commands_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/internal/servertest"
)

// registered lists the commands API.md and the issue name; each must be in the table.
var registered = []string{
	"inc.save", "inc.get", "inc.mget", "inc.update", "inc.del", "inc.list", "inc.count", "inc.fp", "inc.stats",
	"ping", "echo", "quit", "select", "hello", "auth", "reset", "client", "info", "command", "config",
	"dbsize", "time", "flushdb", "flushall",
}

func TestClientCommands(t *testing.T) {
	s := servertest.Start(t)
	forProtos(t, func(t *testing.T, proto int) {
		r, other := raw(t, s, proto), s.Raw(t)
		cid := strings.TrimSuffix(call(t, r, "CLIENT", "ID")[1:], "\r\n")
		oid := strings.TrimSuffix(call(t, other, "client", "id")[1:], "\r\n")
		expect(t, r, null(proto), "CLIENT", "GETNAME")
		expect(t, r, "+OK\r\n", "CLIENT", "SETNAME", "worker-1")
		expect(t, r, "$8\r\nworker-1\r\n", "Client", "GetName")
		expect(t, r, "+OK\r\n", "CLIENT", "SETINFO", "lib-name", "mylib")
		expect(t, r, "+OK\r\n", "CLIENT", "SETINFO", "LIB-VER", "1.2")
		expect(t, r, "+OK\r\n", "CLIENT", "NO-EVICT", "on")
		info := call(t, r, "CLIENT", "INFO")
		prefix := "$"
		if proto == 3 {
			prefix = "="
		}
		for _, want := range []string{prefix, "id=" + cid + " ", " name=worker-1 ", " db=0 ", " cmd=client ", " resp=" + strconv.Itoa(proto) + " ", " lib-name=mylib lib-ver=1.2\n\r\n"} {
			if !strings.Contains(info, want) || want == prefix && !strings.HasPrefix(info, prefix) {
				t.Errorf("CLIENT INFO = %q, missing %q", info, want)
			}
		}
		list := call(t, r, "CLIENT", "LIST")
		if !strings.Contains(list, "id="+cid+" ") || !strings.Contains(list, "id="+oid+" ") {
			t.Errorf("CLIENT LIST = %q, want ids %s and %s", list, cid, oid)
		}
		only := call(t, r, "CLIENT", "LIST", "ID", oid)
		if strings.Contains(only, "id="+cid+" ") || !strings.Contains(only, "id="+oid+" ") || strings.Count(only, "id=") != 1 {
			t.Errorf("CLIENT LIST ID %s = %q", oid, only)
		}
		expect(t, r, ":0\r\n", "CLIENT", "KILL", "ID", cid) // SKIPME yes by default
		expect(t, r, ":1\r\n", "CLIENT", "KILL", "ID", oid)
		other.ExpectClosed(t)
		third := s.Raw(t)
		addr := call(t, third, "CLIENT", "INFO")
		addr = addr[strings.Index(addr, " addr=")+6:]
		addr = addr[:strings.IndexByte(addr, ' ')]
		expect(t, r, "+OK\r\n", "CLIENT", "KILL", addr)
		third.ExpectClosed(t)
		expect(t, r, ":1\r\n", "CLIENT", "KILL", "ID", cid, "SKIPME", "no")
		r.ExpectClosed(t)
	})
}

func TestClientThroughGoRedis(t *testing.T) {
	s := servertest.Start(t)
	forProtos(t, func(t *testing.T, proto int) {
		conn := client(t, s, proto).Conn()
		defer conn.Close()
		ctx := t.Context()
		if err := conn.ClientSetName(ctx, "gr").Err(); err != nil {
			t.Fatal(err)
		}
		if name, err := conn.ClientGetName(ctx).Result(); name != "gr" || err != nil {
			t.Fatalf("ClientGetName = %q, %v", name, err)
		}
		info, err := conn.ClientInfo(ctx).Result()
		if err != nil || info.Name != "gr" || info.Resp != proto || info.DB != 0 {
			t.Fatalf("ClientInfo = %+v, %v", info, err)
		}
		cid, err := conn.ClientID(ctx).Result()
		if err != nil || cid != info.ID {
			t.Fatalf("ClientID = %d, %v; CLIENT INFO id %d", cid, err, info.ID)
		}
		list, err := conn.ClientList(ctx).Result()
		if err != nil || !strings.Contains(list, "name=gr ") {
			t.Fatalf("ClientList = %q, %v", list, err)
		}
	})
}

func TestInfo(t *testing.T) {
	forProtos(t, func(t *testing.T, proto int) {
		s := servertest.Start(t)
		r, c := raw(t, s, proto), client(t, s, proto)
		save(t, r, 1, "P0", "Detected")
		text, err := c.Info(t.Context()).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"# Server\r\n", "redis_version:" + servertest.RedisVersion + "\r\n", "# Clients\r\n",
			"# Memory\r\n", "# Persistence\r\n", "# Stats\r\n", "# Replication\r\nrole:master\r\n", "# Keyspace\r\ndb0:keys=1,",
			"# Incidents\r\n", "incidents_total:1\r\n", "incidents_severity_p0:1\r\n", "tcp_port:" + strconv.Itoa(s.Port()) + "\r\n"} {
			if !strings.Contains(text, want) {
				t.Errorf("INFO lacks %q", want)
			}
		}
		only := call(t, r, "INFO", "Replication")
		body := "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_repl_offset:0\r\n"
		want := bulk(body)
		if proto == 3 {
			want = "=" + strconv.Itoa(len(body)+4) + "\r\ntxt:" + body + "\r\n"
		}
		if only != want {
			t.Errorf("INFO replication\n got %q\nwant %q", only, want)
		}
		empty := bulk("")
		if proto == 3 {
			empty = "=4\r\ntxt:\r\n"
		}
		expect(t, r, empty, "INFO", "nosuchsection")
	})
}

func TestCommandCommand(t *testing.T) {
	s := servertest.Start(t)
	n := s.Table.Len()
	for _, name := range registered {
		if s.Table.Lookup(name) == nil {
			t.Errorf("%s is not registered", name)
		}
	}
	forProtos(t, func(t *testing.T, proto int) {
		r, c := raw(t, s, proto), client(t, s, proto)
		expect(t, r, ":"+strconv.Itoa(n)+"\r\n", "COMMAND", "COUNT")
		names, err := c.Do(t.Context(), "COMMAND", "LIST").StringSlice()
		if err != nil || len(names) != n || !slices.IsSorted(names) {
			t.Fatalf("COMMAND LIST = %v, %v", names, err)
		}
		infos, err := c.Command(t.Context()).Result()
		if err != nil || len(infos) != n {
			t.Fatalf("go-redis Command: %d entries, %v; want %d", len(infos), err, n)
		}
		if g := infos["inc.get"]; g == nil || g.Arity != 2 || !g.ReadOnly || !slices.Contains(g.ACLFlags, "@read") {
			t.Fatalf("COMMAND inc.get = %+v", g)
		}
		if l := infos["inc.list"]; l == nil || l.Arity != -1 || l.FirstKeyPos != 0 {
			t.Fatalf("COMMAND inc.list = %+v", l)
		}
		set2, set0, nullArr := "*2\r\n", "*0\r\n", "*-1\r\n" // flags, categories and tips are sets
		if proto == 3 {
			set2, set0, nullArr = "~2\r\n", "~0\r\n", "_\r\n"
		}
		wantInfo := "*2\r\n*10\r\n" + bulk("inc.get") + ":2\r\n" + set2 + "+readonly\r\n+fast\r\n:0\r\n:0\r\n:0\r\n" +
			set2 + "+@read\r\n+@fast\r\n" + set0 + "*0\r\n*0\r\n" + nullArr
		expect(t, r, wantInfo, "COMMAND", "INFO", "INC.GET", "nosuch")
		outer, inner := "*2\r\n", "*8\r\n"
		if proto == 3 {
			outer, inner = "%1\r\n", "%4\r\n"
		}
		wantDocs := outer + bulk("inc.get") + inner + bulk("summary") + bulk("Returns an incident's JSON.") +
			bulk("since") + bulk("1.0.0") + bulk("group") + bulk("incident") + bulk("syntax") + bulk("INC.GET id")
		expect(t, r, wantDocs, "COMMAND", "DOCS", "inc.get")
		all, err := c.Do(t.Context(), "COMMAND", "DOCS").Result()
		if proto == 3 {
			if mm, ok := all.(map[any]any); !ok || len(mm) != n || err != nil {
				t.Fatalf("COMMAND DOCS under RESP3 = %T with %v", all, err)
			}
		} else if arr, ok := all.([]any); !ok || len(arr) != 2*n || err != nil {
			t.Fatalf("COMMAND DOCS under RESP2 = %T with %v", all, err)
		}
	})
}

func TestConfigDBSizeTime(t *testing.T) {
	s := servertest.Start(t)
	forProtos(t, func(t *testing.T, proto int) {
		r, c := raw(t, s, proto), client(t, s, proto)
		two, none := "*4\r\n", "*0\r\n" // a map under RESP3, a flat array under RESP2
		if proto == 3 {
			two, none = "%2\r\n", "%0\r\n"
		}
		expect(t, r, two+bulk("databases")+bulk("16")+bulk("port")+bulk(strconv.Itoa(s.Port())), "CONFIG", "GET", "port", "DATABASES")
		expect(t, r, none, "CONFIG", "GET", "nosuch")
		cfg, err := c.ConfigGet(t.Context(), "max*").Result()
		if err != nil || cfg["maxclients"] != "10000" || cfg["maxmemory"] != "0" {
			t.Fatalf("ConfigGet max* = %v, %v", cfg, err)
		}
		expect(t, r, ":0\r\n", "DBSIZE")
		got := call(t, r, "TIME")
		parts := strings.Split(got, "\r\n")
		if len(parts) != 6 || parts[0] != "*2" {
			t.Fatalf("TIME = %q", got)
		}
		sec, _ := strconv.ParseInt(parts[2], 10, 64)
		if d := time.Since(time.Unix(sec, 0)); d < -2*time.Second || d > 2*time.Second {
			t.Fatalf("TIME = %q, %v away from now", got, d)
		}
		now, err := c.Time(t.Context()).Result()
		if err != nil || time.Since(now).Abs() > 2*time.Second {
			t.Fatalf("go-redis Time = %v, %v", now, err)
		}
	})
}

// TestMixedCaseNames runs each command under three spellings of its name.
func TestMixedCaseNames(t *testing.T) {
	s := servertest.Start(t)
	r := s.Raw(t)
	save(t, r, 1, "P1", "Detected")
	for _, args := range [][]string{
		{"PING"}, {"ECHO", "x"}, {"SELECT", "0"}, {"HELLO", "2"}, {"CLIENT", "ID"}, {"COMMAND", "COUNT"},
		{"CONFIG", "GET", "databases"}, {"DBSIZE"}, {"INC.GET", id(1)}, {"INC.MGET", id(1), id(2)},
		{"INC.LIST"}, {"INC.COUNT"}, {"INC.FP", "x"}, {"INC.STATS"}, {"INC.SAVE", incident(1, "P1", "Detected")},
		{"INC.DEL", id(9)}, {"FLUSHDB", "SYNC"}, {"AUTH", "x"},
	} {
		want := call(t, r, args...)
		for _, name := range []string{strings.ToLower(args[0]), mixCase(args[0])} {
			if got := call(t, r, append([]string{name}, args[1:]...)...); got != want {
				t.Errorf("%s: got %q, %s gave %q", name, got, args[0], want)
			}
		}
	}
	for _, args := range [][]string{{"Time"}, {"iNfO", "server"}, {"inc.SAVE", incident(1, "P1", "Detected")}, {"Inc.Update", incident(1, "P1", "Detected")}, {"FlushAll"}, {"Reset"}} {
		if got := call(t, r, args...); got[0] == '-' {
			t.Errorf("%q = %q", args, got)
		}
	}
	expect(t, r, "+OK\r\n", "qUiT")
	r.ExpectClosed(t)
}

func mixCase(s string) string {
	b := []byte(strings.ToLower(s))
	for i := 0; i < len(b); i += 2 {
		b[i] = strings.ToUpper(string(b[i]))[0]
	}
	return string(b)
}
