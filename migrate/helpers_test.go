package migrate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imredis/imredis/engine"
	"github.com/imredis/imredis/internal/redistest"
	"github.com/redis/go-redis/v9"
	"github.com/rs/zerolog"
	"github.com/tidwall/gjson"
)

// epoch is the earliest created_at of the fixtures.
var epoch = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// fixture is one incident written in the seed's layout.
type fixture struct {
	db    int
	id    string
	raw   string // as the seed stored it
	canon []byte // after engine.Parse: what every target must hold
}

// testOptions are the Run options of the tests: engine and migration logs
// go to the test log.
func testOptions(t *testing.T) Options {
	return Options{Logger: zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)}
}

// testID returns the id of fixture i: the same i in two databases is the
// same id with different documents.
func testID(i int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(i)*2654435761, i)
}

// seedDoc renders incident i as the seed's service (serde_json) stores it:
// every field in declaration order, compact. Every few incidents vary as
// stored JSON may: fields reordered with optional ones missing, an offset
// timestamp, an unknown field with inner spaces, pretty-printed.
func seedDoc(r *rand.Rand, i int) string {
	id := testID(i)
	created := epoch.Add(time.Duration(r.IntN(500)) * time.Second) // many ties: the cursor's id order counts
	at := created.Format(time.RFC3339Nano)
	sev, st, typ := engine.Severities[r.IntN(5)], engine.States[r.IntN(6)], engine.Types[r.IntN(8)]
	src := []string{"prometheus", "datadog", "pagerduty"}[r.IntN(3)]
	fp := "null"
	if r.IntN(3) > 0 {
		fp = fmt.Sprintf(`"fp-%d"`, r.IntN(6))
	}
	labels := `{}`
	if r.IntN(2) == 0 {
		labels = fmt.Sprintf(`{"team":"t%d","env":"%s"}`, r.IntN(3), []string{"prod", "dev"}[r.IntN(2)])
	}
	switch i % 7 {
	case 1:
		return fmt.Sprintf(`{"title":"seed %d","severity":"%s","source":"%s","incident_type":"%s","id":"%s",`+
			`"state":"%s","created_at":"%s","updated_at":"%s"}`, i, sev, src, typ, id, st, at, at)
	case 2:
		at = created.In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano)
	}
	doc := fmt.Sprintf(`{"id":"%s","created_at":"%s","updated_at":"%s","state":"%s","severity":"%s",`+
		`"incident_type":"%s","source":"%s","title":"seed %d","description":"d \"%d\"","affected_resources":["host-%d"],`+
		`"assignees":[],"labels":%s,"related_incidents":[],"active_playbook":null,"resolution":null,`+
		`"timeline":[],"fingerprint":%s,"correlation_score":null}`,
		id, at, at, st, sev, typ, src, i, i, i%7, labels, fp)
	switch i % 7 {
	case 3:
		doc = strings.TrimSuffix(doc, "}") + `,"x_runbook":{"url":"https://runbooks/1", "steps": [1, 2]}}`
	case 4:
		var b bytes.Buffer
		_ = json.Indent(&b, []byte(doc), "", "  ")
		doc = b.String()
	}
	return doc
}

// seedWrite stores doc the way the seed's Rust store does: SET the JSON,
// then SADD incidents, severity, state, source and, when set, fingerprint.
func seedWrite(t *testing.T, c *redis.Client, doc string) {
	t.Helper()
	ctx := context.Background()
	r := gjson.Parse(doc)
	id := r.Get("id").Str
	p := c.TxPipeline()
	p.Set(ctx, "llm-im:incident:"+id, doc, 0)
	p.SAdd(ctx, "llm-im:incidents", id)
	p.SAdd(ctx, "llm-im:severity:"+r.Get("severity").Str, id)
	p.SAdd(ctx, "llm-im:state:"+r.Get("state").Str, id)
	p.SAdd(ctx, "llm-im:source:"+r.Get("source").Str, id)
	if fp := r.Get("fingerprint"); fp.Type == gjson.String {
		p.SAdd(ctx, "llm-im:fingerprint:"+fp.Str, id)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatalf("seed write: %v", err)
	}
}

// seed writes counts[db] incidents into each database of srv in the seed's
// layout; database db's incidents are numbered from 100*db.
func seed(t *testing.T, srv *redistest.Server, counts map[int]int) []fixture {
	t.Helper()
	var out []fixture
	for _, db := range slices.Sorted(maps.Keys(counts)) {
		c := srv.Client(db)
		r := rand.New(rand.NewPCG(uint64(db), 7))
		for i := 100 * db; i < 100*db+counts[db]; i++ {
			doc := seedDoc(r, i)
			seedWrite(t, c, doc)
			out = append(out, fixture{db: db, id: testID(i), raw: doc, canon: canon(t, []byte(doc))})
		}
	}
	return out
}

// canon returns the canonical document of doc.
func canon(t *testing.T, doc []byte) []byte {
	t.Helper()
	inc, err := engine.Parse(doc, 0, epoch)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return inc.Doc
}

// readLines returns the lines of the file at path (none when it is missing).
func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, slices.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// backupFiles returns the names in dir, sorted.
func backupFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, filepath.Base(e.Name()))
	}
	return out
}

// run calls Run and fails the test on error, logging the summary and time.
func run(t *testing.T, from, to string, o Options) Summary {
	t.Helper()
	start := time.Now()
	sum, err := Run(context.Background(), from, to, o)
	if err != nil {
		t.Fatalf("Run(%s -> %s): %v\n%s", from, to, err, sum)
	}
	t.Logf("%s -> %s: %v\n%s", from, to, time.Since(start).Round(time.Millisecond), sum)
	return sum
}

// checkSummary fails unless sum shows want[db] incidents read, written and
// counted on both sides of each database, and nothing elsewhere.
func checkSummary(t *testing.T, sum Summary, want map[int]int64) {
	t.Helper()
	var total int64
	var dbs []int
	for _, d := range sum.PerDB {
		n := want[d.DB]
		dbs = append(dbs, d.DB)
		total += n
		if d.Read != n || d.Written != n || d.Unchanged != 0 || d.SourceCount != n || d.TargetCount != n {
			t.Errorf("db %d: %+v, want %d everywhere", d.DB, d, n)
		}
	}
	if len(dbs) != len(want) || sum.Total != total {
		t.Errorf("summary covers dbs %v, total %d; want %d dbs, total %d", dbs, sum.Total, len(want), total)
	}
}
