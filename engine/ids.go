package engine

import "context"

// IDLister is an optional interface of a Store that can list the ids matching
// a filter without reading their documents. The llm-im: keyspace uses it to
// answer SMEMBERS, SINTER and friends on the derived index sets; for a Store
// without it the commands page through List instead.
type IDLister interface {
	// IDs returns the ids of the incidents in database db that match f, each
	// once, in an order that is the same for the same data (no map order).
	IDs(ctx context.Context, db int, f Filter) ([]string, error)
}
