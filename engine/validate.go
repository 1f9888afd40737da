package engine

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// NewID returns a new lowercase v4 UUID.
func NewID() string { return uuid.NewString() }

// ValidUUID reports whether s is a UUID in its 36-character hyphenated form.
func ValidUUID(s string) bool {
	ok, _ := scanUUID(s)
	return ok
}

// scanUUID reports whether s is a UUID and whether it has upper-case digits,
// in one pass that looks its bytes up rather than branching on them.
func scanUUID(s string) (ok, upper bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return false, false
	}
	all, any := hexDigit, uint8(0)
	for _, group := range [...]string{s[:8], s[9:13], s[14:18], s[19:23], s[24:]} {
		for i := 0; i < len(group); i++ {
			all &= hexKinds[group[i]]
			any |= hexKinds[group[i]]
		}
	}
	return all&hexDigit != 0, any&hexUpper != 0
}

// hexKinds classifies bytes as hex digits, and upper-case ones.
var hexKinds = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			t[c] = hexDigit
		case c >= 'A' && c <= 'F':
			t[c] = hexDigit | hexUpper
		}
	}
	return t
}()

const (
	hexDigit uint8 = 1 << iota
	hexUpper
)

// incident walks the top-level object of an incident, checking every field
// it knows and keeping the others verbatim in extra. It returns the error
// Parse reports: malformed JSON anywhere wins over everything else, then the
// first rule broken in document order.
func (s *scanner) incident(inc *Incident) error {
	s.skipWS()
	if c := s.peek(); c != '{' {
		if c == 0 || !s.skipValue() || !s.atEnd() {
			return Invalidf("malformed JSON")
		}
		return Invalidf("incident must be a JSON object")
	}
	if !s.members(inc) || !s.atEnd() {
		return Invalidf("malformed JSON")
	}
	return s.err
}

// members reads the members of the top-level object.
func (s *scanner) members(inc *Incident) bool {
	var seen [numFields]bool
	var unknown names
	next := 0
	more, ok := s.enter('}'), true
	for ok && more {
		var k value
		var name string
		i := next
		if next < numFields && s.keyIs(quotedNames[next]) {
			name = fieldNames[next]
		} else if k, ok = s.key(); ok {
			name = k.str()
			i = fieldIndex(name)
		} else {
			return false
		}
		s.skipWS()
		start := s.pos
		s.ws = false
		switch {
		case s.err != nil:
			ok = s.skipValue()
		case i >= 0 && !seen[i]:
			seen[i], next = true, i+1
			ok = s.field(inc, i)
		case i >= 0 || unknown.add(name): // a known field again, or an unknown one seen before
			s.fail(Invalidf("duplicate field '%s'", name))
			ok = s.skipValue()
		default:
			if ok = s.skipValue(); ok {
				inc.extra = append(inc.extra, ',')
				inc.extra = append(inc.extra, k.raw...)
				inc.extra = append(inc.extra, ':')
				inc.extra = appendCompact(inc.extra, s.in[start:s.pos])
			}
		}
		if ok {
			more, ok = s.next('}')
		}
	}
	return ok
}

// fieldIndex returns the position of the known field name, or -1.
func fieldIndex(name string) int {
	for i, n := range fieldNames {
		if n == name {
			return i
		}
	}
	return -1
}

// field reads the value of known field i at the scan position and applies
// its rule. The objects and arrays a field takes are walked member by member;
// any other value goes to setField.
func (s *scanner) field(inc *Incident, i int) bool {
	start := s.pos
	var ok bool
	switch c := s.peek(); {
	case c == '[' && (i == fAffected || i == fAssignees || i == fRelated):
		ok = s.stringArray(inc, i)
	case c == '{' && i == fLabels:
		ok = s.labels(inc)
	case c == '{' && i == fResolution:
		ok = s.object("resolution", resolutionRules)
	case c == '[' && i == fTimeline:
		ok = s.timeline()
	default:
		var v value
		if v, ok = s.value(); ok {
			s.fail(inc.setField(i, v))
		}
		return ok
	}
	if ok && s.err == nil {
		inc.fields[i] = s.raw(start)
	}
	return ok
}

// raw returns the value read since start without the white space between
// its tokens, which only objects and arrays can hold.
func (s *scanner) raw(start int) string {
	raw := s.in[start:s.pos]
	if !s.ws {
		return raw
	}
	return string(appendCompact(make([]byte, 0, len(raw)), raw))
}

