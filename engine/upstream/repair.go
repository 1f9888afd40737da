package upstream

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/imredis/imredis/engine"
	"github.com/redis/go-redis/v9"
	"github.com/tidwall/gjson"
)

// repairChunk is how many documents or index keys one repair round handles.
const repairChunk = 64

// repairRound bounds one round trip of Repair: maintenance work on a busy
// Redis gets more time than a client's request.
func (s *Store) repairRound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 5*s.timeout)
}

// ensureIndexed repairs database n unless every id of p:incidents is in
// p:by:all or p:invalid and p:layout, when present, names this layout.
func (s *Store) ensureIndexed(ctx context.Context, n int) error {
	c := s.dbs[n]
	cctx, cancel := s.bound(ctx)
	var layout *redis.StringCmd
	var all, zall, invalid *redis.IntCmd
	_, err := c.Pipelined(cctx, func(p redis.Pipeliner) error {
		layout = p.Get(cctx, s.keys.layout())
		all, zall, invalid = p.SCard(cctx, s.keys.incidents()), p.ZCard(cctx, s.keys.byAll()), p.SCard(cctx, s.keys.invalid())
		return nil
	})
	cancel()
	if err != nil && !errors.Is(err, redis.Nil) {
		return s.fail(err)
	}
	if all.Val() == zall.Val()+invalid.Val() && (layout.Val() == "" || layout.Val() == layoutVersion) {
		return nil
	}
	s.log.Info().Int("db", n).Int64("ids", all.Val()).Int64("indexed", zall.Val()).
		Msg("indexing incidents the imredis keys do not know yet")
	return s.repairDB(ctx, n)
}

