package resp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
)

func TestTableRegister(t *testing.T) {
	tb := NewTable()
	tb.Register(Command{Name: "INC.Get", Arity: 2})
	tb.Register(Command{Name: "alpha", Arity: -1, Since: "7.0.0"})
	if c := tb.Lookup("inc.get"); c == nil || c.Name != "inc.get" || c.Since != "1.0.0" {
		t.Fatalf("Lookup(inc.get) = %+v", c)
	}
	if tb.Lookup("INC.GET") != nil {
		t.Fatal("Lookup takes the lower-case name")
	}
	if tb.Len() != 2 || tb.All()[0].Name != "alpha" || tb.All()[1].Name != "inc.get" || tb.Lookup("alpha").Since != "7.0.0" {
		t.Fatalf("All = %v", tb.All())
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "inc.get") {
			t.Fatalf("a duplicate name in another case: recover() = %v, want a panic naming it", r)
		}
	}()
	tb.Register(Command{Name: "INC.GET"})
}

func TestArityOK(t *testing.T) {
	for _, tc := range []struct {
		arity, n int
		ok       bool
	}{
		{2, 2, true}, {2, 1, false}, {2, 3, false},
		{-1, 1, true}, {-1, 5, true}, {-2, 1, false}, {-2, 2, true}, {-3, 2, false},
	} {
		if got := ArityOK(tc.arity, tc.n); got != tc.ok {
			t.Errorf("ArityOK(%d, %d) = %v", tc.arity, tc.n, got)
		}
	}
}

func TestFlagNames(t *testing.T) {
	all := FlagReadOnly | FlagWrite | FlagAdmin | FlagPubSub | FlagNoAuth | FlagLoading | FlagSubscribed | FlagFast | FlagConnection
	want := []string{"readonly", "write", "admin", "pubsub", "no_auth", "loading", "fast"}
	if got := all.Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	if got := Flag(0).Names(); len(got) != 0 {
		t.Fatalf("Flag(0).Names() = %q", got)
	}
}

func TestErrorWording(t *testing.T) {
	long := strings.Repeat("x", 200)
	for _, tc := range []struct {
		got  Reply
		want string
	}{
		{WrongArity("INC.GET"), "ERR wrong number of arguments for 'inc.get' command"},
		{UnknownCommand([][]byte{[]byte("foo"), []byte("bar"), []byte("baz")}), "ERR unknown command 'foo', with args beginning with: 'bar' 'baz' "},
		{UnknownCommand([][]byte{[]byte("foo")}), "ERR unknown command 'foo', with args beginning with: "},
		{UnknownCommand([][]byte{[]byte(long)}), "ERR unknown command '" + long[:128] + "', with args beginning with: "},
		{UnknownCommand([][]byte{[]byte("f"), []byte(long), []byte("next")}), "ERR unknown command 'f', with args beginning with: '" + long[:128] + "' "},
		{UnknownSubcommand([]byte("Foo"), "client"), "ERR unknown subcommand 'Foo'. Try CLIENT HELP."},
	} {
		if string(tc.got) != tc.want {
			t.Errorf("\n got %q\nwant %q", tc.got, tc.want)
		}
	}
}

func TestErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{ErrNoAuth, "NOAUTH Authentication required."},
		{fmt.Errorf("wrapped: %w", ErrSyntax), "ERR syntax error"},
		{engine.Invalidf("severity must be one of %s", "P0"), "INVALID severity must be one of P0"},
		{fmt.Errorf("engine x: %w", engine.Invalidf("bad")), "INVALID bad"},
		{engine.NotFound("abc"), "NOTFOUND incident abc not found"},
		{engine.Conflict("abc", "2024-01-01T00:00:00Z"), "CONFLICT incident abc changed at 2024-01-01T00:00:00Z"},
		{engine.Unavailable(errors.New("disk full")), "UNAVAILABLE disk full"},
		{fmt.Errorf("%w: upstream down", engine.ErrUnavailable), "UNAVAILABLE unavailable: upstream down"},
		{engine.ErrLoading, "LOADING imredis is loading the dataset in memory"},
		{context.DeadlineExceeded, "UNAVAILABLE context deadline exceeded"},
		{errors.New("boom"), "ERR boom"},
	} {
		if got := ErrorText(tc.err); got != tc.want {
			t.Errorf("ErrorText(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
