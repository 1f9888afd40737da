// Package testbin builds the imredis binary for tests that run it as a user
// would (a subprocess on real sockets), once per test package.
package testbin

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// quiet drops go-redis's own log lines (dial failures after a kill or a shutdown).
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// Main builds cmd/imredis into a temporary directory, with -race when the
// tests run under the race detector (so that a race inside the server fails
// the test that provoked it), stores its path in *binary, silences go-redis's
// logger, runs the tests and removes the binary. It does not return.
func Main(m *testing.M, binary *string) {
	redis.SetLogger(quiet{})
	dir, err := os.MkdirTemp("", "imredis-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := build(filepath.Join(dir, "imredis")); err != nil {
		fmt.Fprintln(os.Stderr, "building imredis:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	*binary = filepath.Join(dir, "imredis")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func build(out string) error {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return err
	}
	args := []string{"build", "-o", out}
	if Race {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/imredis")...)
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}
