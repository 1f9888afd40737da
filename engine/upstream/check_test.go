package upstream

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/redis/go-redis/v9"
	"github.com/tidwall/gjson"
)

// checkLayout walks database db of the Redis behind c and fails unless every
// set and zset under prefix holds exactly what the stored documents imply,
// and every document has a meta hash naming exactly those keys. The expected
// key names are spelled here, independently of keys.go.
func checkLayout(t *testing.T, c *redis.Client, prefix string) {
	t.Helper()
	ctx := context.Background()
	p := prefix + ":"
	wantSets, wantZsets := map[string][]string{}, map[string][]string{}
	gotSets, gotZsets := map[string][]string{}, map[string][]string{}
	var metas []string
	iter := c.Scan(ctx, 0, p+"*", 1000).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		switch typ := c.Type(ctx, key).Val(); {
		case strings.HasPrefix(key, p+"incident:"):
			id := strings.TrimPrefix(key, p+"incident:")
			doc := c.Get(ctx, key).Val()
			sets, zsets := implied(t, p, id, doc)
			for _, k := range sets {
				wantSets[k] = append(wantSets[k], id)
			}
			for _, k := range zsets {
				wantZsets[k] = append(wantZsets[k], memberOf(t, id, doc))
			}
			checkMeta(t, c, p, id, sets, zsets)
		case strings.HasPrefix(key, p+"meta:"):
			metas = append(metas, strings.TrimPrefix(key, p+"meta:"))
		case typ == "set":
			gotSets[key] = c.SMembers(ctx, key).Val()
		case typ == "zset":
			gotZsets[key] = c.ZRange(ctx, key, 0, -1).Val()
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("SCAN: %v", err)
	}
	for _, id := range metas {
		if c.Exists(ctx, p+"incident:"+id).Val() == 0 {
			t.Errorf("%smeta:%s has no document", p, id)
		}
	}
	compareIndex(t, "set", gotSets, wantSets)
	compareIndex(t, "zset", gotZsets, wantZsets)
}

// implied returns the sets and zsets a stored document belongs in.
func implied(t *testing.T, p, id, doc string) (sets, zsets []string) {
	t.Helper()
	r := gjson.Parse(doc)
	if _, err := engine.Parse([]byte(doc), 0, epochForChecks); err != nil {
		sets = []string{p + "incidents", p + "invalid"}
		for _, f := range []string{"severity", "state", "source", "fingerprint"} {
			if v := r.Get(f); v.Type == gjson.String && v.Str != "" {
				sets = append(sets, p+f+":"+v.Str)
			}
		}
		return sets, nil
	}
	sev, st, src, typ := r.Get("severity").Str, r.Get("state").Str, r.Get("source").Str, r.Get("incident_type").Str
	if st == "" {
		st = "Detected"
	}
	sets = []string{p + "incidents", p + "severity:" + sev, p + "state:" + st, p + "source:" + src}
	zsets = []string{p + "by:all", p + "by:severity:" + sev, p + "by:state:" + st, p + "by:type:" + typ, p + "by:source:" + src}
	if fp := r.Get("fingerprint"); fp.Type == gjson.String && fp.Str != "" {
		sets = append(sets, p+"fingerprint:"+fp.Str)
		zsets = append(zsets, p+"by:fingerprint:"+fp.Str)
	}
	r.Get("labels").ForEach(func(k, v gjson.Result) bool {
		zsets = append(zsets, fmt.Sprintf("%sby:label:%d:%s=%s", p, len(k.Str), k.Str, v.Str))
		return true
	})
	return sets, zsets
}

// memberOf returns the zset member of a stored document.
func memberOf(t *testing.T, id, doc string) string {
	t.Helper()
	ns, ok := engine.ParseTime(gjson.Get(doc, "created_at").Str)
	if !ok {
		t.Fatalf("document %s: created_at %q", id, gjson.Get(doc, "created_at").Str)
	}
	return fmt.Sprintf("%016x:%s", uint64(ns)^(1<<63), id)
}

// checkMeta checks that p:meta:{id} lists exactly sets and zsets.
func checkMeta(t *testing.T, c *redis.Client, p, id string, sets, zsets []string) {
	t.Helper()
	f := c.HMGet(context.Background(), p+"meta:"+id, "sets", "zsets").Val()
	for i, want := range [][]string{sets, zsets} {
		raw, _ := f[i].(string)
		var got []string
		if raw != "" && raw != "{}" {
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Errorf("meta of %s: %v", id, err)
			}
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("meta of %s lists %v, want %v", id, got, want)
		}
	}
}

// compareIndex fails on any difference between the index keys found and wanted.
func compareIndex(t *testing.T, kind string, got, want map[string][]string) {
	t.Helper()
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		g, w := slices.Sorted(slices.Values(got[k])), slices.Sorted(slices.Values(want[k]))
		if !slices.Equal(g, w) {
			t.Errorf("%s %s = %v, documents imply %v", kind, k, g, w)
		}
	}
}
