package commands

import (
	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// INC.STATS

func (d *Deps) cmdStats(c *resp.Ctx, a [][]byte) {
	st, err := d.Store.Stats(c.Context(), c.DB())
	if err != nil {
		c.W.Err(err)
		return
	}
	writeStats(c.W, st)
}

// writeStats writes the INC.STATS counts: a map under RESP3, a flat
// [name, integer, ...] array under RESP2.
func writeStats(w *resp.Writer, st engine.Stats) {
	w.Map(2 + len(st.BySeverity) + len(st.ByState))
	w.BulkString("total")
	w.Int(st.Total)
	w.BulkString("active")
	w.Int(st.Active)
	for i, n := range st.BySeverity {
		w.BulkString("severity:" + engine.Severities[i])
		w.Int(n)
	}
	for i, n := range st.ByState {
		w.BulkString("state:" + engine.States[i])
		w.Int(n)
	}
}
