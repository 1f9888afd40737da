package commands

import (
	"context"
	"slices"

	"github.com/tidwall/gjson"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/resp"
)

// idPage is how many documents one List call returns while collecting the
// ids of a derived set from a Store that is not an engine.IDLister.
const idPage = 1000

// indexIDs returns the members of a derived index set, sorted.
func (k *keyspace) indexIDs(ctx context.Context, db int, f engine.Filter) ([]string, error) {
	if f.Empty {
		return nil, nil
	}
	var ids []string
	var err error
	if l, ok := find[engine.IDLister](k.d.Store); ok {
		ids, err = l.IDs(ctx, db, f)
	} else {
		ids, err = listIDs(ctx, k.d.Store, db, f)
	}
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// listIDs pages through Store.List, oldest first, and keeps the ids. An
// incident present for the whole walk is returned once.
func listIDs(ctx context.Context, s engine.Store, db int, f engine.Filter) ([]string, error) {
	q := engine.Query{Filter: f, Count: idPage}
	var ids []string
	for {
		page, err := s.List(ctx, db, q)
		if err != nil {
			return nil, err
		}
		for _, doc := range page.Docs {
			ids = append(ids, gjson.GetBytes(doc, "id").Str)
		}
		if page.Next == nil || len(page.Docs) == 0 {
			return ids, nil
		}
		q.After = page.Next
	}
}

// inIndex reports whether the incident document doc belongs to index set ref.
func inIndex(ref *keyRef, doc []byte) bool {
	if doc == nil || ref.filter.Empty {
		return false
	}
	if ref.field == "" {
		return true
	}
	v := gjson.GetBytes(doc, ref.field)
	return v.Type == gjson.String && v.Str == ref.value
}

// isIndexMember reports, for each member, whether it is in index set ref.
// Members are compared exactly: ids are stored lower-case.
func (k *keyspace) isIndexMember(ctx context.Context, db int, ref *keyRef, members []string) ([]bool, error) {
	out := make([]bool, len(members))
	var ids []string
	var at []int
	for i, m := range members {
		if !ref.filter.Empty && engine.ValidUUID(m) && !hasUpper(m) {
			ids, at = append(ids, m), append(at, i)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	docs, err := k.d.Store.MGet(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	for j, doc := range docs {
		out[at[j]] = inIndex(ref, doc) && gjson.GetBytes(doc, "id").Str == ids[j]
	}
	return out, nil
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// indexCard returns the size of index set ref.
func (k *keyspace) indexCard(ctx context.Context, db int, ref *keyRef) (int64, error) {
	if ref.filter.Empty {
		return 0, nil
	}
	return k.d.Store.Count(ctx, db, ref.filter)
}

// incidentExists reports whether the incident of an incident key exists.
func (k *keyspace) incidentExists(ctx context.Context, db int, ref *keyRef) (bool, error) {
	if !engine.ValidUUID(ref.id) {
		return false, nil
	}
	doc, err := k.d.Store.Get(ctx, db, ref.id)
	return doc != nil, err
}

// exists reports whether ref names an existing key: an incident, a
// non-empty index set or a live temp set.
func (k *keyspace) exists(ctx context.Context, db int, ref *keyRef) (bool, error) {
	switch ref.kind {
	case keyIncident:
		return k.incidentExists(ctx, db, ref)
	case keyIndex:
		n, err := k.indexCard(ctx, db, ref)
		return n > 0, err
	case keyTemp:
		return k.temp.card(db, ref.name) > 0, nil
	}
	return false, resp.ErrOutsideKeys
}

// setMembers returns the sorted members of the set at ref: an index set, a
// temp set, or nothing for a missing incident key (WRONGTYPE for one that
// exists).
func (k *keyspace) setMembers(ctx context.Context, db int, ref *keyRef) ([]string, error) {
	switch ref.kind {
	case keyIndex:
		return k.indexIDs(ctx, db, ref.filter)
	case keyTemp:
		return k.temp.members(db, ref.name), nil
	case keyIncident:
		ok, err := k.incidentExists(ctx, db, ref)
		if err == nil && ok {
			err = resp.ErrWrongType
		}
		return nil, err
	}
	return nil, resp.ErrOutsideKeys
}
