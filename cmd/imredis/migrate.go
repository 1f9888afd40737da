package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rs/zerolog"

	"github.com/imredis/imredis/engine/factory"
	"github.com/imredis/imredis/migrate"
)

// runMigrate is `imredis migrate --from URL --to URL`: it streams every
// database's incidents from one store to another and verifies the counts.
func runMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imredis migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "source `URL`: "+strings.Join(migrate.Endpoints, ", "))
	to := fs.String("to", "", "target `URL`, same forms")
	dbs := fs.Int("databases", 16, "number of databases to copy")
	batch := fs.Int("batch", 500, "incidents per batch")
	prefix := fs.String("key-prefix", "llm-im", "key prefix of redis:// endpoints")
	fsync := fs.String("fsync", "everysec", "fsync policy of a buntdb target (it is fsynced at the end anyway)")
	progress := fs.Bool("progress", isTerminal(os.Stderr), "draw a progress bar (default: when stderr is a terminal)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: imredis migrate --from URL --to URL [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "imredis migrate: --from and --to are required")
		fs.Usage()
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	sum, err := migrate.Run(ctx, *from, *to, migrate.Options{
		Databases: *dbs, BatchSize: *batch, KeyPrefix: *prefix,
		Settings: factory.Settings{Fsync: *fsync, UpstreamTimeout: defaultConfig().UpstreamTimeout},
		Logger:   zerolog.New(stderr).With().Timestamp().Logger(),
		Progress: stderr, Terminal: *progress,
	})
	fmt.Fprint(stdout, sum.String())
	if err != nil {
		fmt.Fprintln(stderr, "imredis migrate:", err)
		return exitError
	}
	return exitOK
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
