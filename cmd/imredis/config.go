package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting of the server, from flags and the environment.
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
	Fsync            string
	Repair           bool
	UpstreamTimeout  time.Duration
	LogLevel         string
	LogFormat        string
	ShowVersion      bool
}

// defaultConfig returns the defaults.
func defaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:6379",
		Engine:           "memory:",
		KeyPrefix:        "llm-im",
		Databases:        16,
		MaxIncidentBytes: 1 << 20,
		MaxPageSize:      1000,
		ProtoMaxBulkLen:  512 << 20,
		Fsync:            "always",
		UpstreamTimeout:  2 * time.Second,
		LogLevel:         "info",
		LogFormat:        "json",
	}
}

// userList collects repeated --user name:password flags.
type userList map[string]string

func (u *userList) String() string { return fmt.Sprintf("%d users", len(*u)) }

func (u *userList) Set(v string) error {
	name, pass, ok := strings.Cut(v, ":")
	if !ok || name == "" || pass == "" {
		return errors.New("want name:password")
	}
	if *u == nil {
		*u = userList{}
	}
	(*u)[name] = pass
	return nil
}

// sizeValue parses byte sizes such as 1048576, 512kb, 1mb, 1gb.
type sizeValue struct{ p *int64 }

func (s sizeValue) String() string {
	if s.p == nil {
		return "0"
	}
	return strconv.FormatInt(*s.p, 10)
}

func (s sizeValue) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s.p = n
	return nil
}

func parseSize(v string) (int64, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, errors.New("want a positive size such as 1048576, 512kb or 1mb")
	}
	return n * mult, nil
}

// flagSet binds every setting to a flag.
func (c *Config) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("imredis", flag.ContinueOnError)
	fs.StringVar(&c.Addr, "addr", c.Addr, "`host:port` to serve RESP on")
	fs.StringVar(&c.Engine, "engine", c.Engine, "engine `URL`: memory:, buntdb:PATH, redis://[user:pass@]host:port/db")
	fs.StringVar(&c.KeyPrefix, "key-prefix", c.KeyPrefix, "`prefix` of the llm-im: keyspace and the events channel")
	fs.IntVar(&c.Databases, "databases", c.Databases, "number of isolated databases (SELECT 0..n-1)")
	fs.Var(sizeValue{&c.MaxIncidentBytes}, "max-incident-bytes", "largest incident JSON accepted (default 1mb)")
	fs.IntVar(&c.MaxPageSize, "max-page-size", c.MaxPageSize, "largest LIMIT count accepted by INC.LIST")
	fs.Var(sizeValue{&c.ProtoMaxBulkLen}, "proto-max-bulk-len", "largest bulk string a client may send (default 512mb)")
	fs.StringVar(&c.RequirePass, "requirepass", c.RequirePass, "`password` of the default user; empty means no authentication")
	fs.Var(&c.Users, "user", "extra user as `name:password` (repeatable)")
	fs.StringVar(&c.Fsync, "fsync", c.Fsync, "buntdb durability: always, everysec or never")
	fs.BoolVar(&c.Repair, "repair", c.Repair, "buntdb: truncate a damaged data file to its last valid record (keeps a copy)")
	fs.DurationVar(&c.UpstreamTimeout, "upstream-timeout", c.UpstreamTimeout, "redis engine: deadline of every upstream call")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "json or console")
	fs.BoolVar(&c.ShowVersion, "version", false, "print the version and exit")
	return fs
}

// Validate checks every value and names the flag of the first bad one.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: want host:port", c.Addr)
	}
	if c.KeyPrefix == "" || strings.ContainsAny(c.KeyPrefix, " \r\n") {
		return fmt.Errorf("--key-prefix %q: want a non-empty word without spaces", c.KeyPrefix)
	}
	if c.Databases < 1 || c.Databases > 1024 {
		return fmt.Errorf("--databases %d: want 1 to 1024", c.Databases)
	}
	if c.MaxPageSize < 1 {
		return fmt.Errorf("--max-page-size %d: want at least 1", c.MaxPageSize)
	}
	switch c.Fsync {
	case "always", "everysec", "never":
	default:
		return fmt.Errorf("--fsync %q: want always, everysec or never", c.Fsync)
	}
	if c.UpstreamTimeout <= 0 {
		return fmt.Errorf("--upstream-timeout %s: want a positive duration", c.UpstreamTimeout)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "json", "console":
	default:
		return fmt.Errorf("--log-format %q: want json or console", c.LogFormat)
	}
	return nil
}

// loadConfig parses args over the defaults.
func loadConfig(args []string) (Config, *flag.FlagSet, error) {
	c := defaultConfig()
	fs := c.flagSet()
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	if fs.NArg() > 0 {
		return c, fs, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, fs, c.Validate()
}
