package buntdb

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

const (
	dirMode  = 0o700
	fileMode = 0o600
	// lockName is the lock file that keeps a second process out of the data directory.
	lockName = "imredis.lock"
	// compactSuffix names the hard link to the data file kept while a
	// compaction is replacing it, until the rewritten file is durable.
	compactSuffix = ".compacting"
	// tmpSuffix is the name buntdb's Shrink writes the rewritten file under.
	tmpSuffix = ".tmp"
	// repairSuffix names the file a repair writes before renaming it into place.
	repairSuffix = ".repair"
)

// lockDir takes an exclusive lock on dir, held until the returned file is closed.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_CREATE|os.O_RDWR, fileMode)
	if err != nil {
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data directory %s is in use by another imredis process", dir)
		}
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	// The pid is only a hint for whoever finds the directory locked.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// syncDir fsyncs directory dir, making renames, links and creations in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// recoverCompaction finishes a compaction that a crash interrupted. While the
// link exists the rewritten file may not be durable yet, and every
// acknowledged write is in the linked original, so the original wins.
func recoverCompaction(path string, log zerolog.Logger) error {
	link := path + compactSuffix
	li, err := os.Stat(link)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if pi, err := os.Stat(path); err == nil && os.SameFile(li, pi) {
		err = os.Remove(link)
	} else {
		log.Warn().Str("file", path).Msg("a compaction was interrupted before the rewritten file was durable; restoring the original data file")
		err = os.Rename(link, path)
	}
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// checkFile scans the data file and makes it safe for buntdb: a torn last
// record is cut off; any other damage is repaired when repair is set and
// refused otherwise.
func checkFile(path string, repair bool, log zerolog.Logger) error {
	res, err := scanFile(path)
	if err != nil {
		return fmt.Errorf("read data file %s: %w", path, err)
	}
	switch {
	case res.damage >= 0 && !repair:
		return fmt.Errorf("data file %s is damaged after byte %d (of %d); start with --repair to truncate it to the last valid record (a copy of the damaged file is kept)",
			path, res.valid, res.size)
	case res.damage >= 0:
		return repairFile(path, res, log)
	case res.torn:
		log.Warn().Str("file", path).Int64("at", res.valid).Int64("size", res.size).
			Msg("data file ends inside a record (a write cut short by a crash); truncating it to the last complete record")
		return truncate(path, res.valid)
	}
	return nil
}

// repairFile keeps a copy of the damaged file, then rewrites it with only the
// complete records that scanFile kept.
func repairFile(path string, res scanResult, log zerolog.Logger) error {
	backup := path + ".damaged-" + strconv.FormatInt(time.Now().Unix(), 10)
	if err := copyRanges(path, backup, []span{{0, res.size}}); err != nil {
		return fmt.Errorf("copy damaged data file: %w", err)
	}
	kept := int64(0)
	for _, s := range res.keep {
		kept += s.to - s.from
	}
	log.Warn().Str("file", path).Str("copy", backup).Int64("damaged_at", res.damage).
		Int64("size", res.size).Int64("kept", kept).Msg("repairing damaged data file")
	if len(res.keep) <= 1 && (len(res.keep) == 0 || res.keep[0].from == 0) {
		return truncate(path, kept)
	}
	tmp := path + repairSuffix
	if err := copyRanges(path, tmp, res.keep); err != nil {
		return fmt.Errorf("rewrite damaged data file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// copyRanges writes the spans of src to a new file dst, fsynced.
func copyRanges(src, dst string, spans []span) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, fileMode)
	if err != nil {
		return err
	}
	for _, s := range spans {
		if _, err = io.Copy(out, io.NewSectionReader(in, s.from, s.to-s.from)); err != nil {
			break
		}
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
		return err
	}
	return syncDir(filepath.Dir(dst))
}

// truncate cuts path to size bytes and fsyncs it.
func truncate(path string, size int64) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}
