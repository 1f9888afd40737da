package crashtest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSecondInstanceRefused starts a second imredis on the data directory of
// a running one, on the same file and on another file in that directory:
// both are refused with a message saying the directory is in use, and the
// first keeps serving.
func TestSecondInstanceRefused(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "imredis.db")
	first := startServer(t, path)
	for _, name := range []string{"imredis.db", "other.db"} {
		second := launch(t, filepath.Join(dir, name))
		if second.addr != "" {
			t.Fatalf("a second imredis on %s serves at %s; want it refused", name, second.addr)
		}
		code := second.waitExit(time.Second)
		if code == 0 || !strings.Contains(second.log(), "in use") {
			t.Errorf("second imredis on %s: exit status %d, want non-zero and a message that the directory is in use:\n%s",
				name, code, second.log())
		}
	}
	c := first.client(1)
	inc := newIncident(newRand(1), "6f1c0a52-8d7e-4a51-9c36-2b1f0d3e4a5b")
	if id, err := c.Do(context.Background(), "INC.SAVE", inc.doc()).Text(); err != nil || id != inc.ID {
		t.Fatalf("the first imredis after the refused starts: INC.SAVE = %q, %v", id, err)
	}
	first.stop()
	again := startServer(t, path) // the lock went with the first process
	got, err := again.client(1).Do(context.Background(), "INC.GET", inc.ID).Text()
	if err != nil || got != string(inc.doc()) {
		t.Errorf("after a clean stop and restart INC.GET = %q, %v; want %s", got, err, inc.doc())
	}
	again.stop()
}
