package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"go.yaml.in/yaml/v3"
)

// writeFile writes content to name in a fresh temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// effectiveConfig runs imredis --check-config and returns the printed settings.
func effectiveConfig(t *testing.T, env []string, args ...string) map[string]any {
	t.Helper()
	r := runBinary(t, env, append([]string{"--check-config"}, args...)...)
	if r.code != 0 {
		t.Fatalf("--check-config %v: status %d\n%s", args, r.code, r.stderr)
	}
	var got map[string]any
	if err := yaml.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("--check-config printed invalid YAML: %v\n%s", err, r.stdout)
	}
	return got
}

func TestConfigPrecedence(t *testing.T) {
	file := writeFile(t, "imredis.yaml", `
addr: 127.0.0.1:7000
max-page-size: 10
log-level: warn
shutdown-timeout: 30s
user: [a:1, b:2]
`)
	cases := []struct {
		name string
		env  []string
		args []string
		want map[string]any
	}{
		{"defaults", nil, nil, map[string]any{
			"addr": "127.0.0.1:6379", "max-page-size": "1000", "log-level": "info",
			"http-addr": "127.0.0.1:9736", "shutdown-timeout": "10s", "log-format": "json", "log-file": "",
		}},
		{"file over default", nil, []string{"--config", file}, map[string]any{
			"addr": "127.0.0.1:7000", "max-page-size": "10", "log-level": "warn", "shutdown-timeout": "30s",
			"user": []any{"a:xxxxx", "b:xxxxx"}, "http-addr": "127.0.0.1:9736",
		}},
		{"config path from the environment", []string{"IMREDIS_CONFIG=" + file}, nil, map[string]any{
			"addr": "127.0.0.1:7000", "max-page-size": "10",
		}},
		{"env over file", []string{"IMREDIS_ADDR=127.0.0.1:7001", "IMREDIS_MAX_PAGE_SIZE=20", "IMREDIS_USER=c:3,d:4"},
			[]string{"--config", file}, map[string]any{
				"addr": "127.0.0.1:7001", "max-page-size": "20", "log-level": "warn", "user": []any{"c:xxxxx", "d:xxxxx"},
			}},
		{"flag over env over file", []string{"IMREDIS_ADDR=127.0.0.1:7001", "IMREDIS_MAX_PAGE_SIZE=20", "IMREDIS_USER=c:3"},
			[]string{"--config", file, "--addr", "127.0.0.1:7002", "--user", "e:5"}, map[string]any{
				"addr": "127.0.0.1:7002", "max-page-size": "20", "log-level": "warn", "user": []any{"e:xxxxx"},
			}},
		{"flag over file", nil, []string{"--config", file, "--log-level", "debug"}, map[string]any{
			"addr": "127.0.0.1:7000", "log-level": "debug",
		}},
		{"comment-only file", nil, []string{"--config", writeFile(t, "empty.yaml", "# nothing set\n")}, map[string]any{
			"addr": "127.0.0.1:6379", "max-page-size": "1000",
		}},
		{"empty env value is a value", []string{"IMREDIS_HTTP_ADDR="}, nil, map[string]any{"http-addr": ""}},
		{"every flag has a variable", []string{"IMREDIS_KEY_PREFIX=ops", "IMREDIS_DATABASES=4", "IMREDIS_MAX_INCIDENT_BYTES=2mb",
			"IMREDIS_PROTO_MAX_BULK_LEN=1mb", "IMREDIS_REQUIREPASS=s3cret", "IMREDIS_FSYNC=everysec", "IMREDIS_REPAIR=true",
			"IMREDIS_UPSTREAM_TIMEOUT=5s", "IMREDIS_LOG_FORMAT=console", "IMREDIS_LOG_FILE=/tmp/x.log", "IMREDIS_RESP3=no",
			"IMREDIS_ENGINE=redis://u:pw@127.0.0.1:6379/0"}, nil, map[string]any{
			"key-prefix": "ops", "databases": "4", "max-incident-bytes": "2097152", "proto-max-bulk-len": "1048576",
			"requirepass": "xxxxx", "fsync": "everysec", "repair": "true", "upstream-timeout": "5s", "log-format": "console",
			"log-file": "/tmp/x.log", "resp3": "no", "engine": "redis://u:xxxxx@127.0.0.1:6379/0",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := effectiveConfig(t, environ(c.env...), c.args...)
			for k, want := range c.want {
				if g := got[k]; !equalYAML(g, want) {
					t.Errorf("%s = %#v, want %#v", k, g, want)
				}
			}
		})
	}
}

func equalYAML(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok || bok {
		return aok && bok && slices.Equal(as, bs)
	}
	return a == b
}

