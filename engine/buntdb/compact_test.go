package buntdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
)

// noLeftovers fails when a compaction left a link or a temporary file.
func noLeftovers(t *testing.T, path string) {
	t.Helper()
	for _, p := range []string{path + compactSuffix, path + tmpSuffix} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind (%v)", p, err)
		}
	}
}

func TestSnapshotCompacts(t *testing.T) {
	ctx := context.Background()
	path := dataPath(t)
	s := open(t, path, Config{Fsync: FsyncNever})
	const n = 400
	for v := range 5 {
		for i := range n {
			save(t, s, i%3, i, v)
		}
	}
	raw := 0
	for _, doc := range contents(t, s) {
		raw += len(doc)
	}
	before := s.Info()
	if float64(before.FileSize) < 4*float64(raw) {
		t.Fatalf("file %d bytes for %d bytes of documents: the test needs history to drop", before.FileSize, raw)
	}
	if err := s.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	in := s.Info()
	ratio := float64(in.FileSize) / float64(raw)
	t.Logf("documents %d bytes, file %d -> %d bytes after compaction: %.3fx; live estimate %d",
		raw, before.FileSize, in.FileSize, ratio, in.LiveBytes)
	if ratio > 1.3 {
		t.Errorf("compacted file is %.2fx the documents, want <= 1.3x", ratio)
	}
	if in.LiveBytes != in.FileSize {
		t.Errorf("live bytes %d, compacted file %d: the estimate drifted", in.LiveBytes, in.FileSize)
	}
	if in.Compactions != 1 || !in.LastSave.After(time.Now().Add(-time.Minute)) || in.LastSaveError != "" {
		t.Errorf("Info after Snapshot: %+v", in)
	}
	noLeftovers(t, path)
	want := contents(t, s)
	inc := save(t, s, 0, n+1, 0) // written to the new file
	want[key(0, inc.ID)] = string(inc.Doc)
	s.Close()
	s = open(t, path, Config{})
	equalContents(t, "reopened after compaction", contents(t, s), want)
}

func TestAutoCompaction(t *testing.T) {
	path := dataPath(t)
	s := open(t, path, Config{Fsync: FsyncNever, ShrinkMinSize: 64 << 10, Interval: 10 * time.Millisecond})
	for v := 0; s.Info().Compactions == 0; v++ {
		if v > 2000 {
			t.Fatal("no automatic compaction")
		}
		for i := range 20 {
			save(t, s, 0, i, v)
		}
		time.Sleep(time.Millisecond)
	}
	waitFor(t, "the compaction to finish", func() bool { return !s.Info().Compacting })
	want := contents(t, s)
	s.Close()
	noLeftovers(t, path)
	s = open(t, path, Config{})
	equalContents(t, "reopened", contents(t, s), want)
}

func TestCompactionUnderWrites(t *testing.T) {
	for _, policy := range []string{FsyncAlways, FsyncEverySec, FsyncNever} {
		t.Run(policy, func(t *testing.T) {
			ctx := context.Background()
			path := dataPath(t)
			s := open(t, path, Config{Fsync: policy})
			const writers = 8
			acked := make([]map[string]string, writers)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := range writers {
				acked[w] = map[string]string{}
				wg.Go(func() {
					for v := 0; ; v++ {
						select {
						case <-stop:
							return
						default:
						}
						id := w*100 + v%50
						inc := save(t, s, w%2, id, v)
						acked[w][key(w%2, inc.ID)] = string(inc.Doc)
					}
				})
			}
			for range 3 {
				if err := s.Snapshot(ctx); err != nil {
					t.Error(err)
				}
			}
			if err := s.BackgroundSnapshot(); err != nil {
				t.Error(err)
			}
			waitFor(t, "the background compaction", func() bool { return s.Info().Compactions == 4 })
			close(stop)
			wg.Wait()
			want := map[string]string{}
			for _, m := range acked {
				for k, v := range m {
					want[k] = v
				}
			}
			equalContents(t, "in memory", contents(t, s), want)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			noLeftovers(t, path)
			s = open(t, path, Config{})
			equalContents(t, "reopened", contents(t, s), want)
		})
	}
}

func TestSaveInProgress(t *testing.T) {
	s := open(t, dataPath(t), Config{})
	save(t, s, 0, 1, 0)
	if err := s.BackgroundSnapshot(); err != nil {
		t.Fatal(err)
	}
	if err := s.Snapshot(context.Background()); !errors.Is(err, ErrSaveInProgress) {
		t.Errorf("SAVE during BGSAVE: %v", err)
	}
	if err := s.BackgroundSnapshot(); !errors.Is(err, ErrSaveInProgress) {
		t.Errorf("BGSAVE during BGSAVE: %v", err)
	}
	waitFor(t, "BGSAVE", func() bool { return s.Info().Compactions == 1 })
}

