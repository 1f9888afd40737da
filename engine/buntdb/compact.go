package buntdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/imredis/imredis/engine"
)

// ErrSaveInProgress is returned by Snapshot and BackgroundSnapshot while a
// compaction runs; its text is Redis's.
var ErrSaveInProgress = errors.New("Background save already in progress")

// Snapshot compacts the data file now and returns when the rewritten file
// is durable (SAVE).
func (s *Store) Snapshot(ctx context.Context) error {
	if err := s.ready(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.compactSem <- struct{}{}:
	default:
		return ErrSaveInProgress
	}
	defer func() { <-s.compactSem }()
	return s.compact()
}

// BackgroundSnapshot starts a compaction and returns at once (BGSAVE).
func (s *Store) BackgroundSnapshot() error {
	if err := s.ready(); err != nil {
		return err
	}
	select {
	case s.compactSem <- struct{}{}:
	default:
		return ErrSaveInProgress
	}
	// Added under commitMu, where Close sets closed before it waits.
	s.commitMu.Lock()
	if s.closed.Load() {
		s.commitMu.Unlock()
		<-s.compactSem
		return errClosed
	}
	s.wg.Add(1)
	s.commitMu.Unlock()
	go func() {
		defer s.wg.Done()
		defer func() { <-s.compactSem }()
		_ = s.compact()
	}()
	return nil
}

// LastSave returns when the data file was last compacted, or opened (LASTSAVE).
func (s *Store) LastSave() time.Time { return time.Unix(s.stats.lastSave.Load(), 0) }

// compact rewrites the data file from memory; the caller holds compactSem.
//
// buntdb's Shrink writes the live records to <path>.tmp, copies the records
// appended meanwhile, and renames it over <path> without an fsync. Before
// it, a hard link <path>.compacting keeps the old file, and every write is
// made to wait for an fsync (whatever the policy) until the link is gone;
// the link goes only once the new file and the directory are fsynced
// (followRename). A crash in between leaves the link, and Open restores it:
// it holds every write acknowledged so far.
func (s *Store) compact() error {
	h := s.health.Load()
	err := s.writeUnwritten()
	if err == nil {
		err = s.shrink()
	}
	now := time.Now()
	if err != nil {
		s.stats.lastSaveErr.Store(&errorBox{err: err, at: now})
		s.log.Error().Err(err).Str("file", s.path).Msg("compaction failed")
		return engine.Unavailable(fmt.Errorf("compact data file: %v", err))
	}
	s.stats.lastSaveErr.Store(nil)
	s.stats.lastSave.Store(now.Unix())
	s.stats.compactions.Add(1)
	// No write was accepted since the fsync error, and the file now holds
	// all of memory, durably: disk and memory agree again.
	if h != nil && s.health.CompareAndSwap(h, nil) {
		s.log.Info().Str("file", s.path).Msg("data file rewritten and fsynced; accepting writes again")
	}
	return nil
}

func (s *Store) shrink() error {
	link := s.path + compactSuffix
	// A link left by a compaction whose new file never became durable names
	// the last durable file: it stays until a new file is durable.
	created := false
	if _, err := os.Lstat(link); errors.Is(err, os.ErrNotExist) {
		if err := os.Link(s.path, link); err != nil {
			return err
		}
		created = true
		if err := syncDir(filepath.Dir(s.path)); err != nil {
			os.Remove(link)
			return err
		}
	} else if err != nil {
		return err
	}
	s.compacting.Store(true)
	defer s.compacting.Store(false)
	// Shrink creates the file with os.Create, which keeps the mode of an
	// existing file: made here first, it is 0600 from the start.
	if f, err := os.OpenFile(s.path+tmpSuffix, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, fileMode); err == nil {
		f.Close()
	}
	if err := s.bdb.Shrink(); err != nil {
		if !s.renamed() {
			if created {
				os.Remove(link)
			}
			return err
		}
		s.log.Warn().Err(err).Str("file", s.path).Msg("compaction reported an error after replacing the file")
	}
	if err := s.syncFile(); err != nil {
		s.fail(err)
		return err
	}
	return nil
}

// renamed reports whether the file at path is no longer the one the fsync
// descriptor is open on (or cannot tell).
func (s *Store) renamed() bool {
	s.fdMu.Lock()
	defer s.fdMu.Unlock()
	cur, err1 := s.syncf.Stat()
	now, err2 := os.Stat(s.path)
	return err1 != nil || err2 != nil || !os.SameFile(cur, now)
}

// heal tries to rewrite the file after an fsync error (see compact).
func (s *Store) heal() {
	select {
	case s.compactSem <- struct{}{}:
	default:
		return
	}
	defer func() { <-s.compactSem }()
	_ = s.compact()
}

// maintain runs the background work every Interval until the store stops.
func (s *Store) maintain() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	// Check once right after loading, so that a server restarted again and
	// again before its first tick still compacts a file that outgrew its data.
	if s.shouldShrink() {
		_ = s.BackgroundSnapshot()
	}
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		switch {
		case s.health.Load() != nil:
			s.heal()
		case s.cfg.Fsync == FsyncEverySec && s.dirty.Swap(false):
			if err := s.syncFile(); err != nil {
				s.fail(err)
			}
		}
		if s.shouldShrink() {
			_ = s.BackgroundSnapshot()
		}
	}
}

// shouldShrink reports whether the file outgrew the live records.
func (s *Store) shouldShrink() bool {
	if s.cfg.ShrinkMinSize < 0 || s.health.Load() != nil {
		return false
	}
	size := s.fileSize()
	return size > s.cfg.ShrinkMinSize && float64(size) > s.cfg.ShrinkRatio*float64(s.live.Load())
}

// fileSize returns the size of the data file.
func (s *Store) fileSize() int64 {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
