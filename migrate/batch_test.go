package migrate

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/memory"
)

// checkScan fails unless r hands database db over in batches of at most n,
// every incident once, and when ordered in strictly ascending (created_at,
// id) order.
func checkScan(t *testing.T, r reader, db, n, want int, ordered bool) {
	t.Helper()
	var last *engine.Incident
	seen := 0
	err := r.Scan(context.Background(), db, n, func(incs []*engine.Incident) error {
		if len(incs) == 0 || len(incs) > n {
			t.Fatalf("batch of %d, limit %d", len(incs), n)
		}
		for _, inc := range incs {
			if ordered && last != nil && cmp.Or(cmp.Compare(last.Created, inc.Created), strings.Compare(last.ID, inc.ID)) >= 0 {
				t.Fatalf("batch size %d: %s after %s", n, inc.ID, last.ID)
			}
			last = inc
			seen++
		}
		return nil
	})
	if err != nil || seen != want {
		t.Fatalf("batch size %d: saw %d of %d, %v", n, seen, want, err)
	}
}

// TestScanBatches: both readers hand over bounded batches whatever the
// batch size; an engine pages in order through created_at ties.
func TestScanBatches(t *testing.T) {
	ctx := context.Background()
	mem := memory.New(engine.Options{})
	r := rand.New(rand.NewPCG(1, 1))
	backup := filepath.Join(t.TempDir(), "b.jsonl")
	writeBackup(t, backup, 0, 0)
	writeBackup(t, backup, 4, 300)
	for i := range 300 {
		if err := mem.Save(ctx, 4, parse(t, seedDoc(r, i))); err != nil {
			t.Fatal(err)
		}
	}
	jr, err := openJSONLReader(backup, engine.Databases)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 7, 299, 300, 1000} {
		checkScan(t, &storeEnd{s: mem, workers: 4}, 4, n, 300, true)
		checkScan(t, jr, 4, n, 300, false) // file order
	}
	checkScan(t, jr, 0, 10, 0, false)
}

// TestCanceled: a canceled context stops Run before the target changes.
func TestCanceled(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.jsonl"), filepath.Join(dir, "out", "b.jsonl")
	writeBackup(t, in, 0, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, "jsonl:"+in, "jsonl:"+out, testOptions(t)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if files := backupFiles(t, filepath.Dir(out)); len(files) != 0 {
		t.Errorf("a canceled run left %v", files)
	}
}
