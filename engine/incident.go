package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// Field positions in the canonical document order (the seed's serde order).
const (
	fID = iota
	fCreatedAt
	fUpdatedAt
	fState
	fSeverity
	fType
	fSource
	fTitle
	fDescription
	fAffected
	fAssignees
	fLabels
	fRelated
	fPlaybook
	fResolution
	fTimeline
	fFingerprint
	fScore
	numFields
)

var fieldNames = [numFields]string{
	"id", "created_at", "updated_at", "state", "severity", "incident_type", "source",
	"title", "description", "affected_resources", "assignees", "labels",
	"related_incidents", "active_playbook", "resolution", "timeline", "fingerprint",
	"correlation_score",
}

var fieldDefaults = [numFields]string{
	fState: `"Detected"`, fDescription: `""`, fAffected: `[]`, fAssignees: `[]`,
	fLabels: `{}`, fRelated: `[]`, fPlaybook: `null`, fResolution: `null`,
	fTimeline: `[]`, fFingerprint: `null`, fScore: `null`,
}

// Label is one labels entry.
type Label struct{ Key, Value string }

// Meta is what the indexes need of an incident, plus its canonical document.
// Engines keep Meta values; they never share memory with a request buffer.
type Meta struct {
	ID          string // lowercase UUID
	Created     int64  // created_at instant, Unix nanoseconds
	Updated     int64  // updated_at instant, Unix nanoseconds
	Severity    Severity
	State       State
	Type        Type
	Source      string
	Labels      []Label // sorted by key
	Fingerprint string  // "" when null
	Doc         []byte  // canonical JSON document
}

// Active reports whether the incident's state is active.
func (m *Meta) Active() bool { return m.State.Active() }

// Incident is a validated incident: Meta plus what re-rendering needs.
type Incident struct {
	Meta
	fields           [numFields]string // compact raw JSON per known field; "" = default
	extra            []byte            // `,"key":value` of unknown fields in input order
	title            string
	resources        []string
	createdDefaulted bool
}

