package engine

import (
	"testing"
	"time"
)

// CheckOracle fails t unless Parse gives for in exactly what the gjson-based
// oracle gives, so that every input of the external tests is also a
// differential test.
func CheckOracle(t testing.TB, in []byte, maxBytes int, now time.Time) {
	t.Helper()
	if d := diffOracle(in, maxBytes, now); d != "" {
		t.Error(d)
	}
}
