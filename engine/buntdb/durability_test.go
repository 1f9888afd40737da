package buntdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/imredis/imredis/engine"
	bunt "github.com/tidwall/buntdb"
)

func TestSecondOpenRefused(t *testing.T) {
	path := dataPath(t)
	s := open(t, path, Config{})
	_, err := Open(path, testOpts(), Config{})
	want := "data directory " + filepath.Dir(path) + " is in use by another imredis process"
	if err == nil || err.Error() != want {
		t.Fatalf("second Open: %v, want %q", err, want)
	}
	save(t, s, 0, 1, 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, Config{})
	if doc, _ := s.Get(context.Background(), 0, testID(1)); doc == nil {
		t.Fatal("incident lost across reopen")
	}
}

func TestModes(t *testing.T) {
	path := dataPath(t)
	s := open(t, path, Config{})
	save(t, s, 0, 1, 0)
	if m := mode(t, filepath.Dir(path)); m != dirMode {
		t.Errorf("data directory mode %v, want %v", m, os.FileMode(dirMode))
	}
	for _, p := range []string{path, filepath.Join(filepath.Dir(path), lockName)} {
		if m := mode(t, p); m != fileMode {
			t.Errorf("%s mode %v, want %v", p, m, os.FileMode(fileMode))
		}
	}
	if err := s.Snapshot(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != fileMode {
		t.Errorf("data file mode after compaction %v, want %v", m, os.FileMode(fileMode))
	}
}

func TestGroupCommit(t *testing.T) {
	const writers, each = 50, 20
	s := open(t, dataPath(t), Config{Fsync: FsyncAlways})
	before := s.Info()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				save(t, s, 0, w*each+i, 0)
			}
		})
	}
	wg.Wait()
	in := s.Info()
	writes, fsyncs := in.Writes-before.Writes, in.Fsyncs-before.Fsyncs
	t.Logf("%d writes, %d fsyncs: %.3f fsyncs per write, %v per fsync",
		writes, fsyncs, float64(fsyncs)/float64(writes), in.FsyncTime/time.Duration(max(in.Fsyncs, 1)))
	if writes != writers*each {
		t.Fatalf("%d writes counted, want %d", writes, writers*each)
	}
	if fsyncs*4 > writes {
		t.Errorf("%d fsyncs for %d concurrent writes: writes do not share fsyncs", fsyncs, writes)
	}
	if n, _ := s.Count(context.Background(), 0, engine.AnyFilter()); n != writers*each {
		t.Errorf("Count = %d, want %d", n, writers*each)
	}
}

// failingSync makes every fsync fail while on is set.
type failingSync struct {
	mu    sync.Mutex
	on    bool
	n     int
	delay time.Duration // how long a failing fsync takes
}

func (f *failingSync) set(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on = on
}

func (f *failingSync) sync(file *os.File) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.on {
		f.n++
		time.Sleep(f.delay)
		return errors.New("injected EIO")
	}
	return fdatasync(file)
}

func TestFsyncError(t *testing.T) {
	for _, policy := range []string{FsyncAlways, FsyncEverySec} {
		t.Run(policy, func(t *testing.T) { testFsyncError(t, policy) })
	}
}

