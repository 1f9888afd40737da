package crashtest

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/imredis/imredis/internal/testbin"
)

// binary is the imredis binary TestMain builds.
var binary string

func TestMain(m *testing.M) { testbin.Main(m, &binary) }

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
