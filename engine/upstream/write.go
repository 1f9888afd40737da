package upstream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/imredis/imredis/engine"
	"github.com/redis/go-redis/v9"
)

// errGaveUp is returned when optimistic retries never got through.
var errGaveUp = errors.New("the incident kept changing; gave up after retries")

// write is one put-based script call: the KEYS and ARGV of putLua.
type write struct {
	keys []string
	args []any
	op   string
}

// newWrite prepares the indexing of m in database n. head holds the keys
// before the index keys (document, meta, then script-specific ones); doc is
// the document to store (nil keeps the stored one); event is the
// change-feed op, "" for none.
func (s *Store) newWrite(n int, m *engine.Meta, doc []byte, head []string, event engine.Op) write {
	fields := eventFields(m.ID, m.Severity.String(), m.State.String(), engine.FormatTime(m.Updated))
	return s.newWriteKeys(n, m.ID, member(m.Created, m.ID), m.Updated, fields, doc, head,
		s.keys.sets(m), s.keys.zsets(m), event)
}

// newWriteKeys is newWrite with the index keys given.
func (s *Store) newWriteKeys(n int, id, k string, updated int64, fields string, doc []byte,
	head, sets, zsets []string, event engine.Op) write {
	w := write{op: token()}
	w.keys = slices.Concat(head, sets, zsets)
	ev, fence := "", ""
	if event != "" {
		ev, fence = eventJSON(event, n, fields), s.feed.channel()
	}
	w.args = []any{id, w.op, doc, k, updated, fields, len(sets), s.keys.events(), ev, fence}
	return w
}

// run runs a put-based script and, when it committed, waits until the feed
// delivered its event. It returns the script's reply.
func (s *Store) run(ctx context.Context, c *redis.Client, sc *redis.Script, w write, extra ...any) (any, error) {
	wait := s.feed.expect(w.op)
	res, err := sc.Run(ctx, c, w.keys, append(w.args, extra...)...).Result()
	if status(res) == "OK" || status(res) == "DONE" {
		s.feed.wait(ctx, w.op, wait)
	} else {
		s.feed.forget(w.op)
	}
	return res, err
}

// status returns a script reply's status word.
func status(res any) string {
	switch r := res.(type) {
	case string:
		return r
	case []any:
		if len(r) > 0 {
			s, _ := r[0].(string)
			return s
		}
	}
	return ""
}

