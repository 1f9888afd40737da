package commands_test

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/imredis/imredis/internal/servertest"
	"github.com/imredis/imredis/resp"
)

// TestPipelineGoRedis sends 100 mixed commands in one go-redis pipeline.
func TestPipelineGoRedis(t *testing.T) {
	forProtos(t, func(t *testing.T, proto int) {
		s := servertest.Start(t)
		c := client(t, s, proto)
		pipe := c.Pipeline()
		var cmds []*redis.Cmd
		for n := range 25 {
			cmds = append(cmds,
				pipe.Do(t.Context(), "INC.SAVE", incident(n, "P"+strconv.Itoa(n%5), "Detected")),
				pipe.Do(t.Context(), "inc.get", id(n)),
				pipe.Do(t.Context(), "INC.COUNT"),
				pipe.Do(t.Context(), "INC.GET", "nosuch"))
		}
		if _, err := pipe.Exec(t.Context()); err != redis.Nil {
			t.Fatalf("Exec: %v, want redis.Nil from the missing INC.GET", err)
		}
		if len(cmds) != 100 {
			t.Fatalf("%d commands", len(cmds))
		}
		for n := range 25 {
			save, get, count, miss := cmds[4*n], cmds[4*n+1], cmds[4*n+2], cmds[4*n+3]
			if v, err := save.Text(); v != id(n) || err != nil {
				t.Fatalf("%d: INC.SAVE = %q, %v", n, v, err)
			}
			if v, err := get.Text(); v != canon(t, incident(n, "P"+strconv.Itoa(n%5), "Detected")) || err != nil {
				t.Fatalf("%d: INC.GET = %q, %v", n, v, err)
			}
			if v, err := count.Int(); v != n+1 || err != nil {
				t.Fatalf("%d: INC.COUNT = %d, %v", n, v, err)
			}
			if err := miss.Err(); err != redis.Nil {
				t.Fatalf("%d: INC.GET of a missing id: %v, want redis.Nil", n, err)
			}
		}
	})
}

// TestPipelineRaw writes 100 commands in one write and reads the 100 exact replies.
func TestPipelineRaw(t *testing.T) {
	forProtos(t, func(t *testing.T, proto int) {
		s := servertest.Start(t)
		r := raw(t, s, proto)
		var send, want strings.Builder
		for n := range 20 {
			send.WriteString(servertest.Encode("INC.SAVE", incident(n, "P1", "Triaged")))
			want.WriteString(bulk(id(n)))
			send.WriteString(servertest.Encode("INC.COUNT", "STATE", "triaged"))
			want.WriteString(":" + strconv.Itoa(n+1) + "\r\n")
			send.WriteString(servertest.Encode("INC.GET", id(100+n)))
			want.WriteString(null(proto))
			send.WriteString(servertest.Encode("INC.GET"))
			want.WriteString(errLine(arity("inc.get")))
			send.WriteString(servertest.Encode("PING"))
			want.WriteString("+PONG\r\n")
		}
		r.Send(t, send.String())
		r.Expect(t, want.String())
		expect(t, r, ":20\r\n", "DBSIZE")
	})
}

