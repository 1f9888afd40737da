package commands_test

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/imredis/imredis/internal/servertest"
)

// TestMemoryPurge checks MEMORY PURGE and its errors in Redis's wording.
func TestMemoryPurge(t *testing.T) {
	srv := servertest.Start(t)
	c := srv.Client(t, 2)
	ctx := t.Context()
	if s, err := c.Do(ctx, "MEMORY", "PURGE").Text(); err != nil || s != "OK" {
		t.Fatalf("MEMORY PURGE = %q, %v", s, err)
	}
	if help, err := c.Do(ctx, "memory", "help").StringSlice(); err != nil || len(help) != 5 {
		t.Fatalf("MEMORY HELP = %q, %v", help, err)
	}
	for _, tc := range []struct {
		args []any
		want string
	}{
		{[]any{"MEMORY", "DOCTOR"}, "ERR unknown subcommand 'DOCTOR'. Try MEMORY HELP."},
		{[]any{"MEMORY", "PURGE", "x"}, "ERR wrong number of arguments for 'memory|purge' command"},
		{[]any{"MEMORY"}, "ERR wrong number of arguments for 'memory' command"},
	} {
		if err := c.Do(ctx, tc.args...).Err(); err == nil || err.Error() != tc.want {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	if s, err := c.Do(ctx, "PING").Text(); err != nil || s != "PONG" {
		t.Fatalf("PING after errors = %q, %v", s, err)
	}
}

// TestInfoMemoryRSS checks that INFO used_memory_rss is the resident set
// (this test's own process serves it), not the runtime's reservation.
func TestInfoMemoryRSS(t *testing.T) {
	// Memory the runtime took from the system and gave back stays in its
	// reservation but leaves the resident set.
	big := make([]byte, 256<<20)
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1
	}
	big = nil
	debug.FreeOSMemory()
	srv := servertest.Start(t)
	c := srv.Client(t, 2)
	text, err := c.Info(t.Context(), "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	field := func(name string) uint64 {
		for _, l := range strings.Split(text, "\r\n") {
			if v, ok := strings.CutPrefix(l, name+":"); ok {
				n, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				return n
			}
		}
		t.Fatalf("INFO memory lacks %s:\n%s", name, text)
		return 0
	}
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Fatal(err)
	}
	pages, _ := strconv.ParseUint(strings.Fields(string(b))[1], 10, 64)
	want := pages * uint64(os.Getpagesize())
	rss, heap := field("used_memory_rss"), field("used_memory")
	if rss < want*3/4 || rss > want*5/4 || rss < heap {
		t.Fatalf("used_memory_rss %d, used_memory %d; /proc/self/statm says %d resident", rss, heap, want)
	}
}
