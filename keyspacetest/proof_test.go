package keyspacetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// The proof: the seed's RedisStore, run unchanged against imredis and against
// a real redis-server loaded the same way, gives the same results for every
// operation. The one intended difference: the seed's update never SREMs the
// old memberships, so real Redis keeps an updated incident in its old state
// set (and, once deleted, leaves it dangling there) while imredis's derived
// sets are exact. The test asserts that difference explicitly.

var seedFilters = []seedFilter{
	{},
	{ActiveOnly: true},
	{Severities: []string{"P0"}},
	{Severities: []string{"P0", "P1"}},
	{Severities: []string{"P2", "P3", "P4"}, ActiveOnly: true},
	{States: []string{"Detected"}},
	{States: []string{"Detected", "Investigating"}},
	{States: []string{"Detected", "Triaged"}, ActiveOnly: true},
	{States: []string{"Resolved", "Closed"}},
	{Sources: []string{"sentinel"}},
	{Sources: []string{"sentinel", "datadog"}},
	{Severities: []string{"P0", "P1"}, States: []string{"Detected", "Triaged"}},
	{Severities: []string{"P1", "P2"}, States: []string{"Detected"}, Sources: []string{"prometheus", "sentinel"}},
	{Severities: []string{"P1"}, States: []string{"Detected", "Remediating"}, Sources: []string{"prometheus", "sentinel", "datadog"}, ActiveOnly: true},
	{Severities: []string{"P9"}},
	{States: []string{"detected"}},
}

func TestSeedStoreProof(t *testing.T) {
	for _, proto := range []int{3, 2} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) { seedProof(t, proto) })
	}
}

func seedProof(t *testing.T, proto int) {
	ctx := context.Background()
	p := startPair(t, proto)
	im, rd := &seedStore{c: p.im, prefix: "llm-im"}, &seedStore{c: p.rd, prefix: "llm-im"}
	incs := seedIncidents(48)

	for _, inc := range incs {
		imSADD, err1 := im.save(ctx, inc)
		rdSADD, err2 := rd.save(ctx, inc)
		if err1 != nil || err2 != nil {
			t.Fatalf("save %s: imredis %v, redis %v", inc.ID, err1, err2)
		}
		// Redis adds the id to each set; imredis's sets already hold it
		// since the SET, so SADD answers 0, as Redis would for that set.
		if slices.ContainsFunc(rdSADD, func(n int64) bool { return n != 1 }) || slices.ContainsFunc(imSADD, func(n int64) bool { return n != 0 }) {
			t.Fatalf("save %s: SADD replies imredis %v, redis %v", inc.ID, imSADD, rdSADD)
		}
	}
	sameOutcomes(t, im, rd, incs)

	// Seed-style updates: update_state, then update_incident.
	left := map[string][]string{} // id -> states it left
	for i, inc := range incs {
		if i%3 != 0 {
			continue
		}
		next := states[(slices.Index(states, inc.State)+2)%len(states)]
		left[inc.ID] = append(left[inc.ID], inc.State)
		inc.State, inc.UpdatedAt = next, inc.UpdatedAt.Add(time.Hour)
		inc.Timeline = append(inc.Timeline, seedEvent{Timestamp: inc.UpdatedAt, EventType: "StateChanged",
			Actor: "user@example.com", Description: "State changed to " + next, Metadata: map[string]string{}})
		if _, err := im.update(ctx, inc); err != nil {
			t.Fatalf("imredis update: %v", err)
		}
		if _, err := rd.update(ctx, inc); err != nil {
			t.Fatalf("redis update: %v", err)
		}
	}
	missing := *incs[0]
	missing.ID = "ffffffff-ffff-4fff-8fff-ffffffffffff"
	if _, err := im.update(ctx, &missing); !errors.Is(err, errSeedNotFound) {
		t.Errorf("imredis update of a missing incident: %v", err)
	}
	if _, err := rd.update(ctx, &missing); !errors.Is(err, errSeedNotFound) {
		t.Errorf("redis update of a missing incident: %v", err)
	}
	staleOutcomes(t, im, rd, incs, left, nil)

	// Deletes, updated incidents among them.
	deleted := map[string]bool{}
	for i, inc := range incs {
		if i%4 != 0 {
			continue
		}
		deleted[inc.ID] = true
		imSREM, err1 := im.delete(ctx, inc.ID)
		rdSREM, err2 := rd.delete(ctx, inc.ID)
		if err1 != nil || err2 != nil {
			t.Fatalf("delete %s: imredis %v, redis %v", inc.ID, err1, err2)
		}
		// The DEL already took the id out of imredis's sets.
		if slices.ContainsFunc(rdSREM, func(n int64) bool { return n != 1 }) || slices.ContainsFunc(imSREM, func(n int64) bool { return n != 0 }) {
			t.Errorf("delete %s: SREM replies imredis %v, redis %v", inc.ID, imSREM, rdSREM)
		}
	}
	if _, err := im.delete(ctx, incs[0].ID); !errors.Is(err, errSeedNotFound) {
		t.Errorf("imredis delete of a deleted incident: %v", err)
	}
	if _, err := rd.delete(ctx, incs[0].ID); !errors.Is(err, errSeedNotFound) {
		t.Errorf("redis delete of a deleted incident: %v", err)
	}
	staleOutcomes(t, im, rd, incs, left, deleted)
	sameTempKeys(t, p)
}