// setField applies the rule of known field i to v, a scalar or an object or
// array where the field does not take one, and records it.
func (inc *Incident) setField(i int, v value) error {
	name := fieldNames[i]
	if v.kind == kindNull {
		switch i {
		case fSeverity, fType, fSource, fTitle:
			return Invalidf("%s is required", name)
		}
		return nil // null takes the default (or stays null where nullable)
	}
	raw := v.raw
	switch i {
	case fID:
		id := v.str()
		ok, upper := scanUUID(id)
		if v.kind != kindString || !ok {
			return Invalidf("id must be a UUID")
		}
		if upper {
			id = strings.ToLower(id)
		}
		inc.ID = id
		if id != raw[1:len(raw)-1] {
			raw = `"` + id + `"`
		}
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
		s, ok := ParseState(v.str(), false)
		if v.kind != kindString || !ok {
			return Invalidf("state must be one of %s", strings.Join(States, " "))
		}
		inc.State = s
	case fSeverity:
		s, ok := ParseSeverity(v.str(), false)
		if v.kind != kindString || !ok {
			return Invalidf("severity must be one of %s", strings.Join(Severities, " "))
		}
		inc.Severity = s
	case fType:
		t, ok := ParseType(v.str(), false)
		if v.kind != kindString || !ok {
			return Invalidf("incident_type must be one of %s", strings.Join(Types, " "))
		}
		inc.Type = t
	case fSource, fTitle:
		max := 255
		if i == fTitle {
			max = 500
		}
		str := v.str() // no more characters than bytes: count them only past max bytes
		if v.kind != kindString || str == "" || len(str) > max && utf8.RuneCountInString(str) > max {
			return Invalidf("%s must be a string of 1 to %d characters", name, max)
		}
		if i == fSource {
			inc.Source = str
		} else {
			inc.title = str
		}
	case fDescription:
		if v.kind != kindString {
			return Invalidf("description must be a string")
		}
	case fAffected, fAssignees, fRelated:
		return arrayError(i)
	case fLabels:
		return Invalidf("labels must be an object of strings")
	case fPlaybook:
		if v.kind != kindString || !ValidUUID(v.str()) {
			return Invalidf("active_playbook must be a UUID or null")
		}
	case fResolution:
		return Invalidf("resolution must be an object")
	case fTimeline:
		return Invalidf("timeline must be an array")
	case fFingerprint:
		if v.kind != kindString {
			return Invalidf("fingerprint must be a string or null")
		}
		inc.Fingerprint = v.str()
	case fScore:
		if v.kind != kindNumber {
			return Invalidf("correlation_score must be a number or null")
		}
	}
	inc.fields[i] = raw
	return nil
}

func stringTime(v value) (int64, bool) {
	if v.kind != kindString {
		return 0, false
	}
	return ParseTime(v.str())
}

// stringArray walks the array of strings of field i (affected_resources,
// assignees or related_incidents) and keeps the affected resources.
func (s *scanner) stringArray(inc *Incident, i int) bool {
	list := inc.resourceBuf[:0]
	more, ok := s.enter(']'), true
	for ok && more {
		var v value
		if s.err != nil {
			ok = s.skipValue()
		} else if v, ok = s.value(); ok {
			str := v.str()
			switch {
			case v.kind != kindString || i == fRelated && !ValidUUID(str):
				s.fail(arrayError(i))
			case i == fAffected:
				list = append(list, str)
			}
		}
		if ok {
			more, ok = s.next(']')
		}
	}
	if ok && s.err == nil && len(list) > 0 {
		inc.resources = list
	}
	return ok
}

// arrayError is the error of field i, which takes an array of strings.
func arrayError(i int) error {
	if i == fRelated {
		return Invalidf("related_incidents must be an array of UUIDs")
	}
	return Invalidf("%s must be an array of strings", fieldNames[i])
}

// labels walks the labels object and records its pairs sorted by key.
func (s *scanner) labels(inc *Incident) bool {
	var buf [8]Label
	list := buf[:0]
	more, ok := s.enter('}'), true
	for ok && more {
		var k, v value
		if k, ok = s.key(); !ok {
			return false
		}
		if s.err != nil {
			ok = s.skipValue()
		} else if v, ok = s.value(); ok {
			if v.kind != kindString {
				s.fail(Invalidf("labels must be an object of strings"))
			}
			list = append(list, Label{Key: k.str(), Value: v.str()})
		}
		if ok {
			more, ok = s.next('}')
		}
	}
	if !ok || s.err != nil || len(list) == 0 {
		return ok
	}
	sortLabels(list)
	for i := 1; i < len(list); i++ {
		if list[i].Key == list[i-1].Key {
			s.fail(Invalidf("labels must be an object of strings"))
			return true
		}
	}
	inc.Labels = slices.Clone(list)
	return true
}

