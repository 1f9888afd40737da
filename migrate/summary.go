package migrate

import (
	"fmt"
	"strings"
	"time"
)

// Summary is what Run did.
type Summary struct {
	// PerDB holds, in database order, every database that the source or the
	// target holds incidents in.
	PerDB []DBSummary
	// Total is the number of incidents read from the source.
	Total int64
	// Duration is how long Run took.
	Duration time.Duration
}

// DBSummary is what Run did in one database.
type DBSummary struct {
	DB          int
	Read        int64 // incidents read from the source
	Written     int64 // incidents written to the target
	Unchanged   int64 // incidents the target already held byte for byte
	SourceCount int64 // incidents in the source at the end
	TargetCount int64 // incidents in the target at the end
}

// summary collects the per-database results of m.
func (m *migration) summary(d time.Duration) Summary {
	s := Summary{Duration: d}
	for _, db := range m.per {
		if db.Read > 0 || db.SourceCount > 0 || db.TargetCount > 0 {
			s.PerDB = append(s.PerDB, db)
			s.Total += db.Read
		}
	}
	return s
}

// String renders the summary as a table, one row per database, then a total
// row and a note for every database whose count differs between the sides.
func (s Summary) String() string {
	var b strings.Builder
	row := func(db string, d DBSummary) {
		fmt.Fprintf(&b, "%-6s %10d %10d %10d %10d %10d\n", db, d.SourceCount, d.TargetCount, d.Read, d.Written, d.Unchanged)
	}
	fmt.Fprintf(&b, "%-6s %10s %10s %10s %10s %10s\n", "db", "source", "target", "read", "written", "unchanged")
	var sum DBSummary
	var notes []string
	for _, d := range s.PerDB {
		row(fmt.Sprint(d.DB), d)
		sum.SourceCount += d.SourceCount
		sum.TargetCount += d.TargetCount
		sum.Read += d.Read
		sum.Written += d.Written
		sum.Unchanged += d.Unchanged
		switch {
		case d.TargetCount > d.SourceCount:
			notes = append(notes, fmt.Sprintf("db %d: the target holds %d incident(s) the source does not",
				d.DB, d.TargetCount-d.SourceCount))
		case d.TargetCount < d.SourceCount:
			notes = append(notes, fmt.Sprintf("db %d: the target lacks %d of the source's incidents",
				d.DB, d.SourceCount-d.TargetCount))
		}
	}
	row("total", sum)
	for _, n := range notes {
		b.WriteString(n + "\n")
	}
	fmt.Fprintf(&b, "%d incidents copied in %s\n", s.Total, s.Duration.Round(time.Millisecond))
	return b.String()
}
