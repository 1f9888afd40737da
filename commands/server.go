package commands

import (
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/imredis/imredis/resp"
)

func registerServer(t *resp.Table, d *Deps) {
	const g = "server"
	ad, ro, ld := resp.FlagAdmin, resp.FlagReadOnly, resp.FlagLoading
	for _, c := range []resp.Command{
		{Name: "info", Arity: -1, Flags: ld, Syntax: "[section [section ...]]", Summary: "Returns information and statistics about the server.", Handler: d.cmdInfo},
		{Name: "command", Arity: -1, Flags: ld, Syntax: "[COUNT | INFO [name ...] | DOCS [name ...] | LIST]", Summary: "Returns detailed information about commands.", Handler: cmdCommand},
		{Name: "config", Arity: -2, Flags: ad | ld, Syntax: "GET parameter [parameter ...]", Summary: "Returns configuration parameters.", Handler: d.cmdConfig},
		{Name: "dbsize", Arity: 1, Flags: ro | resp.FlagFast, Syntax: "", Summary: "Returns the number of incidents in the database.", Handler: d.cmdDBSize},
		{Name: "time", Arity: 1, Flags: ld | resp.FlagFast, Syntax: "", Summary: "Returns the server time.", Handler: cmdTime},
		{Name: "flushdb", Arity: -1, Flags: resp.FlagWrite, Syntax: "[ASYNC | SYNC]", Summary: "Removes every incident of the selected database.", Handler: d.cmdFlushDB},
		{Name: "flushall", Arity: -1, Flags: resp.FlagWrite, Syntax: "[ASYNC | SYNC]", Summary: "Removes every incident of every database.", Handler: d.cmdFlushAll},
	} {
		c.Group = g
		t.Register(c)
	}
}

// DBSIZE
func (d *Deps) cmdDBSize(c *resp.Ctx, a [][]byte) {
	st, err := d.Store.Stats(c.Context(), c.DB())
	if err != nil {
		c.W.Err(err)
		return
	}
	c.W.Int(st.Total)
}

// TIME
func cmdTime(c *resp.Ctx, a [][]byte) {
	now := time.Now()
	c.W.Array(2)
	c.W.BulkString(strconv.FormatInt(now.Unix(), 10))
	c.W.BulkString(strconv.Itoa(now.Nanosecond() / 1000))
}

// parseFlushMode accepts FLUSHDB/FLUSHALL's optional ASYNC or SYNC.
func parseFlushMode(a [][]byte) error {
	if len(a) > 2 {
		return resp.ErrSyntax
	}
	if len(a) == 2 {
		if m := strings.ToUpper(string(a[1])); m != "ASYNC" && m != "SYNC" {
			return resp.ErrSyntax
		}
	}
	return nil
}

// flush empties database db: its incidents and its temp sets.
func (d *Deps) flush(c *resp.Ctx, db int) error {
	if err := d.Store.Flush(c.Context(), db); err != nil {
		return err
	}
	if d.temp != nil {
		d.temp.flush(db)
	}
	return nil
}

// FLUSHDB [ASYNC | SYNC]
func (d *Deps) cmdFlushDB(c *resp.Ctx, a [][]byte) {
	if err := parseFlushMode(a); err != nil {
		c.W.Err(err)
		return
	}
	if err := d.flush(c, c.DB()); err != nil {
		c.W.Err(err)
		return
	}
	c.W.Simple("OK")
}

// FLUSHALL [ASYNC | SYNC]
func (d *Deps) cmdFlushAll(c *resp.Ctx, a [][]byte) {
	if err := parseFlushMode(a); err != nil {
		c.W.Err(err)
		return
	}
	for db := 0; db < d.Config.Databases; db++ {
		if err := d.flush(c, db); err != nil {
			c.W.Err(err)
			return
		}
	}
	c.W.Simple("OK")
}

// CONFIG GET parameter [parameter ...] | SET | RESETSTAT | HELP
func (d *Deps) cmdConfig(c *resp.Ctx, a [][]byte) {
	switch sub := strings.ToLower(string(a[1])); sub {
	case "get":
		if len(a) < 3 {
			c.W.Err(resp.WrongArity("config|get"))
			return
		}
		d.configGet(c, a[2:])
	case "set":
		c.W.Err(resp.ErrConfigSet)
	case "resetstat":
		c.W.Simple("OK")
	case "help":
		c.W.StringList([]string{"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
			"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
			"HELP", "    Print this help."})
	default:
		c.W.Err(resp.UnknownSubcommand(a[1], "config"))
	}
}

// configValues returns every parameter CONFIG GET can report.
func (d *Deps) configValues() map[string]string {
	cfg := map[string]string{
		"databases":              strconv.Itoa(d.Config.Databases),
		"timeout":                "0",
		"save":                   "",
		"appendonly":             "no",
		"appendfsync":            "everysec",
		"maxmemory":              "0",
		"maxmemory-policy":       "noeviction",
		"replica-read-only":      "yes",
		"slave-read-only":        "yes",
		"port":                   strconv.Itoa(d.Config.Port),
		"maxclients":             "10000",
		"proto-max-bulk-len":     "536870912",
		"cluster-enabled":        "no",
		"notify-keyspace-events": "",
	}
	for k, v := range d.Config.Config {
		cfg[k] = v
	}
	return cfg
}

func (d *Deps) configGet(c *resp.Ctx, patterns [][]byte) {
	cfg := d.configValues()
	var names []string
	for name := range cfg {
		for _, p := range patterns {
			if ok, _ := path.Match(strings.ToLower(string(p)), name); ok {
				names = append(names, name)
				break
			}
		}
	}
	sort.Strings(names)
	c.W.Map(len(names))
	for _, n := range names {
		c.W.BulkString(n)
		c.W.BulkString(cfg[n])
	}
}
