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

// batch is a group of writes that one fsync acknowledges.
type batch struct {
	done   chan struct{}
	writes []func(tx *bunt.Tx) error // deferred file writes, in commit order
	events []engine.Event            // in commit order, emitted once the fsync succeeds
	err    error                     // set before done is closed
}

// syncer is the group-commit goroutine. Writers join the current batch; the
// syncer takes the batch, writes its deferred records to the file in one
// buntdb transaction (one write call), fsyncs, and releases every writer in
// it. An fsync therefore always covers the writes it acknowledges, and
// writers arriving during an fsync share the next one.
type syncer struct {
	s      *Store
	mu     sync.Mutex
	cur    *batch        // collecting writers; nil when none wait
	flying bool          // a batch is being fsynced
	wake   chan struct{} // capacity 1
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

// busy reports whether a batch waits or is in flight.
func (y *syncer) busy() bool {
	y.mu.Lock()
	defer y.mu.Unlock()
	return y.cur != nil || y.flying
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

// flush writes the current batch's deferred records, fsyncs, emits its
// events and releases it.
func (y *syncer) flush() {
	y.mu.Lock()
	b := y.cur
	y.cur, y.flying = nil, b != nil
	y.mu.Unlock()
	if b == nil {
		return
	}
	s := y.s
	if h := s.health.Load(); h != nil {
		b.err = h.err
		s.keepUnwritten(b.writes)
	} else if err := s.writeBatch(b.writes); err != nil {
		s.fail(err)
		b.err = err
		s.keepUnwritten(b.writes)
	} else if err := s.syncFile(); err != nil {
		s.fail(err)
		b.err = err
	} else {
		for _, ev := range b.events {
			s.opts.Emit(ev)
		}
	}
	y.mu.Lock()
	y.flying = false
	y.mu.Unlock()
	close(b.done)
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

// commit applies one write in memory and, in the same commit order, has it
// written to the file. Under fsync always the file write is deferred to the
// group commit, which writes a whole batch in one transaction before its
// fsync: nothing is acknowledged before both. Under the other policies it
// is one buntdb transaction here, and the events are emitted at once unless
// an fsync is due. The caller holds the lock of the database it writes.
func (s *Store) commit(write func(tx *bunt.Tx) error, apply func(), events []engine.Event) (*batch, error) {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	if s.closed.Load() {
		return nil, errClosed
	}
	if h := s.health.Load(); h != nil {
		return nil, unhealthy(h.err)
	}
	if s.cfg.Fsync == FsyncAlways {
		apply()
		s.stats.writes.Add(1)
		s.dirty.Store(true)
		return s.syncer.join(write, events), nil
	}
	if err := s.bdb.Update(write); err != nil {
		return nil, engine.Unavailable(fmt.Errorf("write data file: %v", err))
	}
	apply()
	s.stats.writes.Add(1)
	s.dirty.Store(true)
	// While a compaction swaps files, every policy waits for an fsync (see compact).
	if s.compacting.Load() || s.syncer.busy() {
		return s.syncer.join(nil, events), nil
	}
	for _, ev := range events {
		s.opts.Emit(ev)
	}
	return nil, nil
}

// await waits for b's fsync, or defers the wait to the server when ctx
// carries an engine.Deferred (see engine.Defer).
func (s *Store) await(ctx context.Context, b *batch) error {
	if b == nil || engine.Defer(ctx, func() error { return s.wait(b) }) {
		return nil
	}
	return s.wait(b)
}

// wait blocks until b's fsync and reports its outcome.
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
