package bench

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Row is one measured target of a Section.
type Row struct {
	Clients  int
	Pipeline int
	Target   string
	Res      *Result // nil when the row was skipped
	Skipped  string  // why the row was not measured
}

// Section is one table of measurements: rows of several targets at several
// client counts and pipeline depths, each compared with the baseline rows
// (Bases, by target name) of the same clients and pipeline.
type Section struct {
	Title string
	Note  string
	Kind  string // get, save, count, list, durable: what the scaling tables group by
	Size  int    // store size the section ran at
	Bases []string
	Rows  []Row
}

// Table is a plain markdown table.
type Table struct {
	Title  string
	Note   string
	Header []string
	Rows   [][]string
}

// Report is a whole run: the machine, the tables and the notes.
type Report struct {
	Title    string
	Machine  [][2]string
	Sections []*Section
	Tables   []Table
	Notes    []string
	Elapsed  time.Duration
}

// Table renders s with one ratio column per baseline: the row's ops/s over
// the baseline's at the same clients and pipeline.
func (s *Section) Table() Table {
	t := Table{Title: s.Title, Note: s.Note, Header: []string{"clients", "pipeline", "target", "ops/s", "p50", "p99", "server CPU/op"}}
	for _, b := range s.Bases {
		t.Header = append(t.Header, "ratio vs "+b)
	}
	for _, r := range s.Rows {
		line := []string{strconv.Itoa(r.Clients), strconv.Itoa(r.Pipeline), r.Target}
		if r.Res == nil {
			line = append(line, "skipped: "+r.Skipped, "", "", "")
		} else {
			cpu := ""
			if c := r.Res.CPUPerOp(); c > 0 {
				cpu = FormatDur(c)
			}
			line = append(line, FormatOps(r.Res.OpsPerSec()), FormatDur(r.Res.Hist.Quantile(0.5)),
				FormatDur(r.Res.Hist.Quantile(0.99)), cpu)
		}
		for _, b := range s.Bases {
			line = append(line, s.ratio(r, b))
		}
		t.Rows = append(t.Rows, line)
	}
	return t
}

func (s *Section) ratio(r Row, base string) string {
	if r.Target == base || r.Res == nil {
		return ""
	}
	for _, b := range s.Rows {
		if b.Target == base && b.Clients == r.Clients && b.Pipeline == r.Pipeline && b.Res != nil {
			if bo := b.Res.OpsPerSec(); bo > 0 {
				return FormatRatio(r.Res.OpsPerSec() / bo)
			}
		}
	}
	return ""
}

// Markdown writes the report.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "# %s\n\n", r.Title)
	fmt.Fprintln(w, "| machine | |\n|---|---|")
	for _, kv := range r.Machine {
		fmt.Fprintf(w, "| %s | %s |\n", kv[0], kv[1])
	}
	fmt.Fprintf(w, "| run time | %s |\n\n", r.Elapsed.Round(time.Second))
	for _, s := range r.Sections {
		s.Table().markdown(w)
	}
	for _, t := range r.Tables {
		t.markdown(w)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w, "## Notes")
		fmt.Fprintln(w)
		for _, n := range r.Notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

func (t Table) markdown(w io.Writer) {
	fmt.Fprintf(w, "## %s\n\n", t.Title)
	if t.Note != "" {
		fmt.Fprintf(w, "%s\n\n", t.Note)
	}
	fmt.Fprintf(w, "| %s |\n|", strings.Join(t.Header, " | "))
	for range t.Header {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprintln(w)
	for _, row := range t.Rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintln(w)
}

// FormatOps renders a throughput with thousands separators.
func FormatOps(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	if v < 100 {
		s = strconv.FormatFloat(v, 'f', 2, 64)
	}
	var out []byte
	intPart, frac, _ := strings.Cut(s, ".")
	for i := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, intPart[i])
	}
	if frac != "" {
		return string(out) + "." + frac
	}
	return string(out)
}

// FormatDur renders a latency in µs, ms or s with three significant digits.
func FormatDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e3, 'f', 1, 64) + " µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
}

// FormatRatio renders a ratio as "1.23x".
func FormatRatio(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + "x"
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64) + "x"
	}
	return strconv.FormatFloat(v, 'f', 2, 64) + "x"
}

// FormatBytes renders a byte count in B, KiB, MiB or GiB.
func FormatBytes(v float64) string {
	switch {
	case v >= 1<<30:
		return strconv.FormatFloat(v/(1<<30), 'f', 2, 64) + " GiB"
	case v >= 1<<20:
		return strconv.FormatFloat(v/(1<<20), 'f', 1, 64) + " MiB"
	case v >= 1<<10:
		return strconv.FormatFloat(v/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " B"
}

// Machine describes where the run happens: CPU model, cores, memory, kernel,
// Go and redis-server versions.
func Machine(imredis string) [][2]string {
	cpu := "unknown"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := "unknown"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if l, _, ok := strings.Cut(string(b), "\n"); ok {
			if kb, err := strconv.ParseFloat(strings.Fields(l)[1], 64); err == nil {
				mem = FormatBytes(kb * 1024)
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return [][2]string{
		{"cpu", cpu},
		{"cores", strconv.Itoa(runtime.NumCPU())},
		{"memory", mem},
		{"kernel", strings.TrimSpace(string(kernel))},
		{"go", runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH},
		{"redis-server", command("redis-server", "--version")},
		{"imredis", command(imredis, "--version")},
		{"load average at the start", LoadAvg()},
	}
}

// LoadAvg returns the 1, 5 and 15 minute load averages: other work on the
// machine skews every number, so the report says how busy it was.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "unavailable (" + err.Error() + ")"
	}
	return strings.TrimSpace(string(out))
}
