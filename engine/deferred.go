package engine

import "context"

// Deferred collects the durability waits of writes whose replies a server
// holds back: a store that finds a Deferred in a write's context registers
// the wait there and returns at once, and the server runs every wait before
// it sends any of the held replies. A pipeline of durable writes from one
// connection then shares fsyncs instead of waiting for one per command,
// and still no reply leaves before the write it acknowledges is durable.
type Deferred struct {
	waits []func() error
}

type deferredKey struct{}

// WithDeferred returns ctx carrying d.
func WithDeferred(ctx context.Context, d *Deferred) context.Context {
	return context.WithValue(ctx, deferredKey{}, d)
}

// Defer registers wait with the Deferred in ctx and reports true, or reports
// false when ctx carries none (the caller then waits itself).
func Defer(ctx context.Context, wait func() error) bool {
	d, _ := ctx.Value(deferredKey{}).(*Deferred)
	if d == nil {
		return false
	}
	d.waits = append(d.waits, wait)
	return true
}

// Len returns how many waits are registered.
func (d *Deferred) Len() int { return len(d.waits) }

// Wait runs every registered wait, in order, returns their errors (nil
// entries for the ones that succeeded) and empties d.
func (d *Deferred) Wait() []error {
	errs := make([]error, len(d.waits))
	for i, w := range d.waits {
		errs[i] = w()
	}
	clear(d.waits)
	d.waits = d.waits[:0]
	return errs
}
