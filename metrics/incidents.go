package metrics

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/imredis/imredis/engine"
)

// StatsReader is the part of engine.Store the incidents collector reads.
type StatsReader interface {
	Stats(ctx context.Context, db int) (engine.Stats, error)
}

// Incidents exports the engine's incident counts at scrape time, summed over
// every database: the same engine.Stats INC.STATS and INFO incidents report,
// so the numbers agree. Give it the engine itself rather than the
// instrumented wrapper, so scrapes do not count as storage operations.
type Incidents struct {
	src       StatsReader
	databases int
	timeout   time.Duration

	total, active, severity, state *prometheus.Desc
}

// NewIncidents returns the collector reading src's databases 0..databases-1,
// each scrape bounded by timeout.
func NewIncidents(src StatsReader, databases int, timeout time.Duration) *Incidents {
	return &Incidents{
		src: src, databases: databases, timeout: timeout,
		total:    prometheus.NewDesc("imredis_incidents", "Incidents stored, over all databases (INC.STATS total).", nil, nil),
		active:   prometheus.NewDesc("imredis_incidents_active", "Incidents in an active state, over all databases (INC.STATS active).", nil, nil),
		severity: prometheus.NewDesc("imredis_incidents_by_severity", "Incidents by severity, over all databases (INC.STATS severity:*).", []string{"severity"}, nil),
		state:    prometheus.NewDesc("imredis_incidents_by_state", "Incidents by state, over all databases (INC.STATS state:*).", []string{"state"}, nil),
	}
}

// Describe sends the four descriptors.
func (c *Incidents) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.total
	ch <- c.active
	ch <- c.severity
	ch <- c.state
}

// Collect reads Stats of every database and sends the sums. When the engine
// fails, it sends one invalid metric carrying the cause and no counts.
func (c *Incidents) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	var sum engine.Stats
	for db := 0; db < c.databases; db++ {
		st, err := c.src.Stats(ctx, db)
		if err != nil {
			ch <- prometheus.NewInvalidMetric(c.total, &statsError{db, err})
			return
		}
		sum.Total += st.Total
		sum.Active += st.Active
		for i, n := range st.BySeverity {
			sum.BySeverity[i] += n
		}
		for i, n := range st.ByState {
			sum.ByState[i] += n
		}
	}
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(sum.Total))
	ch <- prometheus.MustNewConstMetric(c.active, prometheus.GaugeValue, float64(sum.Active))
	for i, n := range sum.BySeverity {
		ch <- prometheus.MustNewConstMetric(c.severity, prometheus.GaugeValue, float64(n), engine.Severities[i])
	}
	for i, n := range sum.ByState {
		ch <- prometheus.MustNewConstMetric(c.state, prometheus.GaugeValue, float64(n), engine.States[i])
	}
}

// statsError names the database whose Stats failed.
type statsError struct {
	db  int
	err error
}

func (e *statsError) Error() string {
	return "stats of db " + strconv.Itoa(e.db) + ": " + e.err.Error()
}
func (e *statsError) Unwrap() error { return e.err }
