package buntdb

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/imredis/imredis/conformance"
	"github.com/imredis/imredis/engine"
)

// pool parses n distinct incidents once, outside the timed loop.
func pool(b *testing.B, n int) []*engine.Incident {
	out := make([]*engine.Incident, n)
	for i := range out {
		out[i] = incident(b, i, 0)
	}
	return out
}

// benchSave runs Save from many goroutines (GOMAXPROCS x 25: 50 on two CPUs).
func benchSave(b *testing.B, policy string) {
	s := open(b, dataPath(b), Config{Fsync: policy})
	incs := pool(b, 4096)
	var next atomic.Int64
	before := s.Info()
	b.SetParallelism(25)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			inc := incs[next.Add(1)%int64(len(incs))]
			if err := s.Save(context.Background(), 0, inc); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	in := s.Info()
	if w := in.Writes - before.Writes; w > 0 {
		b.ReportMetric(float64(in.Fsyncs-before.Fsyncs)/float64(w), "fsyncs/write")
	}
}

func BenchmarkSaveAlways(b *testing.B) { benchSave(b, FsyncAlways) }

func BenchmarkSaveNever(b *testing.B) { benchSave(b, FsyncNever) }

// BenchmarkSaveAlwaysSerial is one client writing durably: its latency is
// about one fsync.
func BenchmarkSaveAlwaysSerial(b *testing.B) {
	s := open(b, dataPath(b), Config{Fsync: FsyncAlways})
	incs := pool(b, 1024)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := s.Save(context.Background(), 0, incs[i%len(incs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	s := open(b, dataPath(b), Config{Fsync: FsyncNever})
	incs := pool(b, 4096)
	for _, inc := range incs {
		if err := s.Save(context.Background(), 0, inc); err != nil {
			b.Fatal(err)
		}
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			doc, err := s.Get(context.Background(), 0, incs[next.Add(1)%int64(len(incs))].ID)
			if err != nil || doc == nil {
				b.Error("Get failed", err)
				return
			}
		}
	})
}

// BenchmarkLoad opens a file of 100k incidents and reports the load time
// and the heap each loaded incident takes.
func BenchmarkLoad(b *testing.B) {
	const n = 100_000
	path := dataPath(b)
	s := open(b, path, Config{Fsync: FsyncNever})
	for i := range n {
		if err := s.Save(context.Background(), 0, incident(b, i, 0)); err != nil {
			b.Fatal(err)
		}
	}
	raw := s.Info().LiveBytes
	s.Close()
	b.ResetTimer()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		s, err := Open(path, testOpts(), Config{Fsync: FsyncNever})
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(took.Nanoseconds())/n, "ns/incident")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/incident")
		b.ReportMetric(float64(raw)/n, "record-B/incident")
		runtime.KeepAlive(s)
		s.Close()
	}
}

// BenchmarkEngine is the suite every engine runs (conformance.Bench), on a
// data file written with each policy.
func BenchmarkEngine(b *testing.B) {
	for _, policy := range []string{FsyncNever, FsyncAlways} {
		b.Run(policy, func(b *testing.B) {
			conformance.Bench(b, func(b *testing.B, o engine.Options) engine.Store {
				return openWith(b, dataPath(b), o, Config{Fsync: policy})
			})
		})
	}
}
