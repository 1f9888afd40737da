// Package keyspacetest holds the tests of the llm-im: keyspace that need a
// whole imredis server and a real redis-server side by side.
package keyspacetest

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// This file ports the seed's RedisStore (src/state/redis_store.rs) command
// for command: the same keys, the same commands in the same order, the same
// client-side filtering, sorting and paging. It never SREMs old memberships
// on update, exactly as the seed does not.

// seedIncident is the seed's Incident as serde writes it, field for field.
type seedIncident struct {
	ID                string            `json:"id"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	State             string            `json:"state"`
	Severity          string            `json:"severity"`
	IncidentType      string            `json:"incident_type"`
	Source            string            `json:"source"`
	Title             string            `json:"title"`
	Description       string            `json:"description"`
	AffectedResources []string          `json:"affected_resources"`
	Assignees         []string          `json:"assignees"`
	Labels            map[string]string `json:"labels"`
	RelatedIncidents  []string          `json:"related_incidents"`
	ActivePlaybook    *string           `json:"active_playbook"`
	Resolution        *seedResolution   `json:"resolution"`
	Timeline          []seedEvent       `json:"timeline"`
	Fingerprint       *string           `json:"fingerprint"`
	CorrelationScore  *float64          `json:"correlation_score"`
}

type seedResolution struct {
	ResolvedAt       time.Time `json:"resolved_at"`
	ResolvedBy       string    `json:"resolved_by"`
	ResolutionMethod string    `json:"resolution_method"`
	RootCause        *string   `json:"root_cause"`
	Notes            string    `json:"notes"`
}

type seedEvent struct {
	Timestamp   time.Time         `json:"timestamp"`
	EventType   string            `json:"event_type"`
	Actor       string            `json:"actor"`
	Description string            `json:"description"`
	Metadata    map[string]string `json:"metadata"`
}

// isActive is the seed's Incident::is_active.
func (i *seedIncident) isActive() bool {
	switch i.State {
	case "Detected", "Triaged", "Investigating", "Remediating":
		return true
	}
	return false
}

// seedFilter is the seed's IncidentFilter.
type seedFilter struct {
	Severities []string
	States     []string
	Sources    []string
	ActiveOnly bool
}

var errSeedNotFound = errors.New("incident not found")

// seedStore is the seed's RedisStore over one go-redis client.
type seedStore struct {
	c      *redis.Client
	prefix string
}

func (s *seedStore) incidentKey(id string) string    { return s.prefix + ":incident:" + id }
func (s *seedStore) incidentsSetKey() string         { return s.prefix + ":incidents" }
func (s *seedStore) fingerprintKey(fp string) string { return s.prefix + ":fingerprint:" + fp }
func (s *seedStore) severityKey(v string) string     { return s.prefix + ":severity:" + v }
func (s *seedStore) stateKey(v string) string        { return s.prefix + ":state:" + v }
func (s *seedStore) sourceKey(v string) string       { return s.prefix + ":source:" + v }

// updateIndices is update_indices: SADD to the five sets.
func (s *seedStore) updateIndices(ctx context.Context, inc *seedIncident) ([]int64, error) {
	keys := []string{s.incidentsSetKey(), s.severityKey(inc.Severity), s.stateKey(inc.State), s.sourceKey(inc.Source)}
	if inc.Fingerprint != nil {
		keys = append(keys, s.fingerprintKey(*inc.Fingerprint))
	}
	var replies []int64
	for _, k := range keys {
		n, err := s.c.SAdd(ctx, k, inc.ID).Result()
		if err != nil {
			return nil, err
		}
		replies = append(replies, n)
	}
	return replies, nil
}

// removeFromIndices is remove_from_indices: SREM from the five sets.
func (s *seedStore) removeFromIndices(ctx context.Context, inc *seedIncident) ([]int64, error) {
	keys := []string{s.incidentsSetKey(), s.severityKey(inc.Severity), s.stateKey(inc.State), s.sourceKey(inc.Source)}
	if inc.Fingerprint != nil {
		keys = append(keys, s.fingerprintKey(*inc.Fingerprint))
	}
	var replies []int64
	for _, k := range keys {
		n, err := s.c.SRem(ctx, k, inc.ID).Result()
		if err != nil {
			return nil, err
		}
		replies = append(replies, n)
	}
	return replies, nil
}

// save is save_incident: SET, then the indices. It returns the SADD replies.
func (s *seedStore) save(ctx context.Context, inc *seedIncident) ([]int64, error) {
	doc, err := json.Marshal(inc)
	if err != nil {
		return nil, err
	}
	if err := s.c.Set(ctx, s.incidentKey(inc.ID), doc, 0).Err(); err != nil {
		return nil, err
	}
	return s.updateIndices(ctx, inc)
}

// get is get_incident: GET and deserialise.
func (s *seedStore) get(ctx context.Context, id string) (*seedIncident, error) {
	doc, err := s.c.Get(ctx, s.incidentKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var inc seedIncident
	if err := json.Unmarshal(doc, &inc); err != nil {
		return nil, err
	}
	return &inc, nil
}

// update is update_incident: EXISTS, SET, then the indices (no SREM).
func (s *seedStore) update(ctx context.Context, inc *seedIncident) ([]int64, error) {
	n, err := s.c.Exists(ctx, s.incidentKey(inc.ID)).Result()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errSeedNotFound
	}
	return s.save(ctx, inc)
}

// delete is delete_incident: get, DEL, then SREM from the indices.
func (s *seedStore) delete(ctx context.Context, id string) ([]int64, error) {
	inc, err := s.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if inc == nil {
		return nil, errSeedNotFound
	}
	if err := s.c.Del(ctx, s.incidentKey(id)).Err(); err != nil {
		return nil, err
	}
	return s.removeFromIndices(ctx, inc)
}

// union is one OR'ed dimension of get_filtered_incident_ids: the one key, or
// SUNIONSTORE into a fresh temp key with EXPIRE 60.
func (s *seedStore) union(ctx context.Context, name string, keys []string) (string, error) {
	if len(keys) == 1 {
		return keys[0], nil
	}
	temp := s.prefix + ":temp:" + name + "_union:" + uuid.NewString()
	if err := s.c.SUnionStore(ctx, temp, keys...).Err(); err != nil {
		return "", err
	}
	if err := s.c.Expire(ctx, temp, 60*time.Second).Err(); err != nil {
		return "", err
	}
	return temp, nil
}

// filteredIDs is get_filtered_incident_ids.
func (s *seedStore) filteredIDs(ctx context.Context, f seedFilter) ([]string, error) {
	var sets []string
	for _, dim := range []struct {
		name   string
		values []string
		key    func(string) string
	}{{"severity", f.Severities, s.severityKey}, {"state", f.States, s.stateKey}, {"source", f.Sources, s.sourceKey}} {
		if len(dim.values) == 0 {
			continue
		}
		var keys []string
		for _, v := range dim.values {
			keys = append(keys, dim.key(v))
		}
		k, err := s.union(ctx, dim.name, keys)
		if err != nil {
			return nil, err
		}
		sets = append(sets, k)
	}
	switch len(sets) {
	case 0:
		return s.c.SMembers(ctx, s.incidentsSetKey()).Result()
	case 1:
		return s.c.SMembers(ctx, sets[0]).Result()
	}
	return s.c.SInter(ctx, sets...).Result()
}

// fetch is the seed's loop of get_incident over ids, skipping ids that are
// not UUIDs or whose incident is gone. With mget it fetches in one MGET, as
// the seed's design notes describe.
func (s *seedStore) fetch(ctx context.Context, ids []string, mget bool) ([]*seedIncident, error) {
	var out []*seedIncident
	var valid []string
	for _, id := range ids {
		if _, err := uuid.Parse(id); err == nil {
			valid = append(valid, id)
		}
	}
	if !mget {
		for _, id := range valid {
			inc, err := s.get(ctx, id)
			if err != nil {
				return nil, err
			}
			if inc != nil {
				out = append(out, inc)
			}
		}
		return out, nil
	}
	if len(valid) == 0 {
		return nil, nil
	}
	keys := make([]string, len(valid))
	for i, id := range valid {
		keys[i] = s.incidentKey(id)
	}
	vals, err := s.c.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, err
	}
	for _, v := range vals {
		doc, ok := v.(string)
		if !ok {
			continue
		}
		var inc seedIncident
		if err := json.Unmarshal([]byte(doc), &inc); err != nil {
			return nil, err
		}
		out = append(out, &inc)
	}
	return out, nil
}

// list is list_incidents: ids, fetch, the active filter, newest first
// (a stable sort, as Rust's sort_by), then the page.
func (s *seedStore) list(ctx context.Context, f seedFilter, page, pageSize int, mget bool) ([]*seedIncident, error) {
	ids, err := s.filteredIDs(ctx, f)
	if err != nil {
		return nil, err
	}
	all, err := s.fetch(ctx, ids, mget)
	if err != nil {
		return nil, err
	}
	var out []*seedIncident
	for _, inc := range all {
		if !f.ActiveOnly || inc.isActive() {
			out = append(out, inc)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	start := min(page*pageSize, len(out))
	return out[start:min(start+pageSize, len(out))], nil
}

// count is count_incidents: the number of ids, or of active fetched ones.
func (s *seedStore) count(ctx context.Context, f seedFilter) (int, error) {
	ids, err := s.filteredIDs(ctx, f)
	if err != nil {
		return 0, err
	}
	if !f.ActiveOnly {
		return len(ids), nil
	}
	all, err := s.fetch(ctx, ids, false)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, inc := range all {
		if inc.isActive() {
			n++
		}
	}
	return n, nil
}

// findByFingerprint is find_by_fingerprint: SMEMBERS, then GET each.
func (s *seedStore) findByFingerprint(ctx context.Context, fp string) ([]*seedIncident, error) {
	ids, err := s.c.SMembers(ctx, s.fingerprintKey(fp)).Result()
	if err != nil {
		return nil, err
	}
	return s.fetch(ctx, ids, false)
}
