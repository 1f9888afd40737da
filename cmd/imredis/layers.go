package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// envPrefix starts the environment variable of every setting:
// IMREDIS_ + the flag name upper-cased with '-' as '_'.
const envPrefix = "IMREDIS_"

// loaded is a Config with where each set value came from.
type loaded struct {
	cfg      Config
	fs       *flag.FlagSet     // bound to cfg
	sources  map[string]string // flag name -> "flag --x", "environment IMREDIS_X", "config file F line N"
	warnings []string          // logged once the logger exists
}

// usageError is a bad setting: the process exits with status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// loadConfig layers the settings, flag > environment > config file > default,
// and validates the result. Every error but flag.ErrHelp is a *usageError.
func loadConfig(args, environ []string) (*loaded, error) {
	probe := defaultConfig()
	pfs := probe.flagSet()
	pfs.SetOutput(io.Discard)
	if err := pfs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, &usageError{err}
	}
	if pfs.NArg() > 0 {
		return nil, &usageError{fmt.Errorf("unexpected argument %q: settings are flags such as --addr host:port", pfs.Arg(0))}
	}
	byFlag := map[string]bool{}
	pfs.Visit(func(f *flag.Flag) { byFlag[f.Name] = true })
	env := envMap(environ)

	l := &loaded{cfg: defaultConfig(), sources: map[string]string{}}
	l.fs = l.cfg.flagSet()
	l.fs.SetOutput(io.Discard)
	path, pathOK := probe.ConfigFile, byFlag["config"]
	if !pathOK {
		path, pathOK = env[envName("config")]
	}
	if pathOK && path != "" {
		if err := l.applyFile(path); err != nil {
			return nil, &usageError{err}
		}
	}
	if err := l.applyEnv(env); err != nil {
		return nil, &usageError{err}
	}
	if byFlag["user"] {
		l.cfg.Users = nil // the flags replace the users of lower layers
	}
	if err := l.fs.Parse(args); err != nil {
		return nil, &usageError{err}
	}
	for name := range byFlag {
		l.sources[name] = "flag --" + name
	}
	l.cfg.ConfigFile = path
	if err := l.cfg.Validate(); err != nil {
		var ke *keyError
		if errors.As(err, &ke) {
			return nil, &usageError{invalid(ke.Key, ke.Value, l.source(ke.Key), "want "+ke.Want)}
		}
		return nil, &usageError{err}
	}
	return l, nil
}

// invalid formats a bad value the same way wherever it came from.
func invalid(key, value, from, why string) error {
	return fmt.Errorf("invalid %s %q (from %s): %s", key, value, from, why)
}

// source says where the value of key came from.
func (l *loaded) source(key string) string {
	if s, ok := l.sources[key]; ok {
		return s
	}
	return "default"
}

// envName returns the environment variable of a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func envMap(environ []string) map[string]string {
	m := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, envPrefix) {
			m[k] = v
		}
	}
	return m
}

// settingKeys returns the flag names settable from the environment and a
// file: every flag but the action flags (and, for files, --config itself).
func settingKeys(fs *flag.FlagSet, withConfig bool) []string {
	var keys []string
	fs.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(commandFlags, f.Name) && (withConfig || f.Name != "config") {
			keys = append(keys, f.Name)
		}
	})
	return keys
}

// set applies values of key from one layer; the repeatable user key
// replaces the users of lower layers instead of adding to them.
func (l *loaded) set(key string, values []string, from string) error {
	if key == "user" {
		l.cfg.Users = nil
	}
	for _, v := range values {
		if err := l.fs.Set(key, v); err != nil {
			return invalid(key, v, from, err.Error())
		}
	}
	l.sources[key] = from
	return nil
}

// applyEnv applies IMREDIS_* variables. A set variable counts even when
// empty (IMREDIS_HTTP_ADDR= turns the HTTP side port off); IMREDIS_USER holds
// a comma-separated list. Unknown IMREDIS_* variables are warned about, not
// refused: orchestrators inject some (e.g. Kubernetes' IMREDIS_PORT).
func (l *loaded) applyEnv(env map[string]string) error {
	known := map[string]bool{}
	for _, key := range settingKeys(l.fs, true) {
		name := envName(key)
		known[name] = true
		v, ok := env[name]
		if !ok || key == "config" {
			continue
		}
		values := []string{v}
		if key == "user" {
			values = strings.Split(v, ",")
		}
		if err := l.set(key, values, "environment "+name); err != nil {
			return err
		}
	}
	var unknown []string
	for name := range env {
		if !known[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		l.warnings = append(l.warnings, "ignoring environment variable "+name+": no such setting")
	}
	return nil
}

// applyFile applies a YAML file whose keys are flag names. Values are
// scalars parsed exactly as the flag parses them; user also takes a list.
func (l *loaded) applyFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		return nil // empty file
	}
	keys := settingKeys(l.fs, false)
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("config file %s line %d: want a mapping of setting names to values; the keys are %s",
			path, root.Line, strings.Join(keys, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		from := fmt.Sprintf("config file %s line %d", path, k.Line)
		switch {
		case !slices.Contains(keys, k.Value):
			return fmt.Errorf("unknown key %q in %s: the keys are %s", k.Value, from, strings.Join(keys, ", "))
		case seen[k.Value]:
			return fmt.Errorf("duplicate key %q in %s: give each key once", k.Value, from)
		}
		seen[k.Value] = true
		values, err := nodeValues(k.Value, v)
		if err != nil {
			return fmt.Errorf("invalid %s (from %s): %w", k.Value, from, err)
		}
		if err := l.set(k.Value, values, from); err != nil {
			return err
		}
	}
	return nil
}

// nodeValues returns the scalar value(s) of a file entry.
func nodeValues(key string, v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		return []string{""}, nil
	case v.Kind == yaml.ScalarNode:
		return []string{v.Value}, nil
	case v.Kind == yaml.SequenceNode && key == "user":
		var out []string
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				return nil, errors.New("want a list of name:password strings")
			}
			out = append(out, e.Value)
		}
		return out, nil
	case key == "user":
		return nil, errors.New("want a name:password string or a list of them")
	}
	return nil, errors.New("want a single value, not a list or a mapping")
}
