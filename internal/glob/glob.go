package glob

// Match reports whether s matches pattern with the rules of Redis's
// stringmatchlen: * ? [abc] [^a] [a-z] and \x escapes. Every token but * matches
// exactly one byte, so one saved star position is enough to backtrack: the
// time is bounded by len(pattern)*len(s), never exponential.
//
// Redis's own quirks are kept: an empty string matches only the empty
// pattern; a class left open at the end of the pattern ends there; in a
// range the bytes compare as signed chars (as on x86), and "a-]" is a range
// ending in ']'; a trailing backslash matches a backslash.
func Match(pattern, s string) bool {
	if s == "" {
		return pattern == ""
	}
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			if pattern[p] == '*' {
				for p < len(pattern) && pattern[p] == '*' {
					p++
				}
				if p == len(pattern) {
					return true
				}
				starP, starI = p, i
				continue
			}
			if next, ok := globOne(pattern, p, s[i]); ok {
				p, i = next, i+1
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// globOne matches byte c against the token at pattern[p] (not a star) and
// returns the position after the token.
func globOne(pattern string, p int, c byte) (int, bool) {
	switch pattern[p] {
	case '?':
		return p + 1, true
	case '[':
		return globClass(pattern, p+1, c)
	case '\\':
		if p+1 < len(pattern) {
			p++
		}
	}
	return p + 1, pattern[p] == c
}

// globClass matches c against the class whose body starts at pattern[p],
// walking it exactly as stringmatchlen does.
func globClass(pattern string, p int, c byte) (int, bool) {
	not := p < len(pattern) && pattern[p] == '^'
	if not {
		p++
	}
	match := false
	for {
		left := len(pattern) - p
		switch {
		case left >= 2 && pattern[p] == '\\':
			p++
			match = match || pattern[p] == c
		case left > 0 && pattern[p] == ']':
			return p + 1, match != not
		case left == 0:
			return p, match != not // an open class ends the pattern
		case left >= 3 && pattern[p+1] == '-':
			lo, hi, v := int8(pattern[p]), int8(pattern[p+2]), int8(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			match = match || lo <= v && v <= hi
			p += 2
		default:
			match = match || pattern[p] == c
		}
		p++
	}
}
