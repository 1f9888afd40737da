package upstream

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/imredis/imredis/engine"
)

// The Redis layout, in every upstream database, for the key prefix p
// (Options.KeyPrefix, default "llm-im"). Every key name is built in this file.
//
// The seed's layout, kept exact (a save, update or delete moves every entry):
//
//	p:incident:{id}          string  the incident JSON
//	p:incidents              set     every id
//	p:severity:{P0..P4}      set     ids by severity
//	p:state:{Detected..}     set     ids by state
//	p:source:{source}        set     ids by source
//	p:fingerprint:{fp}       set     ids by fingerprint (incidents whose fingerprint is not null)
//
// Added by imredis, so that INC.LIST and INC.COUNT run in bounded round trips:
//
//	p:by:all                 zset    every indexed incident
//	p:by:severity:{P0..P4}   zset    by severity
//	p:by:state:{Detected..}  zset    by state
//	p:by:type:{Infrastructure..}  zset  by incident_type
//	p:by:source:{source}     zset    by source
//	p:by:fingerprint:{fp}    zset    by fingerprint
//	p:by:label:{n}:{k}={v}   zset    by label k=v; n is the byte length of k
//	p:meta:{id}              hash    what the last write indexed: op (its token),
//	                                 k (the zset member), u (updated_at, Unix ns),
//	                                 ev (the change-feed fields), sets and zsets
//	                                 (JSON arrays of the index keys holding the id)
//	p:invalid                set     ids whose stored JSON fails validation: kept
//	                                 in the seed's sets, absent from p:by:*
//	p:layout                 string  "1", written by Repair; another value makes
//	                                 New rebuild the database's index
//	p:events                 channel the change feed (PUBLISH, not a key)
//	p:fence:{node}           channel one imredis process's write fences (see feed.go)
//
// Every zset has score 0 and members "<created>:<id>", where <created> is the
// created_at instant as 16 lowercase hex digits of (Unix ns XOR 1<<63), so
// that ZRANGEBYLEX order is (created_at, id) order, exact to the nanosecond.
// Data written by the seed's service has no p:by:* or p:meta:* keys; New
// builds them when they are missing and Repair rebuilds them on request.
type keys struct{ p string }

// layoutVersion is the value of p:layout once the p:by: and p:meta: keys are built.
const layoutVersion = "1"

// memberIDAt is the byte offset of the id in a zset member.
const memberIDAt = 17

func (k keys) incident(id string) string      { return k.p + ":incident:" + id }
func (k keys) incidents() string              { return k.p + ":incidents" }
func (k keys) severity(s string) string       { return k.p + ":severity:" + s }
func (k keys) state(s string) string          { return k.p + ":state:" + s }
func (k keys) source(src string) string       { return k.p + ":source:" + src }
func (k keys) fingerprint(fp string) string   { return k.p + ":fingerprint:" + fp }
func (k keys) meta(id string) string          { return k.p + ":meta:" + id }
func (k keys) invalid() string                { return k.p + ":invalid" }
func (k keys) layout() string                 { return k.p + ":layout" }
func (k keys) events() string                 { return k.p + ":events" }
func (k keys) fence(node string) string       { return k.p + ":fence:" + node }
func (k keys) byAll() string                  { return k.p + ":by:all" }
func (k keys) bySeverity(s string) string     { return k.p + ":by:severity:" + s }
func (k keys) byState(s string) string        { return k.p + ":by:state:" + s }
func (k keys) byType(t string) string         { return k.p + ":by:type:" + t }
func (k keys) bySource(src string) string     { return k.p + ":by:source:" + src }
func (k keys) byFingerprint(fp string) string { return k.p + ":by:fingerprint:" + fp }

func (k keys) byLabel(l engine.Label) string {
	return k.p + ":by:label:" + strconv.Itoa(len(l.Key)) + ":" + l.Key + "=" + l.Value
}

// member is the zset member of an incident created at ns.
func member(ns int64, id string) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(ns)^(1<<63))
	return hex.EncodeToString(b[:]) + ":" + id
}

// position decodes a zset member.
func position(m string) (engine.Position, bool) {
	if len(m) <= memberIDAt || m[memberIDAt-1] != ':' {
		return engine.Position{}, false
	}
	b, err := hex.DecodeString(m[:memberIDAt-1])
	if err != nil {
		return engine.Position{}, false
	}
	return engine.Position{Created: int64(binary.BigEndian.Uint64(b) ^ (1 << 63)), ID: m[memberIDAt:]}, true
}

