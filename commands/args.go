package commands

import (
	"strconv"
	"strings"

	"github.com/imredis/imredis/resp"
)

// args walks a command's arguments after its name; keywords are matched
// case-insensitively and a value is checked to exist before it is read.
type args struct {
	list [][]byte
	i    int
}

func newArgs(a [][]byte) *args { return &args{list: a} }

// more reports whether arguments remain.
func (a *args) more() bool { return a.i < len(a.list) }

// keyword returns the next argument upper-cased.
func (a *args) keyword() string {
	s := strings.ToUpper(string(a.list[a.i]))
	a.i++
	return s
}

// value returns the next argument, or ErrSyntax when there is none.
func (a *args) value() (string, error) {
	if !a.more() {
		return "", resp.ErrSyntax
	}
	s := string(a.list[a.i])
	a.i++
	return s, nil
}

// int returns the next argument as an integer.
func (a *args) int() (int64, error) {
	s, err := a.value()
	if err != nil {
		return 0, err
	}
	return parseInt(s)
}

// parseInt parses a plain decimal as Redis's string2ll does: no sign plus, no
// leading zeros, no spaces.
func parseInt(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || s[0] == '+' || (len(s) > 1 && (s[0] == '0' || s[0] == '-' && s[1] == '0')) {
		return 0, resp.ErrNotInteger
	}
	return n, nil
}

// once refuses a keyword given twice.
type once map[string]bool

func (o once) mark(k string) error {
	if o[k] {
		return resp.ErrSyntax
	}
	o[k] = true
	return nil
}

// eqFold reports whether b equals s case-insensitively.
func eqFold(b []byte, s string) bool { return strings.EqualFold(string(b), s) }
