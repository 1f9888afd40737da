package commands_test

import (
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
