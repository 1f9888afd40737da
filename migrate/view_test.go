package migrate

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/engine/factory"
	"github.com/tidwall/gjson"
)

// view is a read-only look at an endpoint, for checks.
type view struct {
	get   func(db int, id string) []byte
	count func(db int) int64
}

// openView opens the endpoint url for checking; it is closed when the test
// ends or when close is called.
func openView(t *testing.T, url string) (view, func()) {
	t.Helper()
	if path, ok := strings.CutPrefix(url, "jsonl:"); ok {
		docs := map[int]map[string][]byte{}
		for db := range engine.Databases {
			docs[db] = map[string][]byte{}
			for _, line := range readLines(t, jsonlFile(path, db)) {
				docs[db][gjson.GetBytes(line, "id").Str] = line
			}
		}
		return view{
			get:   func(db int, id string) []byte { return docs[db][id] },
			count: func(db int) int64 { return int64(len(docs[db])) },
		}, func() {}
	}
	s, err := factory.Open(context.Background(), url, engine.Options{}, factory.Settings{})
	if err == nil {
		if w, ok := s.(interface{ Wait() error }); ok {
			err = w.Wait()
		}
	}
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	closed := false
	stop := func() {
		if !closed {
			closed = true
			s.Close()
		}
	}
	t.Cleanup(stop)
	ctx := context.Background()
	return view{
		get: func(db int, id string) []byte {
			doc, err := s.Get(ctx, db, id)
			if err != nil {
				t.Fatalf("Get(%d, %s) on %s: %v", db, id, url, err)
			}
			return doc
		},
		count: func(db int) int64 {
			st, err := s.Stats(ctx, db)
			if err != nil {
				t.Fatalf("Stats(%d) on %s: %v", db, url, err)
			}
			return st.Total
		},
	}, stop
}

// checkHolds fails unless url holds exactly the canonical documents of fx.
func checkHolds(t *testing.T, url string, fx []fixture) {
	t.Helper()
	v, stop := openView(t, url)
	defer stop()
	want := map[int]int64{}
	for _, f := range fx {
		want[f.db]++
		if got := v.get(f.db, f.id); !bytes.Equal(got, f.canon) {
			t.Fatalf("%s: db %d incident %s\n got %s\nwant %s", url, f.db, f.id, got, f.canon)
		}
	}
	for db := range engine.Databases {
		if got := v.count(db); got != want[db] {
			t.Errorf("%s: db %d holds %d incidents, want %d", url, db, got, want[db])
		}
	}
}
