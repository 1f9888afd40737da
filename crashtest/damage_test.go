package crashtest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const damagedIncidents = 300

// TestDamagedFileNeedsRepair appends garbage to the data file after a clean
// stop: imredis refuses to start, names --repair and leaves the file alone;
// with --repair it serves every record and keeps a copy of the damaged file;
// after that it starts without --repair.
func TestDamagedFileNeedsRepair(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "imredis.db")
	s := startServer(t, path)
	ctx := context.Background()
	r := newRand(seed(t))
	saved := map[string]string{}
	pipe := s.client(1).Pipeline()
	for range damagedIncidents {
		inc := newIncident(r, newID(r))
		saved[inc.ID] = string(inc.doc())
		pipe.Do(ctx, "INC.SAVE", inc.doc())
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatalf("saving %d incidents: %v", damagedIncidents, err)
	}
	s.stop()

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	garbage := append([]byte("\x00\x17 not a record \xff\xfe\n"), bytes.Repeat([]byte{0xa5, 0x00, 0x3c}, 40)...)
	if _, err := f.Write(garbage); err != nil {
		t.Fatal(err)
	}
	f.Close()
	damaged, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	bad := launch(t, path)
	if bad.addr != "" {
		t.Fatalf("imredis serves a damaged data file at %s; want it refused", bad.addr)
	}
	if code := bad.waitExit(time.Second); code == 0 || !strings.Contains(bad.log(), "--repair") {
		t.Errorf("start on a damaged file: exit status %d, want non-zero and a message naming --repair:\n%s", code, bad.log())
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, damaged) {
		t.Errorf("a refused start changed the data file (%d bytes, was %d)", len(now), len(damaged))
	}

	s = startServer(t, path, "--repair")
	snap := readAll(t, s.client(1))
	if len(snap.docs) != len(saved) {
		t.Errorf("after --repair %d incidents, want %d", len(snap.docs), len(saved))
	}
	for id, doc := range saved {
		if snap.docs[id] != doc {
			t.Errorf("%s after --repair:\n got: %s\nwant: %s", id, snap.docs[id], doc)
		}
	}
	copies, _ := filepath.Glob(path + ".damaged-*")
	if len(copies) != 1 {
		t.Fatalf("copies of the damaged file: %v, want one %s.damaged-*", copies, filepath.Base(path))
	}
	if kept, _ := os.ReadFile(copies[0]); !bytes.Equal(kept, damaged) {
		t.Errorf("%s is not the damaged file (%d bytes, want %d)", copies[0], len(kept), len(damaged))
	}
	checkModes(t, dir)
	s.stop()
	startServer(t, path).stop() // repaired for good: no --repair needed any more
}
