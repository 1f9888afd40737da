package resp

import (
	"testing"

	"github.com/imredis/imredis/bench"
)

func benchDocs(n int) [][]byte {
	g := bench.NewGen(1)
	docs := make([][]byte, n)
	for i := range docs {
		docs[i] = g.Incident(i).JSON
	}
	return docs
}

// BenchmarkWriterBulk writes one incident document (INC.GET's reply).
func BenchmarkWriterBulk(b *testing.B) {
	doc := benchDocs(1)[0]
	var w Writer
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		w.Reset(2)
		w.Bulk(doc)
	}
}

// BenchmarkWriterArray50 writes a page of 50 documents (INC.LIST's reply).
func BenchmarkWriterArray50(b *testing.B) {
	docs := benchDocs(50)
	var w Writer
	n := 0
	for _, d := range docs {
		n += len(d)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		w.Reset(2)
		w.Array(len(docs))
		for _, d := range docs {
			w.Bulk(d)
		}
	}
}

// BenchmarkWriterMap writes INC.STATS's reply: 17 name/count pairs, as a
// RESP3 map and as the RESP2 flat array.
func BenchmarkWriterMap(b *testing.B) {
	names := []string{"total", "active", "severity:P0", "severity:P1", "severity:P2", "severity:P3", "severity:P4",
		"state:Detected", "state:Triaged", "state:Investigating", "state:Remediating", "state:Resolved", "state:Closed",
		"type:Infrastructure", "type:Application", "type:Security", "type:Data"}
	for _, proto := range []int{2, 3} {
		b.Run("resp"+string(rune('0'+proto)), func(b *testing.B) {
			var w Writer
			b.ReportAllocs()
			for b.Loop() {
				w.Reset(proto)
				w.Map(len(names))
				for i, n := range names {
					w.BulkString(n)
					w.Int(int64(i * 1237))
				}
			}
		})
	}
}