// sameOutcomes asserts that every seed operation answers the same on both.
func sameOutcomes(t *testing.T, im, rd *seedStore, incs []*seedIncident) {
	t.Helper()
	ctx := context.Background()
	for _, inc := range incs {
		a, err1 := im.get(ctx, inc.ID)
		b, err2 := rd.get(ctx, inc.ID)
		if err1 != nil || err2 != nil || a == nil || b == nil {
			t.Fatalf("get %s: imredis %v %v, redis %v %v", inc.ID, a, err1, b, err2)
		}
		sameIncidents(t, "get "+inc.ID, []*seedIncident{a}, []*seedIncident{b})
	}
	for _, f := range seedFilters {
		what := fmt.Sprintf("%+v", f)
		for page := 0; ; page++ {
			a, err1 := im.list(ctx, f, page, 7, false)
			b, err2 := rd.list(ctx, f, page, 7, false)
			c, err3 := im.list(ctx, f, page, 7, true)
			d, err4 := rd.list(ctx, f, page, 7, true)
			if err := errors.Join(err1, err2, err3, err4); err != nil {
				t.Fatalf("list %s: %v", what, err)
			}
			sameIncidents(t, fmt.Sprintf("list %s page %d", what, page), a, b)
			sameIncidents(t, fmt.Sprintf("list with MGET %s page %d", what, page), c, d)
			sameIncidents(t, fmt.Sprintf("list with MGET or GET %s page %d", what, page), d, b)
			if len(b) == 0 {
				break
			}
		}
		n1, err1 := im.count(ctx, f)
		n2, err2 := rd.count(ctx, f)
		if err1 != nil || err2 != nil || n1 != n2 {
			t.Errorf("count %s: imredis %d %v, redis %d %v", what, n1, err1, n2, err2)
		}
	}
	for _, fp := range append(slices.Clone(prints), "fp-none") {
		a, err1 := im.findByFingerprint(ctx, fp)
		b, err2 := rd.findByFingerprint(ctx, fp)
		if err1 != nil || err2 != nil {
			t.Fatalf("find_by_fingerprint %s: %v %v", fp, err1, err2)
		}
		sameIncidents(t, "find_by_fingerprint "+fp, byID(a), byID(b))
	}
}

// matches reports whether inc, as it is now, passes f's set dimensions.
func matches(f seedFilter, inc *seedIncident) bool {
	in := func(vs []string, v string) bool { return len(vs) == 0 || slices.Contains(vs, v) }
	return in(f.Severities, inc.Severity) && in(f.States, inc.State) && in(f.Sources, inc.Source)
}

