package engine

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// oracleParse is the gjson-based Parse that the single-pass scanner replaced,
// kept as the reference the differential tests hold Parse to, together with
// ParseTime as it was, on time.Parse. It differs from the original only in its
// names and in newID, which supplies the id when the input has none, so that a
// generated id can be made equal to Parse's.
func oracleParse(input []byte, maxBytes int, now time.Time, newID func() string) (*Incident, error) {
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
		err = oracleSetField(inc, i, v)
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	if err := oracleFillDefaults(inc, now, newID); err != nil {
		return nil, err
	}
	oracleDetach(inc)
	inc.render()
	return inc, nil
}

// oracleFillDefaults checks required fields and fills id, timestamps and state.
func oracleFillDefaults(inc *Incident, now time.Time, newID func() string) error {
	for _, f := range []int{fSeverity, fType, fSource, fTitle} {
		if inc.fields[f] == "" {
			return Invalidf("%s is required", fieldNames[f])
		}
	}
	if inc.fields[fID] == "" {
		inc.ID = newID()
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

// oracleDetach copies the strings Meta keeps, which gjson cut out of its copy
// of the whole request.
func oracleDetach(inc *Incident) {
	inc.ID = strings.Clone(inc.ID)
	inc.Source = strings.Clone(inc.Source)
	inc.Fingerprint = strings.Clone(inc.Fingerprint)
	for i, l := range inc.Labels {
		inc.Labels[i] = Label{Key: strings.Clone(l.Key), Value: strings.Clone(l.Value)}
	}
}

// oracleSetField validates one known top-level field and records it.
func oracleSetField(inc *Incident, i int, v gjson.Result) error {
	name := fieldNames[i]
	if v.Type == gjson.Null {
		switch i {
		case fSeverity, fType, fSource, fTitle:
			return Invalidf("%s is required", name)
		}
		return nil // null takes the default (or stays null where nullable)
	}
	raw := v.Raw
	switch i {
	case fID:
		if v.Type != gjson.String || !oracleValidUUID(v.Str) {
			return Invalidf("id must be a UUID")
		}
		inc.ID = strings.ToLower(v.Str)
		raw = `"` + inc.ID + `"`
	case fCreatedAt, fUpdatedAt:
		ns, ok := oracleStringTime(v)
		if !ok {
			return Invalidf("%s must be an RFC 3339 timestamp", name)
		}
		if i == fCreatedAt {
			inc.Created = ns
		} else {
			inc.Updated = ns
		}
	case fState:
		s, ok := ParseState(v.Str, false)
		if v.Type != gjson.String || !ok {
			return Invalidf("state must be one of %s", strings.Join(States, " "))
		}
		inc.State = s
	case fSeverity:
		s, ok := ParseSeverity(v.Str, false)
		if v.Type != gjson.String || !ok {
			return Invalidf("severity must be one of %s", strings.Join(Severities, " "))
		}
		inc.Severity = s
	case fType:
		t, ok := ParseType(v.Str, false)
		if v.Type != gjson.String || !ok {
			return Invalidf("incident_type must be one of %s", strings.Join(Types, " "))
		}
		inc.Type = t
	case fSource, fTitle:
		max := 255
		if i == fTitle {
			max = 500
		}
		if n := utf8.RuneCountInString(v.Str); v.Type != gjson.String || n < 1 || n > max {
			return Invalidf("%s must be a string of 1 to %d characters", name, max)
		}
		if i == fSource {
			inc.Source = v.Str
		} else {
			inc.title = v.Str
		}
	case fDescription:
		if v.Type != gjson.String {
			return Invalidf("description must be a string")
		}
	case fAffected, fAssignees:
		list, ok := oracleStringArray(v, nil)
		if !ok {
			return Invalidf("%s must be an array of strings", name)
		}
		if i == fAffected {
			inc.resources = list
		}
	case fRelated:
		if _, ok := oracleStringArray(v, oracleValidUUID); !ok {
			return Invalidf("related_incidents must be an array of UUIDs")
		}
	case fLabels:
		labels, ok := oracleParseLabels(v)
		if !ok {
			return Invalidf("labels must be an object of strings")
		}
		inc.Labels = labels
	case fPlaybook:
		if v.Type != gjson.String || !oracleValidUUID(v.Str) {
			return Invalidf("active_playbook must be a UUID or null")
		}
	case fResolution:
		if err := oracleCheckResolution(v); err != nil {
			return err
		}
	case fTimeline:
		if err := oracleCheckTimeline(v); err != nil {
			return err
		}
	case fFingerprint:
		if v.Type != gjson.String {
			return Invalidf("fingerprint must be a string or null")
		}
		inc.Fingerprint = v.Str
	case fScore:
		if v.Type != gjson.Number {
			return Invalidf("correlation_score must be a number or null")
		}
	}
	if v.Type == gjson.JSON {
		raw = string(appendCompact(nil, raw)) // only objects and arrays hold white space
	}
	inc.fields[i] = raw
	return nil
}

func oracleStringTime(v gjson.Result) (int64, bool) {
	if v.Type != gjson.String {
		return 0, false
	}
	return oracleParseTime(v.Str)
}

// oracleParseTime is ParseTime as it was, on time.Parse.
func oracleParseTime(s string) (int64, bool) {
	if !oracleRFC3339Shape(s) {
		return 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if y := t.UTC().Year(); err != nil || y < 1678 || y > 2261 {
		return 0, false
	}
	return t.UnixNano(), true
}

// oracleRFC3339Shape checks YYYY-MM-DDTHH:MM:SS[.d{1,9}](Z|±hh:mm) before
// time.Parse, which also takes commas, ten fraction digits and +24:00.
func oracleRFC3339Shape(s string) bool {
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

// oracleStringArray returns the strings of a JSON array, each passing check if given.
func oracleStringArray(v gjson.Result, check func(string) bool) ([]string, bool) {
	if !v.IsArray() {
		return nil, false
	}
	var out []string
	ok := true
	v.ForEach(func(_, e gjson.Result) bool {
		ok = e.Type == gjson.String && (check == nil || check(e.Str))
		out = append(out, e.Str)
		return ok
	})
	return out, ok
}

func oracleParseLabels(v gjson.Result) ([]Label, bool) {
	if !v.IsObject() {
		return nil, false
	}
	var out []Label
	ok := true
	v.ForEach(func(k, e gjson.Result) bool {
		ok = e.Type == gjson.String
		out = append(out, Label{Key: k.Str, Value: e.Str})
		return ok
	})
	slices.SortStableFunc(out, func(a, b Label) int { return strings.Compare(a.Key, b.Key) })
	for i := 1; i < len(out); i++ {
		if out[i].Key == out[i-1].Key {
			return nil, false
		}
	}
	return out, ok
}

// oracleFieldRule describes one field of a nested object.
type oracleFieldRule struct {
	name     string
	required bool
	check    func(gjson.Result) bool
}

func oracleIsString(v gjson.Result) bool { return v.Type == gjson.String }
func oracleIsTime(v gjson.Result) bool   { _, ok := oracleStringTime(v); return ok }
func oracleIsObjectOrNull(v gjson.Result) bool {
	return v.IsObject() || v.Type == gjson.Null
}

var oracleResolutionRules = []oracleFieldRule{
	{"resolved_at", true, oracleIsTime},
	{"resolved_by", true, oracleIsString},
	{"resolution_method", true, func(v gjson.Result) bool {
		_, ok := lookup(ResolutionMethods, v.Str, false)
		return oracleIsString(v) && ok
	}},
	{"root_cause", false, func(v gjson.Result) bool { return oracleIsString(v) || v.Type == gjson.Null }},
	{"notes", false, oracleIsString},
}

var oracleTimelineRules = []oracleFieldRule{
	{"timestamp", true, oracleIsTime},
	{"event_type", true, oracleIsString},
	{"actor", false, oracleIsString},
	{"description", false, oracleIsString},
	{"metadata", false, oracleIsObjectOrNull},
}

// oracleCheckObject applies rules to a nested object in one pass over its keys;
// other keys are kept as they are, and no key may repeat.
func oracleCheckObject(v gjson.Result, what string, rules []oracleFieldRule) error {
	if !v.IsObject() {
		return Invalidf("%s must be an object", what)
	}
	var seen uint32 // bit per rule
	var others []string
	var err error
	v.ForEach(func(k, f gjson.Result) bool {
		i := slices.IndexFunc(rules, func(r oracleFieldRule) bool { return r.name == k.Str })
		switch {
		case i < 0 && slices.Contains(others, k.Str), i >= 0 && seen&(1<<i) != 0:
			err = Invalidf("duplicate field '%s.%s'", what, k.Str)
		case i < 0:
			others = append(others, k.Str)
		case !rules[i].check(f):
			err = Invalidf("%s.%s is not valid", what, k.Str)
		default:
			seen |= 1 << i
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	for i, r := range rules {
		if r.required && seen&(1<<i) == 0 {
			return Invalidf("%s.%s is required", what, r.name)
		}
	}
	return nil
}

func oracleCheckResolution(v gjson.Result) error {
	return oracleCheckObject(v, "resolution", oracleResolutionRules)
}

func oracleCheckTimeline(v gjson.Result) error {
	if !v.IsArray() {
		return Invalidf("timeline must be an array")
	}
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		err = oracleCheckObject(e, "timeline[]", oracleTimelineRules)
		return err == nil
	})
	return err
}

// oracleValidUUID reports whether s is a UUID in its 36-character hyphenated form.
func oracleValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
			continue
		}
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
