package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
	"unsafe"

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

// quotedNames are the fields' names as keyIs takes them: `"id":` and so on.
var quotedNames = func() (q [numFields]string) {
	for i, name := range fieldNames {
		q[i] = quotedKey(name)
	}
	return q
}()

// fieldKeys are the fields' names as render writes them, with what comes
// before each: `{"id":`, then `,"created_at":` and so on.
var fieldKeys = func() (k [numFields]string) {
	for i, q := range quotedNames {
		k[i] = "," + q
	}
	k[0] = "{" + quotedNames[0]
	return k
}()

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
	resourceBuf      [2]string // backs resources when there are few, sparing an allocation
	createdDefaulted bool
}

// Parse validates a JSON incident against every rule of the contract, fills
// defaults (id, timestamps from now, state, empty collections) and renders the
// canonical document. Unknown top-level fields are kept verbatim, in order.
//
// It walks the input once, checking the syntax as it extracts the fields, and
// reports malformed JSON over any broken rule, then the first rule broken in
// document order.
//
// The Incident shares no memory with input.
func Parse(input []byte, maxBytes int, now time.Time) (*Incident, error) {
	inc := &Incident{}
	if err := inc.parse(string(input), maxBytes, now); err != nil {
		return nil, err
	}
	return inc, nil
}

// ParseShared is Parse for a request's input, without copying it: the
// Incident, apart from its Meta, points into input, which must stay
// unchanged until the Incident is released. The Incident comes from a pool;
// Release hands it back once the request is done with it. Its Meta shares
// no memory with input, so copies of the Meta may be kept.
func ParseShared(input []byte, maxBytes int, now time.Time) (*Incident, error) {
	inc := incidents.Get().(*Incident)
	if err := inc.parse(unsafe.String(unsafe.SliceData(input), len(input)), maxBytes, now); err != nil {
		inc.Release()
		return nil, err
	}
	return inc, nil
}

// incidents holds released Incidents for ParseShared.
var incidents = sync.Pool{New: func() any { return new(Incident) }}

// Release hands an Incident from ParseShared back to the pool. Neither it
// nor its Meta may be used afterwards; copies of the Meta may.
func (inc *Incident) Release() {
	extra := inc.extra[:0]
	if cap(extra) > 4<<10 {
		extra = nil
	}
	*inc = Incident{extra: extra}
	incidents.Put(inc)
}

// parse fills inc, whose extra may hold a buffer to reuse, from input.
func (inc *Incident) parse(input string, maxBytes int, now time.Time) error {
	if maxBytes > 0 && len(input) > maxBytes {
		return Invalidf("incident is %d bytes, max-incident-bytes is %d", len(input), maxBytes)
	}
	s := scanner{in: input}
	if err := s.incident(inc); err != nil {
		return err
	}
	if err := inc.fillDefaults(now); err != nil {
		return err
	}
	inc.detach()
	inc.render()
	return nil
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
	if inc.fields[fCreatedAt] != "" && inc.fields[fUpdatedAt] != "" {
		return nil
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

// detach gives the strings Meta keeps memory of their own, so that a stored
// incident keeps neither the request nor the parse's copy of it: the id and
// the fingerprint share one allocation, and the source and labels, which
// repeat across incidents, are interned.
func (inc *Incident) detach() {
	// One copy for both (a concatenation with "" would not copy at all).
	b := make([]byte, 0, len(inc.ID)+len(inc.Fingerprint))
	b = append(append(b, inc.ID...), inc.Fingerprint...)
	all := unsafe.String(unsafe.SliceData(b), len(b))
	inc.ID, inc.Fingerprint = all[:len(inc.ID)], all[len(inc.ID):]
	inc.Source = intern(inc.Source)
	for i, l := range inc.Labels {
		inc.Labels[i] = Label{Key: intern(l.Key), Value: intern(l.Value)}
	}
}

// render writes the canonical document into Doc.
// The document is allocated at its exact length: it is what a stored
// incident mostly consists of, so slack in it is paid once per incident.
func (inc *Incident) render() {
	n := len(inc.extra) + 1 // the closing '}'
	for i, f := range inc.fields {
		if f == "" {
			f = fieldDefaults[i]
		}
		n += len(fieldKeys[i]) + len(f)
	}
	b := make([]byte, 0, n)
	for i, f := range inc.fields {
		b = append(b, fieldKeys[i]...)
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

// ParseTime parses an RFC 3339 instant, YYYY-MM-DDTHH:MM:SS[.d{1,9}](Z|±hh:mm)
// with any offset, into Unix nanoseconds, for years 1678 to 2261 in UTC. It
// refuses what time.Parse would also take: commas, ten fraction digits, +24:00.
func ParseTime(s string) (int64, bool) {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return 0, false
	}
	cent, okC := digits2(s[0], s[1])
	year, okY := digits2(s[2], s[3])
	year += 100 * cent
	month, okM := digits2(s[5], s[6])
	day, okD := digits2(s[8], s[9])
	hour, okh := digits2(s[11], s[12])
	min, okm := digits2(s[14], s[15])
	sec, oks := digits2(s[17], s[18])
	if !(okC && okY && okM && okD && okh && okm && oks) ||
		month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || min > 59 || sec > 59 {
		return 0, false
	}
	nsec, zone := 0, s[19:]
	if zone[0] == '.' {
		n := 1
		for n < len(zone) && n <= 10 && isDigit(zone[n]) {
			nsec = nsec*10 + int(zone[n]-'0')
			n++
		}
		if n == 1 || n > 10 {
			return 0, false
		}
		for k := n; k < 10; k++ {
			nsec *= 10
		}
		zone = zone[n:]
	}
	secs := int64(daysSinceEpoch(year, month, day)*86400 + hour*3600 + min*60 + sec)
	if zone != "Z" {
		if len(zone) != 6 || zone[0] != '+' && zone[0] != '-' || zone[3] != ':' {
			return 0, false
		}
		hh, okh := digits2(zone[1], zone[2])
		mm, okm := digits2(zone[4], zone[5])
		if !okh || !okm || hh > 23 || mm > 59 {
			return 0, false
		}
		offset := int64(hh*3600 + mm*60)
		if zone[0] == '-' {
			offset = -offset
		}
		secs -= offset
	}
	if secs < minTimeSecs || secs >= maxTimeSecs {
		return 0, false
	}
	return secs*1e9 + int64(nsec), true
}

// The instants ParseTime takes: UTC years 1678 to 2261, which Unix nanoseconds
// in an int64 can hold.
var (
	minTimeSecs = int64(daysSinceEpoch(1678, 1, 1)) * 86400
	maxTimeSecs = int64(daysSinceEpoch(2262, 1, 1)) * 86400
)

// daysSinceEpoch returns the days from 1970-01-01 to a date of the proleptic
// Gregorian calendar with year 0 to 9999 (H. Hinnant's days_from_civil). The
// year is shifted by 400 (146097 days) to keep the division non-negative.
func daysSinceEpoch(year, month, day int) int {
	y := year + 400
	if month <= 2 {
		y--
	}
	era, yoe := y/400, y%400
	doy := (153*((month+9)%12)+2)/5 + day - 1 // day of a year that starts on March 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468 - 146097
}

// daysIn returns the number of days in month (1-12) of year.
func daysIn(month, year int) int {
	if month == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 29
	}
	return int(monthDays[month-1])
}

var monthDays = [12]uint8{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// digits2 returns the value of the decimal digits a and b, and whether
// both are digits.
func digits2(a, b byte) (int, bool) {
	x, y := a-'0', b-'0'
	return int(x)*10 + int(y), x < 10 && y < 10
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

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
