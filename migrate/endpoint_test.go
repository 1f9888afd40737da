package migrate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
)

// TestBadURLs: every bad endpoint is refused before anything is opened or
// created, with an error that says which side is wrong and what would do.
func TestBadURLs(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing", "data")
	exists := filepath.Join(dir, "in.jsonl")
	writeBackup(t, exists, 0, 3)
	schemes := append([]string{"the endpoints are "}, Endpoints...)
	for _, tc := range []struct {
		name, from, to string
		want           []string
	}{
		{"unknown source", "ftp://host/x", "memory:", append([]string{`migrate: source: unknown endpoint "ftp://host/x"`}, schemes...)},
		{"unknown target", "memory:", "postgres://db/x", append([]string{`migrate: target: unknown endpoint "postgres://db/x"`}, schemes...)},
		{"empty source", "", "memory:", append([]string{`migrate: source: unknown endpoint ""`}, schemes...)},
		{"bare path", "memory:", "backup.jsonl", append([]string{`unknown endpoint "backup.jsonl"`}, schemes...)},
		{"redis without //", "redis:localhost:6379", "memory:", schemes},
		{"password hidden", "ftp://u:secret@host", "memory:", []string{`"ftp://u:xxxxx@host"`}},
		{"buntdb without path", "buntdb:", "memory:", []string{"migrate: source: buntdb needs a path: buntdb:PATH"}},
		{"jsonl without path", "jsonl:" + exists, "jsonl:", []string{"migrate: target: jsonl needs a path: jsonl:PATH"}},
		{"same endpoint", "jsonl:" + exists, "jsonl:" + exists, []string{"source and target are the same"}},
		{"same path", "jsonl:" + exists, "buntdb:" + exists, []string{"source and target are the same"}},
		{"missing buntdb", "buntdb:" + missing, "jsonl:" + missing + ".jsonl", []string{"migrate: source buntdb:" + missing, "no such file or directory"}},
		{"missing jsonl", "jsonl:" + missing, "memory:", []string{"migrate: source jsonl:" + missing, "no such file or directory"}},
		{"unreachable redis", "jsonl:" + exists, "redis://127.0.0.1:1", []string{"migrate: target redis://127.0.0.1:1: ", "connect"}},
		{"bad redis URL", "redis://u:secret@127.0.0.1:notaport", "memory:", []string{`migrate: source: bad redis URL: invalid port ":notaport" after host`}},
		{"bad URL hidden", "memory:", "ftp://u:secret@host:bad", []string{`unknown endpoint "ftp://u:xxxxx@host:bad"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := Run(context.Background(), tc.from, tc.to, testOptions(t))
			if err == nil {
				t.Fatalf("Run(%q, %q) succeeded: %+v", tc.from, tc.to, sum)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused run created %s: %v", filepath.Dir(missing), err)
	}
}

// TestJSONLSymmetric: a backup read and written again (jsonl to jsonl) is
// the canonical form of what was read, database by database, blank lines
// dropped; databases 0 and 15 (the last) both make the trip.
func TestJSONLSymmetric(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out", "copy.jsonl")
	want0 := writeBackup(t, in, 0, 30)
	want15 := writeBackup(t, in, 15, 5)
	raw := `{"title":"t","severity":"P1","source":"s","incident_type":"Security",` +
		`"id":"0a000000-0000-4000-8000-000000000000","created_at":"2024-03-01T02:00:00+02:00","updated_at":"2024-03-01T00:00:00Z"}`
	f, err := os.OpenFile(jsonlFile(in, 15), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n  \n" + raw + "\n")
	f.Close()
	want15 = append(want15, canon(t, []byte(raw)))

	sum := run(t, "jsonl:"+in, "jsonl:"+out, testOptions(t))
	checkSummary(t, sum, map[int]int64{0: 30, 15: 6})
	for db, want := range map[int][][]byte{0: want0, 15: want15} {
		got := readLines(t, jsonlFile(out, db))
		if len(got) != len(want) {
			t.Fatalf("db %d: %d lines, want %d", db, len(got), len(want))
		}
		have := map[string]bool{}
		for _, l := range got {
			have[string(l)] = true
		}
		for _, w := range want {
			if !have[string(w)] {
				t.Errorf("db %d lacks %s", db, w)
			}
		}
	}
	if got := backupFiles(t, filepath.Dir(out)); strings.Join(got, " ") != "copy.jsonl copy.jsonl.db15" {
		t.Errorf("backup files = %v", got)
	}
}

// TestJSONLReplaces: writing a backup replaces the previous one as a whole:
// an empty database 0 still gets its (empty) file and the file of a
// database that is now empty goes away.
func TestJSONLReplaces(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in", "b.jsonl"), filepath.Join(dir, "out", "b.jsonl")
	writeBackup(t, in, 0, 0)
	writeBackup(t, in, 3, 4)
	writeBackup(t, out, 0, 9)
	writeBackup(t, out, 7, 2)

	checkSummary(t, run(t, "jsonl:"+in, "jsonl:"+out, testOptions(t)), map[int]int64{3: 4})
	if got := backupFiles(t, filepath.Dir(out)); strings.Join(got, " ") != "b.jsonl b.jsonl.db3" {
		t.Errorf("backup files = %v, want b.jsonl b.jsonl.db3", got)
	}
	if n := len(readLines(t, out)); n != 0 {
		t.Errorf("b.jsonl holds %d lines, want 0", n)
	}
}

// TestJSONLRefuses: a bad line fails the run naming file and line, and the
// previous backup stays as it was, with no temporary file left behind; a
// database file beyond Options.Databases is refused rather than ignored.
func TestJSONLRefuses(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in", "b.jsonl"), filepath.Join(dir, "out", "b.jsonl")
	writeBackup(t, in, 0, 10)
	writeBackup(t, in, 3, 3)
	writeBackup(t, out, 0, 5)
	before := digestFiles(t, filepath.Dir(out))
	f, _ := os.OpenFile(jsonlFile(in, 3), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"title":"no severity","source":"s","incident_type":"Security"}` + "\n")
	f.Close()

	_, err := Run(context.Background(), "jsonl:"+in, "jsonl:"+out, testOptions(t))
	if !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), "b.jsonl.db3 line 4: severity is required") {
		t.Fatalf("Run = %v, want ErrInvalid naming b.jsonl.db3 line 4", err)
	}
	if after := digestFiles(t, filepath.Dir(out)); after != before {
		t.Errorf("a failed run changed the backup:\n%s\n%s", before, after)
	}

	writeBackup(t, in, 3, 3)
	writeBackup(t, in, 16, 1)
	_, err = Run(context.Background(), "jsonl:"+in, "memory:", testOptions(t))
	if err == nil || !strings.Contains(err.Error(), "b.jsonl.db16 holds database 16, but only databases 0 to 15 are migrated") {
		t.Fatalf("Run = %v, want database 16 refused", err)
	}
	o := testOptions(t)
	o.Databases = 17
	checkSummary(t, run(t, "jsonl:"+in, "memory:", o), map[int]int64{0: 10, 3: 3, 16: 1})
}
