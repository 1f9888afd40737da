package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/bench"
)

var oracleNow = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)

const (
	oracleID      = "0b7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5f"
	oracleOtherID = "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"
	oracleTS      = "2024-03-01T12:00:00Z"
	// oracleMinimal is an incident with only the required fields and a fixed id.
	oracleMinimal = `{"id":"` + oracleID + `","severity":"P1","incident_type":"Data","source":"s","title":"t"}`
)

// oracleWith returns oracleMinimal with members spliced in before its end.
func oracleWith(members string) string {
	return oracleMinimal[:len(oracleMinimal)-1] + "," + members + "}"
}

// diffOracle parses in with Parse and with oracleParse and describes how the
// results differ, or returns "" when they are the same. Parse gets its own
// copy of in, scribbled over afterwards, so that a result sharing memory with
// the input shows up as a difference. When the document has no id, the
// oracle gets the one Parse generated.
func diffOracle(in []byte, maxBytes int, now time.Time) string {
	buf := bytes.Clone(in)
	got, err := Parse(buf, maxBytes, now)
	scribble(buf)
	shared, serr := parseShared(in, maxBytes, now)
	generated := false
	want, werr := oracleParse(bytes.Clone(in), maxBytes, now, func() string {
		generated = true
		if got != nil {
			return got.ID
		}
		return NewID()
	})
	switch {
	case err == nil && werr == nil:
	case err == nil:
		return fmt.Sprintf("Parse(%q) accepted %s; oracle: %v", in, got.Doc, werr)
	case werr == nil:
		return fmt.Sprintf("Parse(%q) = %v; oracle accepted %s", in, err, want.Doc)
	default:
		var e, we *Error
		if !errors.As(err, &e) || !errors.As(werr, &we) || e.Kind != we.Kind ||
			reflect.TypeOf(err) != reflect.TypeOf(werr) || err.Error() != werr.Error() {
			return fmt.Sprintf("Parse(%q) error %T %q; oracle %T %q", in, err, err, werr, werr)
		}
		if serr == nil || serr.Error() != err.Error() {
			return fmt.Sprintf("ParseShared(%q) error %v; Parse %v", in, serr, err)
		}
		return ""
	}
	if serr != nil {
		return fmt.Sprintf("ParseShared(%q) = %v; Parse accepted %s", in, serr, got.Doc)
	}
	if generated { // each call generated an id of its own
		shared.Doc = bytes.ReplaceAll(shared.Doc, []byte(shared.ID), []byte(got.ID))
		shared.ID = got.ID
	}
	if !reflect.DeepEqual(shared, got.Meta) {
		return fmt.Sprintf("ParseShared(%q) Meta\n got  %#v\n want %#v", in, shared, got.Meta)
	}
	if generated && bytes.Contains(bytes.ToLower(in), []byte(got.ID)) {
		return fmt.Sprintf("Parse(%q) took id %s from a document the oracle found none in", in, got.ID)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"Meta", got.Meta, want.Meta},
		{"fields", got.fields, want.fields},
		{"extra", got.extra, want.extra},
		{"title", got.title, want.title},
		{"resources", got.resources, want.resources},
		{"createdDefaulted", got.createdDefaulted, want.createdDefaulted},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			return fmt.Sprintf("Parse(%q) %s\n got  %#v\n want %#v", in, f.name, f.got, f.want)
		}
	}
	return ""
}

// parseShared runs ParseShared on a copy of in, keeps a copy of the Meta,
// releases the Incident to the pool (the next call reuses it, so state left
// behind shows up as a difference) and scribbles over the input, so that a
// Meta sharing memory with it shows up as a difference too.
func parseShared(in []byte, maxBytes int, now time.Time) (Meta, error) {
	buf := bytes.Clone(in)
	defer scribble(buf)
	inc, err := ParseShared(buf, maxBytes, now)
	if err != nil {
		return Meta{}, err
	}
	m := inc.Meta
	inc.Release()
	return m, nil
}

// scribble overwrites b.
func scribble(b []byte) {
	for i := range b {
		b[i] = '#'
	}
}

