package commands_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/imredis/imredis/commands"
	"github.com/imredis/imredis/internal/servertest"
)

func TestPingEchoRaw(t *testing.T) {
	s := servertest.Start(t)
	forProtos(t, func(t *testing.T, proto int) {
		r := raw(t, s, proto)
		expect(t, r, "+PONG\r\n", "PING")
		expect(t, r, "$2\r\nhi\r\n", "PING", "hi")
		expect(t, r, "$0\r\n\r\n", "ECHO", "")
		expect(t, r, "$3\r\na\nb\r\n", "echo", "a\nb")
		c := client(t, s, proto)
		if got, err := c.Ping(t.Context()).Result(); got != "PONG" || err != nil {
			t.Fatalf("Ping = %q, %v", got, err)
		}
		if got, err := c.Echo(t.Context(), "x y").Result(); got != "x y" || err != nil {
			t.Fatalf("Echo = %q, %v", got, err)
		}
	})
}

// TestHelloRaw pins HELLO's field order and the protocol switch.
func TestHelloRaw(t *testing.T) {
	s := servertest.Start(t)
	r := s.Raw(t)
	cid := strings.TrimSuffix(strings.TrimPrefix(call(t, r, "CLIENT", "ID"), ":"), "\r\n")
	fields := func(proto string) string {
		return bulk("server") + bulk("redis") + bulk("version") + bulk(servertest.RedisVersion) +
			bulk("proto") + ":" + proto + "\r\n" + bulk("id") + ":" + cid + "\r\n" + bulk("mode") + bulk("standalone") +
			bulk("role") + bulk("master") + bulk("modules") + "*0\r\n" + bulk("imredis_version") + bulk(servertest.Version)
	}
	expect(t, r, "*16\r\n"+fields("2"), "HELLO")
	expect(t, r, "$-1\r\n", "CLIENT", "GETNAME")
	expect(t, r, "%8\r\n"+fields("3"), "hello", "3", "setname", "app")
	expect(t, r, "$3\r\napp\r\n", "CLIENT", "GETNAME")
	expect(t, r, "_\r\n", "INC.GET", id(1))
	expect(t, r, "%8\r\n"+fields("3"), "HELLO")
	expect(t, r, "*16\r\n"+fields("2"), "HELLO", "2")
	expect(t, r, "$-1\r\n", "INC.GET", id(1))
	expect(t, r, "+RESET\r\n", "RESET")
}

// TestResetRaw checks that RESET returns the connection to its initial state.
func TestResetRaw(t *testing.T) {
	s := servertest.Start(t)
	r := raw(t, s, 3)
	expect(t, r, "+OK\r\n", "SELECT", "5")
	save(t, r, 1, "P1", "Detected")
	expect(t, r, "+OK\r\n", "CLIENT", "SETNAME", "before")
	expect(t, r, "+RESET\r\n", "RESET")
	expect(t, r, "$-1\r\n", "INC.GET", id(1)) // RESP2 again, database 0
	expect(t, r, ":0\r\n", "DBSIZE")
	expect(t, r, "$-1\r\n", "CLIENT", "GETNAME") // Redis's RESET clears the name
}

// TestSelectIsolation saves a different number of incidents in each of the 16
// databases and counts them back through go-redis clients bound to each.
func TestSelectIsolation(t *testing.T) {
	s := servertest.Start(t)
	r := s.Raw(t)
	for db := range 16 {
		expect(t, r, "+OK\r\n", "SELECT", strconv.Itoa(db))
		for n := range db {
			save(t, r, n, "P2", "Triaged")
		}
	}
	expect(t, r, errLine("ERR DB index is out of range"), "SELECT", "16")
	forProtos(t, func(t *testing.T, proto int) {
		for db := range 16 {
			c := s.ClientWith(t, &redis.Options{Protocol: proto, DB: db})
			if n, err := c.Do(t.Context(), "INC.COUNT").Int(); n != db || err != nil {
				t.Fatalf("db %d: INC.COUNT = %d, %v", db, n, err)
			}
			if n, err := c.DBSize(t.Context()).Result(); n != int64(db) || err != nil {
				t.Fatalf("db %d: DBSIZE = %d, %v", db, n, err)
			}
		}
	})
	expect(t, r, "+OK\r\n", "SELECT", "3")
	expect(t, r, "+OK\r\n", "FLUSHDB")
	expect(t, r, ":0\r\n", "INC.COUNT")
	expect(t, r, "+OK\r\n", "SELECT", "4")
	expect(t, r, ":4\r\n", "INC.COUNT")
	expect(t, r, "+OK\r\n", "FLUSHALL", "ASYNC")
	expect(t, r, ":0\r\n", "DBSIZE")
	expect(t, r, "+OK\r\n", "SELECT", "15")
	expect(t, r, ":0\r\n", "DBSIZE")
}

