package bench

import (
	"fmt"
	"slices"
	"time"

	"github.com/tidwall/gjson"
)

// Names of the seed-algorithm rows (the list sections' baselines).
const (
	seedMGet = "seed MGET"
	seedGet  = "seed GET per candidate"
)

// list compares INC.LIST (first page, and a deep page through a cursor) with
// the seed's list algorithm on Redis, at pipeline 1.
func (r *run) list(size int) error {
	seed := SeedList{Severities: []string{"P0", "P1"}, PageSize: 50}
	c, err := Dial(r.redis.Addr)
	if err != nil {
		return err
	}
	want, err := seed.Run(c, Prefix+":temp:bench:check")
	c.Close()
	if err != nil {
		return fmt.Errorf("seed list algorithm: %w", err)
	}
	candidates, err := r.intReply(r.redis.Addr, []string{"SCARD", Prefix + ":severity:P0"})
	if err != nil {
		return err
	}
	p1, err := r.intReply(r.redis.Addr, []string{"SCARD", Prefix + ":severity:P1"})
	if err != nil {
		return err
	}
	matches, err := r.intReply(r.targets[0].proc.Addr, append([]string{"INC.COUNT"}, listFilter...))
	if err != nil {
		return err
	}
	first := AppendCommand(nil, append([]string{"INC.LIST"}, listFilter...)...)
	deep := map[*target][]byte{}
	for _, t := range r.targets {
		if err := r.samePage(t, want); err != nil {
			return err
		}
		cur, err := deepCursor(t.proc.Addr, int(matches/2))
		if err != nil {
			return fmt.Errorf("%s: deep cursor: %w", t.name, err)
		}
		deep[t] = AppendCommand(nil, append(append([]string{"INC.LIST"}, listFilter...), "CURSOR", cur, "WITHCURSOR")...)
	}
	sec := r.section("list", size, fmt.Sprintf("INC.LIST SEVERITY P0 SEVERITY P1 ACTIVE vs the seed's list algorithm, %s incidents",
		FormatOps(float64(size))), fmt.Sprintf("%s candidates (P0 or P1), %s of them active. First page = 50 newest; "+
		"deep page = the 50 after match #%s, through a cursor. %q = SUNIONSTORE temp + EXPIRE + SMEMBERS + one MGET of "+
		"every candidate + client-side filter/sort/page; %q = the same with one GET per candidate, as the seed codes "+
		"it. The seed's cost does not depend on the page: it fetches and sorts every candidate. Its client side only "+
		"extracts state/created_at/id with gjson (a lower bound on the seed's full deserialisation). Pipeline 1. "+
		"Ratio = imredis ops/s ÷ seed ops/s.", FormatOps(float64(candidates+p1)), FormatOps(float64(matches)),
		FormatOps(float64(matches/2)), seedMGet, seedGet), seedMGet, seedGet)
	p50 := map[string]time.Duration{}
	limit := max(3*r.cfg.CellTime, 2*time.Second)
	for _, cl := range r.cfg.Clients {
		for _, s := range []struct {
			name string
			op   Op
		}{{seedMGet, seed.Op()}, {seedGet, SeedList{Severities: seed.Severities, PageSize: 50, PerCandidate: true}.Op()}} {
			if est := p50[s.name] * time.Duration(cl); cl > 1 && est > limit {
				why := fmt.Sprintf("one request per client would take about %s", FormatDur(est))
				sec.Rows = append(sec.Rows, Row{Clients: cl, Pipeline: 1, Target: s.name, Skipped: why})
				r.logf("  %-44s c=%-2d skipped: %s\n", s.name, cl, why)
				continue
			}
			res, err := r.cell(sec, s.name, r.redis, cl, 1, s.op)
			if err != nil {
				return err
			}
			if cl == 1 {
				p50[s.name] = res.Hist.Quantile(0.5)
			}
		}
		for _, t := range r.targets {
			if _, err := r.cell(sec, t.name+" INC.LIST first page", t.proc, cl, 1, Op{Cmds: [][]byte{first}}); err != nil {
				return err
			}
			if _, err := r.cell(sec, t.name+" INC.LIST deep page (cursor)", t.proc, cl, 1, Op{Cmds: [][]byte{deep[t]}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// samePage checks that t's first INC.LIST page holds the ids the seed's
// algorithm returns; a difference is noted, not fatal.
func (r *run) samePage(t *target, want []string) error {
	c, err := Dial(t.proc.Addr)
	if err != nil {
		return err
	}
	defer c.Close()
	v, err := c.Do(append([]string{"INC.LIST"}, listFilter...)...)
	if err != nil {
		return fmt.Errorf("%s: INC.LIST: %w", t.name, err)
	}
	var got []string
	for _, e := range v.Elems {
		got = append(got, gjson.GetBytes(e.Str, "id").Str)
	}
	if !slices.Equal(got, want) {
		r.note("WARNING: %s's first INC.LIST page differs from the seed algorithm's page (%d vs %d ids)", t.name, len(got), len(want))
	}
	return nil
}

// deepCursor walks the list rows' filter with WITHCURSOR pages of up to 1000
// and returns the cursor after depth matches.
func deepCursor(addr string, depth int) (string, error) {
	c, err := Dial(addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	cur, walked := "0", 0
	for walked < depth {
		args := append(append([]string{"INC.LIST"}, listFilter...), "LIMIT", "0", fmt.Sprint(min(1000, depth-walked)), "WITHCURSOR")
		if cur != "0" {
			args = append(args, "CURSOR", cur)
		}
		v, err := c.Do(args...)
		if err != nil {
			return "", err
		}
		if len(v.Elems) != 2 {
			return "", fmt.Errorf("WITHCURSOR reply has %d elements, want 2", len(v.Elems))
		}
		cur, walked = string(v.Elems[0].Str), walked+len(v.Elems[1].Elems)
		if cur == "0" {
			break
		}
	}
	return cur, nil
}

// scaling summarises how the list rows (1 client) and the GET/SAVE rows (the
// busiest combination) cost as the store grows.
func (r *run) scaling() []Table {
	if len(r.cfg.Sizes) < 2 {
		return nil
	}
	var out []Table
	p50 := func(res *Result) string { return FormatDur(res.Hist.Quantile(0.5)) }
	out = append(out, r.scaleTable("INC.LIST as the store grows (1 client, p50)", "list", r.cfg.Clients[0], 1, p50,
		func(a, b *Result) float64 { return float64(b.Hist.Quantile(0.5)) / float64(a.Hist.Quantile(0.5)) },
		"p50 at the largest size ÷ p50 at the smallest (goal for INC.LIST: within 2x)."))
	ops := func(res *Result) string { return FormatOps(res.OpsPerSec()) }
	last := func(v []int) int { return v[len(v)-1] }
	for _, kind := range []string{"get", "save"} {
		out = append(out, r.scaleTable(fmt.Sprintf("%s as the store grows (%d clients, pipeline %d, ops/s)", kind,
			last(r.cfg.Clients), last(r.cfg.Pipelines)), kind, last(r.cfg.Clients), last(r.cfg.Pipelines), ops,
			func(a, b *Result) float64 { return b.OpsPerSec() / a.OpsPerSec() },
			"ops/s at the largest size ÷ ops/s at the smallest."))
	}
	return out
}

func (r *run) scaleTable(title, kind string, clients, pipe int, metric func(*Result) string,
	change func(a, b *Result) float64, note string) Table {
	t := Table{Title: title, Note: note, Header: []string{"target"}}
	for _, s := range r.cfg.Sizes {
		t.Header = append(t.Header, FormatOps(float64(s)))
	}
	t.Header = append(t.Header, "change")
	var names []string
	cells := map[string]map[int]*Result{}
	for _, sec := range r.rep.Sections {
		if sec.Kind != kind {
			continue
		}
		for _, row := range sec.Rows {
			if row.Clients != clients || row.Pipeline != pipe || row.Res == nil {
				continue
			}
			if cells[row.Target] == nil {
				cells[row.Target] = map[int]*Result{}
				names = append(names, row.Target)
			}
			cells[row.Target][sec.Size] = row.Res
		}
	}
	for _, n := range names {
		line := []string{n}
		for _, s := range r.cfg.Sizes {
			if res := cells[n][s]; res != nil {
				line = append(line, metric(res))
			} else {
				line = append(line, "")
			}
		}
		a, b := cells[n][r.cfg.Sizes[0]], cells[n][r.cfg.Sizes[len(r.cfg.Sizes)-1]]
		if a != nil && b != nil {
			line = append(line, FormatRatio(change(a, b)))
		} else {
			line = append(line, "")
		}
		t.Rows = append(t.Rows, line)
	}
	return t
}
