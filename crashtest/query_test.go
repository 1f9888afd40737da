package crashtest

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// meta is what the filters look at in a document.
type meta struct {
	ID          string            `json:"id"`
	CreatedAt   string            `json:"created_at"`
	State       string            `json:"state"`
	Severity    string            `json:"severity"`
	Type        string            `json:"incident_type"`
	Source      string            `json:"source"`
	Labels      map[string]string `json:"labels"`
	Fingerprint *string           `json:"fingerprint"`
	created     time.Time
}

func (m meta) active() bool { return slices.Contains(states[:4], m.State) }

// query is an INC.LIST/INC.COUNT filter: values of one keyword OR together,
// keywords AND together.
type query struct {
	severity, state, source, typ []string
	labels                       [][2]string
	active                       bool
}

// args renders q as command arguments.
func (q query) args() []string {
	var a []string
	for _, kv := range []struct {
		kw   string
		vals []string
	}{{"SEVERITY", q.severity}, {"STATE", q.state}, {"SOURCE", q.source}, {"TYPE", q.typ}} {
		for _, v := range kv.vals {
			a = append(a, kv.kw, v)
		}
	}
	for _, l := range q.labels {
		a = append(a, "LABEL", l[0], l[1])
	}
	if q.active {
		a = append(a, "ACTIVE")
	}
	return a
}

// match is the recount: does the document satisfy q?
func (q query) match(m meta) bool {
	in := func(vals []string, v string, fold bool) bool {
		return len(vals) == 0 || slices.ContainsFunc(vals, func(x string) bool {
			return x == v || fold && strings.EqualFold(x, v)
		})
	}
	for _, l := range q.labels {
		if m.Labels[l[0]] != l[1] {
			return false
		}
	}
	return in(q.severity, m.Severity, true) && in(q.state, m.State, true) && in(q.source, m.Source, false) &&
		in(q.typ, m.Type, true) && (!q.active || m.active())
}

// queries returns a filter per value of every keyword, a source nobody
// uses, fixed combinations and a few random ones drawn from r.
func queries(r *rand.Rand) []query {
	var qs []query
	for _, v := range severities {
		qs = append(qs, query{severity: []string{v}})
	}
	for _, v := range states {
		qs = append(qs, query{state: []string{v}})
	}
	for _, v := range append(slices.Clone(sources), "nobody") {
		qs = append(qs, query{source: []string{v}})
	}
	for _, v := range types {
		qs = append(qs, query{typ: []string{v}})
	}
	for _, k := range labelKeys {
		for _, v := range labelVals[k] {
			qs = append(qs, query{labels: [][2]string{{k, v}}})
		}
	}
	qs = append(qs, query{active: true},
		query{severity: []string{"P0", "p1"}},
		query{state: []string{"Resolved", "closed"}},
		query{active: true, severity: []string{"P0"}},
		query{source: []string{"datadog"}, typ: []string{"Security"}},
		query{labels: [][2]string{{"env", "prod"}, {"team", "payments"}}},
		query{active: true, labels: [][2]string{{"env", "prod"}}, severity: []string{"P1", "P2"}},
		query{source: []string{"grafana", "sentry"}, state: []string{"DETECTED"}})
	for range 6 {
		var q query
		q.severity = drawSome(r, severities)
		q.state = drawSome(r, states)
		q.source = drawSome(r, sources)
		q.typ = drawSome(r, types)
		if r.IntN(2) == 0 {
			k := pick(r, labelKeys)
			q.labels = [][2]string{{k, pick(r, labelVals[k])}}
		}
		q.active = r.IntN(3) == 0
		qs = append(qs, q)
	}
	return qs
}

// drawSome returns none (most often), one or two values of vals.
func drawSome(r *rand.Rand, vals []string) []string {
	switch r.IntN(4) {
	case 0:
		return []string{pick(r, vals)}
	case 1:
		return []string{pick(r, vals), pick(r, vals)}
	}
	return nil
}

// listAll pages through INC.LIST args with WITHCURSOR, 1000 at a time, and
// returns the documents in reply order.
func listAll(t *testing.T, c *redis.Client, filter []string) []string {
	t.Helper()
	ctx := context.Background()
	var docs []string
	cursor := ""
	for page := 0; ; page++ {
		args := []any{"INC.LIST"}
		for _, a := range filter {
			args = append(args, a)
		}
		args = append(args, "LIMIT", "0", "1000", "WITHCURSOR")
		if cursor != "" {
			args = append(args, "CURSOR", cursor)
		}
		res, err := c.Do(ctx, args...).Slice()
		if err != nil || len(res) != 2 {
			t.Fatalf("%v: %v %v", args, res, err)
		}
		next, _ := res[0].(string)
		items, ok := res[1].([]any)
		if !ok || next == "" || page > 10000 {
			t.Fatalf("%v: malformed reply %v", args, res)
		}
		for _, it := range items {
			d, _ := it.(string)
			docs = append(docs, d)
		}
		if next == "0" {
			return docs
		}
		cursor = next
	}
}

// decode parses the filter fields of doc.
func decode(t *testing.T, doc string) meta {
	t.Helper()
	var m meta
	if err := json.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("server returned a document that is not JSON: %v: %s", err, doc)
	}
	var err error
	if m.created, err = time.Parse(time.RFC3339Nano, m.CreatedAt); err != nil {
		t.Fatalf("server returned a bad created_at: %s", doc)
	}
	return m
}

// newestFirst orders as INC.LIST does by default: created_at descending, ties by id descending.
func newestFirst(a, b meta) int {
	if c := b.created.Compare(a.created); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}
