// Command imbench measures imredis against a real redis-server in one run:
// it starts imredis (one process per engine) and redis-server on free
// loopback ports, loads the same generated incidents into both, measures
// INC.GET/SAVE/LIST/COUNT against their Redis equivalents and the seed's
// algorithms, prints a markdown table and writes it to
// bench/results/<date>-<mode>.md.
//
// It exits 0 on success and 1 when a server that must start does not, a
// command errors or a sanity check fails; never because of a ratio.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/imredis/imredis/bench"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("imbench", flag.ContinueOnError)
	mode := fs.String("mode", "quick", "quick (10k incidents, under a minute) or full (10k, 100k, 1M)")
	imredis := fs.String("imredis", "", "imredis `binary` (default: go build ./cmd/imredis into a temporary directory)")
	engines := fs.String("engines", "", "comma-separated imredis engines to measure (default memory:,buntdb:,redis://); "+
		"buntdb: gets a temporary data file, redis:// a redis-server of its own")
	need := fs.String("need", "", "comma-separated engines that must start (default memory:); others are skipped with a note")
	durable := fs.String("durable", "", "engine of the durable INC.SAVE comparison (default buntdb:; \"none\" turns it off)")
	sizes := fs.String("sizes", "", "comma-separated store sizes (default: the mode's)")
	pointSize := fs.Int("point-size", 0, "store size of the full GET/SAVE/COUNT matrix (default: the mode's)")
	cell := fs.Duration("cell", 0, "measured time of one cell (default: the mode's)")
	clients := fs.String("clients", "", "comma-separated client counts (default 1,50)")
	pipelines := fs.String("pipelines", "", "comma-separated pipeline depths (default 1,16)")
	only := fs.String("only", "", "comma-separated kinds to run: get,save,count,list,memory,reopen,durable (default all)")
	out := fs.String("out", "bench/results", "`directory` of the results file; empty writes none")
	seed := fs.Uint64("seed", 1, "seed of the incident generator")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *mode != "quick" && *mode != "full" {
		fmt.Fprintln(os.Stderr, "imbench: --mode must be quick or full")
		return 2
	}
	cfg := bench.DefaultConfig(*mode)
	cfg.Seed = *seed
	setList(&cfg.Engines, *engines)
	setList(&cfg.Need, *need)
	setList(&cfg.Only, *only)
	switch *durable {
	case "":
	case "none":
		cfg.Durable = ""
	default:
		cfg.Durable = *durable
	}
	for _, l := range []struct {
		name string
		v    string
		dst  *[]int
	}{{"sizes", *sizes, &cfg.Sizes}, {"clients", *clients, &cfg.Clients}, {"pipelines", *pipelines, &cfg.Pipelines}} {
		if err := setInts(l.dst, l.v); err != nil {
			fmt.Fprintf(os.Stderr, "imbench: --%s: %v\n", l.name, err)
			return 2
		}
	}
	if *sizes != "" {
		cfg.PointSize = cfg.Sizes[len(cfg.Sizes)/2]
	}
	if *pointSize > 0 {
		cfg.PointSize = *pointSize
	}
	if *cell > 0 {
		cfg.CellTime, cfg.Warmup = *cell, *cell/10
	}
	bin, cleanup, err := binary(*imredis)
	if err != nil {
		fmt.Fprintln(os.Stderr, "imbench:", err)
		return 1
	}
	defer cleanup()
	cfg.Imredis = bin
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	cfg.Interrupt = sig

	rep, err := bench.Run(cfg)
	if rep == nil {
		fmt.Fprintln(os.Stderr, "imbench:", err)
		return 1
	}
	var md bytes.Buffer
	rep.Markdown(&md)
	os.Stdout.Write(md.Bytes())
	if err != nil {
		fmt.Fprintln(os.Stderr, "imbench: FAILED:", err)
		return 1
	}
	if *out != "" {
		path := filepath.Join(*out, time.Now().Format("2006-01-02")+"-"+*mode+".md")
		if err := os.MkdirAll(*out, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "imbench:", err)
			return 1
		}
		if err := os.WriteFile(path, md.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "imbench:", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "imbench: wrote %s (%s)\n", path, rep.Elapsed.Round(time.Second))
	}
	return 0
}

// setList replaces *dst with the comma-separated values of v when v is set.
func setList(dst *[]string, v string) {
	if v == "" {
		return
	}
	*dst = nil
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*dst = append(*dst, s)
		}
	}
}

// setInts replaces *dst with the comma-separated positive integers of v
// when v is set.
func setInts(dst *[]int, v string) error {
	if v == "" {
		return nil
	}
	var out []int
	for _, s := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad number %q", s)
		}
		out = append(out, n)
	}
	*dst = out
	return nil
}

// binary returns the imredis binary to run: path when given, else one built
// from ./cmd/imredis into a temporary directory.
func binary(path string) (string, func(), error) {
	if path != "" {
		abs, err := filepath.Abs(path)
		if err != nil {
			return "", nil, err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", nil, fmt.Errorf("--imredis: %w", err)
		}
		return abs, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "imbench-bin-")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "imredis")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/imredis")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", nil, errors.New("go build ./cmd/imredis failed (run from the repository root, or pass --imredis)")
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}
