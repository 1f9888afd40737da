package keyspacetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/imredis/imredis/internal/redistest"
	"github.com/imredis/imredis/internal/servertest"
)

// pair is an imredis server and a real redis-server, each with a client of
// the same protocol.
type pair struct {
	im, rd *redis.Client
	imSrv  *servertest.Server
	rdSrv  *redistest.Server
}

// startPair starts both servers for the test; proto is 2 or 3.
func startPair(t *testing.T, proto int, opts ...servertest.Option) *pair {
	t.Helper()
	p := &pair{imSrv: servertest.Start(t, opts...), rdSrv: redistest.Start(t)}
	p.im = p.imSrv.Client(t, proto)
	p.rd = redis.NewClient(&redis.Options{Addr: p.rdSrv.Addr(), Protocol: proto, ReadTimeout: 10 * time.Second})
	t.Cleanup(func() { p.rd.Close() })
	return p
}

// reply runs one command and returns its result, or the error text.
func reply(c *redis.Client, args ...any) any {
	v, err := c.Do(context.Background(), args...).Result()
	if err == redis.Nil {
		return "(nil)"
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return v
}

// sorted returns a copy of a list reply with string members sorted, for
// replies whose order Redis leaves unspecified.
func sorted(v any) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b any) int {
		as, bs := fmt.Sprint(a), fmt.Sprint(b)
		switch {
		case as < bs:
			return -1
		case as > bs:
			return 1
		}
		return 0
	})
	return out
}

// same runs args on both servers and expects the same reply (set replies
// compared as sorted lists).
func (p *pair) same(t *testing.T, args ...any) any {
	t.Helper()
	im, rd := sorted(reply(p.im, args...)), sorted(reply(p.rd, args...))
	if !reflect.DeepEqual(im, rd) {
		t.Errorf("%v:\n imredis %#v\n   redis %#v", args, im, rd)
	}
	return im
}

// expect runs args on c and compares the reply with want.
func expect(t *testing.T, c *redis.Client, want any, args ...any) {
	t.Helper()
	if got := reply(c, args...); !reflect.DeepEqual(got, want) {
		t.Errorf("%v = %#v, want %#v", args, got, want)
	}
}

var (
	severities = []string{"P0", "P1", "P2", "P3", "P4"}
	states     = []string{"Detected", "Triaged", "Investigating", "Remediating", "Resolved", "Closed"}
	types      = []string{"Infrastructure", "Application", "Security", "Data", "Performance", "Availability", "Compliance", "Unknown"}
	sources    = []string{"sentinel", "prometheus", "datadog", "api-gateway"}
	prints     = []string{"fp-disk", "fp-latency", "fp-oom"}
)

// seedIncidents returns n incidents as the seed would write them, with
// distinct created_at instants so that the seed's sort is deterministic.
func seedIncidents(n int) []*seedIncident {
	r := rand.New(rand.NewPCG(7, 11))
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	out := make([]*seedIncident, n)
	for i := range out {
		created := base.Add(time.Duration(i)*time.Minute + time.Duration(r.IntN(1e6))*time.Microsecond).Round(0)
		inc := &seedIncident{
			ID:                fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", i+1, r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1)),
			CreatedAt:         created,
			UpdatedAt:         created.Add(time.Second),
			State:             states[r.IntN(len(states))],
			Severity:          severities[r.IntN(len(severities))],
			IncidentType:      types[r.IntN(len(types))],
			Source:            sources[r.IntN(len(sources))],
			Title:             fmt.Sprintf("Incident %d", i),
			Description:       "seeded",
			AffectedResources: []string{fmt.Sprintf("host-%d", r.IntN(5))},
			Assignees:         []string{},
			Labels:            map[string]string{"team": []string{"sre", "db"}[r.IntN(2)]},
			RelatedIncidents:  []string{},
			Timeline: []seedEvent{{Timestamp: created, EventType: "Created", Actor: "system",
				Description: "Incident created", Metadata: map[string]string{}}},
		}
		if r.IntN(3) > 0 {
			fp := prints[r.IntN(len(prints))]
			inc.Fingerprint = &fp
		}
		if r.IntN(2) == 0 {
			score := float64(r.IntN(100)) / 100
			inc.CorrelationScore = &score
		}
		if inc.State == "Resolved" || inc.State == "Closed" {
			cause := "disk full"
			inc.Resolution = &seedResolution{ResolvedAt: created.Add(time.Hour), ResolvedBy: "oncall",
				ResolutionMethod: "Manual", RootCause: &cause, Notes: "cleaned up"}
		}
		out[i] = inc
	}
	return out
}

// ids returns the ids of incidents in order.
func ids(list []*seedIncident) []string {
	out := make([]string, len(list))
	for i, inc := range list {
		out[i] = inc.ID
	}
	return out
}

// byID returns list sorted by id.
func byID(list []*seedIncident) []*seedIncident {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b *seedIncident) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}

// sameIncidents compares two lists field by field, as the seed parses them.
func sameIncidents(t *testing.T, what string, im, rd []*seedIncident) {
	t.Helper()
	if !slices.Equal(ids(im), ids(rd)) {
		t.Errorf("%s: imredis ids %v\n  redis ids %v", what, ids(im), ids(rd))
		return
	}
	for i := range im {
		if !reflect.DeepEqual(im[i], rd[i]) {
			t.Errorf("%s: incident %s differs:\n imredis %+v\n   redis %+v", what, im[i].ID, *im[i], *rd[i])
		}
	}
}