// TestCompactionCrashWindow fails the fsync of the rewritten file, so that
// the compaction stops after buntdb's rename and before the new file is
// known durable, then "crashes": the next Open must restore the original.
func TestCompactionCrashWindow(t *testing.T) {
	path := dataPath(t)
	s := open(t, path, Config{})
	for i := range 50 {
		save(t, s, 0, i, 0)
		save(t, s, 0, i, 1)
	}
	want := contents(t, s)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fs := &failingSync{}
	s.setSyncFunc(fs.sync)
	fs.set(true)
	if err := s.Snapshot(context.Background()); !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("Snapshot with failing fsync: %v", err)
	}
	if _, err := os.Stat(path + compactSuffix); err != nil {
		t.Fatalf("the link to the original must survive a failed compaction: %v", err)
	}
	if err := s.Close(); err == nil {
		t.Fatal("Close must report that the file is not durable")
	}
	// The crash left the new, unconfirmed file in place; make it visibly
	// incomplete, as a power loss could.
	if err := os.Truncate(path, 100); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, Config{})
	equalContents(t, "after the interrupted compaction", contents(t, s), want)
	noLeftovers(t, path)
	if b, _ := os.ReadFile(path); string(b) != string(orig) {
		t.Error("the original file was not restored byte for byte")
	}
}

func TestInterruptedBeforeRename(t *testing.T) {
	path := dataPath(t)
	s := open(t, path, Config{})
	save(t, s, 0, 1, 0)
	want := contents(t, s)
	s.Close()
	if err := os.Link(path, path+compactSuffix); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+tmpSuffix, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, Config{})
	equalContents(t, "reopened", contents(t, s), want)
	noLeftovers(t, path)
}

func TestAsyncLoad(t *testing.T) {
	path := dataPath(t)
	s := open(t, path, Config{Fsync: FsyncNever})
	const n = 5000
	for i := range n {
		save(t, s, 0, i, 0)
	}
	s.Close()
	s, err := Open(path, testOpts(), Config{Async: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	loading := s.Loading()
	if loading {
		if _, err := s.Get(ctx, 0, testID(1)); !errors.Is(err, engine.ErrLoading) {
			t.Errorf("Get while loading: %v, want ErrLoading", err)
		}
		if err := s.Save(ctx, 0, incident(t, 1, 1)); !errors.Is(err, engine.ErrLoading) {
			t.Errorf("Save while loading: %v, want ErrLoading", err)
		}
		if !s.Info().Loading {
			t.Error("Info.Loading is false while loading")
		}
	}
	if err := s.Wait(); err != nil {
		t.Fatal(err)
	}
	in := s.Info()
	t.Logf("loading seen: %v; %d incidents loaded in %v", loading, n, in.LoadTime)
	if s.Loading() || in.Loading {
		t.Error("still loading after Wait")
	}
	if c, _ := s.Count(ctx, 0, engine.AnyFilter()); c != n {
		t.Errorf("Count = %d, want %d", c, n)
	}
}

func TestSkipsForeignRecords(t *testing.T) {
	path := dataPath(t)
	s := open(t, path, Config{})
	save(t, s, 0, 1, 0)
	want := contents(t, s)
	s.Close()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range [][2]string{{"x", "y"}, {"99:" + testID(2), "{}"}, {"0:" + testID(3), `{"not":"an incident"}`}} {
		fmt.Fprintf(f, "*3\r\n$3\r\nset\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(kv[0]), kv[0], len(kv[1]), kv[1])
	}
	f.Close()
	s = open(t, path, Config{})
	equalContents(t, "with foreign records", contents(t, s), want)
	if got := s.Info().SkippedRecords; got != 3 {
		t.Errorf("SkippedRecords = %d, want 3", got)
	}
}

// TestCompactionRetryKeepsLink: after a compaction whose new file could not
// be fsynced, the link must keep naming the original until a later
// compaction's file is durable.
func TestCompactionRetryKeepsLink(t *testing.T) {
	ctx := context.Background()
	path := dataPath(t)
	s := open(t, path, Config{Interval: time.Hour})
	for i := range 20 {
		save(t, s, 0, i, 0)
	}
	orig, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	fs := &failingSync{}
	s.setSyncFunc(fs.sync)
	fs.set(true)
	if err := s.Snapshot(ctx); err == nil {
		t.Fatal("Snapshot with failing fsync succeeded")
	}
	if err := s.Snapshot(ctx); err == nil {
		t.Fatal("second Snapshot with failing fsync succeeded")
	}
	if li, err := os.Stat(path + compactSuffix); err != nil || !os.SameFile(li, orig) {
		t.Fatalf("the link no longer names the original file (%v)", err)
	}
	fs.set(false)
	if err := s.Snapshot(ctx); err != nil {
		t.Fatal(err)
	}
	if in := s.Info(); !in.Healthy {
		t.Fatalf("not healthy after a durable compaction: %+v", in)
	}
	noLeftovers(t, path)
	save(t, s, 0, 100, 0)
	want := contents(t, s)
	s.Close()
	s = open(t, path, Config{})
	equalContents(t, "reopened", contents(t, s), want)
}