// Parse validates a JSON incident against every rule of the contract, fills
// defaults (id, timestamps from now, state, empty collections) and renders the
// canonical document. Unknown top-level fields are kept verbatim, in order.
func Parse(input []byte, maxBytes int, now time.Time) (*Incident, error) {
	if maxBytes > 0 && len(input) > maxBytes {
		return nil, Invalidf("incident is %d bytes, max-incident-bytes is %d", len(input), maxBytes)
	}
	if !utf8.Valid(input) || !gjson.ValidBytes(input) {
		return nil, Invalidf("malformed JSON")
	}
	root := gjson.ParseBytes(input)
	if !root.IsObject() {
		return nil, Invalidf("incident must be a JSON object")
	}
	inc := &Incident{}
	var err error
	var unknown []string
	var seen [numFields]bool
	root.ForEach(func(k, v gjson.Result) bool {
		i := slices.Index(fieldNames[:], k.Str)
		if i < 0 {
			if slices.Contains(unknown, k.Str) {
				err = Invalidf("duplicate field '%s'", k.Str)
				return false
			}
			unknown = append(unknown, k.Str)
			inc.extra = append(inc.extra, ',')
			inc.extra = append(inc.extra, k.Raw...)
			inc.extra = append(inc.extra, ':')
			inc.extra = appendCompact(inc.extra, v.Raw)
			return true
		}
		if seen[i] {
			err = Invalidf("duplicate field '%s'", k.Str)
			return false
		}
		seen[i] = true
		err = inc.setField(i, v)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	if err := inc.fillDefaults(now); err != nil {
		return nil, err
	}
	inc.detach()
	inc.render()
	return inc, nil
}

// fillDefaults checks required fields and fills id, timestamps and state.
func (inc *Incident) fillDefaults(now time.Time) error {
	for _, f := range []int{fSeverity, fType, fSource, fTitle} {
		if inc.fields[f] == "" {
			return Invalidf("%s is required", fieldNames[f])
		}
	}
	if inc.fields[fID] == "" {
		inc.ID = NewID()
		inc.fields[fID] = `"` + inc.ID + `"`
	}
	stamp := `"` + FormatTime(now.UnixNano()) + `"`
	if inc.fields[fCreatedAt] == "" {
		inc.Created, inc.fields[fCreatedAt], inc.createdDefaulted = now.UnixNano(), stamp, true
	}
	if inc.fields[fUpdatedAt] == "" {
		inc.Updated, inc.fields[fUpdatedAt] = now.UnixNano(), stamp
	}
	return nil
}

// detach copies the strings Meta keeps, which gjson cut out of its copy of
// the whole request, so that a stored incident does not keep the request alive.
func (inc *Incident) detach() {
	inc.ID = strings.Clone(inc.ID)
	inc.Source = strings.Clone(inc.Source)
	inc.Fingerprint = strings.Clone(inc.Fingerprint)
	for i, l := range inc.Labels {
		inc.Labels[i] = Label{Key: strings.Clone(l.Key), Value: strings.Clone(l.Value)}
	}
}

// render writes the canonical document into Doc.
func (inc *Incident) render() {
	n := len(inc.extra) + 2
	for i, f := range inc.fields {
		n += len(fieldNames[i]) + len(f) + 8
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, f := range inc.fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, fieldNames[i]...)
		b = append(b, '"', ':')
		if f == "" {
			f = fieldDefaults[i]
		}
		b = append(b, f...)
	}
	b = append(b, inc.extra...)
	inc.Doc = append(b, '}')
}

// ComputeFingerprint applies the seed's rule: lowercase hex SHA-256 over source,
// incident_type, title and each affected resource, with no separator.
func (inc *Incident) ComputeFingerprint() string {
	h := sha256.New()
	h.Write([]byte(inc.Source))
	h.Write([]byte(inc.Type.String()))
	h.Write([]byte(inc.title))
	for _, r := range inc.resources {
		h.Write([]byte(r))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SetFingerprint stores fp as the fingerprint and re-renders the document.
func (inc *Incident) SetFingerprint(fp string) {
	inc.Fingerprint = fp
	inc.fields[fFingerprint] = quote(fp)
	inc.render()
}

// Stamp sets updated_at to the instant ns and re-renders the document.
func (inc *Incident) Stamp(ns int64) {
	inc.Updated = ns
	inc.fields[fUpdatedAt] = `"` + FormatTime(ns) + `"`
	inc.render()
}

// CreatedDefaulted reports whether created_at was absent and filled from the clock.
func (inc *Incident) CreatedDefaulted() bool { return inc.createdDefaulted }

// KeepCreated replaces a defaulted created_at with a stored document's value.
func (inc *Incident) KeepCreated(storedDoc []byte, ns int64) {
	raw := gjson.GetBytes(storedDoc, "created_at").Raw
	if raw == "" {
		return
	}
	inc.Created, inc.fields[fCreatedAt], inc.createdDefaulted = ns, raw, false
	inc.render()
}

// FormatTime renders a Unix-nanosecond instant as RFC 3339 in UTC with nine
// fraction digits, the form the server writes.
func FormatTime(ns int64) string {
	var b [len("2006-01-02T15:04:05.000000000Z")]byte
	return string(AppendTime(b[:0], ns))
}

// AppendTime appends FormatTime(ns) to b without time.Format's layout walk.
func AppendTime(b []byte, ns int64) []byte {
	t := time.Unix(0, ns).UTC()
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, "2006-01-02T15:04:05.000000000Z07:00")
	}
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, min, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond(), 9)
	return append(b, 'Z')
}

// appendDigits appends v (non-negative) zero-padded to width digits.
func appendDigits(b []byte, v, width int) []byte {
	n := len(b) + width
	b = append(b, make([]byte, width)...)
	for i := n - 1; i >= n-width; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// ParseTime parses an RFC 3339 instant with any offset and 0-9 fraction digits
// into Unix nanoseconds.
func ParseTime(s string) (int64, bool) {
	if !rfc3339Shape(s) {
		return 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if y := t.UTC().Year(); err != nil || y < 1678 || y > 2261 {
		return 0, false
	}
	return t.UnixNano(), true
}

// rfc3339Shape checks YYYY-MM-DDTHH:MM:SS[.d{1,9}](Z|±hh:mm) before
// time.Parse, which also takes commas, ten fraction digits and +24:00.
func rfc3339Shape(s string) bool {
	digits := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		!digits(s[:4]+s[5:7]+s[8:10]+s[11:13]+s[14:16]+s[17:19]) {
		return false
	}
	rest := s[19:]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 1 || n > 10 {
			return false
		}
		rest = rest[n:]
	}
	if rest == "Z" {
		return true
	}
	return len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
		digits(rest[1:3]+rest[4:6]) && rest[1:3] < "24" && rest[4:6] < "60"
}

// quote returns s as a JSON string literal.
func quote(s string) string {
	b := make([]byte, 0, len(s)+2)
	return string(appendQuoted(b, s))
}

// appendQuoted appends s as a JSON string literal.
func appendQuoted(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendCompact appends raw JSON without insignificant white space.
func appendCompact(b []byte, raw string) []byte {
	if !strings.ContainsAny(raw, " \t\r\n") {
		return append(b, raw...)
	}
	inStr, esc := false, false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			continue
		}
		b = append(b, c)
	}
	return b
}
