package commands

import (
	"runtime/debug"
	"strings"

	"github.com/imredis/imredis/resp"
)

// MEMORY PURGE | HELP

func registerMemory(t *resp.Table, d *Deps) {
	t.Register(resp.Command{Name: "memory", Arity: -2, Flags: resp.FlagLoading, Group: "server", Since: "4.0.0",
		Syntax: "PURGE | HELP", Summary: "Asks the allocator to release memory.", Handler: cmdMemory})
}

// cmdMemory answers MEMORY PURGE as Redis does for jemalloc: Go's collector
// runs at once and returns the freed pages to the operating system, so that
// INFO used_memory and the process's RSS then count live data only.
func cmdMemory(c *resp.Ctx, a [][]byte) {
	sub := strings.ToLower(string(a[1]))
	if len(a) != 2 && (sub == "purge" || sub == "help") {
		c.W.Err(resp.WrongArity("memory|" + sub))
		return
	}
	switch sub {
	case "purge":
		debug.FreeOSMemory()
		c.W.Simple("OK")
	case "help":
		c.W.StringList([]string{"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"PURGE", "    Run the garbage collector and return freed memory to the operating system.",
			"HELP", "    Print this help."})
	default:
		c.W.Err(resp.UnknownSubcommand(a[1], "memory"))
	}
}
