package bench

import (
	"math/bits"
	"time"
)

// histSub is the number of sub-buckets per power of two: values are kept
// with a relative error below 1/histSub (about 1.6%), as an HDR histogram
// with two significant digits would.
const (
	histSubBits = 6
	histSub     = 1 << histSubBits
	histBuckets = 2*histSub + (63-histSubBits)*histSub
)

// Hist is a log-linear histogram of durations in nanoseconds. The zero value
// is empty and ready; it is not safe for concurrent use (keep one per worker
// and Merge them).
type Hist struct {
	counts [histBuckets]uint64
	n      uint64
	max    int64
}

func bucketOf(v int64) int {
	if v < 2*histSub {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - histSubBits - 1
	return 2*histSub + (shift-1)*histSub + int(v>>shift) - histSub
}

// lowOf returns the smallest value that falls in bucket i.
func lowOf(i int) int64 {
	if i < 2*histSub {
		return int64(i)
	}
	i -= 2 * histSub
	shift := i/histSub + 1
	return int64(i%histSub+histSub) << shift
}

// Record adds one duration.
func (h *Hist) Record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(v)]++
	h.n++
	if v > h.max {
		h.max = v
	}
}

// Merge adds every value of o.
func (h *Hist) Merge(o *Hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// Count returns the number of values recorded.
func (h *Hist) Count() uint64 { return h.n }

// Max returns the largest value recorded.
func (h *Hist) Max() time.Duration { return time.Duration(h.max) }

// Quantile returns the value at quantile q (0 < q <= 1): the middle of the
// bucket holding the ceil(q*n)-th smallest value, never above Max.
func (h *Hist) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.999999)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := lowOf(i), lowOf(i+1)
			return time.Duration(min((lo+hi)/2, h.max))
		}
	}
	return time.Duration(h.max)
}