// oracleCorpus returns the inputs stored under testdata/fuzz/name.
func oracleCorpus(tb testing.TB, name string) [][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[1], "[]byte(") {
			tb.Fatalf("%s is not a one-argument []byte corpus file", f)
		}
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out = append(out, []byte(s))
	}
	return out
}

// oracleEdgeCases returns hand-written inputs aimed at the corners of the
// JSON grammar and of the incident rules.
func oracleEdgeCases() []string {
	const okRes = `"resolved_at":"` + oracleTS + `","resolved_by":"me","resolution_method":"Manual"`
	const okEvent = `"timestamp":"` + oracleTS + `","event_type":"note"`
	cases := []string{
		// FuzzParseIncident's seeds.
		oracleMinimal, oracleWith(`"x":{"a" : [1, 2]}`), `{}`, `[]`, `{"id":null}`,
		oracleWith(`"labels":{"a":"1"},"timeline":[{"timestamp":"` + oracleTS + `","event_type":"e","metadata":{}}]`),
		oracleWith(`"resolution":{"resolved_at":"2024-03-01T12:00:00.5+01:00","resolved_by":"x","resolution_method":"Automated"}`),
		// Escaped keys and values.
		`{"sev\u0065rity":"P1","incident_type":"Data","source":"s","title":"t"}`,
		`{"\u0069\u0064":"` + oracleID + `","severity":"P1","incident_type":"Data","source":"s","title":"t"}`,
		oracleWith(`"sev\u0065rity":"P2"`),
		oracleWith(`"x":1,"\u0078":2`),
		oracleWith(`"\u0078":1,"x":2`),
		oracleWith(`"x\"":1,"x\u0022":2`),
		oracleWith(`"\ud800":1,"\udc00":2`),
		oracleWith(`"labels":{"\ud800":"1","\udfff":"2"}`),
		oracleWith(`"labels":{"a":"1","\u0061":"2"}`),
		oracleWith(`"labels":{"b\n":"\u00e9\ud83d\ude00","a\/":"\\\"","":""}`),
		oracleWith(`"state":"Tri\u0061ged"`),
		oracleWith(`"state":"Triaged\u0000"`),
		strings.Replace(oracleMinimal, `"source":"s"`, `"source":"\u00e9\t\n\r\b\f\/\\\""`, 1),
		strings.Replace(oracleMinimal, `"title":"t"`, `"title":"\ud83d\ude00 \ud800 \udc00 \ud800\u0041 \ud800\ud800\udc00 \udbff\udfff"`, 1),
		strings.Replace(oracleMinimal, `"title":"t"`, `"title":"\uD83D\uDE00\uFFFF\uFFFE\u0000"`, 1),
		strings.Replace(oracleMinimal, `"title":"t"`, `"title":"\ud800\`+`"`, 1),
		strings.Replace(oracleMinimal, oracleID, `\u0030b7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5f`, 1),
		strings.Replace(oracleMinimal, oracleID, `\u0030B7C9A52-3F1E-4C8E-9D2A-6F1B2C3D4E5F`, 1),
		strings.Replace(oracleMinimal, oracleID, strings.ToUpper(oracleID), 1),
		strings.Replace(oracleMinimal, oracleID, `0b7c9a52\u002d3f1e-4c8e-9d2a-6f1b2c3d4e5f`, 1),
		strings.Replace(oracleMinimal, oracleID, `0b7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5\u0066`, 1),
		oracleWith(`"affected_resources":["a\u0062","\u00e9",""],"fingerprint":"f\u0070","created_at":"2024-03-01T12:00:00\u005a"`),
		oracleWith(`"related_incidents":["` + oracleOtherID + `","\u0031f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b"]`),
		oracleWith(`"timeline":[{"timest\u0061mp":"` + oracleTS + `","event_type":"x","event_typ\u0065":"y"}]`),
		oracleWith(`"resolution":{` + okRes + `,"x":1,"\u0078":2}`),
		oracleWith(`"resolution":{` + okRes + `,"notes":"a","not\u0065s":"b"}`),
		// Duplicates and nulls.
		oracleWith(`"severity":"P2"`),
		oracleWith(`"state":null,"state":"Triaged"`),
		oracleWith(`"x":1,"x":2`),
		oracleWith(`"x":1,"y":2,"x":3`),
		oracleWith(`"labels":{"a":"1","a":"2"}`),
		oracleWith(`"labels":{"a":"1","a":2}`),
		oracleWith(`"labels":{"a":1,"a":"2"}`),
		oracleWith(`"timeline":[{` + okEvent + `,"actor":"a","actor":"b"}]`),
		oracleWith(`"timeline":[{` + okEvent + `,"z":1,"z":2}]`),
		oracleWith(`"resolution":{` + okRes + `,"resolved_by":"x"}`),
		oracleWith(`"state":null,"description":null,"labels":null,"fingerprint":null,"correlation_score":null,"active_playbook":null,"resolution":null,"timeline":null,"affected_resources":null,"assignees":null,"related_incidents":null,"created_at":null,"updated_at":null`),
		`{"id":null,"severity":null,"incident_type":"Data","source":"s","title":"t"}`,
		`{"severity":"P1","incident_type":null,"source":"s","title":"t"}`,
		`{"severity":"P1","incident_type":"Data","source":null,"title":"t"}`,
		`{"severity":"P1","incident_type":"Data","source":"s","title":null}`,
		`{"severity":"P1","incident_type":"Data","source":"s"}`,
		`{"title":"t","incident_type":"Data","source":"s"}`,
		// The first rule broken wins, but only in valid JSON.
		oracleWith(`"state":"x","severity":"P9"`),
		oracleWith(`"state":"x","x":1,"x":2`),
		oracleWith(`"state":"x",`),
		oracleWith(`"state":"x","y":[}`),
		oracleWith(`"labels":{"a":1,"b":[}`),
		oracleWith(`"timeline":[1,{]`),
		oracleWith(`"timeline":[{"event_type":"x"},{"timestamp":1}]`),
		oracleWith(`"timeline":[{"timestamp":1,"timestamp":2}]`),
		oracleWith(`"resolution":{"resolved_at":1}x`),
		`{"severity":"P9","x":1}  `,
		`{"severity":"P9","x":1} x`,
		`{"severity":"P9"` + "\xff}",
		`{"severity":"P9","x":"` + "\xff" + `"}`,
		// Nested objects in unknown fields and in metadata.
		oracleWith(`"custom":{"a":{"b":[{"c":null},[],{}],"d":"}]"},"e":[[[["x"]]]]}`),
		oracleWith(`"timeline":[{` + okEvent + `,"metadata":{"k":[1,{"a":{"a":1,"a":2}}],"q":"]"}}]`),
		oracleWith(`"timeline":[{` + okEvent + `,"metadata":{"k":[1,{"a":[}}]}]`),
		oracleWith(`"custom" : { "a b" : [ 1 , "x  y\t\"z\"" ] , "n" : null },"esc\u00e9":"  keep  "`),
		oracleWith(`"a":"\\","b":"\\\\\"","c":["\"]"],"d":{"\\":"{"}`),
		// White space everywhere.
		" \t\r\n" + oracleMinimal + " \t\r\n",
		"{ \"id\" :\t\"" + oracleID + "\" ,\r\n\"severity\"\n:\"P1\" , \"incident_type\" : \"Data\" , \"source\" : \"s\" , \"title\" : \"t\" , " +
			"\"labels\" : { \"a\" : \"1\" } , \"affected_resources\" : [ \"r\" , \"s\" ] , \"timeline\" : [ { \"timestamp\" : \"" + oracleTS +
			"\" , \"event_type\" : \"e\" , \"metadata\" : { } } , { \"event_type\" : \"e\" , \"timestamp\" : \"" + oracleTS + "\" } ] , " +
			"\"resolution\" : { " + okRes + " } , \"x\" : [ ] , \"y\" : { } , \"z\" : [ 1 , { \"a\" : [ ] } ] }",
		oracleWith("\"assignees\":[\t]" + ",\"labels\":{\n},\"related_incidents\":[ ]"),
		oracleWith("\"x\":\"a\u00a0b\"" + ",\"y\":[\"\u2028\"]"),
		"\v" + oracleMinimal, "\f" + oracleMinimal, oracleMinimal + "\u00a0", "\ufeff" + oracleMinimal,
		// Documents that are not objects.
		``, ` `, "\n", `1`, `-0`, `"x"`, `""`, `null`, `true`, `false`, `[1]`, `[]`, ` [ ] `, `{`, `}`, `]`, `[`, `[}`, `{]`,
		`"\u00e9"`, `1 2`, `[] []`, `{}{}`, `{} {}`, `{},`, `{}]`, `{}}`, `{} x`, `{}` + "\x00",
		// Numbers.
		oracleWith(`"correlation_score":0`), oracleWith(`"correlation_score":-0`), oracleWith(`"correlation_score":01`),
		oracleWith(`"correlation_score":-01`), oracleWith(`"correlation_score":-`), oracleWith(`"correlation_score":1.`),
		oracleWith(`"correlation_score":.5`), oracleWith(`"correlation_score":1e`), oracleWith(`"correlation_score":1e+`),
		oracleWith(`"correlation_score":1E-`), oracleWith(`"correlation_score":1e5`), oracleWith(`"correlation_score":1E+05`),
		oracleWith(`"correlation_score":1e999999999999`), oracleWith(`"correlation_score":-1e-999999`),
		oracleWith(`"correlation_score":123456789012345678901234567890`), oracleWith(`"correlation_score":+1`),
		oracleWith(`"correlation_score":0x10`), oracleWith(`"correlation_score":NaN`), oracleWith(`"correlation_score":Infinity`),
		oracleWith(`"correlation_score":-Infinity`), oracleWith(`"correlation_score":1.5.5`), oracleWith(`"correlation_score":1e5e5`),
		oracleWith(`"correlation_score":0.0e-0`), oracleWith(`"correlation_score":- 1`), oracleWith(`"correlation_score":00`),
		oracleWith(`"correlation_score":1_000`), oracleWith(`"correlation_score":1.e5`), oracleWith(`"correlation_score":2.`),
		`0`, `-`, `01`, `1.`, `1e`, `-0.0e+0`, `1e400`,
		// Literals.
		oracleWith(`"x":tru`), oracleWith(`"x":nul`), oracleWith(`"x":True`), oracleWith(`"x":nulll`), oracleWith(`"x":fals`),
		oracleWith(`"x":truefalse`), oracleWith(`"x":nan`), oracleWith(`"x":undefined`), `nul`, `tru`, `truex`, `n`,
		// Escapes.
		oracleWith(`"x":"\x41"`), oracleWith(`"x":"\u12"`), oracleWith(`"x":"\u12g4"`), oracleWith(`"x":"\U1234"`),
		oracleWith(`"x":"\'"`), oracleWith(`"x":"\a"`), oracleWith(`"x":"\`), oracleWith(`"x":"\u"`), oracleWith(`"x":"\uABCD"`),
		oracleWith(`"x":"\uabcdef"`), oracleWith(`"x\q":1`), oracleWith(`"x\u00":1`), oracleWith(`"x":"\0"`),
		`"\u12`, `"\`, `"\u0041`, `"abc`,
		// Control characters and UTF-8.
		oracleWith("\"x\":\"a\x01b\""), oracleWith("\"x\":\"a\tb\""), oracleWith("\"x\":\"a\nb\""), oracleWith("\"x\":\"a\x1fb\""),
		oracleWith("\"x\":\"a\x7fb\""), oracleWith("\"x\":\"a\x00b\""), oracleWith("\"x\x01\":1"),
		oracleWith("\"x\":\"\xff\""), oracleWith("\"x\":\"\xc3\""), oracleWith("\"x\":\"\xc3\xa9\""), oracleWith("\"x\":\"\xe2\x82\""),
		oracleWith("\"x\":\"\xed\xa0\x80\""), oracleWith("\"x\":\"\xc0\xaf\""), oracleWith("\"x\":\"\xf4\x90\x80\x80\""),
		oracleWith("\"x\":\"\xef\xbf\xbd\""), oracleWith("\"x\":\"\xf0\x9f\x98\x80\""), oracleWith("\"\xff\":1"),
		oracleWith("\"x\":1\xff"), oracleMinimal + "\xff", "\"\xc3", "\"\xc3\"",
		strings.Replace(oracleMinimal, `"source":"s"`, `"source":"`+strings.Repeat("é", 255)+`"`, 1),
		strings.Replace(oracleMinimal, `"source":"s"`, `"source":"`+strings.Repeat("é", 256)+`"`, 1),
		strings.Replace(oracleMinimal, `"title":"t"`, `"title":"`+strings.Repeat(`\u00e9`, 500)+`"`, 1),
		strings.Replace(oracleMinimal, `"title":"t"`, `"title":"`+strings.Repeat(`\ud83d\ude00`, 501)+`"`, 1),
		// Object and array syntax.
		oracleWith(`"x":[1,]`), oracleWith(`"x":[,1]`), oracleWith(`"x":{"a":1,}`), oracleWith(`"x":{,"a":1}`),
		oracleWith(`"x":{"a"}`), oracleWith(`"x":{"a":}`), oracleWith(`"x":{"a" 1}`), oracleWith(`"x":{a:1}`),
		oracleWith(`"x":{'a':1}`), oracleWith(`"x":[1 2]`), oracleWith(`"x":{"a":1 "b":2}`), oracleWith(`"x":[1]]`),
		oracleWith(`"x":/*c*/1`), oracleWith(`"x"::1`), oracleWith(`"x":1,,"y":2`), oracleMinimal[:len(oracleMinimal)-1] + `,}`,
		`{"a":1,"a":2`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,`, `{"a":[`, `{"a":{`, `{"a":"`, `{1:1}`, `{null:1}`,
	}
	for i := range numFields {
		name := fieldNames[i]
		for _, v := range []string{
			`1`, `-0.5e3`, `"x"`, `""`, `true`, `false`, `null`, `[]`, `{}`, `["x"]`, `[1]`, `[null]`, `{"a":"b"}`, `{"a":1}`,
			`"` + oracleOtherID + `"`, `"` + strings.ToUpper(oracleOtherID) + `"`, `"` + oracleTS + `"`, `"Closed"`, `"P4"`,
			`"Unknown"`, `["` + oracleOtherID + `"]`, `[ "a" , "b" ]`, `{ "a" : "b" }`, `[{` + okEvent + `}]`, `{` + okRes + `}`,
			`[{` + okEvent + `},1]`, `[{` + okEvent + `},{}]`, `{"a":"1","b":null}`, `[{"metadata":{},"timestamp":"x"}]`,
		} {
			cases = append(cases, oracleWith(`"`+name+`":`+v))
			cases = append(cases, oracleWith(`"x":1,"`+name+`":`+v+`,"y":[1,}`))
		}
	}
	for _, r := range oracleResolutionRules {
		for _, v := range []string{`1`, `"x"`, `""`, `null`, `{}`, `[]`, `"` + oracleTS + `"`, `"Manual"`, `"manual"`, `true`} {
			cases = append(cases, oracleWith(`"resolution":{`+okRes+`,"`+r.name+`":`+v+`}`))
			cases = append(cases, oracleWith(`"resolution":{"`+r.name+`":`+v+`,`+okRes+`}`))
		}
	}
	for _, r := range oracleTimelineRules {
		for _, v := range []string{`1`, `"x"`, `""`, `null`, `{}`, `[]`, `{"a":[1,{}]}`, `"` + oracleTS + `"`, `true`} {
			cases = append(cases, oracleWith(`"timeline":[{`+okEvent+`,"`+r.name+`":`+v+`}]`))
			cases = append(cases, oracleWith(`"timeline":[{"`+r.name+`":`+v+`},{`+okEvent+`}]`))
		}
	}
	for _, depth := range []int{1, 2, 100, 10000, 100000} {
		arrays := strings.Repeat("[", depth) + strings.Repeat("]", depth)
		objects := strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
		mixed := strings.Repeat(`[{"a":`, depth) + "[]" + strings.Repeat("}]", depth)
		cases = append(cases, oracleWith(`"x":`+arrays), oracleWith(`"x":`+objects), oracleWith(`"x":`+mixed),
			oracleWith(`"x":`+arrays[:len(arrays)-1]), oracleWith(`"x":`+objects+"}"), oracleWith(`"x":`+mixed[1:]),
			oracleWith(`"timeline":[{`+okEvent+`,"metadata":`+objects+`}]`), arrays, objects)
	}
	return cases
}

// oracleSeeds returns every input the differential tests start from.
func oracleSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	for _, s := range oracleEdgeCases() {
		seeds = append(seeds, []byte(s))
	}
	seeds = append(seeds, oracleCorpus(tb, "FuzzParseIncident")...)
	for _, d := range benchDocs(16) {
		seeds = append(seeds, d, spaced(d))
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, d, "\r", "\t "); err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, pretty.Bytes())
	}
	return seeds
}

