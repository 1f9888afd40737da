package engine

import (
	"context"
	"time"

	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"
)

// Databases is the default number of isolated databases (SELECT 0-15).
const Databases = 16

// Store is an incident engine. Every method works in database db
// (0 <= db < Options.Databases) and is safe for concurrent use.
// The conformance package enforces the rules stated here.
type Store interface {
	// Save upserts inc: it creates the incident, or replaces the one with the
	// same id, moving every index entry with it (no stale entry survives).
	Save(ctx context.Context, db int, inc *Incident) error
	// SaveDedup computes the fingerprint when absent, then, if an active
	// incident with that fingerprint and another id exists, writes nothing and
	// returns (newest such id, false); otherwise saves inc and returns (inc.ID, true).
	// Concurrent calls for one new fingerprint create exactly one incident.
	SaveDedup(ctx context.Context, db int, inc *Incident) (string, bool, error)
	// Get returns the document of id, or nil when there is none.
	Get(ctx context.Context, db int, id string) ([]byte, error)
	// MGet returns the documents of ids in argument order, nil for missing ones.
	MGet(ctx context.Context, db int, ids []string) ([][]byte, error)
	// Update replaces an existing incident (ErrNotFound otherwise). When ifMatch
	// is non-nil the stored updated_at must be that instant (ErrConflict
	// otherwise). updated_at is stamped from the clock, strictly later than the
	// stored value; a defaulted created_at keeps the stored one. It returns the
	// new updated_at as written.
	Update(ctx context.Context, db int, inc *Incident, ifMatch *int64) (string, error)
	// Delete removes the incidents with these ids and returns how many existed.
	Delete(ctx context.Context, db int, ids []string) (int, error)
	// List returns a page in (created_at, id) order, descending when q.Desc,
	// skipping q.Offset matches after q.After. Page.Next is set when more follow.
	List(ctx context.Context, db int, q Query) (Page, error)
	// Count returns how many incidents match f; it always equals what List
	// would return without a limit.
	Count(ctx context.Context, db int, f Filter) (int64, error)
	// Stats returns the per-severity and per-state counts of db.
	Stats(ctx context.Context, db int) (Stats, error)
	// Flush removes every incident of db.
	Flush(ctx context.Context, db int) error
	// Ping reports whether the engine can serve.
	Ping(ctx context.Context) error
	// Close releases the engine; acknowledged writes are durable where the engine persists.
	Close() error
}

// Stats holds the counts INC.STATS reports.
type Stats struct {
	Total      int64
	Active     int64
	BySeverity [5]int64
	ByState    [6]int64
}

// Add counts m into s (n = +1 or -1).
func (s *Stats) Add(m *Meta, n int64) {
	s.Total += n
	if m.Active() {
		s.Active += n
	}
	s.BySeverity[m.Severity] += n
	s.ByState[m.State] += n
}

// Op is the kind of a committed write.
type Op string

// The change-feed operations.
const (
	OpSaved   Op = "saved"
	OpUpdated Op = "updated"
	OpDeleted Op = "deleted"
)

// Event describes one committed write for the change feed.
type Event struct {
	Op        Op
	DB        int
	ID        string
	Severity  Severity
	State     State
	UpdatedAt int64
}

// Options are the settings every engine receives from the factory.
type Options struct {
	Databases int
	KeyPrefix string
	Clock     func() time.Time
	Logger    zerolog.Logger
	// OnCommit, when set, is called once per committed write, in commit order.
	// It must not block.
	OnCommit func(Event)
}

// Now returns the clock's time, or time.Now when no clock is set.
func (o *Options) Now() time.Time {
	if o.Clock != nil {
		return o.Clock()
	}
	return time.Now()
}

// Emit calls OnCommit when set.
func (o *Options) Emit(e Event) {
	if o.OnCommit != nil {
		o.OnCommit(e)
	}
}

// PrepareUpdate applies the UPDATE rules to next given the stored incident
// (whose Doc must be set):
// the IFMATCH check, keeping a defaulted created_at, and stamping updated_at
// strictly later than the stored value.
func PrepareUpdate(stored *Meta, next *Incident, ifMatch *int64, now time.Time) error {
	if ifMatch != nil && *ifMatch != stored.Updated {
		at := gjson.GetBytes(stored.Doc, "updated_at").Str
		if at == "" {
			at = FormatTime(stored.Updated)
		}
		return Conflict(stored.ID, at)
	}
	if next.CreatedDefaulted() {
		next.KeepCreated(stored.Doc, stored.Created)
	}
	stamp := now.UnixNano()
	if stamp <= stored.Updated {
		stamp = stored.Updated + 1
	}
	next.Stamp(stamp)
	return nil
}

// CheckDB returns ErrInvalid unless 0 <= db < n.
func CheckDB(db, n int) error {
	if db < 0 || db >= n {
		return Invalidf("DB index is out of range")
	}
	return nil
}
