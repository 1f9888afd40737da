// Package monotime reads the monotonic clock alone. time.Now reads the wall
// clock too, and on a virtual machine each read can cost as much as a small
// command; timing every command and storage call with it showed up in
// profiles. A reading here is one clock read.
package monotime

import "time"

var base = time.Now()

// Now returns the monotonic clock in nanoseconds since the process started.
func Now() int64 { return int64(time.Since(base)) }

// Since returns the time elapsed since the reading t.
func Since(t int64) time.Duration { return time.Duration(Now() - t) }