// sets returns the seed's sets that hold an incident.
func (k keys) sets(m *engine.Meta) []string {
	out := []string{k.incidents(), k.severity(m.Severity.String()), k.state(m.State.String()), k.source(m.Source)}
	if m.Fingerprint != "" {
		out = append(out, k.fingerprint(m.Fingerprint))
	}
	return out
}

// zsets returns the sorted sets that hold an incident.
func (k keys) zsets(m *engine.Meta) []string {
	out := []string{k.byAll(), k.bySeverity(m.Severity.String()), k.byState(m.State.String()),
		k.byType(m.Type.String()), k.bySource(m.Source)}
	if m.Fingerprint != "" {
		out = append(out, k.byFingerprint(m.Fingerprint))
	}
	for _, l := range m.Labels {
		out = append(out, k.byLabel(l))
	}
	return out
}

// activeStates returns the zsets of the active states, in state order.
func (k keys) activeStates() []string {
	var out []string
	for i, s := range engine.States {
		if engine.ActiveStates&(1<<i) != 0 {
			out = append(out, k.byState(s))
		}
	}
	return out
}

// statsKeys returns the sets Stats counts: every id, each severity, each state.
func (k keys) statsKeys() []string {
	out := []string{k.incidents()}
	for _, s := range engine.Severities {
		out = append(out, k.severity(s))
	}
	for _, s := range engine.States {
		out = append(out, k.state(s))
	}
	return out
}

// groups returns the zsets a query reads: one group per filter dimension (a
// member must be in some zset of every group), or p:by:all alone.
func (k keys) groups(f *engine.Filter) [][]string {
	var gs [][]string
	masked := func(mask uint8, names []string, key func(string) string) {
		if mask == 0 {
			return
		}
		var g []string
		for i, n := range names {
			if mask&(1<<i) != 0 {
				g = append(g, key(n))
			}
		}
		gs = append(gs, g)
	}
	listed := func(vals []string, key func(string) string) {
		if len(vals) == 0 {
			return
		}
		g := make([]string, len(vals))
		for i, v := range vals {
			g[i] = key(v)
		}
		slices.Sort(g)
		gs = append(gs, slices.Compact(g))
	}
	masked(f.Severities, engine.Severities, k.bySeverity)
	masked(f.States, engine.States, k.byState)
	masked(f.Types, engine.Types, k.byType)
	listed(f.Sources, k.bySource)
	listed(f.Fingerprints, k.byFingerprint)
	for _, l := range f.Labels {
		gs = append(gs, []string{k.byLabel(l)})
	}
	if len(gs) == 0 {
		gs = [][]string{{k.byAll()}}
	}
	return gs
}

// bounds returns the ZRANGEBYLEX interval of a query: created_at in
// [Since, Until), and strictly after the position after in query order.
func bounds(f *engine.Filter, desc bool, after *engine.Position) (lo, hi string) {
	lo, hi = "-", "+"
	if f.Since != math.MinInt64 {
		lo = "[" + member(f.Since, "")
	}
	if f.Until != math.MaxInt64 {
		hi = "(" + member(f.Until, "")
	}
	if after == nil {
		return lo, hi
	}
	a := member(after.Created, after.ID)
	if desc && (hi == "+" || a < hi[1:]) {
		hi = "(" + a
	}
	if !desc && (lo == "-" || a >= lo[1:]) {
		lo = "(" + a
	}
	return lo, hi
}

// pattern returns the SCAN MATCH pattern of the keys starting with p + ":" + rest.
func (k keys) pattern(rest string) string {
	var b strings.Builder
	for _, c := range k.p + ":" + rest {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String() + "*"
}

// isSet reports whether key is one of the seed's index sets or p:invalid.
func (k keys) isSet(key string) bool {
	if key == k.incidents() || key == k.invalid() {
		return true
	}
	for _, kind := range []string{":severity:", ":state:", ":source:", ":fingerprint:"} {
		if strings.HasPrefix(key, k.p+kind) {
			return true
		}
	}
	return false
}

// isZset reports whether key is one of the p:by: sorted sets.
func (k keys) isZset(key string) bool { return strings.HasPrefix(key, k.p+":by:") }

// idOf returns the id in an incident or meta key, or "".
func (k keys) idOf(key string) string {
	for _, kind := range []string{":incident:", ":meta:"} {
		if id, ok := strings.CutPrefix(key, k.p+kind); ok {
			return id
		}
	}
	return ""
}
