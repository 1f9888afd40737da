package engine

import (
	"strings"
	"testing"
	"unsafe"
)

// TestIntern checks that intern hands back an equal string of its own
// memory, the same copy for a repeated string, and stays right when many
// strings compete for its slots.
func TestIntern(t *testing.T) {
	buf := []byte("payments-api")
	in := unsafe.String(unsafe.SliceData(buf), len(buf))
	a := intern(in)
	if a != in || unsafe.StringData(a) == unsafe.StringData(in) {
		t.Fatalf("intern(%q) = %q sharing its memory: %v", in, a, unsafe.StringData(a) == unsafe.StringData(in))
	}
	buf[0] = 'X' // the request buffer is reused: the interned string must not change
	if a != "payments-api" {
		t.Fatalf("interned string changed with its input: %q", a)
	}
	if b := intern("payments-api"); unsafe.StringData(b) != unsafe.StringData(a) {
		t.Fatal("a repeated string got a second copy")
	}
	for i := range 3 * len(interned) {
		s := strings.Repeat("x", i%50) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)
		if got := intern(s); got != s {
			t.Fatalf("intern(%q) = %q", s, got)
		}
	}
	if got := intern(""); got != "" {
		t.Fatalf("intern(\"\") = %q", got)
	}
}