func testFsyncError(t *testing.T, policy string) {
	ctx := context.Background()
	path := dataPath(t)
	s := open(t, path, Config{Fsync: policy, Interval: 20 * time.Millisecond})
	fs := &failingSync{}
	s.setSyncFunc(fs.sync)
	save(t, s, 0, 1, 0)
	fs.set(true)
	err := s.Save(ctx, 0, incident(t, 2, 0))
	if policy == FsyncEverySec {
		if err != nil {
			t.Fatalf("everysec Save before the failing fsync: %v", err)
		}
		waitFor(t, "the background fsync to fail", func() bool { return !s.Info().Healthy })
		err = s.Save(ctx, 0, incident(t, 3, 0))
	}
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("Save with failing fsync: %v, want ErrUnavailable", err)
	}
	for _, err := range []error{
		s.Save(ctx, 0, incident(t, 4, 0)),
		func() error { _, err := s.Delete(ctx, 0, []string{testID(1)}); return err }(),
		s.Ping(ctx),
	} {
		if !errors.Is(err, engine.ErrUnavailable) || !strings.Contains(err.Error(), "injected EIO") {
			t.Errorf("while unhealthy: %v, want ErrUnavailable naming the fsync error", err)
		}
	}
	in := s.Info()
	if in.Healthy || in.LastFsyncError != "injected EIO" {
		t.Errorf("Info: healthy %v, last fsync error %q", in.Healthy, in.LastFsyncError)
	}
	if doc, _ := s.Get(ctx, 0, testID(1)); doc == nil {
		t.Error("reads must keep working while writes are refused")
	}
	fs.set(false)
	waitFor(t, "the store to heal", func() bool { return s.Info().Healthy })
	save(t, s, 0, 5, 0)
	if s.Info().Compactions == 0 {
		t.Error("healing must rewrite the file")
	}
	want := contents(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, Config{})
	equalContents(t, "reopened after healing", contents(t, s), want)
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPolicies(t *testing.T) {
	t.Run("always", func(t *testing.T) {
		s := open(t, dataPath(t), Config{Fsync: FsyncAlways})
		for i := range 10 {
			save(t, s, 0, i, 0)
		}
		if n := s.Info().Fsyncs; n < 10 {
			t.Errorf("%d fsyncs for 10 serial writes under always", n)
		}
	})
	t.Run("everysec", func(t *testing.T) {
		s := open(t, dataPath(t), Config{Fsync: FsyncEverySec, Interval: 20 * time.Millisecond})
		for i := range 10 {
			save(t, s, 0, i, 0)
		}
		waitFor(t, "the background fsync", func() bool { return s.Info().Fsyncs > 0 })
		n := s.Info().Fsyncs
		time.Sleep(100 * time.Millisecond)
		if m := s.Info().Fsyncs; m != n {
			t.Errorf("%d fsyncs without writes", m-n)
		}
	})
	t.Run("never", func(t *testing.T) {
		s := open(t, dataPath(t), Config{Fsync: FsyncNever, Interval: 20 * time.Millisecond})
		for i := range 10 {
			save(t, s, 0, i, 0)
		}
		time.Sleep(100 * time.Millisecond)
		if n := s.Info().Fsyncs; n != 0 {
			t.Errorf("%d fsyncs under never", n)
		}
	})
	if _, err := Open(dataPath(t), testOpts(), Config{Fsync: "sometimes"}); err == nil {
		t.Error("Open accepted fsync policy sometimes")
	}
}

// TestDocSharesMemory: the document Get returns is the very bytes buntdb
// holds, after Save and after a reopen, so each document is in memory once.
func TestDocSharesMemory(t *testing.T) {
	path := dataPath(t)
	s := open(t, path, Config{Fsync: FsyncNever})
	inc := save(t, s, 3, 7, 0)
	check := func(what string) {
		t.Helper()
		doc, err := s.Get(context.Background(), 3, inc.ID)
		if err != nil || doc == nil {
			t.Fatalf("%s: Get: %v", what, err)
		}
		err = s.bdb.View(func(tx *bunt.Tx) error {
			v, err := tx.Get(key(3, inc.ID))
			if err == nil && unsafe.StringData(v) != &doc[0] {
				t.Errorf("%s: the document is held twice", what)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check("after Save")
	s.Close()
	s = open(t, path, Config{})
	check("after reopen")
}

// TestFsyncErrorUnderLoad fails an fsync while many writers are in flight:
// under fsync always their file writes are deferred to the group commit, so
// batches refused after the failure hold writes that are in memory but not
// in the file. Healing must write them before it rewrites the file, so that
// memory and file agree after a reopen, and no writer is acknowledged.
func TestFsyncErrorUnderLoad(t *testing.T) {
	ctx := context.Background()
	path := dataPath(t)
	s := open(t, path, Config{Fsync: FsyncAlways, Interval: 20 * time.Millisecond})
	// A slow failing fsync lets writers join the batches behind it.
	fs := &failingSync{delay: 50 * time.Millisecond}
	s.setSyncFunc(fs.sync)
	save(t, s, 0, 1, 0)
	fs.set(true)
	var wg sync.WaitGroup
	var acked sync.Map
	for w := range 20 {
		wg.Go(func() {
			for i := range 10 {
				id := 100 + w*10 + i
				if err := s.Save(ctx, 0, incident(t, id, 0)); err == nil {
					acked.Store(id, true)
				} else if !errors.Is(err, engine.ErrUnavailable) {
					t.Errorf("Save(%d): %v, want ErrUnavailable", id, err)
				}
			}
		})
	}
	wg.Wait()
	acked.Range(func(k, _ any) bool {
		t.Errorf("Save(%v) acknowledged while every fsync failed", k)
		return true
	})
	fs.set(false)
	waitFor(t, "the store to heal", func() bool { return s.Info().Healthy })
	save(t, s, 0, 2, 0)
	want := contents(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, path, Config{})
	equalContents(t, "reopened after healing", contents(t, s), want)
}
