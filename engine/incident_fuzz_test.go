package engine_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

// FuzzParseIncident checks that Parse never panics and that whatever it
// accepts renders valid JSON of bounded size which re-parses to the same bytes.
func FuzzParseIncident(f *testing.F) {
	for _, s := range []string{
		minimal, defaultsDoc, with(`"x":{"a" : [1, 2]}`), `{}`, `[]`, `{"id":null}`,
		with(`"labels":{"a":"1"},"timeline":[{"timestamp":"` + testTS + `","event_type":"e","metadata":{}}]`),
		with(`"resolution":{"resolved_at":"2024-03-01T12:00:00.5+01:00","resolved_by":"x","resolution_method":"Automated"}`),
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in []byte) {
		inc, err := engine.Parse(in, 1<<20, now)
		if err != nil {
			return
		}
		if !json.Valid(inc.Doc) {
			t.Fatalf("Parse(%q) rendered invalid JSON %q", in, inc.Doc)
		}
		if cap(inc.Doc) != len(inc.Doc) {
			t.Fatalf("Parse(%q) rendered %d bytes into a buffer of %d", in, len(inc.Doc), cap(inc.Doc))
		}
		if max := 3*len(in) + 600; len(inc.Doc) > max {
			t.Fatalf("Parse(%q) rendered %d bytes, more than %d", in, len(inc.Doc), max)
		}
		again, err := engine.Parse(inc.Doc, 1<<20, now.Add(time.Hour))
		if err != nil {
			t.Fatalf("re-parse of %q failed: %v", inc.Doc, err)
		}
		if !bytes.Equal(again.Doc, inc.Doc) {
			t.Fatalf("re-parse is not idempotent\nfirst  %q\nsecond %q", inc.Doc, again.Doc)
		}
		if again.Meta.ID != inc.Meta.ID || again.Created != inc.Created || again.Updated != inc.Updated ||
			again.Severity != inc.Severity || again.State != inc.State || again.Type != inc.Type ||
			again.Source != inc.Source || again.Fingerprint != inc.Fingerprint || len(again.Labels) != len(inc.Labels) {
			t.Fatalf("re-parse changed the meta\nfirst  %+v\nsecond %+v", inc.Meta, again.Meta)
		}
	})
}

// FuzzParseTime checks that ParseTime never panics and that an accepted
// instant survives FormatTime.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{testTS, "2024-03-01T12:00:00.123456789+05:30", "2024-03-01T12:00:00.1234567890Z", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ns, ok := engine.ParseTime(s)
		if !ok {
			return
		}
		if back, ok := engine.ParseTime(engine.FormatTime(ns)); !ok || back != ns {
			t.Fatalf("ParseTime(%q) = %d; FormatTime round trip gives %d, %v", s, ns, back, ok)
		}
	})
}
