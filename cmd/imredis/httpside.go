package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"
)

// readyTimeout bounds the engine ping behind /readyz.
const readyTimeout = time.Second

// probe answers /readyz: the engine is not loading, the server is not
// shutting down and the engine answers a ping within readyTimeout.
type probe struct {
	ping     func(context.Context) error
	loading  func() bool // nil: never loads
	stopping atomic.Bool
}

// ready returns nil when ready, else the cause.
func (p *probe) ready(ctx context.Context) error {
	if p.stopping.Load() {
		return errors.New("shutting down")
	}
	if p.loading != nil && p.loading() {
		return errors.New("engine is loading the dataset")
	}
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := p.ping(ctx); err != nil {
		return fmt.Errorf("engine ping: %w", err)
	}
	return nil
}

// httpHandler serves /metrics from reg, /healthz and /readyz, and with
// withPprof the runtime profiles under /debug/pprof/.
func httpHandler(reg *prometheus.Registry, p *probe, withPprof bool, log zerolog.Logger) http.Handler {
	mux := http.NewServeMux()
	if withPprof {
		// Sample contended locks too, so that /debug/pprof/mutex has
		// something to show; one event in 100 costs nothing measurable.
		runtime.SetMutexProfileFraction(100)
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError, // one failing collector must not hide the others
		ErrorLog:      promLogger{log},
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := p.ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready:", err)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// promLogger sends promhttp's errors to the logger.
type promLogger struct{ log zerolog.Logger }

func (l promLogger) Println(v ...any) { l.log.Error().Msg(fmt.Sprint(v...)) }

// httpSide is the running HTTP side port; a nil *httpSide is off.
type httpSide struct {
	srv *http.Server
	ln  net.Listener
}

// startHTTP listens on addr and serves h.
func startHTTP(addr string, h http.Handler, log zerolog.Logger) (*httpSide, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	hs := &httpSide{srv: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}, ln: ln}
	go func() {
		if err := hs.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("http side port stopped")
		}
	}()
	return hs, nil
}

// addr returns the bound address, or "" when off.
func (h *httpSide) addr() string {
	if h == nil {
		return ""
	}
	return h.ln.Addr().String()
}

// stop lets requests in progress finish (one second at most) and closes the port.
func (h *httpSide) stop() {
	if h == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	h.srv.Shutdown(ctx)
}
