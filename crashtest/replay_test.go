package crashtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const replayIncidents = 3000

// TestPipeReplay is the acceptance run: 3,000 incidents loaded with
// redis-cli --pipe, kill -9, restart; every incident is there byte for
// byte, INC.COUNT is 3000 and every filter agrees with the loaded data. The
// data directory the server created is 0700 and its files 0600.
func TestPipeReplay(t *testing.T) {
	t.Parallel()
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatal("redis-cli is needed (make deps installs it)")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	path := filepath.Join(dir, "imredis.db")
	r := newRand(seed(t))
	var proto bytes.Buffer
	loaded := map[string]string{}
	for range replayIncidents {
		inc := newIncident(r, newID(r))
		doc := inc.doc()
		fmt.Fprintf(&proto, "*2\r\n$8\r\nINC.SAVE\r\n$%d\r\n%s\r\n", len(doc), doc)
		loaded[inc.ID] = string(doc)
	}
	s := startServer(t, path)
	host, port, _ := net.SplitHostPort(s.addr)
	pipe := exec.Command(cli, "-h", host, "-p", port, "--pipe")
	pipe.Stdin = &proto
	out, err := pipe.CombinedOutput()
	if want := fmt.Sprintf("errors: 0, replies: %d", replayIncidents); err != nil || !strings.Contains(string(out), want) {
		t.Fatalf("redis-cli --pipe: %v, want %q in its output:\n%s", err, want, out)
	}
	s.kill()

	s = startServer(t, path)
	c := s.client(2)
	if n, err := c.Do(context.Background(), "INC.COUNT").Int(); err != nil || n != replayIncidents {
		t.Fatalf("INC.COUNT after kill -9 and restart = %d, %v; want %d", n, err, replayIncidents)
	}
	snap := readAll(t, c)
	for id, doc := range loaded {
		if snap.docs[id] != doc {
			t.Errorf("%s after kill -9 and restart:\n got: %s\nwant: %s", id, snap.docs[id], doc)
		}
	}
	checkIndexes(t, c, snapshotOf(t, loaded), r)
	checkModes(t, dir)
	s.stop()
}

// snapshotOf is the snapshot a server holding exactly docs must list.
func snapshotOf(t *testing.T, docs map[string]string) snapshot {
	t.Helper()
	snap := snapshot{docs: docs}
	for _, d := range docs {
		snap.metas = append(snap.metas, decode(t, d))
	}
	slices.SortFunc(snap.metas, newestFirst)
	return snap
}

// checkModes requires dir to be 0700 and every file in it 0600.
func checkModes(t *testing.T, dir string) {
	t.Helper()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o700 {
		t.Errorf("data directory %s has mode %#o, want 0700", dir, m)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); fi.Mode().IsRegular() && m != 0o600 {
			t.Errorf("%s has mode %#o, want 0600", e.Name(), m)
		}
	}
}
