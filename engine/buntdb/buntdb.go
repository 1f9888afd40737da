// Package buntdb is the durable embedded engine: one BuntDB append-only file
// holds every database, one record per incident (key "<db>:<id>", value the
// canonical document), and the secondary indexes live in memory (package
// index), rebuilt from the documents when the file opens.
//
// BuntDB runs with its own fsync and compaction switched off: this package
// fsyncs through its own descriptor (group commit under "always"), notices
// fsync errors, compacts with BuntDB's Shrink under a crash-safe protocol and
// checks the file before BuntDB reads it.
package buntdb

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/index"
	"github.com/rs/zerolog"
	bunt "github.com/tidwall/buntdb"
)

var (
	_ engine.Store    = (*Store)(nil)
	_ engine.IDLister = (*Store)(nil)
)

// The fsync policies.
const (
	FsyncAlways   = "always"
	FsyncEverySec = "everysec"
	FsyncNever    = "never"
)

// Config holds the settings of the buntdb engine.
type Config struct {
	// Fsync is "always" (the default: a write is acknowledged after an fsync
	// that covers it), "everysec" or "never".
	Fsync string
	// Repair truncates a damaged data file to its last valid record, keeping
	// a copy of the damaged file, instead of refusing to open it.
	Repair bool
	// Async makes Open return before the data is loaded; until Loading
	// reports false every method returns engine.ErrLoading.
	Async bool
	// ShrinkMinSize is the file size below which no automatic compaction
	// runs (default 32 MiB); negative turns automatic compaction off.
	ShrinkMinSize int64
	// ShrinkRatio: compact when the file exceeds this multiple of the live
	// records' size (default 2).
	ShrinkRatio float64
	// Interval is the period of the background work: the everysec fsync, the
	// compaction check and, after an fsync error, the repair attempt (default 1s).
	Interval time.Duration
}

// withDefaults returns c with defaults filled in, or an error for a bad value.
func (c Config) withDefaults() (Config, error) {
	switch c.Fsync {
	case "":
		c.Fsync = FsyncAlways
	case FsyncAlways, FsyncEverySec, FsyncNever:
	default:
		return c, fmt.Errorf("fsync policy %q is not always, everysec or never", c.Fsync)
	}
	if c.ShrinkMinSize == 0 {
		c.ShrinkMinSize = 32 << 20
	}
	if c.ShrinkRatio <= 1 {
		c.ShrinkRatio = 2
	}
	if c.Interval <= 0 {
		c.Interval = time.Second
	}
	return c, nil
}

// Store is the buntdb engine. It is safe for concurrent use.
type Store struct {
	*index.Shards // the read side; refuses access while loading or closed
	path          string
	opts          engine.Options
	cfg           Config
	log           zerolog.Logger
	lock          *os.File // holds the directory lock

	bdb      *bunt.DB
	loading  atomic.Bool
	loaded   chan struct{} // closed when loading ends
	loadErr  error         // set before loaded is closed
	closed   atomic.Bool
	closeErr error
	once     sync.Once

	// commitMu orders writes: file order, memory order and event order agree.
	commitMu sync.Mutex
	syncer   *syncer
	dirty    atomic.Bool // written since the last fsync (everysec)
	// unwritten are deferred writes applied in memory whose file write
	// failed or was refused while unhealthy, in commit order (commitMu).
	unwritten []func(tx *bunt.Tx) error

	fdMu   sync.Mutex
	syncf  *os.File                 // fsync descriptor on the data file
	syncFn func(f *os.File) error   // fdatasync; replaced by tests
	health atomic.Pointer[errorBox] // non-nil: fsync failed, writes refused

	compactSem chan struct{} // one compaction at a time
	compacting atomic.Bool   // between linking the old file and the durable new one
	live       atomic.Int64  // bytes the live records take in a compacted file
	stop       chan struct{}
	wg         sync.WaitGroup
	stats      counters
}

// db is one database's indexes behind its lock.
type db = index.Shard

// errorBox lets an error sit in an atomic.Pointer.
type errorBox struct {
	err error
	at  time.Time
}

