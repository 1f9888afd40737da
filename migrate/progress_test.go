package migrate

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeBackup writes n canonical incidents as database db's file of the
// backup at path and returns them.
func writeBackup(t *testing.T, path string, db, n int) [][]byte {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(db), 3))
	var docs [][]byte
	var b bytes.Buffer
	for i := range n {
		doc := canon(t, []byte(seedDoc(r, 100*db+i)))
		docs = append(docs, doc)
		b.Write(doc)
		b.WriteByte('\n')
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jsonlFile(path, db), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return docs
}

// progressRun migrates a 250-incident backup (200 in db 0, 50 in db 3) into
// memory in batches of 50 and returns what Progress received.
func progressRun(t *testing.T, terminal bool, every time.Duration) string {
	t.Helper()
	backup := filepath.Join(t.TempDir(), "in.jsonl")
	writeBackup(t, backup, 0, 200)
	writeBackup(t, backup, 3, 50)
	var out bytes.Buffer
	o := testOptions(t)
	o.BatchSize, o.Progress, o.Terminal, o.ProgressEvery = 50, &out, terminal, every
	run(t, "jsonl:"+backup, "memory:", o)
	return out.String()
}

// TestProgressBar: on a terminal the bar is redrawn in place with "\r" after
// every batch (ProgressEvery is tiny here) and its line ends once, at 100%.
func TestProgressBar(t *testing.T) {
	out := progressRun(t, true, time.Nanosecond)
	t.Logf("%q", out)
	draws := strings.Split(out, "\r")[1:]
	if !strings.HasPrefix(out, "\r") || len(draws) != 7 { // the start, 5 batches, the end
		t.Fatalf("want 7 draws each starting with \\r, got %d: %q", len(draws), out)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Errorf("the bar's line must end once, at the end: %q", out)
	}
	if first := draws[0]; !strings.HasPrefix(first, "migrate ["+strings.Repeat(" ", barWidth)+"]   0% 0/250") {
		t.Errorf("first draw = %q", first)
	}
	if mid := draws[3]; !strings.Contains(mid, "]  60% 150/250  db 0") || !strings.Contains(mid, "eta") {
		t.Errorf("draw after 150 incidents = %q", mid)
	}
	last := draws[len(draws)-1]
	if !strings.HasPrefix(last, "migrate ["+strings.Repeat("=", barWidth)+"] 100% 250/250  db 3") || !strings.Contains(last, " in ") {
		t.Errorf("last draw = %q", last)
	}
	for _, d := range draws {
		if n := len(strings.TrimRight(d, " \n")); n > 100 {
			t.Errorf("a draw of %d characters does not fit a terminal: %q", n, d)
		}
	}
}

// TestProgressLines: off a terminal, progress is plain lines, one per
// ProgressEvery; with the default (2 s) a short run writes just the first
// and the last.
func TestProgressLines(t *testing.T) {
	out := progressRun(t, false, time.Nanosecond)
	t.Logf("%s", out)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if strings.Contains(out, "\r") || len(lines) != 7 {
		t.Fatalf("want 7 plain lines, got %d: %q", len(lines), out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "migrate: ") {
			t.Errorf("line %q lacks the migrate: prefix", l)
		}
	}
	if !strings.HasPrefix(lines[0], "migrate: 0/250 incidents (0%), database 0") {
		t.Errorf("first line = %q", lines[0])
	}
	if !strings.HasPrefix(lines[4], "migrate: 200/250 incidents (80%), database 0, ") {
		t.Errorf("line after 200 incidents = %q", lines[4])
	}
	if l := lines[6]; !strings.HasPrefix(l, "migrate: 250/250 incidents (100%), database 3, ") || !strings.Contains(l, " in ") {
		t.Errorf("last line = %q", l)
	}

	out = progressRun(t, false, 0)
	if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); len(lines) != 2 {
		t.Errorf("with the 2 s default a short run writes 2 lines, got %q", out)
	}
	if out := progressRun(t, true, 0); !strings.Contains(out, "100% 250/250") {
		t.Errorf("with the default interval the bar still ends at 100%%: %q", out)
	}
}

// TestProgressNone: no Progress writer, no output and no failure.
func TestProgressNone(t *testing.T) {
	backup := filepath.Join(t.TempDir(), "in.jsonl")
	writeBackup(t, backup, 0, 10)
	if sum := run(t, "jsonl:"+backup, "memory:", testOptions(t)); sum.Total != 10 {
		t.Errorf("Total = %d", sum.Total)
	}
}
