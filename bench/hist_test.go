package bench

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistQuantiles(t *testing.T) {
	var h, a, b Hist
	r := rand.New(rand.NewPCG(1, 2))
	var all []time.Duration
	for i := range 100_000 {
		d := time.Duration(r.ExpFloat64() * float64(200*time.Microsecond))
		all = append(all, d)
		h.Record(d)
		if i%2 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	slices.Sort(all)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		want := all[int(q*float64(len(all)))-1]
		for _, x := range []*Hist{&h, &a} {
			got := x.Quantile(q)
			if diff := float64(got-want) / float64(want); diff > 0.02 || diff < -0.02 {
				t.Errorf("q%.3f = %v, exact %v (%.1f%% off)", q, got, want, diff*100)
			}
		}
	}
	if h.Count() != 100_000 || a.Count() != h.Count() || h.Max() != all[len(all)-1] {
		t.Errorf("count %d/%d, max %v want %v", h.Count(), a.Count(), h.Max(), all[len(all)-1])
	}
}

func TestHistBuckets(t *testing.T) {
	for _, v := range []int64{0, 1, 127, 128, 129, 255, 256, 1 << 20, 1<<40 + 12345, 1<<62 + 1} {
		i := bucketOf(v)
		if lo, hi := lowOf(i), lowOf(i+1); v < lo || v >= hi {
			t.Errorf("%d in bucket %d = [%d, %d)", v, i, lo, hi)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range [][2]string{
		{FormatOps(1234567.4), "1,234,567"}, {FormatOps(12.345), "12.35"}, {FormatOps(999), "999"},
		{FormatDur(1500 * time.Nanosecond), "1.5 µs"}, {FormatDur(2500 * time.Microsecond), "2.50 ms"},
		{FormatDur(3 * time.Second), "3.00 s"}, {FormatRatio(0.456), "0.46x"}, {FormatRatio(345.6), "346x"},
		{FormatBytes(1536), "1.5 KiB"},
	} {
		if c[0] != c[1] {
			t.Errorf("got %q, want %q", c[0], c[1])
		}
	}
}