// Open opens (creating when needed) the data file at path, locks its
// directory, checks and if asked repairs the file, and loads it: in the
// background when cfg.Async is set.
func Open(path string, opts engine.Options, cfg Config) (*Store, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if opts.Databases <= 0 {
		opts.Databases = engine.Databases
	}
	s := &Store{
		path: path, opts: opts, cfg: cfg,
		log:    opts.Logger.With().Str("engine", "buntdb").Logger(),
		loaded: make(chan struct{}), stop: make(chan struct{}),
		syncFn: fdatasync, compactSem: make(chan struct{}, 1),
	}
	s.Shards = index.NewShards(opts.Databases, s.ready)
	if err := s.prepare(); err != nil {
		if s.syncf != nil {
			s.syncf.Close()
		}
		if s.lock != nil {
			s.lock.Close()
		}
		return nil, err
	}
	s.loading.Store(true)
	s.stats.lastSave.Store(time.Now().Unix())
	if cfg.Async {
		go s.load()
		return s, nil
	}
	if err := s.load(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// prepare creates and locks the directory and makes the data file safe to load.
func (s *Store) prepare() error {
	dir := filepath.Dir(s.path)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, dirMode); err != nil {
			return fmt.Errorf("create data directory %s: %w", dir, err)
		}
		if err := syncDir(filepath.Dir(dir)); err != nil {
			return err
		}
	}
	lock, err := lockDir(dir)
	if err != nil {
		return err
	}
	s.lock = lock
	if err := recoverCompaction(s.path, s.log); err != nil {
		return fmt.Errorf("recover interrupted compaction of %s: %w", s.path, err)
	}
	for _, stale := range []string{s.path + tmpSuffix, s.path + repairSuffix} {
		if err := os.Remove(stale); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	_, statErr := os.Stat(s.path)
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_RDWR, fileMode)
	if err != nil {
		return fmt.Errorf("open data file: %w", err)
	}
	err = f.Chmod(fileMode)
	f.Close()
	if err != nil {
		return err
	}
	if errors.Is(statErr, os.ErrNotExist) {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	if err := checkFile(s.path, s.cfg.Repair, s.log); err != nil {
		return err
	}
	// Opened after checkFile, which may have replaced the file.
	s.syncf, err = os.OpenFile(s.path, os.O_RDWR, 0)
	return err
}

// load opens the file with buntdb, rebuilds the indexes and starts the
// background goroutines.
func (s *Store) load() (err error) {
	start := time.Now()
	defer func() {
		if err != nil {
			s.loadErr = engine.Unavailable(err)
			s.log.Error().Err(err).Str("file", s.path).Msg("loading the data file failed")
		}
		s.loading.Store(false)
		close(s.loaded)
	}()
	bdb, err := bunt.Open(s.path)
	if err != nil {
		return fmt.Errorf("open data file %s: %w", s.path, err)
	}
	if err := bdb.SetConfig(bunt.Config{SyncPolicy: bunt.Never, AutoShrinkDisabled: true}); err != nil {
		bdb.Close()
		return err
	}
	s.bdb = bdb
	n, err := s.rebuild()
	if err != nil {
		return err
	}
	s.stats.loadTime.Store(int64(time.Since(start)))
	s.log.Info().Str("file", s.path).Int("incidents", n).Dur("took", time.Since(start)).Msg("data file loaded")
	s.syncer = newSyncer(s)
	s.wg.Add(2)
	go s.syncer.run()
	go s.maintain()
	return nil
}

// Loading reports whether the store is still loading its data file.
func (s *Store) Loading() bool { return s.loading.Load() }

// Wait blocks until loading ends and returns its error.
func (s *Store) Wait() error {
	<-s.loaded
	return s.loadErr
}

// db returns database n when the store can serve.
// ready reports why the store cannot serve, or nil.
func (s *Store) ready() error {
	switch {
	case s.loading.Load():
		return engine.ErrLoading
	case s.loadErr != nil:
		return s.loadErr
	case s.closed.Load():
		return errClosed
	}
	return nil
}

var errClosed = engine.Unavailable(errors.New("the data file is closed"))

// Close stops the background work, fsyncs the file and releases the
// directory lock. Writes already acknowledged stay durable.
func (s *Store) Close() error {
	s.once.Do(func() {
		<-s.loaded
		s.commitMu.Lock()
		s.closed.Store(true)
		s.commitMu.Unlock()
		if s.loadErr == nil && s.bdb != nil {
			close(s.stop)
			s.wg.Wait()
			s.compactSem <- struct{}{} // waits for a running SAVE
			if err := s.syncFile(); err != nil {
				s.closeErr = engine.Unavailable(fmt.Errorf("fsync data file: %w", err))
			}
		}
		if s.bdb != nil {
			if err := s.bdb.Close(); err != nil && s.closeErr == nil {
				s.closeErr = engine.Unavailable(err)
			}
		}
		s.syncf.Close()
		s.lock.Close()
	})
	return s.closeErr
}
