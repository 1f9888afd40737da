package crashtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// raceEnabled is set by race_test.go; the binary is then built with -race
// too, so a data race inside the server fails the test that provoked it.
var raceEnabled bool

// binary is the imredis binary TestMain builds.
var binary string

// quiet drops go-redis's own log lines (dial failures after a kill).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	dir, err := os.MkdirTemp("", "imredis-crashtest-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "imredis")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "./cmd/imredis")...)
	build.Dir = ".." // the module root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building imredis:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cycles returns the number of crash cycles: CRASH_CYCLES, default 20.
func cycles(t *testing.T) int {
	t.Helper()
	v := os.Getenv("CRASH_CYCLES")
	if v == "" {
		return 20
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("CRASH_CYCLES=%q: want a positive integer", v)
	}
	return n
}

// seed returns CRASH_SEED, or a fresh seed; the test logs it so a failing
// run can be replayed.
func seed(t *testing.T) uint64 {
	t.Helper()
	if v := os.Getenv("CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("CRASH_SEED=%q: want an unsigned integer", v)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}
