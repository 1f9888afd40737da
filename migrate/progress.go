package migrate

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// barWidth is the number of cells of the terminal progress bar.
const barWidth = 30

// progress reports how far a migration got: a bar redrawn in place on a
// terminal, otherwise a plain line at most every interval. It is driven by
// the copying goroutine alone, so it needs no lock and no goroutine.
type progress struct {
	w        io.Writer // nil: report nothing
	terminal bool
	every    time.Duration
	total    int64
	done     int64
	db       int
	start    time.Time
	last     time.Time
	drawn    int // length of the bar last drawn, to blank a shorter one
	ended    bool
}

// newProgress starts reporting on o.Progress a migration of total incidents.
func newProgress(o Options, total int64) *progress {
	p := &progress{w: o.Progress, terminal: o.Terminal, every: o.ProgressEvery, total: total, start: time.Now()}
	p.report(false)
	return p
}

// add counts n incidents copied in database db.
func (p *progress) add(db, n int) {
	p.db, p.done = db, p.done+int64(n)
	if time.Since(p.last) >= p.every {
		p.report(false)
	}
}

// end writes the last report once.
func (p *progress) end() {
	if p == nil || p.ended {
		return
	}
	p.ended = true
	p.report(true)
}

// report writes one report; final ends the bar's line.
func (p *progress) report(final bool) {
	p.last = time.Now()
	if p.w == nil {
		return
	}
	elapsed := p.last.Sub(p.start)
	pct := int64(100)
	if p.total > 0 {
		pct = min(100, p.done*100/p.total)
	}
	rate := float64(p.done) / max(elapsed.Seconds(), 1e-9)
	tail := "eta ?"
	switch {
	case final:
		tail = "in " + elapsed.Round(time.Millisecond).String()
	case p.done >= p.total:
		tail = "eta 0s"
	case rate > 0:
		tail = "eta " + time.Duration(float64(p.total-p.done)/rate*float64(time.Second)).Round(time.Second).String()
	}
	if !p.terminal {
		fmt.Fprintf(p.w, "migrate: %d/%d incidents (%d%%), database %d, %.0f/s, %s\n",
			p.done, p.total, pct, p.db, rate, tail)
		return
	}
	fill := int(pct) * barWidth / 100
	line := fmt.Sprintf("migrate [%s%s] %3d%% %d/%d  db %d  %.0f/s  %s",
		strings.Repeat("=", fill), strings.Repeat(" ", barWidth-fill), pct, p.done, p.total, p.db, rate, tail)
	pad := max(0, p.drawn-len(line))
	p.drawn = len(line)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(p.w, "\r%s%s%s", line, strings.Repeat(" ", pad), end)
}
