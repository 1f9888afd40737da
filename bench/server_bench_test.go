package bench_test

import (
	"testing"
	"time"

	"github.com/imredis/imredis/bench"
	"github.com/imredis/imredis/internal/servertest"
)

// These benchmarks drive a real in-process server (memory engine, assembled
// as cmd/imredis assembles it) over loopback with the harness's client, so
// that `go test -cpuprofile` shows where the server spends its time:
//
//	go test ./bench -run '^$' -bench Server/save -cpuprofile cpu.out
//	go tool pprof -top -focus 'resp|commands|engine|index' bench.test cpu.out
//
// The profile also holds the client's goroutines; -focus keeps the server's.

// benchStore is how many incidents the server holds during the benchmarks.
const benchStore = 10_000

func BenchmarkServer(b *testing.B) {
	srv := servertest.Start(b)
	g := bench.NewGen(1)
	if _, err := bench.Load(g, 0, benchStore, []bench.Sink{bench.SaveSink("imredis", srv.Addr())}); err != nil {
		b.Fatal(err)
	}
	get := make([][]byte, 4096)
	save := make([][]byte, 4096)
	for i := range get {
		inc := g.Incident(i * 7 % benchStore)
		get[i] = bench.AppendCommand(nil, "INC.GET", inc.ID)
		save[i] = bench.AppendCommand(nil, "INC.SAVE", string(inc.JSON))
	}
	list := [][]byte{bench.AppendCommand(nil, "INC.LIST", "SEVERITY", "P0", "SEVERITY", "P1", "ACTIVE")}
	for _, c := range []struct {
		name              string
		clients, pipeline int
		op                bench.Op
	}{
		{"get/c50p16", 50, 16, bench.Op{Cmds: get}},
		{"get/c50p1", 50, 1, bench.Op{Cmds: get}},
		{"save/c50p16", 50, 16, bench.Op{Cmds: save}},
		{"save/c50p1", 50, 1, bench.Op{Cmds: save}},
		{"list/c50p1", 50, 1, bench.Op{Cmds: list}},
	} {
		b.Run(c.name, func(b *testing.B) {
			cell := bench.Cell{Clients: c.clients, Pipeline: c.pipeline, Duration: 10 * time.Minute, MaxRequests: int64(b.N)}
			res, err := bench.Measure(srv.Addr(), cell, c.op)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(res.OpsPerSec(), "ops/s")
			b.ReportMetric(float64(res.Hist.Quantile(0.5).Microseconds()), "p50-µs")
			b.ReportMetric(float64(res.Hist.Quantile(0.99).Microseconds()), "p99-µs")
		})
	}
}