// Repair rebuilds, in every database, what this engine adds to the seed's
// layout, and makes the seed's sets exact: it indexes every document whose
// p:meta: hash is missing or stale, drops metas whose document is gone, and
// removes every set or zset member that no document justifies. It is safe
// while other writers run; each round trip is bounded by five times the
// timeout.
func (s *Store) Repair(ctx context.Context) error {
	for n := range s.dbs {
		if err := s.repairDB(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) repairDB(ctx context.Context, n int) error {
	c := s.dbs[n]
	steps := []struct{ pattern, typ string }{
		{s.keys.pattern("incident:"), "string"}, {s.keys.pattern("meta:"), "hash"},
		{s.keys.pattern(""), "set"}, {s.keys.pattern("by:"), "zset"},
	}
	for _, st := range steps {
		err := s.scan(ctx, c, st.pattern, st.typ, func(batch []string) error {
			for part := range slices.Chunk(batch, repairChunk) {
				var err error
				switch st.typ {
				case "string":
					err = s.reindex(ctx, c, s.ids(part))
				case "hash":
					err = s.dropOrphans(ctx, c, s.ids(part))
				case "set":
					err = s.prune(ctx, c, "set", slices.DeleteFunc(part, func(k string) bool { return !s.keys.isSet(k) }))
				default:
					err = s.prune(ctx, c, "zset", slices.DeleteFunc(part, func(k string) bool { return !s.keys.isZset(k) }))
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	cctx, cancel := s.bound(ctx)
	defer cancel()
	return s.fail(c.Set(cctx, s.keys.layout(), layoutVersion, 0).Err())
}

// ids returns the ids in incident or meta keys.
func (s *Store) ids(batch []string) []string {
	var out []string
	for _, k := range batch {
		if id := s.keys.idOf(k); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// reindex indexes the stored documents of ids again, each with
// reindexScript, which re-checks that neither the document nor its meta
// changed since they were read here.
func (s *Store) reindex(ctx context.Context, c *redis.Client, ids []string) error {
	for attempt := 0; len(ids) > 0; attempt++ {
		if attempt == maxAttempts {
			return s.fail(fmt.Errorf("reindex: %w", errGaveUp))
		}
		var err error
		if ids, err = s.reindexOnce(ctx, c, ids); err != nil {
			return err
		}
	}
	return nil
}

// reindexOnce is one round of reindex, bounded by repairRound; it returns
// the ids that changed under it.
func (s *Store) reindexOnce(ctx context.Context, c *redis.Client, ids []string) ([]string, error) {
	ctx, cancel := s.repairRound(ctx)
	defer cancel()
	docs := make([]*redis.StringCmd, len(ids))
	ops := make([]*redis.StringCmd, len(ids))
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			docs[i] = p.Get(ctx, s.keys.incident(id))
			ops[i] = p.HGet(ctx, s.keys.meta(id), "op")
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, s.fail(err)
	}
	if err := reindexScript.Load(ctx, c).Err(); err != nil {
		return nil, s.fail(err)
	}
	var todo []string
	var runs []*redis.Cmd
	_, err = c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			doc, err := docs[i].Bytes()
			if err != nil {
				continue // gone: nothing to index
			}
			w, bad := s.plan(id, doc)
			if bad != nil {
				s.log.Warn().Str("id", id).Err(bad).Msg("stored incident fails validation: kept, but only Get serves it")
			}
			sum := sha1.Sum(doc)
			todo = append(todo, id)
			runs = append(runs, reindexScript.EvalSha(ctx, p, w.keys, append(w.args, ops[i].Val(), hex.EncodeToString(sum[:]))...))
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(err)
	}
	var retry []string
	for i, r := range runs {
		if r.Val() == "RETRY" {
			retry = append(retry, todo[i])
		}
	}
	return retry, nil
}

// plan returns the write that indexes the stored document doc of id; bad
// is why the document fails validation (then it goes to p:invalid only).
func (s *Store) plan(id string, doc []byte) (write, error) {
	head := []string{s.keys.incident(id), s.keys.meta(id)}
	raw, rewrite := doc, false
	if !gjson.GetBytes(doc, "id").Exists() { // the key names it
		raw, rewrite = append([]byte(`{"id":"`+id+`",`), bytes.TrimLeft(bytes.TrimSpace(doc), "{")...), true
	}
	inc, err := engine.Parse(raw, 0, s.opts.Now())
	if err == nil && inc.ID != id {
		err = fmt.Errorf("its id %s differs from its key's", inc.ID)
	}
	if err != nil {
		return s.invalidWrite(id, doc, head), err
	}
	// A defaulted instant is written back, so that the document and the index agree.
	if rewrite || inc.CreatedDefaulted() || gjson.GetBytes(doc, "updated_at").Type != gjson.String {
		return s.newWrite(0, &inc.Meta, inc.Doc, head, ""), nil
	}
	return s.newWrite(0, &inc.Meta, nil, head, ""), nil
}

// invalidWrite indexes a document that fails validation: in p:incidents,
// p:invalid and the seed's sets its raw fields name; in no zset.
func (s *Store) invalidWrite(id string, doc []byte, head []string) write {
	r := gjson.ParseBytes(doc)
	str := func(f string) string {
		if v := r.Get(f); v.Type == gjson.String {
			return v.Str
		}
		return ""
	}
	sets := []string{s.keys.incidents(), s.keys.invalid()}
	for _, f := range []struct {
		field string
		key   func(string) string
	}{{"severity", s.keys.severity}, {"state", s.keys.state}, {"source", s.keys.source}, {"fingerprint", s.keys.fingerprint}} {
		if v := str(f.field); v != "" {
			sets = append(sets, f.key(v))
		}
	}
	fields := eventFields(id, str("severity"), str("state"), str("updated_at"))
	return s.newWriteKeys(0, id, "", 0, fields, nil, head, sets, nil, "")
}

// dropOrphans removes the metas (and the index entries they list) of ids
// whose document is gone.
func (s *Store) dropOrphans(ctx context.Context, c *redis.Client, ids []string) error {
	var ks []string
	args := []any{s.keys.events(), 0, "orphans", "", ""}
	for _, id := range ids {
		ks = append(ks, s.keys.incident(id), s.keys.meta(id))
		args = append(args, id)
	}
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := s.repairRound(ctx)
	defer cancel()
	return s.fail(deleteScript.Run(ctx, c, ks, args...).Err())
}

// prune removes, from each index key in ks (all of kind "set" or "zset"),
// the members no indexed document justifies, a SCAN round of every key per
// round trip.
func (s *Store) prune(ctx context.Context, c *redis.Client, kind string, ks []string) error {
	cursors := make(map[string]uint64, len(ks))
	for len(ks) > 0 {
		var err error
		if ks, err = s.pruneOnce(ctx, c, kind, ks, cursors); err != nil {
			return err
		}
	}
	return nil
}

// pruneOnce is one round of prune, bounded by repairRound: one SCAN step of
// every key, then the prune scripts; it returns the keys not done yet.
func (s *Store) pruneOnce(ctx context.Context, c *redis.Client, kind string, ks []string, cursors map[string]uint64) ([]string, error) {
	ctx, cancel := s.repairRound(ctx)
	defer cancel()
	scans := make([]*redis.ScanCmd, len(ks))
	if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range ks {
			if kind == "set" {
				scans[i] = p.SScan(ctx, k, cursors[k], "", 256)
			} else {
				scans[i] = p.ZScan(ctx, k, cursors[k], "", 256)
			}
		}
		return nil
	}); err != nil {
		return nil, s.fail(err)
	}
	if err := pruneScript.Load(ctx, c).Err(); err != nil {
		return nil, s.fail(err)
	}
	var next []string
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range ks {
			members, cur := scans[i].Val()
			if cur != 0 {
				next, cursors[k] = append(next, k), cur
			}
			if len(members) > 0 {
				pks, args := s.pruneArgs(kind, k, members)
				pruneScript.EvalSha(ctx, p, pks, args...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail(err)
	}
	return next, nil
}

// pruneArgs returns the KEYS and ARGV of pruneScript for members of key (a
// ZSCAN reply alternates members and scores).
func (s *Store) pruneArgs(kind, key string, members []string) ([]string, []any) {
	ks, args := []string{key}, []any{kind}
	for i := 0; i < len(members); i++ {
		m, id := members[i], members[i]
		if kind == "zset" {
			i++ // skip the score
			if len(m) > memberIDAt {
				id = m[memberIDAt:]
			}
		}
		ks = append(ks, s.keys.meta(id), s.keys.incident(id))
		args = append(args, m)
	}
	return ks, args
}

// repairSet indexes the documents of the members of the seed set key (and
// of id) that were never indexed, and prunes the set.
func (s *Store) repairSet(ctx context.Context, c *redis.Client, key, id string) error {
	ids, err := c.SMembers(ctx, key).Result()
	if err != nil {
		return s.fail(err)
	}
	if err := s.reindex(ctx, c, append(ids, id)); err != nil {
		return err
	}
	return s.prune(ctx, c, "set", []string{key})
}
