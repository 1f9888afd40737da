package commands

import "github.com/imredis/imredis/resp"

func registerIncident(t *resp.Table, d *Deps) {
	const g = "incident"
	// Their handlers copy what they keep of their arguments (ParseShared
	// detaches the Meta an engine stores; ids become strings).
	w, r := resp.FlagWrite|resp.FlagBorrowsArgs, resp.FlagReadOnly|resp.FlagBorrowsArgs
	for _, c := range []resp.Command{
		{Name: "inc.save", Arity: -2, Flags: w, Syntax: "json [DEDUP]", Summary: "Creates or replaces an incident; with DEDUP, skips an active duplicate.", Handler: d.cmdSave},
		{Name: "inc.get", Arity: 2, Flags: r | resp.FlagFast, Syntax: "id", Summary: "Returns an incident's JSON.", Handler: d.cmdGet},
		{Name: "inc.mget", Arity: -2, Flags: r | resp.FlagFast, Syntax: "id [id ...]", Summary: "Returns several incidents' JSON in argument order.", Handler: d.cmdMGet},
		{Name: "inc.update", Arity: -2, Flags: w, Syntax: "json [IFMATCH updated_at]", Summary: "Replaces an existing incident and stamps updated_at.", Handler: d.cmdUpdate},
		{Name: "inc.del", Arity: -2, Flags: w, Syntax: "id [id ...]", Summary: "Deletes incidents; returns how many existed.", Handler: d.cmdDel},
		{Name: "inc.list", Arity: -1, Flags: r, Syntax: "[filter ...] [ORDER ASC|DESC] [LIMIT offset count | PAGE n PAGESIZE m] [CURSOR c] [WITHCURSOR]", Summary: "Lists incidents newest first, filtered and paged.", Handler: d.cmdList},
		{Name: "inc.count", Arity: -1, Flags: r, Syntax: "[filter ...]", Summary: "Counts incidents matching the filters.", Handler: d.cmdCount},
		{Name: "inc.fp", Arity: -2, Flags: r, Syntax: "fingerprint [ACTIVE] [LIMIT offset count]", Summary: "Lists incidents with a fingerprint, newest first.", Handler: d.cmdFP},
		{Name: "inc.stats", Arity: 1, Flags: r, Syntax: "", Summary: "Returns incident counts by severity and state.", Handler: d.cmdStats},
	} {
		c.Group = g
		t.Register(c)
	}
}

// docs writes a list of documents as an array of bulk strings.
func docs(w *resp.Writer, list [][]byte) {
	w.Array(len(list))
	for _, doc := range list {
		if doc == nil {
			w.Null()
			continue
		}
		w.Bulk(doc)
	}
}
