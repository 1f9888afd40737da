//go:build race

package testbin

// Race reports whether the tests run under the race detector.
const Race = true
