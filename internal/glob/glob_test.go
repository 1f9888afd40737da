package glob

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/internal/redistest"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", false}, // stringmatchlen: an empty string matches only ""
		{"*", "anything", true},
		{"**", "x", true},
		{"llm-im:incident:*", "llm-im:incident:abc", true},
		{"llm-im:incident:*", "llm-im:incidents", false},
		{"llm-im:*:P?", "llm-im:severity:P0", true},
		{"h?llo", "hello", true},
		{"h?llo", "hllo", false},
		{"h*llo", "hllo", true},
		{"h*llo", "heeeello", true},
		{"h[ae]llo", "hallo", true},
		{"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"h[a-b]llo", "hbllo", true},
		{"h[b-a]llo", "hallo", true}, // reversed range
		{"h[a-b]llo", "hcllo", false},
		{`h\*llo`, "h*llo", true},
		{`h\*llo`, "hello", false},
		{`h[\]]llo`, "h]llo", true},
		{`h[\-]llo`, "h-llo", true},
		{"[a-]", "]", true}, // "a-]" is the range ']'..'a'
		{"[a-]", "-", false},
		{"[]", "]", false},
		{"[", "[", false},
		{"[", "a", false},
		{"[^", "x", true}, // an open negated class matches any byte
		{"a[bc", "ab", true},
		{"a[bc", "ac", true},
		{"a[bc", "abc", false},
		{`a\`, `a\`, true}, // a trailing backslash is a literal
		{`a\`, "a", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"*a", "aaaa", true},
		{"a*", "a", true},
		{"*?", "a", true},
		{"?*?", "a", false},
		{"[\x80-\xff]", "\x90", true},
		{"[a-\xff]", "\x90", false}, // signed chars: the range is \xff..a
		{"[a-\xff]", "A", true},
	} {
		if got := Match(c.pattern, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
		if got := redisMatch(c.pattern, c.s); got != c.want {
			t.Errorf("reference redisMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestMatchIsBounded(t *testing.T) {
	start := time.Now()
	for _, c := range []struct{ pattern, s string }{
		{strings.Repeat("*a", 300) + "b", strings.Repeat("a", 30000)},
		{strings.Repeat("?*", 200) + "[b]", strings.Repeat("ab", 5000) + "a"},
	} {
		if Match(c.pattern, c.s) {
			t.Errorf("Match(%.20q..., ...) matched", c.pattern)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

// TestMatchAgainstRedis runs KEYS with awkward patterns on a real
// redis-server holding awkward keys and expects Match to pick the same.
func TestMatchAgainstRedis(t *testing.T) {
	ctx := context.Background()
	rdb := redistest.Start(t).Client(0)
	keys := []string{"a", "b", "ab", "abc", "a]", "]", "-", "^", `\`, `a\`, "a*", "*", "?", "[", "[a",
		"h]llo", "hallo", "hello", "h-llo", "\x90", "\xff", "A", "a\x00b", "llm-im:incident:x", "llm-im:incidents"}
	for _, k := range keys {
		if err := rdb.Set(ctx, k, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	patterns := []string{"a", "?", "??", "*", "a*", "*b", "[a-]", "[a-]*", "[]", "[", "[^", "[^a]", "a[bc", "a[]]",
		`\`, `a\`, `a\*`, `[\]]*`, `h[\-]llo`, "h[^e]llo", "[a-\xff]", "[\xff-a]", "[\x80-\xff]", "*[a-z]*",
		"*i*", "llm-im:*", "llm-im:incident*", "?[b-a]*", "a?b", "*\x00*", "[]a]"}
	for _, p := range patterns {
		got, err := rdb.Keys(ctx, p).Result()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, k := range keys {
			if p == "*" || Match(p, k) {
				want = append(want, k)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("KEYS %q: redis %q, Match %q", p, got, want)
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("h[a-z]*o", "hello")
	f.Add(`*\`, `a\`)
	f.Add("[", "[")
	f.Add("[^a-]x*?", "]x")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 200 || len(s) > 2000 {
			return
		}
		if got, want := Match(pattern, s), redisMatch(pattern, s); got != want {
			t.Fatalf("Match(%q, %q) = %v, stringmatchlen says %v", pattern, s, got, want)
		}
	})
}

// redisMatch is a line-by-line port of Redis 7's recursive stringmatchlen
// (case-sensitive), the reference Match is held to. Reading past the end
// of the pattern yields the NUL that ends an sds string.
func redisMatch(pattern, s string) bool {
	skip := false
	return redisMatchImpl(pattern, s, &skip, 0)
}

func redisMatchImpl(pat, str string, skipLonger *bool, nesting int) bool {
	if nesting > 1000 {
		return false
	}
	at := func(i int) byte {
		if i < len(pat) {
			return pat[i]
		}
		return 0
	}
	p, plen, s, slen := 0, len(pat), 0, len(str)
	for plen > 0 && slen > 0 {
		switch at(p) {
		case '*':
			for plen > 0 && at(p+1) == '*' {
				p, plen = p+1, plen-1
			}
			if plen == 1 {
				return true
			}
			for slen > 0 {
				if redisMatchImpl(pat[p+1:], str[s:], skipLonger, nesting+1) {
					return true
				}
				if *skipLonger {
					return false
				}
				s, slen = s+1, slen-1
			}
			*skipLonger = true
			return false
		case '?':
			s, slen = s+1, slen-1
		case '[':
			p, plen = p+1, plen-1
			not := at(p) == '^'
			if not {
				p, plen = p+1, plen-1
			}
			match := false
			for {
				if at(p) == '\\' && plen >= 2 {
					p, plen = p+1, plen-1
					if at(p) == str[s] {
						match = true
					}
				} else if at(p) == ']' {
					break
				} else if plen == 0 {
					p, plen = p-1, plen+1
					break
				} else if plen >= 3 && at(p+1) == '-' {
					start, end, c := int(int8(at(p))), int(int8(at(p+2))), int(int8(str[s]))
					if start > end {
						start, end = end, start
					}
					p, plen = p+2, plen-2
					if c >= start && c <= end {
						match = true
					}
				} else if at(p) == str[s] {
					match = true
				}
				p, plen = p+1, plen-1
			}
			if not {
				match = !match
			}
			if !match {
				return false
			}
			s, slen = s+1, slen-1
		case '\\':
			if plen >= 2 {
				p, plen = p+1, plen-1
			}
			fallthrough
		default:
			if at(p) != str[s] {
				return false
			}
			s, slen = s+1, slen-1
		}
		p, plen = p+1, plen-1
		if slen == 0 {
			for at(p) == '*' {
				p, plen = p+1, plen-1
			}
			break
		}
	}
	return plen == 0 && slen == 0
}
