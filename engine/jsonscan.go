package engine

import (
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is the type of a JSON value.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindObject
	kindArray
)

// value is one scanned JSON value. Objects and arrays read by value are only
// checked, not looked into.
type value struct {
	kind kind
	raw  string // the value as written
	esc  bool   // a string that holds escapes
}

// str returns the contents of a string value with its escapes decoded; it
// copies only when there are escapes to decode.
func (v value) str() string {
	switch {
	case v.esc:
		return unquote(v.raw)
	case v.kind != kindString:
		return ""
	}
	return v.raw[1 : len(v.raw)-1]
}

// scanner checks the syntax of a JSON text as its caller walks it, value by
// value, so that validation and extraction share a single pass. It works on
// its own copy of the input: the strings it hands out may be kept.
//
// The grammar is RFC 8259's: no leading zeros, a digit on each side of '.',
// the four white space bytes, strict escapes, no control characters in
// strings; strings must also be valid UTF-8. Nesting depth is not limited:
// skipValue keeps its own stack.
type scanner struct {
	in  string
	pos int
	ws  bool  // white space was skipped since the caller last cleared ws
	err error // the first rule broken; once set, values are only checked for syntax
}

// fail records err unless an earlier rule was already broken: the first
// broken rule in document order is the one reported.
func (s *scanner) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// peek returns the byte at the scan position, or 0 at the end.
func (s *scanner) peek() byte {
	if s.pos < len(s.in) {
		return s.in[s.pos]
	}
	return 0
}

// skipWS skips insignificant white space and notes that it did, which tells
// the caller that the value being read needs compacting.
func (s *scanner) skipWS() {
	for s.pos < len(s.in) && isSpace(s.in[s.pos]) {
		s.pos++
		s.ws = true
	}
}

// isSpace reports whether c is JSON white space; the first test settles the
// usual case, a token.
func isSpace(c byte) bool {
	return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r')
}

// atEnd reports whether only white space is left.
func (s *scanner) atEnd() bool {
	s.skipWS()
	return s.pos == len(s.in)
}

// enter consumes the '{' or '[' at the scan position and reports whether the
// container has members, consuming its closer if it has none.
func (s *scanner) enter(closer byte) bool {
	s.pos++
	s.skipWS()
	if s.peek() == closer {
		s.pos++
		return false
	}
	return true
}

// next consumes what follows a member of a container: a comma (more is
// true) or the container's closer.
func (s *scanner) next(closer byte) (more, ok bool) {
	s.skipWS()
	switch s.peek() {
	case ',':
		s.pos++
		return true, true
	case closer:
		s.pos++
		return false, true
	}
	return false, false
}

// key reads an object key and the colon after it.
func (s *scanner) key() (value, bool) {
	s.skipWS()
	if s.peek() != '"' {
		return value{}, false
	}
	start := s.pos
	esc, ok := s.str()
	k := value{kind: kindString, raw: s.in[start:s.pos], esc: esc}
	s.skipWS()
	if !ok || s.peek() != ':' {
		return value{}, false
	}
	s.pos++
	return k, true
}

// keyIs consumes a key and its colon if they come next as written in the
// usual order: quoted is the key as `"name":`, plainly, without escapes or
// white space. Comparing them whole is cheaper than reading the key and
// looking it up.
func (s *scanner) keyIs(quoted string) bool {
	s.skipWS()
	if !strings.HasPrefix(s.in[s.pos:], quoted) {
		return false
	}
	s.pos += len(quoted)
	return true
}

// quotedKey returns name as keyIs takes it.
func quotedKey(name string) string { return `"` + name + `":` }

// value reads a value of any kind.
func (s *scanner) value() (value, bool) {
	s.skipWS()
	start := s.pos
	var k kind
	switch s.peek() {
	case '{':
		k = kindObject
	case '[':
		k = kindArray
	default:
		return s.scalar()
	}
	ok := s.skipValue()
	return value{kind: k, raw: s.in[start:s.pos]}, ok
}

