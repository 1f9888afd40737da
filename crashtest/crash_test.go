package crashtest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

const (
	writers      = 32
	idsPerWriter = 100
)

// TestCrashFsyncAlways kills the server with SIGKILL in the middle of 32
// concurrent writers, cycle after cycle on one data file, and checks on every
// restart that nothing acknowledged was lost and the indexes agree.
func TestCrashFsyncAlways(t *testing.T) {
	t.Parallel()
	crashCycles(t, "always")
}

// TestCrashFsyncEverySec is the same under everysec: a process crash leaves
// the written bytes with the OS, so nothing acknowledged may be lost either.
func TestCrashFsyncEverySec(t *testing.T) {
	t.Parallel()
	crashCycles(t, "everysec")
}

// cycleFigures is what one cycle measured.
type cycleFigures struct {
	restart, verify time.Duration // start to ready; the checks after it
	acked           tally         // writes acknowledged before the kill
	inflight        landed        // in-flight writes found applied or not
	bgsave          bool          // a BGSAVE started before the kill
	inCompaction    bool          // the kill left a compaction unfinished
}

func crashCycles(t *testing.T, fsync string) {
	sd, n := seed(t), cycles(t)
	t.Logf("fsync %s, %d cycles, CRASH_SEED=%d", fsync, n, sd)
	r := newRand(sd)
	lanes := newLanes(sd, writers, idsPerWriter)
	path := filepath.Join(t.TempDir(), "data", "imredis.db")
	var figs []cycleFigures
	for i := 0; ; i++ {
		var f cycleFigures
		s := startServer(t, path, "--fsync", fsync)
		f.restart = time.Since(s.began)
		began := time.Now()
		c := s.client(4)
		snap := readAll(t, c)
		f.inflight = checkModel(t, c, snap, lanes)
		checkIndexes(t, c, snap, r)
		f.verify = time.Since(began)
		if t.Failed() {
			t.Fatalf("restart %d of %d (fsync %s) found the damage above; CRASH_SEED=%d draws the same documents and kill delays", i, n, fsync, sd)
		}
		if i == n {
			s.stop()
			break
		}
		killAfter := 50*time.Millisecond + time.Duration(r.Int64N(int64(350*time.Millisecond)))
		var bgsaveAt time.Duration
		if r.IntN(3) == 0 { // a compaction at some point before the kill
			bgsaveAt = 1 + time.Duration(r.Int64N(int64(killAfter)))
			f.bgsave = true
		}
		f.acked = load(t, s, lanes, killAfter, bgsaveAt)
		_, err := os.Lstat(path + ".compacting") // the engine's link to the old file while it compacts
		f.inCompaction = err == nil
		figs = append(figs, f)
	}
	report(t, figs, path)
}

// report logs the figures of the run.
func report(t *testing.T, figs []cycleFigures, path string) {
	t.Helper()
	var acked []int
	var restart, verify []time.Duration
	var sum tally
	var inflight landed
	bgsaves, cut := 0, 0
	for _, f := range figs {
		if f.bgsave {
			bgsaves++
		}
		if f.inCompaction {
			cut++
		}
		acked = append(acked, f.acked.total())
		restart, verify = append(restart, f.restart), append(verify, f.verify)
		sum.saves, sum.updates, sum.dels = sum.saves+f.acked.saves, sum.updates+f.acked.updates, sum.dels+f.acked.dels
		inflight.applied, inflight.lost = inflight.applied+f.inflight.applied, inflight.lost+f.inflight.lost
	}
	size := int64(-1)
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	t.Logf("%d kills (%d of them after a BGSAVE, %d inside a compaction); acknowledged writes per cycle min/median/max %d/%d/%d (total %d saves, %d updates, %d deletes)",
		len(figs), bgsaves, cut, slices.Min(acked), median(acked), slices.Max(acked), sum.saves, sum.updates, sum.dels)
	t.Logf("restart to ready min/median/max %s/%s/%s; checks per restart median %s; in-flight writes at kill: %d applied, %d not; data file %d bytes",
		slices.Min(restart), median(restart), slices.Max(restart), median(verify), inflight.applied, inflight.lost, size)
}

func median[T int | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
