package migrate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/factory"
	"github.com/imredis/imredis/internal/redistest"
)

// TestIdempotent runs each kind of migration twice: the second run changes
// nothing in the target (the Redis dataset digest, the buntdb file, the
// jsonl files are identical) and ends with the same counts. Engines skip
// what they already hold; a jsonl backup is rewritten to the same bytes.
func TestIdempotent(t *testing.T) {
	src := redistest.Start(t)
	fx := seed(t, src, map[int]int{0: 300, 5: 200})
	want := map[int]int64{0: 300, 5: 200}
	dst := redistest.Start(t, "--enable-debug-command", "yes")
	dir := t.TempDir()
	buntPath := filepath.Join(dir, "bunt", "imredis.db")
	backup := filepath.Join(dir, "backup", "incidents.jsonl")
	for _, tc := range []struct {
		name, to string
		snap     func() string
		rewrites bool
	}{
		{"redis", dst.URL(), func() string { return redisDigest(t, dst) }, false},
		{"buntdb", "buntdb:" + buntPath, func() string { return digestFiles(t, filepath.Dir(buntPath)) }, false},
		{"jsonl", "jsonl:" + backup, func() string { return digestFiles(t, filepath.Dir(backup)) }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkSummary(t, run(t, src.URL(), tc.to, testOptions(t)), want)
			before := tc.snap()
			second := run(t, src.URL(), tc.to, testOptions(t))
			if after := tc.snap(); after != before {
				t.Errorf("the second run changed the target:\n%s\n%s", before, after)
			}
			for _, d := range second.PerDB {
				n := want[d.DB]
				written, unchanged := int64(0), n
				if tc.rewrites {
					written, unchanged = n, 0
				}
				if d.Read != n || d.Written != written || d.Unchanged != unchanged || d.SourceCount != n || d.TargetCount != n {
					t.Errorf("second run, db %d: %+v; want %d read, %d written", d.DB, d, n, written)
				}
			}
			checkHolds(t, tc.to, fx)
		})
	}
}

// TestConverges damages a migrated target (one incident changed, one
// deleted, two added): a second run rewrites exactly the two missing or
// different ones, keeps the additions and reports them.
func TestConverges(t *testing.T) {
	ctx := context.Background()
	src, dst := redistest.Start(t), redistest.Start(t)
	fx := seed(t, src, map[int]int{0: 150, 5: 50})
	run(t, src.URL(), dst.URL(), testOptions(t))

	s, err := factory.Open(ctx, dst.URL(), engine.Options{}, factory.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(fx[3].canon), `"title":"seed 3"`, `"title":"edited"`, 1)
	extra := strings.ReplaceAll(string(fx[0].canon), fx[0].id, "0e000000-0000-4000-8000-000000000000")
	for _, w := range []struct {
		db  int
		doc string
	}{{0, changed}, {5, extra}, {9, extra}} {
		if err := s.Save(ctx, w.db, parse(t, w.doc)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.Delete(ctx, 5, []string{fx[160].id}); n != 1 || err != nil {
		t.Fatalf("Delete = %d, %v", n, err)
	}
	s.Close()

	sum := run(t, src.URL(), dst.URL(), testOptions(t))
	got := map[int]DBSummary{}
	for _, d := range sum.PerDB {
		got[d.DB] = d
	}
	wantDB := map[int]DBSummary{
		0: {DB: 0, Read: 150, Written: 1, Unchanged: 149, SourceCount: 150, TargetCount: 150},
		5: {DB: 5, Read: 50, Written: 1, Unchanged: 49, SourceCount: 50, TargetCount: 51},
		9: {DB: 9, TargetCount: 1},
	}
	if len(got) != len(wantDB) {
		t.Errorf("summary covers %v, want dbs 0, 5 and 9", sum.PerDB)
	}
	for db, w := range wantDB {
		if got[db] != w {
			t.Errorf("db %d: %+v, want %+v", db, got[db], w)
		}
	}
	for _, note := range []string{"db 5: the target holds 1 incident(s) the source does not",
		"db 9: the target holds 1 incident(s) the source does not"} {
		if !strings.Contains(sum.String(), note) {
			t.Errorf("summary lacks %q:\n%s", note, sum)
		}
	}
	v, stop := openView(t, dst.URL())
	defer stop()
	for _, f := range fx {
		if got := v.get(f.db, f.id); string(got) != string(f.canon) {
			t.Fatalf("db %d incident %s = %s, want %s", f.db, f.id, got, f.canon)
		}
	}
}

// TestIncomplete: a source incident the engine cannot serve (its stored
// JSON fails validation) is not silently dropped: Run fails with
// ErrIncomplete and the summary shows the shortfall.
func TestIncomplete(t *testing.T) {
	src := redistest.Start(t)
	fx := seed(t, src, map[int]int{0: 20})
	bad := strings.Replace(fx[1].raw, fx[1].id, "0b000000-0000-4000-8000-000000000000", 1)
	seedWrite(t, src.Client(0), strings.Replace(bad, `"severity":"`, `"severity":"X`, 1))

	sum, err := Run(context.Background(), src.URL(), "memory:", testOptions(t))
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "database 0: the target holds 20 incidents, the source 21") {
		t.Fatalf("Run = %v, want ErrIncomplete for database 0", err)
	}
	if len(sum.PerDB) != 1 || sum.PerDB[0].Read != 20 || sum.PerDB[0].SourceCount != 21 || sum.PerDB[0].TargetCount != 20 {
		t.Errorf("summary = %+v", sum.PerDB)
	}
	if !strings.Contains(sum.String(), "db 0: the target lacks 1 of the source's incidents") {
		t.Errorf("summary lacks the shortfall:\n%s", sum)
	}
}

// redisDigest returns DEBUG DIGEST: a hash of every database's content.
func redisDigest(t *testing.T, srv *redistest.Server) string {
	t.Helper()
	d, err := srv.Client(0).Do(context.Background(), "DEBUG", "DIGEST").Text()
	if err != nil || strings.Trim(d, "0") == "" {
		t.Fatalf("DEBUG DIGEST = %q, %v", d, err)
	}
	return d
}

// parse validates doc, failing the test on error.
func parse(t *testing.T, doc string) *engine.Incident {
	t.Helper()
	inc, err := engine.Parse([]byte(doc), 0, epoch)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return inc
}

// digestFiles returns the names and SHA-256 sums of the files in dir.
func digestFiles(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, name := range backupFiles(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		b.WriteString(name + " " + hex.EncodeToString(sum[:]) + "\n")
	}
	return b.String()
}
