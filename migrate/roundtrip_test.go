package migrate

import (
	"cmp"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/redistest"
	"github.com/redis/go-redis/v9"
	"github.com/tidwall/gjson"
)

// TestRoundTrip moves 1,000 incidents written in the seed's layout (600 in
// database 0, 400 in database 2, 100 ids shared between them) from Redis to
// buntdb, to jsonl and into a fresh Redis. At every step each document is
// byte-equal to its canonical form and the counts per database agree.
func TestRoundTrip(t *testing.T) {
	src := redistest.Start(t)
	fx := seed(t, src, map[int]int{0: 600, 2: 400})
	want := map[int]int64{0: 600, 2: 400}
	dir := t.TempDir()
	bunt := "buntdb:" + filepath.Join(dir, "bunt", "imredis.db")
	backup := filepath.Join(dir, "backup", "incidents.jsonl")
	dst := redistest.Start(t)

	small := testOptions(t)
	small.BatchSize = 97 // many pages, with created_at ties across their edges
	for _, step := range []struct {
		from, to string
		o        Options
	}{
		{src.URL(), bunt, small},
		{bunt, "jsonl:" + backup, testOptions(t)},
		{"jsonl:" + backup, dst.URL(), testOptions(t)},
	} {
		checkSummary(t, run(t, step.from, step.to, step.o), want)
		checkHolds(t, step.to, fx)
	}

	if got := backupFiles(t, filepath.Dir(backup)); !slices.Equal(got, []string{"incidents.jsonl", "incidents.jsonl.db2"}) {
		t.Errorf("backup files = %v", got)
	}
	lines := 0
	for _, db := range []int{0, 2} {
		ls := readLines(t, jsonlFile(backup, db))
		lines += len(ls)
		if !slices.IsSortedFunc(ls, byPosition(t)) {
			t.Errorf("db %d: jsonl lines are not in (created_at, id) order", db)
		}
	}
	if lines != 1000 {
		t.Errorf("jsonl holds %d lines, want 1000", lines)
	}
	checkSeedUntouched(t, src, fx)
	checkSeedLayout(t, dst, fx)
}

// byPosition compares two documents by (created_at, id).
func byPosition(t *testing.T) func(a, b []byte) int {
	return func(a, b []byte) int {
		x, err := engine.Parse(a, 0, epoch)
		if err != nil {
			t.Fatal(err)
		}
		y, err := engine.Parse(b, 0, epoch)
		if err != nil {
			t.Fatal(err)
		}
		return cmp.Or(cmp.Compare(x.Created, y.Created), strings.Compare(x.ID, y.ID))
	}
}

// checkSeedUntouched fails unless the source still holds every document as
// the seed wrote it.
func checkSeedUntouched(t *testing.T, srv *redistest.Server, fx []fixture) {
	t.Helper()
	ctx := context.Background()
	for _, f := range fx {
		if got := srv.Client(f.db).Get(ctx, "llm-im:incident:"+f.id).Val(); got != f.raw {
			t.Fatalf("source db %d incident %s changed:\n got %s\nwant %s", f.db, f.id, got, f.raw)
		}
	}
}

// checkSeedLayout fails unless the Redis behind srv holds every fixture in
// the seed's layout: the canonical JSON and its memberships, so that the
// seed's service reads it back.
func checkSeedLayout(t *testing.T, srv *redistest.Server, fx []fixture) {
	t.Helper()
	ctx := context.Background()
	for _, f := range fx {
		c := srv.Client(f.db)
		r := gjson.ParseBytes(f.canon)
		var get *redis.StringCmd
		var member []*redis.BoolCmd
		_, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
			get = p.Get(ctx, "llm-im:incident:"+f.id)
			for _, k := range []string{"incidents", "severity:" + r.Get("severity").Str,
				"state:" + r.Get("state").Str, "source:" + r.Get("source").Str} {
				member = append(member, p.SIsMember(ctx, "llm-im:"+k, f.id))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if get.Val() != string(f.canon) {
			t.Fatalf("target db %d: GET llm-im:incident:%s = %s, want %s", f.db, f.id, get.Val(), f.canon)
		}
		for _, m := range member {
			if !m.Val() {
				t.Errorf("target db %d: %v = false", f.db, m.Args())
			}
		}
	}
}