// staleOutcomes asserts the seed's outcomes after seed-style updates: gets
// and fingerprint lookups agree; for every filter imredis's ids are exactly
// the incidents that match now, and real Redis's extra ids are exactly the
// stale members the seed left behind (an incident still listed under a
// state it left, live or deleted), which its list and count then include.
func staleOutcomes(t *testing.T, im, rd *seedStore, incs []*seedIncident, left map[string][]string, deleted map[string]bool) {
	t.Helper()
	ctx := context.Background()
	byIDs := map[string]*seedIncident{}
	for _, inc := range incs {
		byIDs[inc.ID] = inc
		a, _ := im.get(ctx, inc.ID)
		b, _ := rd.get(ctx, inc.ID)
		if (a == nil) != deleted[inc.ID] || (b == nil) != deleted[inc.ID] {
			t.Fatalf("get %s: imredis %v, redis %v, deleted %v", inc.ID, a, b, deleted[inc.ID])
		}
		if a != nil {
			sameIncidents(t, "get "+inc.ID, []*seedIncident{a}, []*seedIncident{b})
		}
	}
	staleSeen := 0
	for _, f := range seedFilters {
		what := fmt.Sprintf("%+v", f)
		imIDs, err1 := im.filteredIDs(ctx, f)
		rdIDs, err2 := rd.filteredIDs(ctx, f)
		if err1 != nil || err2 != nil {
			t.Fatalf("ids %s: %v %v", what, err1, err2)
		}
		slices.Sort(imIDs)
		slices.Sort(rdIDs)
		var want, stale []string
		for _, inc := range incs {
			wasIn := slices.ContainsFunc(left[inc.ID], func(s string) bool { return slices.Contains(f.States, s) })
			switch {
			case !deleted[inc.ID] && matches(f, inc):
				want = append(want, inc.ID)
			case wasIn && len(f.Severities) == 0 && len(f.Sources) == 0:
				stale = append(stale, inc.ID) // only the state sets keep stale members
			case wasIn && !deleted[inc.ID] && matches(seedFilter{Severities: f.Severities, Sources: f.Sources}, inc):
				stale = append(stale, inc.ID)
			}
		}
		slices.Sort(want)
		if !slices.Equal(imIDs, want) {
			t.Errorf("imredis ids %s = %v, want exactly the matching incidents %v", what, imIDs, want)
		}
		withStale := slices.Concat(want, stale)
		slices.Sort(withStale)
		if !slices.Equal(rdIDs, withStale) {
			t.Errorf("redis ids %s = %v, want the matching %v plus the stale %v", what, rdIDs, want, stale)
		}
		staleSeen += len(stale)

		a, err1 := im.list(ctx, f, 0, 1000, false)
		b, err2 := rd.list(ctx, f, 0, 1000, false)
		if err1 != nil || err2 != nil {
			t.Fatalf("list %s: %v %v", what, err1, err2)
		}
		var bMatching []*seedIncident
		staleListed := 0
		for _, inc := range b {
			if matches(f, inc) {
				bMatching = append(bMatching, inc)
			} else if slices.Contains(stale, inc.ID) {
				staleListed++ // the seed lists it under a state it left
			} else {
				t.Errorf("redis list %s returned %s, neither matching nor stale", what, inc.ID)
			}
		}
		sameIncidents(t, "list (matching part) "+what, a, bMatching)

		n1, _ := im.count(ctx, f)
		n2, _ := rd.count(ctx, f)
		extra := len(stale) // count without ACTIVE is the number of ids, dangling ones too
		if f.ActiveOnly {
			extra = 0
			for _, id := range stale {
				if !deleted[id] && byIDs[id].isActive() {
					extra++
				}
			}
		}
		if n1 != len(a) || n2 != n1+extra {
			t.Errorf("count %s: imredis %d (listed %d), redis %d, want imredis + %d stale", what, n1, len(a), n2, extra)
		}
	}
	if staleSeen == 0 {
		t.Error("no filter exercised a stale membership")
	}
	for _, fp := range prints {
		a, _ := im.findByFingerprint(ctx, fp)
		b, _ := rd.findByFingerprint(ctx, fp)
		sameIncidents(t, "find_by_fingerprint "+fp, byID(a), byID(b))
	}
}

// sameTempKeys checks the temp keys the seed's lists left: as many on both
// servers, each with EXPIRE 60's time to live.
func sameTempKeys(t *testing.T, p *pair) {
	t.Helper()
	ctx := context.Background()
	imKeys, err1 := p.im.Keys(ctx, "llm-im:temp:*").Result()
	rdKeys, err2 := p.rd.Keys(ctx, "llm-im:temp:*").Result()
	if err1 != nil || err2 != nil || len(imKeys) != len(rdKeys) || len(imKeys) == 0 {
		t.Fatalf("temp keys: imredis %d %v, redis %d %v", len(imKeys), err1, len(rdKeys), err2)
	}
	for _, k := range imKeys {
		if ttl, err := p.im.TTL(ctx, k).Result(); err != nil || ttl <= 50*time.Second || ttl > 60*time.Second {
			t.Errorf("TTL %s = %v, %v", k, ttl, err)
		}
	}
}
