package glob

import (
	"strings"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"llm-im:incident:*", "llm-im:incident:abc", true},
		{"llm-im:incident:*", "llm-im:incidents", false},
		{"h?llo", "hello", true},
		{"h?llo", "hllo", false},
		{"h[ae]llo", "hallo", true},
		{"h[ae]llo", "hillo", false},
		{"h[^e]llo", "hallo", true},
		{"h[^e]llo", "hello", false},
		{"h[a-b]llo", "hbllo", true},
		{"h[b-a]llo", "hallo", true},
		{"h\\*llo", "h*llo", true},
		{"h\\*llo", "hello", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"*:events", "llm-im:events", true},
		{"", "", true},
		{"", "a", false},
	} {
		if got := Match(c.pattern, c.s); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestMatchIsBounded(t *testing.T) {
	pattern := strings.Repeat("*a", 200) + "b"
	s := strings.Repeat("a", 20000)
	start := time.Now()
	if Match(pattern, s) {
		t.Fatal("matched")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %s", d)
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("h[a-z]*o", "hello")
	f.Add("*\\", "a\\")
	f.Add("[", "[")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 256 || len(s) > 4096 {
			return
		}
		Match(pattern, s)
		if !Match(pattern, pattern) && !strings.ContainsAny(pattern, "*?[\\") {
			t.Fatalf("literal %q does not match itself", pattern)
		}
	})
}
