package engine

import (
	"testing"
	"time"

	"github.com/imredis/imredis/bench"
)

// benchDocs returns n realistic incidents (600-900 bytes, the seed's field set).
func benchDocs(n int) [][]byte {
	g := bench.NewGen(1)
	docs := make([][]byte, n)
	for i := range docs {
		docs[i] = g.Incident(i).JSON
	}
	return docs
}

// BenchmarkParse validates and renders a realistic incident, as INC.SAVE does.
func BenchmarkParse(b *testing.B) {
	docs := benchDocs(1024)
	now := time.Now()
	b.SetBytes(int64(len(docs[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := Parse(docs[i%len(docs)], 1<<20, now); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRender re-renders the canonical document of a parsed incident, as
// INC.UPDATE's stamp and DEDUP's fingerprint do.
func BenchmarkRender(b *testing.B) {
	inc, err := Parse(benchDocs(1)[0], 1<<20, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(inc.Doc)))
	b.ReportAllocs()
	for b.Loop() {
		inc.render()
	}
}

// BenchmarkComputeFingerprint applies the seed's fingerprint rule (INC.SAVE DEDUP).
func BenchmarkComputeFingerprint(b *testing.B) {
	inc, err := Parse(benchDocs(1)[0], 1<<20, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = inc.ComputeFingerprint()
	}
}

// BenchmarkParseShared is BenchmarkParse as a request parses: no copy of the
// input, and the Incident handed back to the pool.
func BenchmarkParseShared(b *testing.B) {
	docs := benchDocs(1024)
	now := time.Now()
	b.SetBytes(int64(len(docs[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		inc, err := ParseShared(docs[i%len(docs)], 1<<20, now)
		if err != nil {
			b.Fatal(err)
		}
		inc.Release()
		i++
	}
}
