package index

import (
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
)

// TestKeyOf checks the id parser against engine.ValidUUID and checks that
// ids differing only in case share a key and others do not.
func TestKeyOf(t *testing.T) {
	const id = "0b7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5f"
	k, ok := keyOf(id)
	if !ok {
		t.Fatalf("keyOf(%q) refused", id)
	}
	if up, ok := keyOf(strings.ToUpper(id)); !ok || up != k {
		t.Fatalf("keyOf(upper) = %x, %v; want %x", up, ok, k)
	}
	want := key{0x0b, 0x7c, 0x9a, 0x52, 0x3f, 0x1e, 0x4c, 0x8e, 0x9d, 0x2a, 0x6f, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}
	if k != want {
		t.Fatalf("keyOf(%q) = %x, want %x", id, k, want)
	}
	for i := range id { // every one-byte change of a valid id
		for _, c := range []byte("0aAfFgG-_ z\x00\xff") {
			b := []byte(id)
			b[i] = c
			s := string(b)
			got, ok := keyOf(s)
			if ok != engine.ValidUUID(s) {
				t.Fatalf("keyOf(%q) ok %v, ValidUUID %v", s, ok, engine.ValidUUID(s))
			}
			if ok && (got == k) != strings.EqualFold(s, id) {
				t.Fatalf("keyOf(%q) = %x against %x for %q", s, got, k, id)
			}
		}
	}
	for _, s := range []string{"", id[:35], id + "0", strings.ReplaceAll(id, "-", "0")} {
		if _, ok := keyOf(s); ok {
			t.Fatalf("keyOf(%q) accepted", s)
		}
	}
}

// TestGetAnyCase checks that lookups and deletes find an incident by its id
// in any case.
func TestGetAnyCase(t *testing.T) {
	const id = "0b7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5f"
	d := New()
	d.Put(&engine.Meta{ID: id, Created: 1})
	for _, s := range []string{id, strings.ToUpper(id), "0B7c9a52-3f1e-4c8e-9d2a-6f1b2c3d4e5F"} {
		if m := d.Get(s); m == nil || m.ID != id {
			t.Fatalf("Get(%q) = %v", s, m)
		}
	}
	if d.Get("not-a-uuid") != nil {
		t.Fatal("Get of a non-UUID found something")
	}
	if m := d.Delete(strings.ToUpper(id)); m == nil || d.Len() != 0 {
		t.Fatalf("Delete(upper) = %v, Len %d", m, d.Len())
	}
}
