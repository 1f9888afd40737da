package index

// key is an incident id as the id map holds it: the UUID's 16 bytes. They
// hash and compare in place, where a string key would send every lookup to
// the id's own memory, and they hold no pointer for the collector to follow.
type key [16]byte

// hexVal maps a hex digit of either case to its value and anything else to 0xff.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

// keyOf parses a UUID (8-4-4-4-12 hex digits, either case); ok is false for
// anything else, which no stored incident has as its id.
func keyOf(id string) (k key, ok bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
		return k, false
	}
	bad := byte(0)
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
		}
		hi, lo := hexVal[id[i]], hexVal[id[i+1]]
		bad |= hi | lo
		k[j] = hi<<4 | lo
		j++
	}
	return k, bad&0xf0 == 0
}
