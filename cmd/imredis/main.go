// Command imredis serves the incident store over the Redis protocol.
//
// Settings come from flags, IMREDIS_* environment variables and a YAML file
// (--config), in that order of precedence; see imredis -h. An HTTP side port
// (--http-addr, default 127.0.0.1:9736) serves /metrics, /healthz and
// /readyz. SIGTERM or SIGINT stops it gracefully; SIGHUP reopens --log-file.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// redisVersion is the Redis version reported to clients.
const redisVersion = "7.2.4"

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the server could not start or stop cleanly
	exitUsage = 2 // a bad flag, environment variable or config file entry
)

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

func run(args, environ []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "migrate" {
		return runMigrate(args[1:], stdout, stderr)
	}
	l, err := loadConfig(args, environ)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "imredis:", err)
		fmt.Fprintln(stderr, "imredis: run imredis -h for the settings")
		return exitUsage
	}
	cfg := l.cfg
	switch {
	case cfg.ShowVersion:
		fmt.Fprintln(stdout, "imredis", version)
		return exitOK
	case cfg.CheckConfig:
		if err := l.printEffective(stdout); err != nil {
			fmt.Fprintln(stderr, "imredis:", err)
			return exitError
		}
		return exitOK
	}
	out, err := openLogOutput(cfg.LogFile)
	if err != nil {
		fmt.Fprintln(stderr, "imredis: log-file:", err)
		return exitError
	}
	defer out.Close()
	log := newLogger(cfg, out)
	if err := serve(cfg, log, out, l.warnings); err != nil {
		log.Error().Err(err).Msg("imredis stopped")
		if cfg.LogFile != "" {
			fmt.Fprintln(stderr, "imredis:", err)
		}
		return exitError
	}
	return exitOK
}

// printUsage lists the settings and where they can come from.
func printUsage(w io.Writer) {
	c := defaultConfig()
	fs := c.flagSet()
	fmt.Fprintf(w, `Usage: imredis [flags]

imredis serves the incident store over the Redis protocol.

Every setting can also come from the environment, IMREDIS_ and the flag name
upper-cased with '-' as '_' (IMREDIS_ADDR, IMREDIS_MAX_PAGE_SIZE), and from a
YAML file given with --config (or IMREDIS_CONFIG) whose keys are the flag
names. A flag beats the environment, which beats the file, which beats the
default. --version and --check-config come from the command line only.
A bad value or an unknown key exits with status 2.

Settings:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
