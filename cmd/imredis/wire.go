package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/imredis/imredis/commands"
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/factory"
	"github.com/imredis/imredis/engine/instrument"
	"github.com/imredis/imredis/metrics"
	"github.com/imredis/imredis/resp"
)

// statsTimeout bounds the engine Stats calls of one /metrics scrape.
const statsTimeout = 2 * time.Second

// backendName is the backend label of an engine URL: its scheme, with
// rediss counted as redis.
func backendName(engineURL string) string {
	scheme, _, _ := strings.Cut(engineURL, ":")
	scheme = strings.ToLower(scheme)
	if scheme == "rediss" {
		return "redis"
	}
	return scheme
}

// openEngine opens the engine (raw), whose commits feed hub's change feed,
// and returns it with the instrumented wrapper the commands use. Everything
// read from the engine at scrape time reads raw, so scrapes and probes are
// not counted as storage operations.
func openEngine(cfg Config, hub *resp.Hub, reg *prometheus.Registry, log zerolog.Logger) (raw engine.Store, store *instrument.Store, err error) {
	backend := backendName(cfg.Engine)
	opts := engine.Options{
		Databases: cfg.Databases, KeyPrefix: cfg.KeyPrefix,
		Logger:   log, // each engine adds its own "engine" field
		OnCommit: commands.ChangeFeed(hub, cfg.KeyPrefix),
	}
	raw, err = factory.Open(context.Background(), cfg.Engine, opts, factory.Settings{
		Fsync: cfg.Fsync, Repair: cfg.Repair, UpstreamTimeout: cfg.UpstreamTimeout,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("engine %s: %w", factory.Redact(cfg.Engine), err)
	}
	if err := registerEngine(reg, raw, cfg.Databases, backend); err != nil {
		raw.Close()
		return nil, nil, err
	}
	return raw, instrument.Wrap(raw, backend, metrics.NewStorage(reg)), nil
}

// registerEngine registers what is read from the engine at scrape time: its
// own collectors when it has any, the incident gauges, and the build info.
func registerEngine(reg prometheus.Registerer, raw engine.Store, databases int, backend string) error {
	if _, err := metrics.RegisterEngine(reg, raw); err != nil {
		return fmt.Errorf("engine metrics: %w", err)
	}
	if err := reg.Register(metrics.NewIncidents(raw, databases, statsTimeout)); err != nil {
		return fmt.Errorf("incident metrics: %w", err)
	}
	return metrics.RegisterBuildInfo(reg, version, backend)
}

// loadingFunc returns the engine's Loading, or nil when it never loads.
func loadingFunc(s engine.Store) func() bool {
	if l, ok := s.(interface{ Loading() bool }); ok {
		return l.Loading
	}
	return nil
}

// respOptions are the parts of the RESP server made before it.
type respOptions struct {
	hub     *resp.Hub
	loading func() bool // nil: the engine never loads
	port    int
}

// newRESPServer registers the commands over store and returns the server
// with its metrics wired: per-command counters and durations through
// Observe (and a debug line per command), clients, connections, protocol
// errors and subscribers read from the server at scrape time.
func newRESPServer(cfg Config, store engine.Store, o respOptions, reg prometheus.Registerer, log zerolog.Logger) *resp.Server {
	table := resp.NewTable()
	commands.Register(table, &commands.Deps{Store: store, Config: commands.Config{
		Version: version, RedisVersion: redisVersion, Engine: factory.Redact(cfg.Engine),
		KeyPrefix: cfg.KeyPrefix, Databases: cfg.Databases, MaxIncidentBytes: int(cfg.MaxIncidentBytes),
		MaxPageSize: cfg.MaxPageSize, Port: o.port, NoRESP3: cfg.NoRESP3, Password: cfg.RequirePass, Users: cfg.Users,
		Config: map[string]string{"proto-max-bulk-len": strconv.FormatInt(cfg.ProtoMaxBulkLen, 10)},
	}})
	var names []string
	for _, c := range table.All() {
		names = append(names, c.Name)
	}
	m := metrics.NewServer(reg, names)
	observe := m.Observe
	if log.GetLevel() <= zerolog.DebugLevel {
		observe = func(name string, d time.Duration, failed bool) {
			m.Observe(name, d, failed)
			log.Debug().Str("cmd", name).Float64("dur_ms", float64(d.Microseconds())/1000).Bool("failed", failed).Msg("command")
		}
	}
	limits := resp.DefaultLimits()
	limits.MaxBulk = cfg.ProtoMaxBulkLen
	srv := resp.NewServer(table, resp.Options{
		Logger: log, Limits: limits, AuthRequired: cfg.RequirePass != "" || len(cfg.Users) > 0,
		Loading: o.loading, Observe: observe, Hub: o.hub,
	})
	m.SetHooks(metrics.Hooks{
		Clients:        func() int { return len(srv.Clients()) },
		Connections:    func() int64 { n, _, _, _ := srv.Counters(); return n },
		ProtocolErrors: func() int64 { _, _, _, n := srv.Counters(); return n },
		Subscribers:    o.hub.Subscribers,
	})
	return srv
}
