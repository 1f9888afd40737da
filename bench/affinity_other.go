//go:build !linux

package bench

// Together runs fn: placing processes on CPUs is implemented on Linux only.
func Together(pid int, fn func() error) error { return fn() }
