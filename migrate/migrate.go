// Package migrate copies every database's incidents from one store to
// another: `imredis migrate --from URL --to URL`.
//
// # Endpoints
//
//	buntdb:PATH            the embedded engine's data file (a source must exist)
//	redis://HOST:PORT[/N]  a Redis under the llm-im: layout (the upstream engine),
//	rediss://…             including data written by the seed's service
//	jsonl:PATH             the portable backup and restore format (below)
//	memory:                an empty, throw-away engine (for tests)
//
// # The jsonl format
//
// One incident per line: its canonical JSON document exactly as the engines
// store it, nothing else, each line ending in "\n". Lines come in the order
// the source gives them: (created_at, id) order from an engine. Database 0 is the file PATH itself; database N > 0
// is the file PATH.dbN, which exists only when that database holds
// incidents. So a backup of a single-database deployment is one plain file,
// and `cat PATH PATH.db*` still yields one incident per line.
//
// Writing jsonl replaces the whole backup: every file goes to a temporary
// file in the same directory, and only after every database is copied are
// they fsynced into place (PATH is always written, possibly empty; a stale
// PATH.dbN of a now-empty database is removed). A failed run leaves the
// previous backup untouched. Reading jsonl validates every line with
// engine.Parse (the error names file and line; blank lines are skipped) and
// refuses a PATH.dbN whose N is not below Options.Databases.
//
// # Guarantees
//
// Run pages through each source database in ascending (created_at, id) order,
// BatchSize documents at a time, so memory stays bounded by a batch whatever
// the size of the data. Each document is re-validated and canonicalised with
// engine.Parse (created_at and updated_at are kept as stored) and upserted by
// id: a document the target already holds byte for byte is not written
// again, so a second run converges and writes nothing. Run ends by comparing
// each database's count in the source and the target (Stats.Total for the
// engines, lines for jsonl): a target holding more is reported (it had data
// of its own), a target holding fewer fails the run with ErrIncomplete.
//
// Opening a Redis source runs the upstream engine's open-time indexing,
// which adds imredis's query keys (llm-im:by:*, llm-im:meta:*) next to the
// seed's and prunes set members no document justifies. The source should be
// quiet while Run copies it: incidents saved meanwhile may be missed, and
// then the final counts tell.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/factory"
	"github.com/rs/zerolog"
)

// The defaults of Options.
const (
	DefaultBatchSize = 500
	DefaultWorkers   = 8
	DefaultKeyPrefix = "llm-im"
)

// ErrIncomplete marks a run that ended with a target database holding fewer
// incidents than its source.
var ErrIncomplete = errors.New("migration incomplete")

// Options are the settings of Run. The zero value is usable.
type Options struct {
	Databases int    // databases to copy, 0 to Databases-1 (default 16)
	BatchSize int    // documents read and written per round (default 500)
	Workers   int    // concurrent saves within a batch (default 8)
	KeyPrefix string // Redis key prefix of both sides (default llm-im)
	Settings  factory.Settings
	Logger    zerolog.Logger
	// Progress receives the progress report; nil means none.
	Progress io.Writer
	// Terminal selects a progress bar redrawn in place with "\r"; otherwise
	// Progress gets one plain line every ProgressEvery.
	Terminal bool
	// ProgressEvery is the least time between two reports (default 100 ms
	// for the bar, 2 s for lines). The first and the last are always written.
	ProgressEvery time.Duration
}

// withDefaults returns o with every zero field defaulted.
func (o Options) withDefaults() Options {
	if o.Databases <= 0 {
		o.Databases = engine.Databases
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.KeyPrefix == "" {
		o.KeyPrefix = DefaultKeyPrefix
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 2 * time.Second
		if o.Terminal {
			o.ProgressEvery = 100 * time.Millisecond
		}
	}
	return o
}

// Run copies the incidents of every database from the endpoint from to the
// endpoint to (see the package comment for the URLs), verifies the counts
// and returns what it did. On error the Summary holds what was done so far.
func Run(ctx context.Context, from, to string, o Options) (Summary, error) {
	o = o.withDefaults()
	start := time.Now()
	sum := Summary{}
	if err := checkPair(from, to); err != nil {
		return sum, err
	}
	log := o.Logger.With().Str("from", redact(from)).Str("to", redact(to)).Logger()
	src, err := openReader(ctx, from, o)
	if err != nil {
		return sum, fmt.Errorf("migrate: source %s: %w", redact(from), err)
	}
	defer src.Close()
	dst, err := openWriter(ctx, to, o)
	if err != nil {
		return sum, fmt.Errorf("migrate: target %s: %w", redact(to), err)
	}
	defer dst.Close()

	m := &migration{o: o, src: src, dst: dst, log: log}
	err = m.run(ctx)
	sum = m.summary(time.Since(start))
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("migrate: close target: %w", cerr)
	}
	if err != nil {
		log.Error().Err(err).Int64("copied", sum.Total).Msg("migration failed")
		return sum, err
	}
	log.Info().Int64("incidents", sum.Total).Int64("dur_ms", sum.Duration.Milliseconds()).Msg("migration done")
	return sum, nil
}
