package servertest_test

import (
	"strings"
	"testing"

	"github.com/imredis/imredis/commands"
	"github.com/imredis/imredis/internal/servertest"
)

func TestStart(t *testing.T) {
	s := servertest.Start(t)
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") || s.Port() == 0 {
		t.Fatalf("Addr() = %q", s.Addr())
	}
	r := s.Raw(t)
	r.Send(t, "PING\r\n"+servertest.Encode("ECHO", "a\r\nb"))
	r.Expect(t, "+PONG\r\n$4\r\na\r\nb\r\n")
	r.Do(t, "HELLO", "3")
	if got := r.ReadReply(t); !strings.HasPrefix(got, "%8\r\n$6\r\nserver\r\n") {
		t.Fatalf("HELLO 3 = %q", got)
	}
	r.Do(t, "CLIENT", "INFO")
	if got := r.ReadReply(t); !strings.HasPrefix(got, "=") {
		t.Fatalf("CLIENT INFO under RESP3 = %q", got)
	}
	r.Do(t, "QUIT")
	r.Expect(t, "+OK\r\n")
	r.ExpectClosed(t)
	for _, proto := range []int{2, 3} {
		c := s.Client(t, proto)
		if info, err := c.ClientInfo(t.Context()).Result(); err != nil || info.Resp != proto {
			t.Fatalf("Client(%d): %+v, %v", proto, info, err)
		}
	}
}

func TestStartChangeFeed(t *testing.T) {
	s := servertest.Start(t)
	sub := s.Client(t, 3).Subscribe(t.Context(), "llm-im:events")
	defer sub.Close()
	if _, err := sub.Receive(t.Context()); err != nil {
		t.Fatal(err)
	}
	doc := `{"id":"00000000-0000-4000-8000-000000000001","severity":"P1","incident_type":"Data","source":"s","title":"t"}`
	if err := s.Client(t, 2).Do(t.Context(), "INC.SAVE", doc).Err(); err != nil {
		t.Fatal(err)
	}
	msg, err := sub.ReceiveMessage(t.Context())
	if err != nil || !strings.HasPrefix(msg.Payload, `{"op":"saved","db":0,"id":"00000000-0000-4000-8000-000000000001",`) {
		t.Fatalf("change feed message %+v, %v", msg, err)
	}
}

func TestStartWithPassword(t *testing.T) {
	s := servertest.Start(t, servertest.WithConfig(func(c *commands.Config) { c.Password = "pw" }))
	r := s.Raw(t)
	r.Do(t, "PING")
	r.Expect(t, "-NOAUTH Authentication required.\r\n")
	r.Do(t, "AUTH", "pw")
	r.Expect(t, "+OK\r\n")
}
