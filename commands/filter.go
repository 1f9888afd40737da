package commands

import (
	"strings"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// parseFilterArg consumes one filter keyword (already read as kw) and its
// values into f. It reports false when kw is not a filter keyword.
//
//	SEVERITY s | STATE st | SOURCE src | TYPE t | LABEL key value | ACTIVE | SINCE ts | UNTIL ts
func parseFilterArg(kw string, r *args, f *engine.Filter, seen once) (bool, error) {
	switch kw {
	case "SEVERITY", "STATE", "TYPE", "SOURCE", "SINCE", "UNTIL":
		v, err := r.value()
		if err != nil {
			return true, err
		}
		return true, setFilterValue(kw, v, f, seen)
	case "LABEL":
		k, err := r.value()
		if err != nil {
			return true, err
		}
		v, err := r.value()
		if err != nil {
			return true, err
		}
		f.Labels = append(f.Labels, engine.Label{Key: k, Value: v})
	case "ACTIVE":
		return true, seen.mark(kw) // applied by finishFilter
	default:
		return false, nil
	}
	return true, nil
}

func setFilterValue(kw, v string, f *engine.Filter, seen once) error {
	switch kw {
	case "SEVERITY":
		s, ok := engine.ParseSeverity(v, true)
		if !ok {
			return engine.Invalidf("SEVERITY must be one of %s", strings.Join(engine.Severities, " "))
		}
		f.Severities |= 1 << s
	case "STATE":
		s, ok := engine.ParseState(v, true)
		if !ok {
			return engine.Invalidf("STATE must be one of %s", strings.Join(engine.States, " "))
		}
		f.States |= 1 << s
	case "TYPE":
		t, ok := engine.ParseType(v, true)
		if !ok {
			return engine.Invalidf("TYPE must be one of %s", strings.Join(engine.Types, " "))
		}
		f.Types |= 1 << t
	case "SOURCE":
		f.Sources = append(f.Sources, v)
	case "SINCE", "UNTIL":
		if err := seen.mark(kw); err != nil {
			return err
		}
		ns, ok := engine.ParseTime(v)
		if !ok {
			return engine.Invalidf("%s must be an RFC 3339 timestamp", kw)
		}
		if kw == "SINCE" {
			f.Since = ns
		} else {
			f.Until = ns
		}
	}
	return nil
}

// finishFilter applies ACTIVE and normalises f.
func finishFilter(f *engine.Filter, seen once) {
	if seen["ACTIVE"] {
		if f.States == 0 {
			f.States = engine.ActiveStates
		} else if f.States &= engine.ActiveStates; f.States == 0 {
			f.Empty = true
		}
	}
	f.Normalize()
}

// parseFilter parses a whole argument list of filter keywords (INC.COUNT).
func parseFilter(a [][]byte) (engine.Filter, error) {
	f, seen := engine.AnyFilter(), once{}
	r := newArgs(a)
	for r.more() {
		ok, err := parseFilterArg(r.keyword(), r, &f, seen)
		if err != nil {
			return f, err
		}
		if !ok {
			return f, resp.ErrSyntax
		}
	}
	finishFilter(&f, seen)
	return f, nil
}
