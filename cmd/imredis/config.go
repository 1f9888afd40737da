package main

import (
	"flag"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/imredis/imredis/engine/factory"
)

// Config is every setting of the server. loadConfig fills it from flags, the
// environment and a config file over defaultConfig; Validate checks it.
type Config struct {
	Addr             string
	Engine           string
	KeyPrefix        string
	Databases        int
	MaxIncidentBytes int64
	MaxPageSize      int
	ProtoMaxBulkLen  int64
	RequirePass      string
	Users            userList
	NoRESP3          bool
	Fsync            string
	Repair           bool
	UpstreamTimeout  time.Duration
	HTTPAddr         string
	Pprof            bool
	ShutdownTimeout  time.Duration
	LogLevel         string
	LogFormat        string
	LogFile          string
	ConfigFile       string
	CheckConfig      bool
	ShowVersion      bool
}

// defaultHTTPAddr is the default of --http-addr: loopback only, so metrics
// are not exposed beyond the host unless asked, on port 9736 (Redis's 6379
// reversed), which collides with neither Redis (6379) nor redis_exporter
// (9121) nor the usual Prometheus components (9090-9100).
const defaultHTTPAddr = "127.0.0.1:9736"

// defaultConfig returns the defaults.
func defaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:6379",
		Engine:           "buntdb:./data/imredis.db",
		KeyPrefix:        "llm-im",
		Databases:        16,
		MaxIncidentBytes: 1 << 20,
		MaxPageSize:      1000,
		ProtoMaxBulkLen:  512 << 20,
		Fsync:            "always",
		UpstreamTimeout:  2 * time.Second,
		HTTPAddr:         defaultHTTPAddr,
		ShutdownTimeout:  10 * time.Second,
		LogLevel:         "info",
		LogFormat:        "json",
	}
}

// commandFlags are flags that ask for an action rather than set a value:
// they come from the command line only, never from the environment or a file.
var commandFlags = []string{"version", "check-config"}

// flagSet binds every setting to a flag. Flag names are the keys of the
// config file and, upper-cased with '-' as '_' after IMREDIS_, the
// environment variables.
func (c *Config) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("imredis", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", c.Addr, "`host:port` to serve RESP on (port 0 picks a free port; the startup log line says which)")
	fs.StringVar(&c.Engine, "engine", c.Engine, "engine `URL`: memory:, buntdb:PATH, redis://[user:pass@]host:port/db")
	fs.StringVar(&c.KeyPrefix, "key-prefix", c.KeyPrefix, "`prefix` of the llm-im: keyspace and the events channel")
	fs.Var(intValue{&c.Databases}, "databases", "`count` of isolated databases (SELECT 0..n-1)")
	fs.Var(sizeValue{&c.MaxIncidentBytes}, "max-incident-bytes", "largest incident JSON accepted, as a `size` such as 1048576, 512kb or 1mb")
	fs.Var(intValue{&c.MaxPageSize}, "max-page-size", "largest LIMIT `count` accepted by INC.LIST")
	fs.Var(sizeValue{&c.ProtoMaxBulkLen}, "proto-max-bulk-len", "largest bulk string a client may send (`size`)")
	fs.StringVar(&c.RequirePass, "requirepass", c.RequirePass, "`password` of the default user; empty means no authentication")
	fs.Var(&c.Users, "user", "extra user as `name:password` (repeatable; IMREDIS_USER takes a comma-separated list)")
	fs.Var(resp3Value{&c.NoRESP3}, "resp3", "yes, or no to answer HELLO 3 with NOPROTO so that clients stay on RESP2 (default yes)")
	fs.StringVar(&c.Fsync, "fsync", c.Fsync, "buntdb durability: always, everysec or never")
	fs.Var(boolValue{&c.Repair}, "repair", "buntdb: truncate a damaged data file to its last valid record (keeps a copy)")
	fs.Var(durationValue{&c.UpstreamTimeout}, "upstream-timeout", "redis engine: deadline of every upstream call (`duration`)")
	fs.StringVar(&c.HTTPAddr, "http-addr", c.HTTPAddr, "`host:port` of the HTTP side port serving /metrics, /healthz and /readyz; empty turns it off")
	fs.Var(boolValue{&c.Pprof}, "pprof", "also serve Go's profiler at /debug/pprof/ on the HTTP side port")
	fs.Var(durationValue{&c.ShutdownTimeout}, "shutdown-timeout", "`duration` in-flight commands get to finish on SIGTERM/SIGINT before connections are closed")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "json or console")
	fs.StringVar(&c.LogFile, "log-file", c.LogFile, "`path` to append logs to, reopened on SIGHUP; empty means stderr")
	fs.StringVar(&c.ConfigFile, "config", c.ConfigFile, "YAML `file` of settings keyed by flag name (flag > environment > file > default)")
	fs.Var(boolValue{&c.CheckConfig}, "check-config", "validate the settings, print them (secrets redacted) as YAML and exit")
	fs.Var(boolValue{&c.ShowVersion}, "version", "print the version and exit")
	return fs
}

// keyError is an invalid value: the key (flag name), the value and what is allowed.
type keyError struct {
	Key, Value, Want string
}

func (e *keyError) Error() string { return fmt.Sprintf("%s %q: want %s", e.Key, e.Value, e.Want) }

func bad(key string, value any, want string) error {
	return &keyError{Key: key, Value: fmt.Sprint(value), Want: want}
}

// Validate checks every value and names the key of the first bad one.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return bad("addr", c.Addr, "host:port")
	}
	if err := checkEngine(c.Engine); err != nil {
		return err
	}
	if c.KeyPrefix == "" || strings.ContainsAny(c.KeyPrefix, " \r\n") {
		return bad("key-prefix", c.KeyPrefix, "a non-empty word without spaces")
	}
	if c.Databases < 1 || c.Databases > 1024 {
		return bad("databases", c.Databases, "1 to 1024")
	}
	if c.MaxPageSize < 1 {
		return bad("max-page-size", c.MaxPageSize, "at least 1")
	}
	if err := oneOf("fsync", c.Fsync, "always", "everysec", "never"); err != nil {
		return err
	}
	if c.UpstreamTimeout <= 0 {
		return bad("upstream-timeout", c.UpstreamTimeout, "a positive duration such as 500ms or 2s")
	}
	if c.HTTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
			return bad("http-addr", c.HTTPAddr, "host:port, or empty to turn the HTTP side port off")
		}
	}
	if c.ShutdownTimeout <= 0 {
		return bad("shutdown-timeout", c.ShutdownTimeout, "a positive duration such as 10s")
	}
	if err := oneOf("log-level", c.LogLevel, "debug", "info", "warn", "error"); err != nil {
		return err
	}
	return oneOf("log-format", c.LogFormat, "json", "console")
}

// oneOf returns a keyError unless v is one of allowed.
func oneOf(key, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return bad(key, v, strings.Join(allowed[:len(allowed)-1], ", ")+" or "+allowed[len(allowed)-1])
}

// checkEngine refuses an engine URL whose scheme the factory does not know,
// naming the schemes that exist.
func checkEngine(u string) error {
	scheme, _, ok := strings.Cut(u, ":")
	if ok {
		for _, s := range factory.Schemes {
			if known, _, _ := strings.Cut(s, ":"); strings.EqualFold(scheme, known) {
				return nil
			}
		}
	}
	return bad("engine", factory.Redact(u), "an engine URL: one of "+strings.Join(factory.Schemes, ", "))
}
