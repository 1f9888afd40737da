package buntdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/imredis/imredis/engine"
	bunt "github.com/tidwall/buntdb"
)

// batch is a group of writes that one file write (and under fsync always
// one fsync) acknowledges.
type batch struct {
	done   chan struct{}
	writes []func(tx *bunt.Tx) error // deferred file writes, in commit order
	events []engine.Event            // in commit order, emitted once the batch is written (and fsynced)
	err    error                     // set before done is closed
}

// syncer is the group-commit goroutine. Writers join the current batch; the
// syncer takes the batch, writes its deferred records to the file in one
// buntdb transaction (one write call), fsyncs when the policy or a
// compaction asks for it, and releases every writer in it. An fsync
// therefore always covers the writes it acknowledges, and writers arriving
// during a write or an fsync share the next one.
type syncer struct {
	s    *Store
	mu   sync.Mutex
	cur  *batch        // collecting writers; nil when none wait
	wake chan struct{} // capacity 1
}

func newSyncer(s *Store) *syncer {
	return &syncer{s: s, wake: make(chan struct{}, 1)}
}

// join adds a committed write's events, and its file write when deferred
// (write non-nil), to the current batch and returns it. The caller holds
// commitMu, so batches hold writes and events in commit order.
func (y *syncer) join(write func(tx *bunt.Tx) error, events []engine.Event) *batch {
	y.mu.Lock()
	defer y.mu.Unlock()
	if y.cur == nil {
		y.cur = &batch{done: make(chan struct{})}
	}
	if write != nil {
		y.cur.writes = append(y.cur.writes, write)
	}
	y.cur.events = append(y.cur.events, events...)
	select {
	case y.wake <- struct{}{}:
	default:
	}
	return y.cur
}

// run serves batches until the store stops, then drains the last one.
func (y *syncer) run() {
	defer y.s.wg.Done()
	for {
		select {
		case <-y.wake:
			y.flush()
		case <-y.s.stop:
			y.flush()
			return
		}
	}
}

// flush writes the current batch's deferred records, fsyncs under fsync
// always and while a compaction swaps files (see compact), emits its events
// and releases it.
func (y *syncer) flush() {
	y.mu.Lock()
	b := y.cur
	y.cur = nil
	y.mu.Unlock()
	if b == nil {
		return
	}
	if b.err = y.s.writeOut(b.writes); b.err == nil {
		for _, ev := range b.events {
			y.s.opts.Emit(ev)
		}
	}
	close(b.done)
}

// writeOut writes a batch's deferred records and fsyncs when due. Writes it
// could not make, or that come after a failure, are kept for the compaction
// that heals the store (see keepUnwritten).
func (s *Store) writeOut(writes []func(tx *bunt.Tx) error) error {
	if h := s.health.Load(); h != nil {
		s.keepUnwritten(writes)
		return h.err
	}
	if err := s.writeBatch(writes); err != nil {
		s.fail(err)
		s.keepUnwritten(writes)
		return err
	}
	s.dirty.Store(true) // for the everysec fsync, which must come after the write
	if err := s.syncIfDue(); err != nil {
		s.fail(err)
		return err
	}
	return nil
}

// keepUnwritten holds deferred writes that failed, or that came after a
// failure: they are in memory but not in the file, so the compaction that
// heals the store writes them first (see compact).
func (s *Store) keepUnwritten(writes []func(tx *bunt.Tx) error) {
	if len(writes) == 0 {
		return
	}
	s.commitMu.Lock()
	s.unwritten = append(s.unwritten, writes...)
	s.commitMu.Unlock()
}

// writeUnwritten writes the writes keepUnwritten held, in commit order.
func (s *Store) writeUnwritten() error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	if err := s.writeBatch(s.unwritten); err != nil {
		return err
	}
	s.unwritten = nil
	return nil
}

// writeBatch writes deferred records to the file in one transaction; when it
// fails, buntdb rolls the whole transaction back.
func (s *Store) writeBatch(writes []func(tx *bunt.Tx) error) error {
	if len(writes) == 0 {
		return nil
	}
	return s.bdb.Update(func(tx *bunt.Tx) error {
		for _, w := range writes {
			if err := w(tx); err != nil {
				return err
			}
		}
		return nil
	})
}