// Save upserts inc, moving every index entry in one script.
func (s *Store) Save(ctx context.Context, n int, inc *engine.Incident) error {
	c, err := s.client(n)
	if err != nil {
		return err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	m := &inc.Meta
	head := []string{s.keys.incident(m.ID), s.keys.meta(m.ID)}
	for range maxAttempts {
		w := s.newWrite(n, m, m.Doc, head, engine.OpSaved)
		res, err := s.run(ctx, c, saveScript, w)
		if err != nil {
			return s.fail(err)
		}
		if status(res) != "NOMETA" {
			return nil
		}
		if err := s.reindex(ctx, c, []string{m.ID}); err != nil {
			return err
		}
	}
	return s.fail(errGaveUp)
}

// SaveDedup saves inc unless an active incident with its fingerprint and
// another id exists, deciding inside one script.
func (s *Store) SaveDedup(ctx context.Context, n int, inc *engine.Incident) (string, bool, error) {
	c, err := s.client(n)
	if err != nil {
		return "", false, err
	}
	if inc.Fingerprint == "" {
		inc.SetFingerprint(inc.ComputeFingerprint())
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	m := &inc.Meta
	head := append([]string{s.keys.incident(m.ID), s.keys.meta(m.ID),
		s.keys.byFingerprint(m.Fingerprint), s.keys.fingerprint(m.Fingerprint)}, s.keys.activeStates()...)
	check := "1"
	for range maxAttempts {
		w := s.newWrite(n, m, m.Doc, head, engine.OpSaved)
		res, err := s.run(ctx, c, dedupScript, w, check)
		if err != nil {
			return "", false, s.fail(err)
		}
		switch status(res) {
		case "OK", "DONE":
			return m.ID, true, nil
		case "DUP":
			dup, _ := res.([]any)[1].(string)
			return dup, false, nil
		}
		// NOMETA: index what the fingerprint set holds, then decide.
		if err := s.repairSet(ctx, c, s.keys.fingerprint(m.Fingerprint), m.ID); err != nil {
			return "", false, err
		}
		check = "0"
	}
	return "", false, s.fail(errGaveUp)
}

// Update replaces an existing incident under the IFMATCH rule: it reads the
// stored updated_at and op token, applies engine.PrepareUpdate, and writes only
// if the op token is unchanged (else it reads again).
func (s *Store) Update(ctx context.Context, n int, inc *engine.Incident, ifMatch *int64) (string, error) {
	c, err := s.client(n)
	if err != nil {
		return "", err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	head := []string{s.keys.incident(inc.ID), s.keys.meta(inc.ID)}
	for range maxAttempts {
		stored, op, err := s.stored(ctx, c, inc.ID)
		if err != nil {
			return "", err
		}
		if op == "" {
			if err := s.reindex(ctx, c, []string{inc.ID}); err != nil {
				return "", err
			}
			continue
		}
		next := *inc
		if err := engine.PrepareUpdate(stored, &next, ifMatch, s.opts.Now()); err != nil {
			return "", err
		}
		w := s.newWrite(n, &next.Meta, next.Doc, head, engine.OpUpdated)
		res, err := s.run(ctx, c, updateScript, w, op)
		if err != nil {
			return "", s.fail(err)
		}
		switch status(res) {
		case "OK", "DONE":
			*inc = next
			return engine.FormatTime(next.Updated), nil
		case "NOTFOUND":
			return "", engine.NotFound(inc.ID)
		}
	}
	return "", s.fail(errGaveUp)
}

// stored reads what Update needs of the stored incident id: its instants and
// document, and the op token of its meta ("" when it was never indexed).
func (s *Store) stored(ctx context.Context, c *redis.Client, id string) (*engine.Meta, string, error) {
	var doc *redis.StringCmd
	var meta *redis.SliceCmd
	_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
		doc = p.Get(ctx, s.keys.incident(id))
		meta = p.HMGet(ctx, s.keys.meta(id), "op", "k", "u")
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return nil, "", engine.NotFound(id)
	}
	if err != nil {
		return nil, "", s.fail(err)
	}
	f := meta.Val()
	op, _ := f[0].(string)
	k, _ := f[1].(string)
	u, _ := f[2].(string)
	m := &engine.Meta{ID: id, Doc: []byte(doc.Val())}
	m.Updated, _ = strconv.ParseInt(u, 10, 64)
	if p, ok := position(k); ok {
		m.Created = p.Created
	} else {
		m.Doc = nil // an invalid stored document: nothing to keep
	}
	return m, op, nil
}

// Delete removes the incidents with ids in one script and returns how many existed.
func (s *Store) Delete(ctx context.Context, n int, ids []string) (int, error) {
	c, err := s.client(n)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ks := make([]string, 0, 2*len(ids))
	args := make([]any, 0, 5+len(ids))
	op := token()
	args = append(args, s.keys.events(), n, "delete", s.feed.channel(), op)
	for _, id := range ids {
		id = strings.ToLower(id)
		ks = append(ks, s.keys.incident(id), s.keys.meta(id))
		args = append(args, id)
	}
	for range maxAttempts {
		wait := s.feed.expect(op)
		res, err := deleteScript.Run(ctx, c, ks, args...).Slice()
		if err != nil {
			s.feed.forget(op)
			return 0, s.fail(err)
		}
		if status(res) == "OK" {
			s.feed.wait(ctx, op, wait)
			removed, _ := res[1].(int64)
			return int(removed), nil
		}
		s.feed.forget(op)
		id, _ := res[1].(string)
		if err := s.reindex(ctx, c, []string{id}); err != nil {
			return 0, err
		}
	}
	return 0, s.fail(fmt.Errorf("delete: %w", errGaveUp))
}
