package buntdb

import (
	"strconv"
	"sync/atomic"
	"time"
)

// counters are the figures Info reports.
type counters struct {
	writes       atomic.Int64 // committed transactions
	fsyncs       atomic.Int64
	fsyncNanos   atomic.Int64
	compactions  atomic.Int64
	skipped      atomic.Int64 // records left out of the indexes at load
	lastSave     atomic.Int64 // Unix seconds
	loadTime     atomic.Int64 // nanoseconds
	lastSaveErr  atomic.Pointer[errorBox]
	lastFsyncErr atomic.Pointer[errorBox]
}

// PersistenceInfo is what INFO persistence and the metrics report.
type PersistenceInfo struct {
	Path  string
	Fsync string // the policy
	// Loading is set until the data file is loaded; LoadTime is how long it took.
	Loading  bool
	LoadTime time.Duration
	// FileSize is the data file's size; LiveBytes what its live records
	// would take after a compaction.
	FileSize  int64
	LiveBytes int64
	// LastSave is when the file was last compacted (or opened); LastSaveError
	// is empty when the last compaction succeeded.
	LastSave      time.Time
	LastSaveError string
	Compacting    bool
	Compactions   int64
	// Healthy is false after an fsync error, until a compaction has rewritten
	// the file; writes are refused meanwhile.
	Healthy          bool
	LastFsyncError   string
	LastFsyncErrorAt time.Time
	// Writes counts committed write transactions, Fsyncs the fsyncs of the
	// data file and FsyncTime their total duration.
	Writes    int64
	Fsyncs    int64
	FsyncTime time.Duration
	// SkippedRecords counts records at load that were not valid incidents.
	SkippedRecords int64
}

// Info returns the persistence figures.
func (s *Store) Info() PersistenceInfo {
	in := PersistenceInfo{
		Path:           s.path,
		Fsync:          s.cfg.Fsync,
		Loading:        s.loading.Load(),
		LoadTime:       time.Duration(s.stats.loadTime.Load()),
		FileSize:       s.fileSize(),
		LiveBytes:      s.live.Load(),
		LastSave:       s.LastSave(),
		Compacting:     len(s.compactSem) > 0,
		Compactions:    s.stats.compactions.Load(),
		Healthy:        s.health.Load() == nil,
		Writes:         s.stats.writes.Load(),
		Fsyncs:         s.stats.fsyncs.Load(),
		FsyncTime:      time.Duration(s.stats.fsyncNanos.Load()),
		SkippedRecords: s.stats.skipped.Load(),
	}
	if e := s.stats.lastSaveErr.Load(); e != nil {
		in.LastSaveError = e.err.Error()
	}
	if e := s.stats.lastFsyncErr.Load(); e != nil {
		in.LastFsyncError, in.LastFsyncErrorAt = e.err.Error(), e.at
	}
	return in
}

// InfoFields returns the lines this engine adds to an INFO section.
func (s *Store) InfoFields(section string) []string {
	if section != "persistence" {
		return nil
	}
	in := s.Info()
	b2i := func(b bool) string {
		if b {
			return "1"
		}
		return "0"
	}
	status := "ok"
	if in.LastSaveError != "" {
		status = "err"
	}
	return []string{
		"engine:buntdb",
		"loading_flag:" + b2i(in.Loading),
		"load_time_ms:" + strconv.FormatInt(in.LoadTime.Milliseconds(), 10),
		"aof_enabled:1",
		"aof_fsync:" + in.Fsync,
		"aof_current_size:" + strconv.FormatInt(in.FileSize, 10),
		"aof_live_bytes:" + strconv.FormatInt(in.LiveBytes, 10),
		"aof_rewrite_in_progress:" + b2i(in.Compacting),
		"aof_rewrites:" + strconv.FormatInt(in.Compactions, 10),
		"aof_last_bgrewrite_status:" + status,
		"last_save_time:" + strconv.FormatInt(in.LastSave.Unix(), 10),
		"last_save_error:" + in.LastSaveError,
		"healthy:" + b2i(in.Healthy),
		"last_fsync_error:" + in.LastFsyncError,
		"fsyncs:" + strconv.FormatInt(in.Fsyncs, 10),
		"fsync_time_ms:" + strconv.FormatInt(in.FsyncTime.Milliseconds(), 10),
		"writes:" + strconv.FormatInt(in.Writes, 10),
		"skipped_records:" + strconv.FormatInt(in.SkippedRecords, 10),
	}
}
