package commands_test

import (
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/internal/servertest"
	"github.com/imredis/imredis/resp"
)

func TestSlowLog(t *testing.T) {
	srv := servertest.Start(t, servertest.WithOptions(func(o *resp.Options) {
		o.SlowLogThreshold, o.SlowLogLen = time.Nanosecond, 3
	}))
	for _, proto := range []int{2, 3} {
		c := srv.Client(t, proto)
		ctx := t.Context()
		if err := c.Do(ctx, "SLOWLOG", "RESET").Err(); err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("x", 200)
		for i := 0; i < 5; i++ {
			c.Do(ctx, "ECHO", long)
		}
		if n, err := c.Do(ctx, "SLOWLOG", "LEN").Int(); err != nil || n != 3 {
			t.Fatalf("SLOWLOG LEN = %d, %v; want 3 (slowlog-max-len)", n, err)
		}
		entries, err := c.Do(ctx, "SLOWLOG", "GET", "1").Slice()
		if err != nil || len(entries) != 1 {
			t.Fatalf("SLOWLOG GET 1 = %v, %v", entries, err)
		}
		e := entries[0].([]any)
		args := e[3].([]any)
		if len(e) != 6 || args[0] != "SLOWLOG" && args[0] != "ECHO" {
			t.Fatalf("entry %v", e)
		}
		all, _ := c.Do(ctx, "SLOWLOG", "GET", "-1").Slice()
		echo := all[len(all)-1].([]any)[3].([]any)
		if echo[0] != "ECHO" || !strings.HasSuffix(echo[1].(string), "... (72 more bytes)") {
			t.Fatalf("oldest entry args %q", echo)
		}
		if err := c.Do(ctx, "SLOWLOG", "GET", "-2").Err(); err == nil || err.Error() != "ERR count should be greater than or equal to -1" {
			t.Fatalf("SLOWLOG GET -2: %v", err)
		}
	}
}
