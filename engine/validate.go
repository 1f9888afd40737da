package engine

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/tidwall/gjson"
)

// NewID returns a new lowercase v4 UUID.
func NewID() string { return uuid.NewString() }

// ValidUUID reports whether s is a UUID in its 36-character hyphenated form.
func ValidUUID(s string) bool {
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
		if !isHex(c) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// setField validates one known top-level field and records it.
func (inc *Incident) setField(i int, v gjson.Result) error {
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
		if v.Type != gjson.String || !ValidUUID(v.Str) {
			return Invalidf("id must be a UUID")
		}
		inc.ID = strings.ToLower(v.Str)
		raw = `"` + inc.ID + `"`
	case fCreatedAt, fUpdatedAt:
		ns, ok := stringTime(v)
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
		list, ok := stringArray(v, nil)
		if !ok {
			return Invalidf("%s must be an array of strings", name)
		}
		if i == fAffected {
			inc.resources = list
		}
	case fRelated:
		if _, ok := stringArray(v, ValidUUID); !ok {
			return Invalidf("related_incidents must be an array of UUIDs")
		}
	case fLabels:
		labels, ok := parseLabels(v)
		if !ok {
			return Invalidf("labels must be an object of strings")
		}
		inc.Labels = labels
	case fPlaybook:
		if v.Type != gjson.String || !ValidUUID(v.Str) {
			return Invalidf("active_playbook must be a UUID or null")
		}
	case fResolution:
		if err := checkResolution(v); err != nil {
			return err
		}
	case fTimeline:
		if err := checkTimeline(v); err != nil {
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

func stringTime(v gjson.Result) (int64, bool) {
	if v.Type != gjson.String {
		return 0, false
	}
	return ParseTime(v.Str)
}

// stringArray returns the strings of a JSON array, each passing check if given.
func stringArray(v gjson.Result, check func(string) bool) ([]string, bool) {
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

func parseLabels(v gjson.Result) ([]Label, bool) {
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

// fieldRule describes one field of a nested object.
type fieldRule struct {
	name     string
	required bool
	check    func(gjson.Result) bool
}

func isString(v gjson.Result) bool { return v.Type == gjson.String }
func isTime(v gjson.Result) bool   { _, ok := stringTime(v); return ok }
func isObjectOrNull(v gjson.Result) bool {
	return v.IsObject() || v.Type == gjson.Null
}

var resolutionRules = []fieldRule{
	{"resolved_at", true, isTime},
	{"resolved_by", true, isString},
	{"resolution_method", true, func(v gjson.Result) bool {
		_, ok := lookup(ResolutionMethods, v.Str, false)
		return isString(v) && ok
	}},
	{"root_cause", false, func(v gjson.Result) bool { return isString(v) || v.Type == gjson.Null }},
	{"notes", false, isString},
}

var timelineRules = []fieldRule{
	{"timestamp", true, isTime},
	{"event_type", true, isString},
	{"actor", false, isString},
	{"description", false, isString},
	{"metadata", false, isObjectOrNull},
}

// checkObject applies rules to a nested object in one pass over its keys;
// other keys are kept as they are, and no key may repeat.
func checkObject(v gjson.Result, what string, rules []fieldRule) error {
	if !v.IsObject() {
		return Invalidf("%s must be an object", what)
	}
	var seen uint32 // bit per rule
	var others []string
	var err error
	v.ForEach(func(k, f gjson.Result) bool {
		i := slices.IndexFunc(rules, func(r fieldRule) bool { return r.name == k.Str })
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

func checkResolution(v gjson.Result) error {
	return checkObject(v, "resolution", resolutionRules)
}

func checkTimeline(v gjson.Result) error {
	if !v.IsArray() {
		return Invalidf("timeline must be an array")
	}
	var err error
	v.ForEach(func(_, e gjson.Result) bool {
		err = checkObject(e, "timeline[]", timelineRules)
		return err == nil
	})
	return err
}