// spaced returns doc with white space around every token outside strings.
func spaced(doc []byte) []byte {
	var out []byte
	inStr, esc := false, false
	for _, c := range doc {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
			if inStr {
				out = append(out, ' ')
			} else {
				out = append(out, c, '\t')
				continue
			}
		case !inStr:
			out = append(out, '\n', c, '\r', ' ')
			continue
		}
		out = append(out, c)
	}
	return out
}

// mutate returns a variant of doc with one random edit that tends to hit the
// corners of the grammar: a byte replaced, a cut, an insertion, a deletion.
func mutate(r *rand.Rand, doc []byte) []byte {
	snippets := []string{
		`{`, `}`, `[`, `]`, `:`, `,`, `"`, `\`, `\u`, `\u0065`, `\ud800`, `\"`, ` `, "\t", "\n", "\x00", "\x01", "\xff",
		"\xc3", "\xc3\xa9", `0`, `-`, `.`, `e`, `+`, `null`, `true`, `1`, `[]`, `{}`, `""`, `"x":1,`, `"labels":{"a":1},`,
		`"state":"Closed",`, `"severity":"P2",`, `"timeline":[{}],`, `"resolution":{},`,
	}
	b := bytes.Clone(doc)
	if len(b) == 0 {
		return []byte(snippets[r.IntN(len(snippets))])
	}
	i := r.IntN(len(b))
	switch r.IntN(6) {
	case 0:
		b[i] = byte(r.IntN(256))
	case 1:
		b[i] = snippets[r.IntN(len(snippets))][0]
	case 2:
		return b[:i]
	case 3:
		s := snippets[r.IntN(len(snippets))]
		return append(b[:i], append([]byte(s), doc[i:]...)...)
	case 4:
		j := i + 1 + r.IntN(min(16, len(b)-i))
		return append(b[:i], b[j:]...)
	case 5:
		j := i + 1 + r.IntN(min(32, len(b)-i))
		return append(b[:j], append(bytes.Clone(doc[i:j]), doc[j:]...)...)
	}
	return b
}

