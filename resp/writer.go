package resp

import (
	"math"
	"strconv"
)

// Writer builds one reply in the connection's protocol: RESP3 types after
// HELLO 3, their RESP2 equivalents otherwise.
type Writer struct {
	b     []byte
	proto int
}

// Proto returns the protocol version replies are written in (2 or 3).
func (w *Writer) Proto() int { return w.proto }

// Bytes returns what has been written.
func (w *Writer) Bytes() []byte { return w.b }

// Reset empties the writer and sets its protocol.
func (w *Writer) Reset(proto int) {
	w.b = w.b[:0]
	w.proto = proto
}

func (w *Writer) header(c byte, n int64) {
	w.b = append(w.b, c)
	w.b = strconv.AppendInt(w.b, n, 10)
	w.b = append(w.b, '\r', '\n')
}

// Simple writes a simple string such as OK.
func (w *Writer) Simple(s string) {
	w.b = append(w.b, '+')
	w.b = append(w.b, s...)
	w.b = append(w.b, '\r', '\n')
}

// Error writes an error line; msg starts with its code word.
func (w *Writer) Error(msg string) {
	w.b = append(w.b, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.b = append(w.b, c)
	}
	w.b = append(w.b, '\r', '\n')
}

// Err writes err mapped to its wire code.
func (w *Writer) Err(err error) { w.Error(ErrorText(err)) }

// Int writes an integer.
func (w *Writer) Int(n int64) { w.header(':', n) }

// Bulk writes a bulk string.
func (w *Writer) Bulk(b []byte) {
	w.header('$', int64(len(b)))
	w.b = append(w.b, b...)
	w.b = append(w.b, '\r', '\n')
}

// BulkString writes a bulk string.
func (w *Writer) BulkString(s string) {
	w.header('$', int64(len(s)))
	w.b = append(w.b, s...)
	w.b = append(w.b, '\r', '\n')
}

// Verbatim writes a RESP3 verbatim string (a bulk string under RESP2).
func (w *Writer) Verbatim(format, s string) {
	if w.proto < 3 {
		w.BulkString(s)
		return
	}
	w.header('=', int64(len(s)+4))
	w.b = append(w.b, format...)
	w.b = append(w.b, ':')
	w.b = append(w.b, s...)
	w.b = append(w.b, '\r', '\n')
}

// Null writes a null (a null bulk string under RESP2).
func (w *Writer) Null() {
	if w.proto >= 3 {
		w.b = append(w.b, '_', '\r', '\n')
		return
	}
	w.b = append(w.b, "$-1\r\n"...)
}

// NullArray writes a null (a null array under RESP2).
func (w *Writer) NullArray() {
	if w.proto >= 3 {
		w.b = append(w.b, '_', '\r', '\n')
		return
	}
	w.b = append(w.b, "*-1\r\n"...)
}

// Array starts an array of n elements.
func (w *Writer) Array(n int) { w.header('*', int64(n)) }

// Map starts a map of n pairs (a flat array of 2n under RESP2).
func (w *Writer) Map(n int) {
	if w.proto >= 3 {
		w.header('%', int64(n))
		return
	}
	w.header('*', int64(2*n))
}

// Set starts a set of n elements (an array under RESP2).
func (w *Writer) Set(n int) {
	if w.proto >= 3 {
		w.header('~', int64(n))
		return
	}
	w.header('*', int64(n))
}

// Push starts a push message of n elements (an array under RESP2).
func (w *Writer) Push(n int) {
	if w.proto >= 3 {
		w.header('>', int64(n))
		return
	}
	w.header('*', int64(n))
}

// Bool writes a boolean (the integer 1 or 0 under RESP2).
func (w *Writer) Bool(v bool) {
	switch {
	case w.proto < 3 && v:
		w.Int(1)
	case w.proto < 3:
		w.Int(0)
	case v:
		w.b = append(w.b, "#t\r\n"...)
	default:
		w.b = append(w.b, "#f\r\n"...)
	}
}

// Double writes a double (a bulk string under RESP2).
func (w *Writer) Double(f float64) {
	var s string
	switch {
	case math.IsInf(f, 1):
		s = "inf"
	case math.IsInf(f, -1):
		s = "-inf"
	default:
		s = strconv.FormatFloat(f, 'g', 17, 64)
	}
	if w.proto < 3 {
		w.BulkString(s)
		return
	}
	w.b = append(w.b, ',')
	w.b = append(w.b, s...)
	w.b = append(w.b, '\r', '\n')
}

// StringList writes strs as an array of bulk strings.
func (w *Writer) StringList(strs []string) {
	w.Array(len(strs))
	for _, s := range strs {
		w.BulkString(s)
	}
}
