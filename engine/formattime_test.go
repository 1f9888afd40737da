package engine

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestFormatTimeMatchesLayout(t *testing.T) {
	for i := 0; i < 200000; i++ {
		ns := rand.Int64() - rand.Int64()
		if i < 4 {
			ns = []int64{0, -1, 1<<63 - 1, -1 << 63}[i]
		}
		want := time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
		if got := FormatTime(ns); got != want {
			t.Fatalf("FormatTime(%d) = %s, want %s", ns, got, want)
		}
	}
}
