package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/imredis/imredis/metrics"
)

func TestReadyz(t *testing.T) {
	down := errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
	cases := []struct {
		name     string
		ping     func(context.Context) error
		loading  bool
		stopping bool
		code     int
		body     string
	}{
		{"ready", func(context.Context) error { return nil }, false, false, 200, "ready\n"},
		{"engine down", func(context.Context) error { return down }, false, false, 503, "not ready: engine ping: " + down.Error() + "\n"},
		{"engine slow", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }, false, false, 503, "not ready: engine ping: context deadline exceeded\n"},
		{"loading", func(context.Context) error { return nil }, true, false, 503, "not ready: engine is loading the dataset\n"},
		{"shutting down", func(context.Context) error { return nil }, false, true, 503, "not ready: shutting down\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &probe{ping: c.ping, loading: func() bool { return c.loading }}
			p.stopping.Store(c.stopping)
			h := httpHandler(metrics.NewRegistry(), p, false, zerolog.Nop())
			start := time.Now()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if rec.Code != c.code || rec.Body.String() != c.body {
				t.Errorf("/readyz = %d %q, want %d %q", rec.Code, rec.Body.String(), c.code, c.body)
			}
			if d := time.Since(start); d > readyTimeout+time.Second {
				t.Errorf("/readyz took %s", d)
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
			if rec.Code != http.StatusOK || rec.Body.String() != "ok\n" {
				t.Errorf("/healthz = %d %q while %s", rec.Code, rec.Body.String(), c.name)
			}
		})
	}
}

func TestMetricsOnlyFromTheInjectedRegistry(t *testing.T) {
	reg := metrics.NewRegistry()
	metrics.NewStorage(reg).Operations.WithLabelValues("save", "memory").Inc()
	h := httpHandler(reg, &probe{ping: func(context.Context) error { return nil }}, false, zerolog.Nop())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, `storage_operations_total{backend="memory",operation="save"} 1`) || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics = %d\n%s", rec.Code, body)
	}
	if strings.Contains(body, "promhttp_metric_handler") {
		t.Error("/metrics serves the global registry's handler metrics")
	}
}

func TestPprofOnlyWhenAsked(t *testing.T) {
	for _, on := range []bool{false, true} {
		h := httpHandler(metrics.NewRegistry(), &probe{ping: func(context.Context) error { return nil }}, on, zerolog.Nop())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/debug/pprof/heap?debug=1", nil))
		served := rec.Code == http.StatusOK && strings.Contains(rec.Body.String(), "heap profile")
		if served != on {
			t.Errorf("--pprof=%v: /debug/pprof/heap = %d, served %v", on, rec.Code, served)
		}
	}
}
