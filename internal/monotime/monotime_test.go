package monotime

import (
	"testing"
	"time"
)

func TestSince(t *testing.T) {
	start, wall := Now(), time.Now()
	time.Sleep(20 * time.Millisecond)
	d, want := Since(start), time.Since(wall)
	if d < 20*time.Millisecond || d > want+5*time.Millisecond {
		t.Fatalf("Since = %v after sleeping 20ms (time.Since says %v)", d, want)
	}
	if a, b := Now(), Now(); b < a {
		t.Fatalf("the clock went back: %d then %d", a, b)
	}
}
