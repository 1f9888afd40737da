// Command imredis serves the incident store over the Redis protocol.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/imredis/imredis/commands"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/factory"
	"github.com/imredis/imredis/resp"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// redisVersion is the Redis version reported to clients.
const redisVersion = "7.2.4"

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cfg, _, err := loadConfig(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "imredis:", err)
		return 2
	}
	if cfg.ShowVersion {
		fmt.Println("imredis", version)
		return 0
	}
	log := newLogger(cfg)
	if err := serve(cfg, log); err != nil {
		log.Error().Err(err).Msg("imredis stopped")
		fmt.Fprintln(os.Stderr, "imredis:", err)
		return 1
	}
	return 0
}

func newLogger(cfg Config) zerolog.Logger {
	level, _ := zerolog.ParseLevel(cfg.LogLevel)
	var log zerolog.Logger
	if cfg.LogFormat == "console" {
		log = zerolog.New(zerolog.ConsoleWriter{Out: os.Stderr, TimeFormat: time.RFC3339})
	} else {
		log = zerolog.New(os.Stderr)
	}
	return log.Level(level).With().Timestamp().Logger()
}

// serve opens the engine, serves until a signal, then shuts down.
func serve(cfg Config, log zerolog.Logger) error {
	ctx := context.Background()
	opts := engine.Options{Databases: cfg.Databases, KeyPrefix: cfg.KeyPrefix, Logger: log}
	store, err := factory.Open(ctx, cfg.Engine, opts, factory.Settings{
		Fsync: cfg.Fsync, Repair: cfg.Repair, UpstreamTimeout: cfg.UpstreamTimeout,
	})
	if err != nil {
		return fmt.Errorf("--engine: %w", err)
	}
	defer store.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	table := resp.NewTable()
	commands.Register(table, &commands.Deps{Store: store, Config: commands.Config{
		Version: version, RedisVersion: redisVersion, Engine: factory.Redact(cfg.Engine),
		KeyPrefix: cfg.KeyPrefix, Databases: cfg.Databases, MaxIncidentBytes: int(cfg.MaxIncidentBytes),
		MaxPageSize: cfg.MaxPageSize, Port: port, Password: cfg.RequirePass, Users: cfg.Users,
		Config: map[string]string{"proto-max-bulk-len": strconv.FormatInt(cfg.ProtoMaxBulkLen, 10)},
	}})
	limits := resp.DefaultLimits()
	limits.MaxBulk = cfg.ProtoMaxBulkLen
	srv := resp.NewServer(table, resp.Options{Logger: log, Limits: limits, AuthRequired: cfg.RequirePass != "" || len(cfg.Users) > 0})
	log.Info().Str("version", version).Str("engine", factory.Redact(cfg.Engine)).Str("addr", ln.Addr().String()).
		Str("fsync", cfg.Fsync).Msg("imredis serving")
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case s := <-sig:
		log.Info().Str("signal", s.String()).Msg("shutting down")
		srv.Close()
		<-done
		return nil
	case err := <-done:
		return err
	}
}