func TestCheckConfigNamesSources(t *testing.T) {
	file := writeFile(t, "imredis.yaml", "log-level: warn\n")
	r := runBinary(t, environ("IMREDIS_ADDR=127.0.0.1:7001"), "--check-config", "--config", file, "--max-page-size", "5")
	if r.code != 0 {
		t.Fatalf("status %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"# from environment IMREDIS_ADDR", "# from flag --max-page-size", "# from config file " + file + " line 1"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "s3cret") {
		t.Error("a secret reached the output")
	}
}

func TestBadConfigExitsTwo(t *testing.T) {
	cases := []struct {
		name string
		file string // config file content, when set
		env  []string
		args []string
		want []string // substrings of stderr
	}{
		{name: "unknown file key", file: "addr: 127.0.0.1:0\nadr: x\n",
			want: []string{`unknown key "adr"`, "line 2", "the keys are addr, databases, engine"}},
		{name: "out of range file value", file: "databases: 0\n",
			want: []string{`invalid databases "0"`, "config file", "line 1", "want 1 to 1024"}},
		{name: "unparsable file value", file: "max-page-size: lots\n",
			want: []string{`invalid max-page-size "lots"`, "want an integer"}},
		{name: "bad file duration", file: "shutdown-timeout: soon\n",
			want: []string{`invalid shutdown-timeout "soon"`, "want a duration"}},
		{name: "nested file value", file: "addr:\n  host: x\n",
			want: []string{"invalid addr", "want a single value"}},
		{name: "duplicate file key", file: "addr: a:1\naddr: b:2\n",
			want: []string{`duplicate key "addr"`}},
		{name: "file not a mapping", file: "- addr\n",
			want: []string{"want a mapping of setting names to values"}},
		{name: "file syntax", file: "addr: [\n", want: []string{"config file"}},
		{name: "file action key", file: "check-config: true\n", want: []string{`unknown key "check-config"`}},
		{name: "missing file", args: []string{"--config", "/nonexistent/imredis.yaml"},
			want: []string{"config file", "/nonexistent/imredis.yaml"}},
		{name: "bad env value", env: []string{"IMREDIS_MAX_PAGE_SIZE=abc"},
			want: []string{`invalid max-page-size "abc"`, "IMREDIS_MAX_PAGE_SIZE", "want an integer"}},
		{name: "bad env enum", env: []string{"IMREDIS_LOG_LEVEL=loud"},
			want: []string{`invalid log-level "loud"`, "environment IMREDIS_LOG_LEVEL", "want debug, info, warn or error"}},
		{name: "bad env bool", env: []string{"IMREDIS_REPAIR=maybe"},
			want: []string{`invalid repair "maybe"`, "want true or false"}},
		{name: "bad flag enum", args: []string{"--log-format", "xml"},
			want: []string{`invalid log-format "xml"`, "flag --log-format", "want json or console"}},
		{name: "bad flag value", args: []string{"--databases", "many"},
			want: []string{"-databases", "want an integer"}},
		{name: "bad http addr", args: []string{"--http-addr", "9736"},
			want: []string{`invalid http-addr "9736"`, "want host:port, or empty"}},
		{name: "zero shutdown timeout", args: []string{"--shutdown-timeout", "0s"},
			want: []string{"shutdown-timeout", "want a positive duration"}},
		{name: "unknown flag", args: []string{"--bogus"}, want: []string{"-bogus"}},
		{name: "positional argument", args: []string{"serve"}, want: []string{`unexpected argument "serve"`}},
		{name: "unknown engine", args: []string{"--engine", "bogus://x"},
			want: []string{`invalid engine "bogus://x"`, "memory:", "buntdb:PATH", "redis://", "rediss://"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			args := c.args
			if c.file != "" {
				args = append([]string{"--config", writeFile(t, "imredis.yaml", c.file)}, args...)
			}
			r := runBinary(t, environ(c.env...), append([]string{"--addr", "127.0.0.1:0", "--http-addr", ""}, args...)...)
			if r.code != 2 {
				t.Fatalf("status %d, want 2\nstderr: %s", r.code, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

func TestUnknownEngineNamesTheEngines(t *testing.T) {
	r := runBinary(t, environ(), "--engine", "bogus://x", "--addr", "127.0.0.1:0", "--http-addr", "")
	if r.code == 0 {
		t.Fatalf("imredis --engine bogus://x exited 0")
	}
	for _, scheme := range []string{"memory:", "buntdb:PATH", "redis://"} {
		if !strings.Contains(r.stderr, scheme) {
			t.Errorf("message lacks %q: %s", scheme, r.stderr)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	r := runBinary(t, environ(), "-h")
	if r.code != 0 || !strings.Contains(r.stdout, "IMREDIS_") || !strings.Contains(r.stdout, "-shutdown-timeout") {
		t.Errorf("-h: status %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runBinary(t, environ(), "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "imredis ") {
		t.Errorf("--version: status %d, %q", r.code, r.stdout)
	}
}

// examples are the files under examples/ and the engine each names.
var examples = map[string]string{
	"embedded.yaml":   "buntdb:./data/imredis.db",
	"upstream.yaml":   "redis://127.0.0.1:6379/0",
	"production.yaml": "buntdb:/var/lib/imredis/imredis.db",
}

func TestExamplesLoad(t *testing.T) {
	paths, err := filepath.Glob("../../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
	}
	if len(names) != len(examples) {
		t.Fatalf("examples/ holds %v, want exactly %d files: %v", names, len(examples), examples)
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantEngine, ok := examples[name]
			if !ok {
				t.Fatalf("unexpected example %s", name)
			}
			got := effectiveConfig(t, environ(), "--config", path)
			if got["engine"] != wantEngine {
				t.Errorf("engine = %v, want %s", got["engine"], wantEngine)
			}
			// Serve with the example's settings, on the memory engine and
			// free ports, logging to stderr.
			p := startProc(t, environ(), "--config", path, "--engine", "memory:",
				"--addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0", "--log-file=", "--log-format", "json")
			var file map[string]any
			data, _ := os.ReadFile(path)
			if err := yaml.Unmarshal(data, &file); err != nil {
				t.Fatal(err)
			}
			pass, _ := file["requirepass"].(string)
			c := p.client()
			if pass != "" {
				if err := c.Do(t.Context(), "PING").Err(); err == nil || !strings.HasPrefix(err.Error(), "NOAUTH") {
					t.Errorf("PING before AUTH: %v, want NOAUTH", err)
				}
				c = p.client(func(o *redis.Options) { o.Password = pass })
			}
			if err := c.Ping(t.Context()).Err(); err != nil {
				t.Fatalf("PING: %v", err)
			}
			if code, body := p.get("/readyz"); code != 200 {
				t.Errorf("/readyz: %d %s", code, body)
			}
		})
	}
}
