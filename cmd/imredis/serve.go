package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/imredis/imredis/engine/factory"
	"github.com/imredis/imredis/metrics"
	"github.com/imredis/imredis/resp"
)

// serve opens the engine, serves RESP and HTTP until SIGTERM or SIGINT, then
// shuts down gracefully and closes the engine. SIGHUP reopens the log output.
// Signals are caught from the start: one that arrives while the engine
// opens stops the server as soon as it is up.
func serve(cfg Config, log zerolog.Logger, out *logOutput, warnings []string) error {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	for _, w := range warnings {
		log.Warn().Msg(w)
	}
	reg := metrics.NewRegistry()
	hub := resp.NewHub()
	raw, store, err := openEngine(cfg, hub, reg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		raw.Close()
		return fmt.Errorf("addr: %w", err)
	}
	dl := newDrainListener(ln)
	srv := newRESPServer(cfg, store, respOptions{hub: hub, loading: loadingFunc(raw), port: ln.Addr().(*net.TCPAddr).Port}, reg, log)
	p := &probe{ping: raw.Ping, loading: loadingFunc(raw)}
	var hs *httpSide
	if cfg.HTTPAddr != "" {
		if hs, err = startHTTP(cfg.HTTPAddr, httpHandler(reg, p, cfg.Pprof, log), log); err != nil {
			ln.Close()
			raw.Close()
			return fmt.Errorf("http-addr: %w", err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(dl) }()
	log.Info().Str("version", version).Str("engine", factory.Redact(cfg.Engine)).
		Str("addr", ln.Addr().String()).Str("http_addr", hs.addr()).Str("fsync", cfg.Fsync).
		Str("config", cfg.ConfigFile).Int("pid", os.Getpid()).Msg("imredis serving")

	for {
		select {
		case err := <-done:
			hs.stop()
			raw.Close()
			return fmt.Errorf("serving: %w", err)
		case s := <-sigs:
			if s == syscall.SIGHUP {
				reopenLog(out, log)
				continue
			}
			log.Info().Str("signal", s.String()).Str("timeout", cfg.ShutdownTimeout.String()).Msg("shutting down")
			p.stopping.Store(true)
			drain(cfg.ShutdownTimeout, dl, sigs, log)
			srv.Close()
			<-done
			hs.stop()
			if err := raw.Close(); err != nil {
				return fmt.Errorf("closing the engine: %w", err)
			}
			log.Info().Msg("imredis stopped")
			return nil
		}
	}
}

// drain stops accepting and waits, at most timeout, for the connections to
// finish the commands they have read; a second SIGTERM or SIGINT cuts the
// wait short. The connections left are then closed by the server's Close.
func drain(timeout time.Duration, dl *drainListener, sigs <-chan os.Signal, log zerolog.Logger) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == syscall.SIGHUP {
					continue
				}
				log.Warn().Str("signal", s.String()).Msg("second signal: closing connections now")
				cancel()
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	if left := dl.Drain(ctx); left > 0 {
		log.Warn().Int("connections", left).Msg("closing connections with commands still in flight")
		return
	}
	log.Info().Float64("dur_ms", float64(time.Since(start).Microseconds())/1000).Msg("connections drained")
}

// reopenLog reopens --log-file (after logrotate moved it away).
func reopenLog(out *logOutput, log zerolog.Logger) {
	if err := out.Reopen(); err != nil {
		log.Error().Err(err).Msg("reopening the log file")
		return
	}
	log.Info().Msg("log output reopened")
}
