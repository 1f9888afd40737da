package migrate

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/rs/zerolog"
)

// reader is the source side of a migration.
type reader interface {
	// Count returns how many incidents database db holds.
	Count(ctx context.Context, db int) (int64, error)
	// Scan calls fn with each batch of at most n validated incidents of
	// database db: an engine's in (created_at, id) order, a file's in file order.
	Scan(ctx context.Context, db, n int, fn func([]*engine.Incident) error) error
	// Close releases the source; it may be called more than once.
	Close() error
}

// writer is the target side of a migration.
type writer interface {
	// Count returns how many incidents database db holds (after Commit).
	Count(ctx context.Context, db int) (int64, error)
	// Write upserts incs into database db and returns how many it changed.
	Write(ctx context.Context, db int, incs []*engine.Incident) (int, error)
	// Done marks database db as completely written.
	Done(ctx context.Context, db int) error
	// Commit makes every database written so far the target's content.
	Commit(ctx context.Context) error
	// Close releases the target, discarding what was not committed; it may
	// be called more than once.
	Close() error
}

// migration is one Run in progress.
type migration struct {
	o    Options
	src  reader
	dst  writer
	log  zerolog.Logger
	per  []DBSummary // by database
	prog *progress
}

// run counts the source, copies every database, commits and verifies.
func (m *migration) run(ctx context.Context) error {
	m.per = make([]DBSummary, m.o.Databases)
	var total int64
	for db := range m.per {
		n, err := m.src.Count(ctx, db)
		if err != nil {
			return fmt.Errorf("migrate: count database %d of the source: %w", db, err)
		}
		m.per[db] = DBSummary{DB: db, SourceCount: n}
		total += n
	}
	m.log.Info().Int64("incidents", total).Int("databases", m.o.Databases).Msg("migration started")
	m.prog = newProgress(m.o, total)
	defer m.prog.end()
	for db := range m.per {
		if err := m.copyDB(ctx, db); err != nil {
			return err
		}
	}
	if err := m.dst.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit target: %w", err)
	}
	m.prog.end()
	return m.verify(ctx)
}

// copyDB streams database db from the source to the target.
func (m *migration) copyDB(ctx context.Context, db int) error {
	d := &m.per[db]
	start := time.Now()
	err := m.src.Scan(ctx, db, m.o.BatchSize, func(incs []*engine.Incident) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		written, err := m.dst.Write(ctx, db, incs)
		if err != nil {
			return err
		}
		d.Read += int64(len(incs))
		d.Written += int64(written)
		d.Unchanged += int64(len(incs) - written)
		m.prog.add(db, len(incs))
		return nil
	})
	if err == nil {
		err = m.dst.Done(ctx, db)
	}
	if err != nil {
		return fmt.Errorf("migrate: database %d: %w", db, err)
	}
	if d.Read > 0 {
		m.log.Info().Int("db", db).Int64("read", d.Read).Int64("written", d.Written).
			Int64("dur_ms", time.Since(start).Milliseconds()).Msg("database copied")
	}
	return nil
}

// verify counts both sides again: a target database holding fewer
// incidents than its source fails the run, one holding more is reported.
func (m *migration) verify(ctx context.Context) error {
	var short []string
	for db := range m.per {
		d := &m.per[db]
		var err error
		if d.SourceCount, err = m.src.Count(ctx, db); err != nil {
			return fmt.Errorf("migrate: count database %d of the source: %w", db, err)
		}
		if d.TargetCount, err = m.dst.Count(ctx, db); err != nil {
			return fmt.Errorf("migrate: count database %d of the target: %w", db, err)
		}
		switch {
		case d.TargetCount < d.SourceCount:
			short = append(short, fmt.Sprintf("database %d: the target holds %d incidents, the source %d (%d read)",
				db, d.TargetCount, d.SourceCount, d.Read))
		case d.TargetCount > d.SourceCount:
			m.log.Warn().Int("db", db).Int64("source", d.SourceCount).Int64("target", d.TargetCount).
				Msg("the target holds incidents the source does not")
		}
	}
	if len(short) > 0 {
		return fmt.Errorf("migrate: %w: %s", ErrIncomplete, strings.Join(short, "; "))
	}
	return nil
}

// saveAll saves incs into database db of s with at most workers saves in
// flight. The first failure cancels the rest and is returned.
func saveAll(ctx context.Context, s engine.Store, db int, incs []*engine.Incident, workers int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	work := make(chan *engine.Incident)
	for range min(workers, len(incs)) {
		wg.Go(func() {
			for inc := range work {
				if ctx.Err() != nil {
					continue
				}
				if err := s.Save(ctx, db, inc); err != nil {
					once.Do(func() { first = fmt.Errorf("save incident %s: %w", inc.ID, err); cancel() })
				}
			}
		})
	}
	for _, inc := range incs {
		work <- inc
	}
	close(work)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