// TestConcurrentClients runs 16 clients x 200 mixed commands; run under -race.
func TestConcurrentClients(t *testing.T) {
	s := servertest.Start(t)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := s.ClientWith(t, &redis.Options{Protocol: 2 + g%2, DB: g % 4, PoolSize: 2})
			ctx := t.Context()
			for i := range 200 {
				n := g*1000 + i
				var err error
				switch i % 8 {
				case 0, 1:
					err = c.Do(ctx, "INC.SAVE", incident(n, "P"+strconv.Itoa(i%5), "Detected")).Err()
				case 2:
					err = c.Do(ctx, "INC.GET", id(n-1)).Err()
				case 3:
					err = c.Do(ctx, "INC.LIST", "SEVERITY", "P1", "ACTIVE", "LIMIT", "0", "10").Err()
				case 4:
					err = c.Do(ctx, "INC.COUNT", "LABEL", "env", "prod").Err()
				case 5:
					err = c.Do(ctx, "INC.DEL", id(n-5)).Err()
				case 6:
					err = c.Do(ctx, "INC.STATS").Err()
				case 7:
					err = c.Do(ctx, "CLIENT", "LIST").Err()
				}
				if err != nil && err != redis.Nil {
					t.Errorf("client %d command %d: %v", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	c := s.Client(t, 3)
	total := 0
	for db := range 4 {
		c.Do(t.Context(), "SELECT", db)
		st, err := c.Do(t.Context(), "INC.STATS").Result()
		if err != nil {
			t.Fatal(err)
		}
		total += int(st.(map[any]any)["total"].(int64))
	}
	if total != 16*200/8 { // 50 saves per client, 25 of them deleted again
		t.Fatalf("total incidents = %d, want %d", total, 16*200/8)
	}
}

// TestPanicRecovered registers a command whose handler panics: the client
// gets ERR internal error and the server keeps serving every connection.
func TestPanicRecovered(t *testing.T) {
	s := servertest.Start(t, servertest.WithCommands(func(tb *resp.Table) {
		tb.Register(resp.Command{Name: "test.panic", Arity: -1, Handler: func(c *resp.Ctx, a [][]byte) {
			c.W.Array(3) // a half-written reply must not reach the client
			c.W.Simple("partial")
			panic(fmt.Sprintf("boom %d", len(a)))
		}})
	}))
	forProtos(t, func(t *testing.T, proto int) {
		r, bystander := raw(t, s, proto), s.Raw(t)
		r.Send(t, servertest.Encode("TEST.PANIC", "x")+servertest.Encode("PING"))
		r.Expect(t, errLine("ERR internal error")+"+PONG\r\n")
		expect(t, bystander, "+PONG\r\n", "PING")
		c := client(t, s, proto)
		if err := c.Do(t.Context(), "test.panic").Err(); err == nil || err.Error() != "ERR internal error" {
			t.Fatalf("go-redis: %v", err)
		}
		if err := c.Ping(t.Context()).Err(); err != nil {
			t.Fatalf("PING after the panic: %v", err)
		}
	})
}

// TestRedisCLI drives the server with the real redis-cli, one-shot and with -3.
func TestRedisCLI(t *testing.T) {
	s := servertest.Start(t)
	cli := func(args ...string) string {
		t.Helper()
		args = append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port())}, args...)
		out, err := exec.CommandContext(t.Context(), "redis-cli", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if got := cli("INC.SAVE", incident(1, "P0", "Detected")); got != id(1)+"\n" {
		t.Fatalf("redis-cli INC.SAVE = %q", got)
	}
	if got := cli("inc.count", "SEVERITY", "p0"); got != "1\n" {
		t.Fatalf("redis-cli INC.COUNT = %q", got)
	}
	if got := cli("-n", "3", "INC.COUNT"); got != "0\n" {
		t.Fatalf("redis-cli -n 3 INC.COUNT = %q", got)
	}
	if got := cli("INC.GET", id(1)); got != canon(t, incident(1, "P0", "Detected"))+"\n" {
		t.Fatalf("redis-cli INC.GET = %q", got)
	}
	if got := cli("INC.GET", "x", "y"); !strings.Contains(got, arity("inc.get")) {
		t.Fatalf("redis-cli arity error = %q", got)
	}
	if got := cli("-3", "HELLO", "3"); !strings.Contains(got, "\nproto 3\n") || !strings.HasPrefix(got, "server redis\n") {
		t.Fatalf("redis-cli -3 HELLO 3 = %q", got)
	}
	if got := cli("-3", "INC.STATS"); !strings.HasPrefix(got, "total 1\nactive 1\nseverity:P0 1\n") {
		t.Fatalf("redis-cli -3 INC.STATS = %q", got)
	}
	if got := cli("--no-raw", "-3", "INC.STATS"); !strings.Contains(got, `1# "total" => (integer) 1`) {
		t.Fatalf("redis-cli --no-raw -3 INC.STATS = %q, want a map", got)
	}
}
