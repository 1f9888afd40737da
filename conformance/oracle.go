package conformance

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/tidwall/gjson"
)

// fact is what the brute-force oracle knows of one incident, read with gjson
// from the JSON the test sent (or the engine returned), never from the engine's
// own model.
type fact struct {
	id                               string
	created                          int64
	severity, state, typ, source, fp string
	labels                           map[string]string
}

// readFact reads the oracle's view of an incident document.
func readFact(t testing.TB, raw []byte) fact {
	t.Helper()
	r := gjson.ParseBytes(raw)
	created, err := time.Parse(time.RFC3339Nano, r.Get("created_at").Str)
	if err != nil {
		t.Errorf("oracle: created_at of %s: %v", raw, err)
	}
	f := fact{
		id:       strings.ToLower(r.Get("id").Str),
		created:  created.UnixNano(),
		severity: r.Get("severity").Str,
		state:    cmp.Or(r.Get("state").Str, "Detected"),
		typ:      r.Get("incident_type").Str,
		source:   r.Get("source").Str,
		fp:       r.Get("fingerprint").Str,
		labels:   map[string]string{},
	}
	r.Get("labels").ForEach(func(k, v gjson.Result) bool {
		f.labels[k.Str] = v.Str
		return true
	})
	return f
}

func bit(names []string, v string) uint8 {
	i := slices.Index(names, v)
	if i < 0 {
		panic("unknown enum value " + v)
	}
	return 1 << i
}

func mask(names []string, vs ...string) uint8 {
	var m uint8
	for _, v := range vs {
		m |= bit(names, v)
	}
	return m
}

func sevs(vs ...string) uint8   { return mask(engine.Severities, vs...) }
func states(vs ...string) uint8 { return mask(engine.States, vs...) }
func types(vs ...string) uint8  { return mask(engine.Types, vs...) }

// activeOnly applies ACTIVE to f the way the command layer does: the state
// mask intersected with engine.ActiveStates, Empty when nothing is left.
func activeOnly(f engine.Filter) engine.Filter {
	if f.States == 0 {
		f.States = engine.ActiveStates
	} else {
		f.States &= engine.ActiveStates
	}
	if f.States == 0 {
		f.Empty = true
	}
	return f
}

// matches is the brute-force reading of a Filter.
func (x fact) matches(f engine.Filter) bool {
	if f.Empty || x.created < f.Since || x.created >= f.Until {
		return false
	}
	if f.Severities != 0 && f.Severities&bit(engine.Severities, x.severity) == 0 ||
		f.States != 0 && f.States&bit(engine.States, x.state) == 0 ||
		f.Types != 0 && f.Types&bit(engine.Types, x.typ) == 0 ||
		len(f.Sources) > 0 && !slices.Contains(f.Sources, x.source) ||
		len(f.Fingerprints) > 0 && (x.fp == "" || !slices.Contains(f.Fingerprints, x.fp)) {
		return false
	}
	for _, l := range f.Labels {
		if v, ok := x.labels[l.Key]; !ok || v != l.Value {
			return false
		}
	}
	return true
}

// compareFacts orders by created_at instant, then id.
func compareFacts(a, b fact) int {
	return cmp.Or(cmp.Compare(a.created, b.created), strings.Compare(a.id, b.id))
}

// expect returns the ids of facts matching f in query order.
func expect(facts []fact, f engine.Filter, desc bool) []string {
	var sel []fact
	for _, x := range facts {
		if x.matches(f) {
			sel = append(sel, x)
		}
	}
	slices.SortFunc(sel, compareFacts)
	if desc {
		slices.Reverse(sel)
	}
	ids := make([]string, len(sel))
	for i, x := range sel {
		ids[i] = x.id
	}
	return ids
}

// expectStats is the brute-force Stats of facts.
func expectStats(facts []fact) engine.Stats {
	var st engine.Stats
	for _, x := range facts {
		st.Total++
		s := slices.Index(engine.States, x.state)
		if engine.ActiveStates&(1<<s) != 0 {
			st.Active++
		}
		st.ByState[s]++
		st.BySeverity[slices.Index(engine.Severities, x.severity)]++
	}
	return st
}

// Values the random dataset draws from.
var (
	randSources = []string{"prometheus", "datadog", "pagerduty", "Grafana", "src with space"}
	randLabels  = map[string][]string{"env": {"prod", "staging", "dev"}, "team": {"a", "b"}, "region": {"eu", "us", "ap"}}
	randFPs     = []string{"fp-a", "fp-b", "fp-c"}
	randOffsets = []int{0, 0, 120, -330, 545, -600}
	randFracs   = []time.Duration{0, 500 * time.Millisecond, 250 * time.Millisecond, 123456789}
)

// randUUID returns a v4 UUID drawn from r.
func randUUID(r *rand.Rand) string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff,
		r.Uint32()&0xfff, 0x8000|r.Uint32()&0x3fff, r.Uint64()&0xffffffffffff)
}

// randStamp renders t at a random offset with a random number of fraction
// digits, never fewer than t needs.
func randStamp(r *rand.Rand, t time.Time) string {
	need := len(strings.TrimRight(fmt.Sprintf("%09d", t.Nanosecond()), "0"))
	off := randOffsets[r.IntN(len(randOffsets))]
	return rfc3339(t, off, need+r.IntN(10-need), r.IntN(2) == 0)
}

// randSpec returns a random incident created within an hour of epoch, on a
// coarse grid so that created_at ties happen.
func randSpec(r *rand.Rand) spec {
	created := at(time.Duration(r.IntN(60))*time.Minute + randFracs[r.IntN(len(randFracs))])
	s := spec{
		ID:        randUUID(r),
		CreatedAt: randStamp(r, created),
		State:     engine.States[r.IntN(len(engine.States))],
		Severity:  engine.Severities[r.IntN(len(engine.Severities))],
		Type:      engine.Types[r.IntN(len(engine.Types))],
		Source:    randSources[r.IntN(len(randSources))],
		Title:     "random incident",
		Labels:    map[string]string{},
	}
	if r.IntN(10) == 0 {
		s.ID = strings.ToUpper(s.ID)
	}
	for _, k := range []string{"env", "team", "region"} {
		if r.IntN(10) < 6 {
			s.Labels[k] = randLabels[k][r.IntN(len(randLabels[k]))]
		}
	}
	if r.IntN(4) > 0 {
		s.Fingerprint = randFPs[r.IntN(len(randFPs))]
	}
	return s
}

// seedRandom saves n random incidents drawn from seed into db and returns the
// oracle's facts about them, read from the JSON that was sent.
func (e *env) seedRandom(db, n int, seed uint64) []fact {
	e.t.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x5eed))
	facts := make([]fact, 0, n)
	for range n {
		raw := randSpec(r).json()
		e.saveRaw(db, raw)
		facts = append(facts, readFact(e.t, raw))
	}
	return facts
}