// commit applies one write in memory and, in the same commit order, has the
// group commit write it to the file: a whole batch in one transaction, and
// under fsync always an fsync after it. The write is acknowledged (see
// await) once the batch is in the file, and under fsync always once it is
// durable. The caller holds the lock of the database it writes.
func (s *Store) commit(write func(tx *bunt.Tx) error, apply func(), events []engine.Event) (*batch, error) {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	if s.closed.Load() {
		return nil, errClosed
	}
	if h := s.health.Load(); h != nil {
		return nil, unhealthy(h.err)
	}
	apply()
	s.stats.writes.Add(1)
	return s.syncer.join(write, events), nil
}

// await waits for b to be written (and fsynced), or defers the wait to the
// server when ctx carries an engine.Deferred (see engine.Defer).
func (s *Store) await(ctx context.Context, b *batch) error {
	if b == nil || engine.Defer(ctx, func() error { return s.wait(b) }) {
		return nil
	}
	return s.wait(b)
}

// wait blocks until b is written (and fsynced) and reports the outcome.
func (s *Store) wait(b *batch) error {
	if b == nil {
		return nil
	}
	<-b.done
	if b.err != nil {
		return unhealthy(b.err)
	}
	return nil
}

// unhealthy is the error writes get after an fsync failed.
func unhealthy(err error) error {
	return engine.Unavailable(fmt.Errorf("fsync of the data file failed (%v); writes are refused until the file is rewritten", err))
}

// fail marks the store unhealthy after an fsync error: the bytes written
// since the last good fsync may not be on disk, so no write is acknowledged
// until a compaction has rewritten the whole file from memory and fsynced it.
func (s *Store) fail(err error) {
	if s.health.CompareAndSwap(nil, &errorBox{err: err, at: time.Now()}) {
		s.log.Error().Err(err).Str("file", s.path).Msg("fsync failed; refusing writes until the data file is rewritten")
	}
	s.stats.lastFsyncErr.Store(&errorBox{err: err, at: time.Now()})
}

// syncIfDue fsyncs the file under fsync always, and under every policy while
// a compaction swaps files (see compact).
func (s *Store) syncIfDue() error {
	if s.cfg.Fsync != FsyncAlways && !s.compacting.Load() {
		return nil
	}
	return s.syncFile()
}

// syncFile makes every write that returned before it was called durable.
// When buntdb's Shrink has renamed a rewritten file into place since the
// last call, that file holds every write (the ones before the rename were
// copied into it), so it alone is fsynced, with its directory; otherwise the
// current file is.
func (s *Store) syncFile() error {
	s.fdMu.Lock()
	defer s.fdMu.Unlock()
	moved, err := s.followRename()
	if moved || err != nil {
		return err
	}
	return s.timedSync(s.syncf)
}

// timedSync runs the fsync function on f and counts it.
func (s *Store) timedSync(f *os.File) error {
	start := time.Now()
	err := s.syncFn(f)
	s.stats.fsyncs.Add(1)
	s.stats.fsyncNanos.Add(int64(time.Since(start)))
	return err
}

// followRename points the fsync descriptor at the file now at path when it
// is not the one open, after making it and the directory durable and
// dropping the compaction link. The caller holds fdMu.
func (s *Store) followRename() (bool, error) {
	cur, err := s.syncf.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Stat(s.path)
	if err != nil {
		return false, err
	}
	if os.SameFile(cur, now) {
		return false, nil
	}
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return false, err
	}
	err = f.Chmod(fileMode)
	if err == nil {
		err = s.timedSync(f)
	}
	if err == nil {
		err = os.Remove(s.path + compactSuffix)
		if errors.Is(err, os.ErrNotExist) {
			err = nil
		}
	}
	if err == nil {
		err = syncDir(filepath.Dir(s.path))
	}
	if err != nil {
		f.Close()
		return false, err
	}
	s.syncf.Close()
	s.syncf = f
	return true, nil
}

// setSyncFunc replaces the function that fsyncs the data file (fdatasync by
// default); tests use it to inject fsync errors.
func (s *Store) setSyncFunc(fn func(f *os.File) error) {
	s.fdMu.Lock()
	defer s.fdMu.Unlock()
	s.syncFn = fn
}