// TestParseMatchesOracle holds Parse to the gjson-based oracle on the seeds,
// on generated incidents and on a few random edits of each.
func TestParseMatchesOracle(t *testing.T) {
	check := func(in []byte, maxBytes int) {
		t.Helper()
		if d := diffOracle(in, maxBytes, oracleNow); d != "" {
			t.Fatal(d)
		}
	}
	for _, in := range oracleSeeds(t) {
		check(in, 1<<20)
		check(in, len(in))
		if len(in) > 0 {
			check(in, len(in)-1)
		}
	}
	n := 3000
	if testing.Short() {
		n = 300
	}
	r := rand.New(rand.NewPCG(7, 11))
	for seed := range uint64(3) {
		g := bench.NewGen(seed + 1)
		for i := range n / 3 {
			doc := g.Incident(i).JSON
			check(doc, 1<<20)
			check(spaced(doc), 1<<20)
			m := doc
			for range 12 {
				if r.IntN(3) == 0 {
					m = doc
				}
				m = mutate(r, m)
				check(m, 1<<20)
			}
		}
	}
}

// FuzzParseMatchesOracle requires Parse to give exactly what the gjson-based
// oracle gives: the same error, or the same document, meta and internals.
func FuzzParseMatchesOracle(f *testing.F) {
	for _, s := range oracleSeeds(f) {
		if len(s) <= 8<<10 { // the deeply nested ones would only slow the fuzzer down
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if d := diffOracle(in, 1<<20, oracleNow); d != "" {
			t.Fatal(d)
		}
	})
}