// sortLabels sorts labels by key: by insertion for the few an incident
// usually has, which costs less than a general sort's setup.
func sortLabels(list []Label) {
	if len(list) > 12 {
		slices.SortFunc(list, func(a, b Label) int { return strings.Compare(a.Key, b.Key) })
		return
	}
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].Key < list[j-1].Key; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

// fieldRule describes one field of a nested object.
type fieldRule struct {
	name     string
	quoted   string // name as keyIs takes it
	required bool
	check    func(value) bool
}

func rule(name string, required bool, check func(value) bool) fieldRule {
	return fieldRule{name: name, quoted: quotedKey(name), required: required, check: check}
}

func isString(v value) bool { return v.kind == kindString }
func isTime(v value) bool   { _, ok := stringTime(v); return ok }
func isObjectOrNull(v value) bool {
	return v.kind == kindObject || v.kind == kindNull
}

var resolutionRules = []fieldRule{
	rule("resolved_at", true, isTime),
	rule("resolved_by", true, isString),
	rule("resolution_method", true, func(v value) bool {
		_, ok := lookup(ResolutionMethods, v.str(), false)
		return isString(v) && ok
	}),
	rule("root_cause", false, func(v value) bool { return isString(v) || v.kind == kindNull }),
	rule("notes", false, isString),
}

var timelineRules = []fieldRule{
	rule("timestamp", true, isTime),
	rule("event_type", true, isString),
	rule("actor", false, isString),
	rule("description", false, isString),
	rule("metadata", false, isObjectOrNull),
}

// object walks a nested object, applying rules to its keys; other keys are
// only checked for syntax, and no key may repeat.
func (s *scanner) object(what string, rules []fieldRule) bool {
	var seen uint32 // bit per rule
	var others names
	next := 0
	more, ok := s.enter('}'), true
	for ok && more {
		var k, v value
		var name string
		i := next
		if next < len(rules) && s.keyIs(rules[next].quoted) {
			name = rules[next].name
		} else if k, ok = s.key(); ok {
			name = k.str()
			i = ruleIndex(rules, name)
		} else {
			return false
		}
		next = i + 1 // the rule after this one is the likely next key
		switch {
		case s.err != nil:
			ok = s.skipValue()
		case i >= 0 && seen&(1<<i) == 0:
			if v, ok = s.value(); ok && !rules[i].check(v) {
				s.fail(Invalidf("%s.%s is not valid", what, name))
			}
			seen |= 1 << i
		case i >= 0 || others.add(name): // a ruled key again, or another key seen before
			s.fail(Invalidf("duplicate field '%s.%s'", what, name))
			ok = s.skipValue()
		default:
			ok = s.skipValue()
		}
		if ok {
			more, ok = s.next('}')
		}
	}
	if !ok || s.err != nil {
		return ok
	}
	for i, r := range rules {
		if r.required && seen&(1<<i) == 0 {
			s.fail(Invalidf("%s.%s is required", what, r.name))
			break
		}
	}
	return true
}

// ruleIndex returns the position of the rule for name, or -1.
func ruleIndex(rules []fieldRule, name string) int {
	for i, r := range rules {
		if r.name == name {
			return i
		}
	}
	return -1
}

// timeline walks the timeline array, whose entries are objects.
func (s *scanner) timeline() bool {
	more, ok := s.enter(']'), true
	for ok && more {
		s.skipWS()
		switch {
		case s.err != nil:
			ok = s.skipValue()
		case s.peek() == '{':
			ok = s.object("timeline[]", timelineRules)
		default:
			ok = s.skipValue()
			s.fail(Invalidf("timeline[] must be an object"))
		}
		if ok {
			more, ok = s.next(']')
		}
	}
	return ok
}

// names holds the keys seen in one object so that a repeated key is
// refused: a short list for the few keys objects usually have, a map once
// there are many.
type names struct {
	list []string
	set  map[string]struct{}
}

// add records name and reports whether it was already there.
func (n *names) add(name string) bool {
	if n.set != nil {
		if _, dup := n.set[name]; dup {
			return true
		}
		n.set[name] = struct{}{}
		return false
	}
	if slices.Contains(n.list, name) {
		return true
	}
	n.list = append(n.list, name)
	if len(n.list) > 16 {
		n.set = make(map[string]struct{}, 2*len(n.list))
		for _, k := range n.list {
			n.set[k] = struct{}{}
		}
	}
	return false
}