// skipValue checks a value of any depth. It keeps the closers of the open
// containers on a slice instead of recursing, so that no nesting, however
// deep, can exhaust the goroutine stack.
func (s *scanner) skipValue() bool {
	var buf [32]byte
	open := buf[:0]
	for {
		s.skipWS()
		switch c := s.peek(); c {
		case '{', '[':
			closer := byte('}')
			if c == '[' {
				closer = ']'
			}
			if s.enter(closer) {
				open = append(open, closer)
				if closer == '}' {
					if _, ok := s.key(); !ok {
						return false
					}
				}
				continue
			}
		default:
			if _, ok := s.scalar(); !ok {
				return false
			}
		}
		// A value is complete: leave every container that ends after it.
		for {
			if len(open) == 0 {
				return true
			}
			closer := open[len(open)-1]
			more, ok := s.next(closer)
			if !ok {
				return false
			}
			if more {
				if closer == '}' {
					if _, ok := s.key(); !ok {
						return false
					}
				}
				break
			}
			open = open[:len(open)-1]
		}
	}
}

// scalar reads a string, number, true, false or null at the scan position.
func (s *scanner) scalar() (value, bool) {
	start := s.pos
	var v value
	var ok bool
	switch s.peek() {
	case '"':
		v.kind = kindString
		v.esc, ok = s.str()
	case 't':
		v.kind, ok = kindBool, s.literal("true")
	case 'f':
		v.kind, ok = kindBool, s.literal("false")
	case 'n':
		v.kind, ok = kindNull, s.literal("null")
	default:
		v.kind, ok = kindNumber, s.number()
	}
	v.raw = s.in[start:s.pos]
	return v, ok
}

// literal consumes word.
func (s *scanner) literal(word string) bool {
	if !strings.HasPrefix(s.in[s.pos:], word) {
		return false
	}
	s.pos += len(word)
	return true
}

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) number() bool {
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case !s.digits():
		return false
	}
	if s.peek() == '.' {
		s.pos++
		if !s.digits() {
			return false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits consumes [0-9]+.
func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.in) && s.in[s.pos] >= '0' && s.in[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

// plain marks the bytes a string can hold as they are: not a control
// character, quote, backslash or part of a multi-byte sequence.
var plain = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str consumes the string literal at the scan position and reports whether
// it holds escapes. Plain bytes, most of any string, are skipped eight at a
// time.
func (s *scanner) str() (esc, ok bool) {
	in := s.in
	i := s.pos + 1
	for {
		for i+8 <= len(in) {
			w := in[i : i+8]
			m := notPlain(uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56)
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(in) {
			return false, false
		}
		switch c := in[i]; {
		case c == '"':
			s.pos = i + 1
			return esc, true
		case plain[c]:
			i++
		case c == '\\':
			esc = true
			n := escapeLen(in[i:])
			if n == 0 {
				return false, false
			}
			i += n
		case c < ' ':
			return false, false
		default:
			r, n := utf8.DecodeRuneInString(in[i:])
			if r == utf8.RuneError && n == 1 {
				return false, false
			}
			i += n
		}
	}
}

// notPlain flags the bytes of the little-endian word x that are not plain:
// a byte below 0x20, equal to '"' or '\\', or with its high bit set leaves a
// high bit set in one of the terms. Only the lowest flag is exact (a borrow
// can flag the byte above a hit), which is all str needs.
func notPlain(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote, backslash := x^(ones*'"'), x^(ones*'\\')
	return (x | (x - ones*' ') | (quote - ones) | (backslash - ones)) & highs
}

// escapeLen returns the length of the escape sequence at the start of s, or
// 0 if it is not one.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(s) < 6 || !isHex(s[2]) || !isHex(s[3]) || !isHex(s[4]) || !isHex(s[5]) {
			return 0
		}
		return 6
	}
	return 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// unquote returns the contents of the valid string literal raw with its
// escapes decoded. A \u high surrogate followed by a \u low surrogate is one
// character; any other surrogate becomes U+FFFD, as in encoding/json.
func unquote(raw string) string {
	s := raw[1 : len(raw)-1]
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b = append(b, c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r := hex4(s[i+1:])
			i += 4
			if r >= 0xD800 && r < 0xDC00 && i+7 <= len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
				if r2 := hex4(s[i+3:]); r2 >= 0xDC00 && r2 < 0xE000 {
					r = utf16.DecodeRune(r, r2)
					i += 6
				}
			}
			b = utf8.AppendRune(b, r)
		default: // '"', '\\', '/'
			b = append(b, c)
		}
	}
	return string(b)
}

// hex4 decodes the four hex digits at the start of s.
func hex4(s string) rune {
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
