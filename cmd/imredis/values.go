package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The flag values below parse like the standard ones but say what is
// allowed when a value is refused; config file and environment values go
// through the same Set.

// userList collects repeated --user name:password flags.
type userList map[string]string

func (u *userList) String() string {
	if u == nil {
		return ""
	}
	return fmt.Sprintf("%d users", len(*u))
}

func (u *userList) Set(v string) error {
	name, pass, ok := strings.Cut(v, ":")
	if !ok || name == "" || pass == "" {
		return errors.New("want name:password")
	}
	if *u == nil {
		*u = userList{}
	}
	(*u)[name] = pass
	return nil
}

// intValue is an int flag whose error says what is allowed.
type intValue struct{ p *int }

func (v intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}

func (v intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return errors.New("want an integer")
	}
	*v.p = n
	return nil
}

// durationValue is a duration flag whose error says what is allowed.
type durationValue struct{ p *time.Duration }

func (v durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return errors.New("want a duration such as 500ms, 10s or 1m30s")
	}
	*v.p = d
	return nil
}

// boolValue is a bool flag whose error says what is allowed.
type boolValue struct{ p *bool }

func (v boolValue) String() string   { return strconv.FormatBool(v.p != nil && *v.p) }
func (v boolValue) IsBoolFlag() bool { return true }

func (v boolValue) Set(s string) error {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return errors.New("want true or false")
	}
	*v.p = b
	return nil
}

// resp3Value is --resp3 yes|no, stored as its negation (NoRESP3).
type resp3Value struct{ no *bool }

func (v resp3Value) String() string {
	if v.no != nil && *v.no {
		return "no"
	}
	return "yes"
}

func (v resp3Value) Set(s string) error {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "true":
		*v.no = false
	case "no", "false":
		*v.no = true
	default:
		return errors.New("want yes or no")
	}
	return nil
}

// sizeValue parses byte sizes such as 1048576, 512kb, 1mb, 1gb.
type sizeValue struct{ p *int64 }

func (s sizeValue) String() string {
	if s.p == nil {
		return "0"
	}
	return strconv.FormatInt(*s.p, 10)
}

func (s sizeValue) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s.p = n
	return nil
}

func parseSize(v string) (int64, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, errors.New("want a positive size such as 1048576, 512kb or 1mb")
	}
	return n * mult, nil
}
