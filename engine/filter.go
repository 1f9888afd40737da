package engine

import (
	"encoding/base64"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Filter selects incidents. Values within one dimension OR together; the
// dimensions AND together. Zero masks and empty lists mean "any".
type Filter struct {
	Severities   uint8    // bit per Severity
	States       uint8    // bit per State; ACTIVE intersects ActiveStates into it
	Types        uint8    // bit per Type
	Sources      []string // exact source values
	Labels       []Label  // every pair must hold
	Fingerprints []string // exact fingerprint values
	Since        int64    // created_at >= Since (Unix ns); math.MinInt64 = unbounded
	Until        int64    // created_at < Until (Unix ns); math.MaxInt64 = unbounded
	// Empty is set when the filter can match nothing (for example STATE Closed ACTIVE).
	Empty bool
}

// AnyFilter returns the filter that matches every incident.
func AnyFilter() Filter {
	return Filter{Since: math.MinInt64, Until: math.MaxInt64}
}

// Match reports whether m passes every dimension of f.
func (f *Filter) Match(m *Meta) bool {
	switch {
	case f.Empty,
		f.Severities != 0 && f.Severities&(1<<m.Severity) == 0,
		f.States != 0 && f.States&(1<<m.State) == 0,
		f.Types != 0 && f.Types&(1<<m.Type) == 0,
		m.Created < f.Since || m.Created >= f.Until,
		len(f.Sources) > 0 && !slices.Contains(f.Sources, m.Source),
		len(f.Fingerprints) > 0 && !slices.Contains(f.Fingerprints, m.Fingerprint):
		return false
	}
	for _, want := range f.Labels {
		if !hasLabel(m.Labels, want) {
			return false
		}
	}
	return true
}

func hasLabel(labels []Label, want Label) bool {
	for _, l := range labels {
		if l.Key == want.Key {
			return l.Value == want.Value
		}
	}
	return false
}

// Normalize sorts and de-duplicates the list dimensions so that equal filters
// have equal Keys.
func (f *Filter) Normalize() {
	slices.Sort(f.Sources)
	f.Sources = slices.Compact(f.Sources)
	slices.Sort(f.Fingerprints)
	f.Fingerprints = slices.Compact(f.Fingerprints)
	slices.SortFunc(f.Labels, func(a, b Label) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	f.Labels = slices.Compact(f.Labels)
	for i := 1; i < len(f.Labels); i++ {
		if f.Labels[i].Key == f.Labels[i-1].Key {
			f.Empty = true // one key cannot hold two values
		}
	}
	if f.Since >= f.Until {
		f.Empty = true
	}
}

// Key is a stable hash of the normalized filter, used to bind cursors to it.
func (f *Filter) Key() uint64 {
	h := fnv.New64a()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(strconv.Itoa(int(f.Severities)) + "/" + strconv.Itoa(int(f.States)) + "/" + strconv.Itoa(int(f.Types)))
	w(strconv.FormatInt(f.Since, 10) + "/" + strconv.FormatInt(f.Until, 10) + "/" + strconv.FormatBool(f.Empty))
	for _, s := range f.Sources {
		w("s" + s)
	}
	for _, s := range f.Fingerprints {
		w("f" + s)
	}
	for _, l := range f.Labels {
		w("l" + l.Key)
		w(l.Value)
	}
	return h.Sum64()
}

// Position is a place in the (created_at, id) order.
type Position struct {
	Created int64
	ID      string
}

// Query is one INC.LIST request.
type Query struct {
	Filter Filter
	Desc   bool      // newest first
	After  *Position // continue strictly after this position in the query's order
	Offset int
	Count  int
}

// Page is the answer to a Query.
type Page struct {
	Docs [][]byte
	// Next is the position of the last document returned when more follow, else nil.
	Next *Position
}

// Cursor binds a position to the filter and order it was issued for.
type Cursor struct {
	Pos  Position
	Desc bool
	Key  uint64
}

// Encode renders the cursor as an opaque token.
func (c Cursor) Encode() string {
	s := "1|" + strconv.FormatBool(c.Desc) + "|" + strconv.FormatInt(c.Pos.Created, 10) + "|" +
		c.Pos.ID + "|" + strconv.FormatUint(c.Key, 16)
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// DecodeCursor parses a token made by Encode.
func DecodeCursor(tok string) (Cursor, error) {
	bad := Invalidf("cursor is malformed")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return Cursor{}, bad
	}
	parts := strings.Split(string(raw), "|")
	if len(parts) != 5 || parts[0] != "1" || !ValidUUID(parts[3]) {
		return Cursor{}, bad
	}
	desc, err1 := strconv.ParseBool(parts[1])
	created, err2 := strconv.ParseInt(parts[2], 10, 64)
	key, err3 := strconv.ParseUint(parts[4], 16, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return Cursor{}, bad
	}
	return Cursor{Pos: Position{Created: created, ID: parts[3]}, Desc: desc, Key: key}, nil
}
