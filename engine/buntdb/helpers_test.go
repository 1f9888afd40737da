package buntdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

// testID returns the i-th of a family of valid UUIDs.
func testID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012x", i) }

// incJSON renders incident i, version v (versions differ in state and title).
func incJSON(i, v int) []byte {
	return fmt.Appendf(nil, `{"id":%q,"created_at":"2024-01-01T00:00:%02d.%09dZ","severity":"P%d",`+
		`"state":%q,"incident_type":"Application","source":"src-%d","title":"incident %d v%d",`+
		`"labels":{"team":"t%d"},"description":%q}`,
		testID(i), i%60, i, i%5, engine.States[(i+v)%len(engine.States)], i%7, i, v, i%3, strings.Repeat("d", 200+i%50))
}

// incident parses incident i, version v.
func incident(t testing.TB, i, v int) *engine.Incident {
	t.Helper()
	inc, err := engine.Parse(incJSON(i, v), 1<<20, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// dataPath returns a data file path inside a fresh directory.
func dataPath(t testing.TB) string {
	return filepath.Join(t.TempDir(), "data", "imredis.db")
}

// testOpts are the engine options of the package's own tests.
func testOpts() engine.Options { return engine.Options{Databases: engine.Databases} }

// open opens the store at path and closes it when the test ends.
func open(t testing.TB, path string, cfg Config) *Store {
	t.Helper()
	return openWith(t, path, testOpts(), cfg)
}

// openWith is open with engine options o.
func openWith(t testing.TB, path string, o engine.Options, cfg Config) *Store {
	t.Helper()
	s, err := Open(path, o, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// save saves incident i, version v in db, failing the test on error.
func save(t testing.TB, s *Store, db, i, v int) *engine.Incident {
	t.Helper()
	inc := incident(t, i, v)
	if err := s.Save(context.Background(), db, inc); err != nil {
		t.Fatalf("Save(%d, %d): %v", i, v, err)
	}
	return inc
}

// contents returns every document of every database, keyed "<db>:<id>".
func contents(t testing.TB, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	for n := range engine.Databases {
		p, err := s.List(context.Background(), n, engine.Query{Filter: engine.AnyFilter(), Count: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Docs {
			inc, err := engine.Parse(d, 0, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			out[key(n, inc.ID)] = string(d)
		}
	}
	return out
}

// equalContents fails unless got and want hold the same documents.
func equalContents(t testing.TB, what string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("%s: %s missing", what, k)
		} else if g != w {
			t.Errorf("%s: %s = %s, want %s", what, k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %s", what, k)
		}
	}
}

// mode returns the permission bits of path.
func mode(t testing.TB, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
