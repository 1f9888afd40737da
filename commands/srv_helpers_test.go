package commands_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/servertest"
)

// The server-level suite: the real server on 127.0.0.1:0, checked through
// go-redis with RESP3 (its default handshake) and with Protocol: 2, and as
// raw RESP bytes.

// protos are the protocol versions every reply is checked under.
var protos = []int{2, 3}

// forProtos runs fn as one subtest per protocol version.
func forProtos(t *testing.T, fn func(t *testing.T, proto int)) {
	t.Helper()
	for _, p := range protos {
		t.Run("resp"+strconv.Itoa(p), func(t *testing.T) { fn(t, p) })
	}
}

// client returns a go-redis client that has really negotiated proto (go-redis
// silently falls back to RESP2 when HELLO 3 fails).
func client(t *testing.T, s *servertest.Server, proto int) *redis.Client {
	t.Helper()
	c := s.Client(t, proto)
	info, err := c.ClientInfo(t.Context()).Result()
	if err != nil {
		t.Fatalf("CLIENT INFO: %v", err)
	}
	if info.Resp != proto {
		t.Fatalf("go-redis negotiated resp=%d, want %d", info.Resp, proto)
	}
	return c
}

// raw returns a raw connection speaking proto (HELLO 3 sent first for 3).
func raw(t *testing.T, s *servertest.Server, proto int) *servertest.RawConn {
	t.Helper()
	r := s.Raw(t)
	if proto == 3 {
		r.Do(t, "HELLO", "3")
		if got := r.ReadReply(t); !strings.HasPrefix(got, "%8\r\n") {
			t.Fatalf("HELLO 3 = %q", got)
		}
	}
	return r
}

// call sends args on r and returns the exact reply bytes.
func call(t *testing.T, r *servertest.RawConn, args ...string) string {
	t.Helper()
	r.Do(t, args...)
	return r.ReadReply(t)
}

// expect sends args on r and checks the exact reply bytes.
func expect(t *testing.T, r *servertest.RawConn, want string, args ...string) {
	t.Helper()
	if got := call(t, r, args...); got != want {
		t.Fatalf("%q\n got %q\nwant %q", args, got, want)
	}
}

// bulk renders s as a RESP bulk string.
func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// null is the null reply under proto.
func null(proto int) string {
	if proto == 3 {
		return "_\r\n"
	}
	return "$-1\r\n"
}

// errLine renders an error reply.
func errLine(msg string) string { return "-" + msg + "\r\n" }

// id returns the n-th fixed test incident id.
func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// incident returns a complete incident JSON with id(n), created n minutes
// after 2024-01-01, and the given severity and state.
func incident(n int, sev, state string) string {
	ts := time.Date(2024, 1, 1, 0, n, 0, 0, time.UTC).Format(time.RFC3339)
	return `{"id":"` + id(n) + `","created_at":"` + ts + `","updated_at":"` + ts + `","state":"` + state +
		`","severity":"` + sev + `","incident_type":"Infrastructure","source":"mon","title":"disk full ` +
		strconv.Itoa(n) + `","labels":{"env":"prod"},"custom":{"k":[1,2]}}`
}

// canon returns the document the server stores for a complete incident JSON.
func canon(t *testing.T, in string) string {
	t.Helper()
	inc, err := engine.Parse([]byte(in), 1<<20, time.Now())
	if err != nil {
		t.Fatalf("Parse(%s): %v", in, err)
	}
	return string(inc.Doc)
}

// save stores incident(n, sev, state) through r and checks the id reply.
func save(t *testing.T, r *servertest.RawConn, n int, sev, state string) {
	t.Helper()
	expect(t, r, bulk(id(n)), "INC.SAVE", incident(n, sev, state))
}