// TestParseTimeMatchesOracle holds ParseTime to the time.Parse-based oracle
// on every combination of edge values of each part of a timestamp.
func TestParseTimeMatchesOracle(t *testing.T) {
	years := []string{"0000", "0001", "0004", "0100", "0400", "1600", "1677", "1678", "1679", "1900", "1969",
		"1970", "2000", "2004", "2024", "2100", "2260", "2261", "2262", "2400", "9999", "20a4"}
	months := []string{"00", "01", "02", "03", "04", "06", "09", "11", "12", "13", "1-"}
	days := []string{"00", "01", "28", "29", "30", "31", "32", "0x"}
	clocks := []string{"00:00:00", "23:59:59", "24:00:00", "12:60:00", "12:00:60", "1a:00:00", "12:00:0 "}
	fractions := []string{"", ".", ".0", ".5", ".123456789", ".1234567890", ",5"}
	zones := []string{"Z", "z", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00", "+05:60", "+0530", "+05:30:00", "", "Z ", "+5:30", "+a5:30"}
	n := 0
	for _, y := range years {
		for _, m := range months {
			for _, d := range days {
				for _, c := range clocks {
					for _, f := range fractions {
						for _, z := range zones {
							s := y + "-" + m + "-" + d + "T" + c + f + z
							gotNs, gotOK := ParseTime(s)
							wantNs, wantOK := oracleParseTime(s)
							if gotNs != wantNs || gotOK != wantOK {
								t.Fatalf("ParseTime(%q) = %d, %v; oracle %d, %v", s, gotNs, gotOK, wantNs, wantOK)
							}
							if gotOK {
								n++
							}
						}
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no timestamp was accepted")
	}
	r := rand.New(rand.NewPCG(3, 5))
	for i := range 200000 {
		b := []byte(time.Unix(r.Int64N(1<<35)-1<<34, r.Int64N(1e9)).UTC().Format(time.RFC3339Nano))
		if i%2 == 0 {
			b[r.IntN(len(b))] = "0123456789-:.TZ+ "[r.IntN(17)]
		}
		s := string(b)
		gotNs, gotOK := ParseTime(s)
		wantNs, wantOK := oracleParseTime(s)
		if gotNs != wantNs || gotOK != wantOK {
			t.Fatalf("ParseTime(%q) = %d, %v; oracle %d, %v", s, gotNs, gotOK, wantNs, wantOK)
		}
	}
}

// FuzzParseTimeMatchesOracle requires ParseTime to agree with the
// time.Parse-based oracle.
func FuzzParseTimeMatchesOracle(f *testing.F) {
	for _, s := range []string{oracleTS, "2024-03-01T12:00:00.123456789+05:30", "2024-02-29T23:59:59.5-23:59",
		"1678-01-01T00:00:00Z", "2261-12-31T23:59:59.999999999Z", "1678-01-01T00:30:00+01:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		gotNs, gotOK := ParseTime(s)
		wantNs, wantOK := oracleParseTime(s)
		if gotNs != wantNs || gotOK != wantOK {
			t.Fatalf("ParseTime(%q) = %d, %v; oracle %d, %v", s, gotNs, gotOK, wantNs, wantOK)
		}
	})
}

// TestValidUUIDMatchesOracle tries every byte at every position of a UUID,
// and a few lengths, against the UUID check Parse used to make.
func TestValidUUIDMatchesOracle(t *testing.T) {
	check := func(s string) {
		t.Helper()
		ok, upper := scanUUID(s)
		if want := oracleValidUUID(s); ok != want || ValidUUID(s) != want {
			t.Fatalf("ValidUUID(%q) = %v; oracle %v", s, ok, want)
		}
		if want := strings.ToLower(s) != s; ok && upper != want {
			t.Fatalf("scanUUID(%q) upper = %v, want %v", s, upper, want)
		}
	}
	for _, id := range []string{oracleID, strings.ToUpper(oracleID), "aBcDeF01-2345-6789-AbCd-Ef0123456789"} {
		for i := range len(id) {
			for c := range 256 {
				check(id[:i] + string([]byte{byte(c)}) + id[i+1:])
			}
		}
		check(id[1:])
		check(id + "0")
		check("")
	}
}
