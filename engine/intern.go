package engine

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
)

// interned holds the source and label strings incidents were saved with
// lately, so that the many incidents repeating one share a single copy.
// It is a cache, not a set: each string has two slots it may sit in, a new
// string takes one of them over, and a string pushed out stays alive only as
// long as incidents hold it, so nothing here grows with the store or keeps
// a string the store no longer holds for long. Slots are read and written
// atomically, without a lock, and a lookup allocates nothing.
var interned [1 << 12]atomic.Pointer[string]

var internSeed = maphash.MakeSeed()

// intern returns a string equal to s that shares no memory with it: a copy
// already held in the cache, or a new copy that the cache then holds.
func intern(s string) string {
	h := maphash.String(internSeed, s)
	const mask = uint64(len(interned) - 1)
	a, b := &interned[h&mask], &interned[h>>32&mask]
	if p := a.Load(); p != nil && *p == s {
		return *p
	}
	if p := b.Load(); p != nil && *p == s {
		return *p
	}
	c := strings.Clone(s)
	if h>>63 == 0 {
		a.Store(&c)
	} else {
		b.Store(&c)
	}
	return c
}
