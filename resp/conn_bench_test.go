package resp

import (
	"testing"

	"github.com/imredis/imredis/bench"
)

// BenchmarkBatchParse parses what one read of a 16-deep pipeline brings
// into the connection loop's commands, as serveConn does before dispatching
// (exec then copies the arguments of a command that does not borrow them).
func BenchmarkBatchParse(b *testing.B) {
	g := bench.NewGen(1)
	for _, c := range []struct {
		name string
		cmd  func(i int) []byte
	}{
		{"get", func(i int) []byte { return bench.AppendCommand(nil, "INC.GET", g.ID(i)) }},
		{"save", func(i int) []byte { return bench.AppendCommand(nil, "INC.SAVE", string(g.Incident(i).JSON)) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var in []byte
			for i := range 16 {
				in = append(in, c.cmd(i)...)
			}
			var bt batch
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				n, err := bt.parse(in)
				if err != nil || n != len(in) || len(bt.cmds) != 16 {
					b.Fatalf("parsed %d of %d bytes into %d commands: %v", n, len(in), len(bt.cmds), err)
				}
				clear(bt.cmds)
				bt.cmds = bt.cmds[:0]
			}
		})
	}
}