// TestQuitPipeline sends QUIT in the middle of a pipeline: nothing after it runs.
func TestQuitPipeline(t *testing.T) {
	s := servertest.Start(t)
	r := s.Raw(t)
	r.Send(t, servertest.Encode("PING")+servertest.Encode("QUIT")+
		servertest.Encode("INC.SAVE", incident(1, "P1", "Detected"))+servertest.Encode("PING"))
	r.Expect(t, "+PONG\r\n+OK\r\n")
	r.ExpectClosed(t)
	other := s.Raw(t)
	expect(t, other, "$-1\r\n", "INC.GET", id(1))
	expect(t, other, ":0\r\n", "DBSIZE")
	expect(t, other, "+OK\r\n", "quit")
	other.ExpectClosed(t)
}

func TestAuth(t *testing.T) {
	s := servertest.Start(t, servertest.WithConfig(func(c *commands.Config) {
		c.Password = "s3cret"
		c.Users = map[string]string{"alice": "wonder"}
	}))
	r := s.Raw(t)
	expect(t, r, errLine("NOAUTH Authentication required."), "INC.COUNT")
	expect(t, r, errLine("NOAUTH Authentication required."), "CLIENT", "ID")
	expect(t, r, errLine("NOAUTH Authentication required."), "PING")
	expect(t, r, errLine("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"), "HELLO", "3")
	wrongPass := errLine("WRONGPASS invalid username-password pair or user is disabled.")
	expect(t, r, wrongPass, "AUTH", "nope")
	expect(t, r, wrongPass, "AUTH", "default", "nope")
	expect(t, r, wrongPass, "AUTH", "alice", "s3cret")
	expect(t, r, wrongPass, "HELLO", "3", "AUTH", "alice", "nope")
	expect(t, r, "+OK\r\n", "AUTH", "s3cret")
	expect(t, r, ":0\r\n", "INC.COUNT")
	expect(t, r, "+RESET\r\n", "RESET")
	expect(t, r, errLine("NOAUTH Authentication required."), "INC.COUNT")
	expect(t, r, "+OK\r\n", "AUTH", "alice", "wonder")
	if got := call(t, r, "CLIENT", "INFO"); !strings.Contains(got, " user=alice ") {
		t.Fatalf("CLIENT INFO after AUTH alice = %q", got)
	}
	expect(t, r, "+RESET\r\n", "RESET")
	if got := call(t, r, "HELLO", "3", "AUTH", "default", "s3cret"); !strings.HasPrefix(got, "%8\r\n") {
		t.Fatalf("HELLO 3 AUTH = %q", got)
	}
	expect(t, r, ":0\r\n", "INC.COUNT")
	forProtos(t, func(t *testing.T, proto int) {
		for user, pass := range map[string]string{"": "s3cret", "alice": "wonder"} {
			c := s.ClientWith(t, &redis.Options{Protocol: proto, Username: user, Password: pass})
			if n, err := c.Do(t.Context(), "INC.COUNT").Int(); n != 0 || err != nil {
				t.Fatalf("user %q: INC.COUNT = %d, %v", user, n, err)
			}
		}
		bad := s.ClientWith(t, &redis.Options{Protocol: proto, Password: "nope", MaxRetries: -1})
		if err := bad.Ping(t.Context()).Err(); err == nil || !strings.HasPrefix(err.Error(), "WRONGPASS") {
			t.Fatalf("client with a wrong password: PING error %v, want WRONGPASS", err)
		}
	})
}

// TestAuthUsersOnly configures only named users: the default user must not
// authenticate with any password.
func TestAuthUsersOnly(t *testing.T) {
	s := servertest.Start(t, servertest.WithConfig(func(c *commands.Config) {
		c.Users = map[string]string{"alice": "wonder"}
	}))
	r := s.Raw(t)
	expect(t, r, errLine("NOAUTH Authentication required."), "INC.COUNT")
	wrongPass := errLine("WRONGPASS invalid username-password pair or user is disabled.")
	expect(t, r, wrongPass, "AUTH", "default", "anything")
	expect(t, r, wrongPass, "HELLO", "3", "AUTH", "default", "anything")
	expect(t, r, errLine("NOAUTH Authentication required."), "INC.COUNT")
	expect(t, r, "+OK\r\n", "AUTH", "alice", "wonder")
	expect(t, r, ":0\r\n", "INC.COUNT")
}
