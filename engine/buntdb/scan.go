package buntdb

import (
	"bufio"
	"errors"
	"io"
	"os"
)

// span is a byte range [from, to) of the data file.
type span struct{ from, to int64 }

// scanResult describes what a data file holds, as scanFile found it.
type scanResult struct {
	size int64 // bytes in the file
	// valid is the end of the last complete record before any damage.
	valid int64
	// damage is the offset of the first byte that is not a record (NUL
	// padding or garbage), or -1 when there is none.
	damage int64
	// torn is set when the file ends inside a record that is well-formed as
	// far as it goes, with no damage before it: a write cut short by a crash.
	torn bool
	// keep lists every complete record up to the first garbage, NUL runs
	// left out: what a repair keeps.
	keep []span
}

// recState is how reading one record ended.
type recState int

const (
	recOK   recState = iota // a complete record
	recTorn                 // the file ended inside a well-formed prefix
	recBad                  // bytes that are not a record buntdb accepts
)

// maxDigits bounds the length prefixes of the RESP framing.
const maxDigits = 12

// scanFile reads the buntdb append-only file at path record by record,
// accepting exactly what buntdb loads (set, del, flushdb) and nothing that
// buntdb would misread: a NUL byte counts as damage because buntdb skips NULs
// without counting them and then resumes writing at the wrong offset.
func scanFile(path string) (scanResult, error) {
	res := scanResult{damage: -1}
	f, err := os.Open(path)
	if err != nil {
		return res, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return res, err
	}
	res.size = fi.Size()
	r := &reader{r: bufio.NewReaderSize(f, int(min(res.size+16, 1<<20)))}
	for r.pos < res.size {
		start := r.pos
		c, err := r.r.ReadByte()
		if err != nil {
			return res, err
		}
		r.pos++
		if c == 0 {
			if res.damage < 0 {
				res.damage = start
			}
			continue
		}
		if err := r.r.UnreadByte(); err != nil {
			return res, err
		}
		r.pos--
		st, err := r.record(res.size)
		if err != nil {
			return res, err
		}
		switch st {
		case recOK:
			res.add(span{start, r.pos})
		case recTorn:
			res.torn = res.damage < 0
			return res, nil
		case recBad:
			if res.damage < 0 {
				res.damage = start
			}
			return res, nil
		}
	}
	return res, nil
}

// add records one complete record.
func (res *scanResult) add(s span) {
	if res.damage < 0 {
		res.valid = s.to
	}
	if n := len(res.keep); n > 0 && res.keep[n-1].to == s.from {
		res.keep[n-1].to = s.to
		return
	}
	res.keep = append(res.keep, s)
}

// reader tracks the offset of a buffered reader.
type reader struct {
	r   *bufio.Reader
	pos int64
}

// record reads one RESP array command at the current offset.
func (r *reader) record(size int64) (recState, error) {
	n, st, err := r.length('*')
	if st != recOK || err != nil {
		return st, err
	}
	if n < 1 || n > 5 {
		return recBad, nil
	}
	var cmd string
	for i := int64(0); i < n; i++ {
		l, st, err := r.length('$')
		if st != recOK || err != nil {
			return st, err
		}
		if r.pos+l+2 > size {
			return recTorn, nil
		}
		var part []byte
		if i == 0 || (cmd == "set" && i >= 3) {
			if l > 32 {
				return recBad, nil
			}
			part = make([]byte, l)
			_, err = io.ReadFull(r.r, part)
		} else {
			_, err = r.r.Discard(int(l))
		}
		if err != nil {
			return 0, err
		}
		r.pos += l
		if st, err := r.crlf(); st != recOK || err != nil {
			return st, err
		}
		if i == 0 {
			cmd = lower(part)
		} else if !argOK(cmd, i, part) {
			return recBad, nil
		}
	}
	switch {
	case cmd == "set" && (n == 3 || n == 5), cmd == "del" && n == 2, cmd == "flushdb" && n == 1:
		return recOK, nil
	}
	return recBad, nil
}

// argOK checks the expiry arguments of a five-part set.
func argOK(cmd string, i int64, part []byte) bool {
	switch {
	case cmd != "set" || i < 3:
		return true
	case i == 3:
		return lower(part) == "ex" || lower(part) == "ae"
	}
	if len(part) == 0 {
		return false
	}
	for _, c := range part {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// length reads a "<prefix><digits>\r\n" line.
func (r *reader) length(prefix byte) (int64, recState, error) {
	c, st, err := r.byte()
	if st != recOK || err != nil {
		return 0, st, err
	}
	if c != prefix {
		return 0, recBad, nil
	}
	var n int64
	for digits := 0; ; digits++ {
		c, st, err := r.byte()
		if st != recOK || err != nil {
			return 0, st, err
		}
		if c == '\r' {
			if digits == 0 {
				return 0, recBad, nil
			}
			break
		}
		if c < '0' || c > '9' || digits == maxDigits {
			return 0, recBad, nil
		}
		n = n*10 + int64(c-'0')
	}
	c, st, err = r.byte()
	if st != recOK || err != nil {
		return 0, st, err
	}
	if c != '\n' {
		return 0, recBad, nil
	}
	return n, recOK, nil
}

// crlf reads the "\r\n" that ends a bulk string.
func (r *reader) crlf() (recState, error) {
	for _, want := range []byte{'\r', '\n'} {
		c, st, err := r.byte()
		if st != recOK || err != nil {
			return st, err
		}
		if c != want {
			return recBad, nil
		}
	}
	return recOK, nil
}

// byte reads one byte; the end of the file means a torn record.
func (r *reader) byte() (byte, recState, error) {
	c, err := r.r.ReadByte()
	if errors.Is(err, io.EOF) {
		return 0, recTorn, nil
	}
	if err != nil {
		return 0, recBad, err
	}
	r.pos++
	return c, recOK, nil
}

// lower returns b in lower case (ASCII).
func lower(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}
